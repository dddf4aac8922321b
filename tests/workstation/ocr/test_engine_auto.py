"""``--languages auto`` on a short page: Tesseract's OSD guesses the script of two lines
of clean English as Cyrillic with confidence 0.0; the page must still be read as English
(the engine also reads an unsure page with English and Russian and keeps the more
confident reading). A full page, where OSD is sure, is read with its script's model alone."""

from __future__ import annotations

from tests.scans import ScanLook, render_scan
from tests.workstation.ocr.support import needs_models
from workstation.ocr.engine import SURE_SCRIPT, detect_script_with_confidence, read_picture

pytestmark = needs_models

CLEAN = ScanLook(skew=0.0, blur=0.3, speckle=0.0, jpeg_quality=None, photocopy=False)
SHORT = ["The tanker SKY VENUS met AMBER TIDE", "off Nampo on 12 March 2024."]
RUSSIAN = ["Груз: уголь, около 4000 тонн.", "Порт погрузки: Таганрог."]


def test_a_short_english_page_osd_is_unsure_of_is_read_as_english() -> None:
    page = render_scan(SHORT, "eng", 200, CLEAN).convert("L")
    _script, sure = detect_script_with_confidence(page)
    assert sure < SURE_SCRIPT  # the case this guards: OSD guesses
    reading = read_picture(page, ("auto",), 200)
    text = " ".join(w.text for w in reading.words)
    assert reading.languages == "eng"
    assert "tanker" in text
    assert "Nampo" in text


def test_a_russian_page_is_still_read_with_the_russian_model() -> None:
    page = render_scan(RUSSIAN, "rus", 200, CLEAN).convert("L")
    reading = read_picture(page, ("auto",), 200)
    assert reading.languages == "rus"
    assert "Таганрог" in " ".join(w.text for w in reading.words)
