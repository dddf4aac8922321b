"""What the OCR tests need: Tesseract's models (Debian's tesseract-ocr-*) and fonts to draw text.

`.ci/run` installs both; on a machine without them the tests that read pages are skipped
with the reason, and the rest (bad input, detection, text assembly) still run.
"""

from __future__ import annotations

import pytest

from tests.scans import font_available
from workstation.ocr.engine import LANGUAGES, tessdata_dir

MODELS = ("osd", *LANGUAGES)


def _missing() -> list[str]:
    folder = tessdata_dir()
    lost = [f"{m}.traineddata" for m in MODELS if not (folder / f"{m}.traineddata").is_file()]
    lost += [f"font for {lang}" for lang in LANGUAGES if not font_available(lang)]
    return lost


needs_models = pytest.mark.skipif(
    bool(_missing()),
    reason="OCR models or fonts missing here (apt-get install tesseract-ocr-eng "
    "tesseract-ocr-kor tesseract-ocr-rus tesseract-ocr-jpn tesseract-ocr-jpn-vert "
    f"tesseract-ocr-chi-sim tesseract-ocr-chi-tra fonts-noto-cjk): {', '.join(_missing())}",
)
