"""``--languages auto`` on a short page: Tesseract's OSD guesses the script of two lines
of clean English as Cyrillic with confidence 0.0; the page must still be read as English
(the engine also reads an unsure page with English and Russian and keeps the more
confident reading). A full page, where OSD is sure, is read with its script's model alone."""

from __future__ import annotations

from bench.ocr_testset import page_lines
from tests.scans import ScanLook, render_scan
from tests.workstation.ocr.support import needs_models
from workstation.ocr.engine import SURE_SCRIPT, detect_script_with_confidence, read_picture

pytestmark = needs_models

CLEAN = ScanLook(skew=0.0, blur=0.3, speckle=0.0, jpeg_quality=None, photocopy=False)
SHORT = ["The tanker SKY VENUS met AMBER TIDE", "off Nampo on 12 March 2024."]
RUSSIAN = ["Груз: уголь, около 4000 тонн.", "Порт погрузки: Таганрог."]
KOREAN = list(page_lines("kor"))


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


def test_a_page_osd_is_unsure_of_is_read_once_when_its_guess_reads_surely() -> None:
    # OSD is unsure of every Korean page (confidence about 1); the Korean model reads
    # it at 84-90, so English is not read as well.
    page = render_scan(KOREAN, "kor", 200, CLEAN).convert("L")
    _script, sure = detect_script_with_confidence(page)
    assert sure < SURE_SCRIPT

    reading = read_picture(page, ("auto",), 200)

    assert reading.tried == ("kor",)
    assert "남포항에" in "".join(w.text for w in reading.words)


def test_a_page_whose_guess_reads_unsurely_is_read_with_the_likely_models() -> None:
    page = render_scan(SHORT, "eng", 200, CLEAN).convert("L")

    reading = read_picture(page, ("auto",), 200)

    assert reading.tried[0] != "eng"  # OSD's guess first, then English
    assert "eng" in reading.tried
    assert reading.languages == "eng"
