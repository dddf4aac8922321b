"""``workstation annotate --quote`` on a picture of a document: its OCR text is quoted
like a page's once OCR has read it; before, one line says to run OCR first."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli
from tests.scans import CLEAN, make_scanned_image
from tests.workstation.ocr.support import needs_models

LINES = ["Bill of lading for the voyage to Nampo.", "The tanker SKY VENUS met AMBER TIDE"]


def _ok(*args: str) -> str:
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _imported(tmp_path: Path) -> tuple[str, str]:
    library = str(tmp_path / "lib")
    _ok("init", "--library", library)
    picture = make_scanned_image(tmp_path / "in", LINES, look=CLEAN)
    (row,) = json.loads(_ok("--library", library, "import", str(picture), "--ocr", "off", "--json"))
    return library, str(row["source_id"])


def test_a_quote_on_a_picture_without_text_is_one_line(tmp_path: Path) -> None:
    library, source = _imported(tmp_path)
    result = run_cli("--library", library, "annotate", source, "--quote", "AMBER TIDE")
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert "run OCR on it first" in line


@needs_models
def test_a_quote_on_an_ocred_picture_marks_its_text(tmp_path: Path) -> None:
    library, source = _imported(tmp_path)
    _ok("--library", library, "ocr", source, "--languages", "eng", "--force")
    made = json.loads(
        _ok("--library", library, "annotate", source, "--quote", "AMBER TIDE", "--json")
    )
    assert '"exact": "AMBER TIDE"' in json.dumps(made)
