"""``workstation import --ocr`` and ``workstation ocr`` as a reviewer or a script uses them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bench.ocr_testset import page_lines
from tests import samples
from tests.conftest import run_cli, run_cli_subprocess
from tests.scans import make_oversized_text_image, make_scanned_pdf
from tests.workstation.ocr.support import needs_models


def _ok(*args: str, env: dict[str, str] | None = None) -> str:
    result = run_cli(*args, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _one_error_line(result: object, *words: str) -> None:
    assert getattr(result, "returncode", None) == 1
    stderr = str(getattr(result, "stderr", ""))
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("workstation: ")
    for word in words:
        assert word in lines[0], lines[0]


def _layers(library: str) -> int:
    with sqlite3.connect(Path(library) / "library.sqlite") as db:
        count: int = db.execute("SELECT count(*) FROM ocr_layers").fetchone()[0]
    db.close()
    return count


@pytest.fixture
def scanned(tmp_path: Path) -> tuple[str, Path]:
    library = str(tmp_path / "lib")
    _ok("init", "--library", library)
    pdf = make_scanned_pdf(tmp_path / "in", [list(page_lines("eng"))], "eng", dpi=200)
    return library, pdf


@needs_models
def test_import_reads_a_scan_then_search_finds_it_and_a_quote_marks_it(
    scanned: tuple[str, Path],
) -> None:
    library, pdf = scanned

    rows = json.loads(_ok("--library", library, "import", str(pdf), "--ocr", "auto", "--json"))

    (row,) = rows
    assert row["ocr"]["engine"] == "tesseract"
    assert row["ocr"]["accepted"] is True
    assert row["ocr"]["pages"][0]["reason"] == "no text"
    source = str(row["source_id"])
    hits = json.loads(_ok("--library", library, "search", "Vladivostok", "--json"))
    assert [(h["source_id"], h["page"]) for h in hits["hits"]] == [(row["source_id"], 1)]
    made = _ok("--library", library, "annotate", source, "--quote", "refined petroleum", "--json")
    assert '"exact": "refined petroleum"' in made
    status = json.loads(_ok("--library", library, "ocr", "status", source, "--json"))
    (layer,) = status["layers"]
    assert layer["languages"] == "auto"
    assert layer["pages"][0]["languages"] == "eng"
    assert layer["pages"][0]["mean_confidence"] > 70


@needs_models
def test_ocr_again_keeps_the_layer_until_accept(scanned: tuple[str, Path]) -> None:
    library, pdf = scanned
    (row,) = json.loads(_ok("--library", library, "import", str(pdf), "--ocr", "off", "--json"))
    source = str(row["source_id"])
    assert row["ocr"] is None
    assert _layers(library) == 0

    first = json.loads(_ok("--library", library, "ocr", source, "--languages", "eng", "--json"))
    again = json.loads(
        _ok("--library", library, "ocr", source, "--lang", "rus", "--force", "--json")
    )

    assert first[0]["layer"]["accepted"] is True
    assert again[0]["layer"]["accepted"] is False
    text = _ok("--library", library, "ocr", "status", source)
    assert "accepted" in text
    assert "kept aside" in text
    _ok("--library", library, "ocr", "accept", str(again[0]["layer"]["layer"]))
    status = json.loads(_ok("--library", library, "ocr", "status", source, "--json"))
    assert [layer["accepted"] for layer in status["layers"]] == [False, True]
    assert _ok("--library", library, "check").strip()


@needs_models
def test_all_missing_reads_the_scans_that_have_no_layer(scanned: tuple[str, Path]) -> None:
    library, pdf = scanned
    folder = pdf.parent
    samples.make_pdf(folder, texts=["Nampo port call. " * 40], name="typed.pdf")
    samples.make_text(folder, name="memo.txt", text="Nampo.")
    rows = json.loads(_ok("--library", library, "import", str(folder), "--ocr", "off", "--json"))
    ids = {Path(r["path"]).name: r["source_id"] for r in rows}

    done = json.loads(_ok("--library", library, "ocr", "--all-missing", "--json"))

    by_source = {d["source_id"]: d["layer"] for d in done}
    assert set(by_source) == {ids["scan.pdf"], ids["typed.pdf"]}
    assert by_source[ids["typed.pdf"]] is None
    layer = by_source[ids["scan.pdf"]]
    assert layer["pages"][0]["page"] == 1
    assert layer["engine"] == "tesseract"
    assert layer["seconds"] > 0
    assert layer["mean_confidence"] > 70
    # Once read, a source is not read again.
    again = json.loads(_ok("--library", library, "ocr", "--all-missing", "--json"))
    assert [d["source_id"] for d in again] == [ids["typed.pdf"]]


def test_settings_off_means_import_reads_nothing(scanned: tuple[str, Path]) -> None:
    library, pdf = scanned
    set_to = ("ocr", "settings", "--mode", "off", "--languages", "kor+eng", "--json")
    shown = json.loads(_ok("--library", library, *set_to))
    assert shown == {"mode": "off", "languages": "kor+eng", "cases": {}}
    assert "off" in _ok("--library", library, "ocr", "settings")

    (row,) = json.loads(_ok("--library", library, "import", str(pdf), "--json"))

    assert row["ocr"] is None
    assert _layers(library) == 0


@needs_models
def test_a_case_names_the_languages_its_sources_are_read_with(
    scanned: tuple[str, Path], tmp_path: Path
) -> None:
    library, _pdf = scanned
    korean = make_scanned_pdf(tmp_path / "ko", [list(page_lines("kor"))], "kor", name="ko.pdf")
    memo = samples.make_text(tmp_path / "memo", name="memo.txt", text="Nampo.")
    _ok("--library", library, "import", str(memo), "--case", "Nampo port calls")
    shown = json.loads(
        _ok(
            "--library", library, "ocr", "settings", "--case", "Nampo port calls",
            "--languages", "kor+eng", "--json",
        )
    )  # fmt: skip
    assert shown["cases"] == {"Nampo port calls": "kor+eng"}

    args = ("--library", library, "import", str(korean), "--case", "Nampo port calls", "--json")
    (row,) = json.loads(_ok(*args))

    assert row["ocr"]["languages"] == "kor+eng"
    assert row["ocr"]["pages"][0]["script"] is None  # named, not detected
    hits = json.loads(_ok("--library", library, "search", "남포항에", "--json"))
    assert [h["source_id"] for h in hits["hits"]] == [row["source_id"]]
    unknown = run_cli(
        "--library", library, "ocr", "settings", "--case", "Rajin", "--languages", "kor"
    )
    _one_error_line(unknown, "no case called 'Rajin'")


def test_a_pdf_with_text_and_ocr_auto_does_nothing(tmp_path: Path) -> None:
    library = str(tmp_path / "lib")
    _ok("init", "--library", library)
    pdf = samples.make_pdf(tmp_path / "in", texts=["Nampo port call. " * 40])

    (row,) = json.loads(_ok("--library", library, "import", str(pdf), "--ocr", "auto", "--json"))
    out = _ok("--library", library, "ocr", str(row["source_id"]))

    assert row["ocr"] is None
    assert "nothing read" in out
    assert _layers(library) == 0


# --- bad input: one line, exit 1, nothing written -----------------------------------------


def test_unknown_language_is_one_line(scanned: tuple[str, Path]) -> None:
    library, pdf = scanned
    _ok("--library", library, "import", str(pdf), "--ocr", "off")

    result = run_cli_subprocess("--library", library, "ocr", "1", "--languages", "kor+xyz")

    _one_error_line(result, "unknown OCR language 'xyz'", "chi_sim")
    assert _layers(library) == 0


def test_missing_model_names_the_package(scanned: tuple[str, Path], tmp_path: Path) -> None:
    library, pdf = scanned
    _ok("--library", library, "import", str(pdf), "--ocr", "off")
    empty = tmp_path / "no-models"
    empty.mkdir()

    result = run_cli_subprocess(
        "--library", library, "ocr", "1", "--lang", "kor", env={"TESSDATA_PREFIX": str(empty)}
    )

    _one_error_line(result, "tesseract-ocr-kor", "apt-get install")
    assert _layers(library) == 0


def test_missing_model_at_import_keeps_the_import(
    scanned: tuple[str, Path], tmp_path: Path
) -> None:
    library, pdf = scanned
    empty = tmp_path / "no-models"
    empty.mkdir()

    result = run_cli(
        "--library", library, "import", str(pdf), "--ocr", "auto",
        env={"TESSDATA_PREFIX": str(empty)},
    )  # fmt: skip

    assert result.returncode == 0
    assert "imported" in result.stdout
    assert "tesseract-ocr-osd" in result.stderr
    assert _layers(library) == 0


@needs_models
def test_an_image_too_large_to_read_is_left_at_import_and_named_when_forced(
    scanned: tuple[str, Path],
) -> None:
    library, pdf = scanned
    make_oversized_text_image(pdf.parent)
    result = run_cli("--library", library, "import", str(pdf.parent), "--ocr", "auto", "--json")
    assert result.returncode == 0
    assert result.stderr == ""
    rows = {Path(r["path"]).name: r for r in json.loads(result.stdout)}
    assert rows["poster.png"]["ocr"] is None  # 61 megapixels: not even looked at
    assert rows["scan.pdf"]["ocr"]["accepted"] is True
    poster = str(rows["poster.png"]["source_id"])

    forced = run_cli_subprocess("--library", library, "ocr", poster, "--force")

    _one_error_line(forced, "the image is too large to read (7800x7800 pixels)")
    # With --all-missing the others are read and the exit status says some were not.
    again = run_cli("--library", library, "ocr", "--all-missing", "--force", "--json")
    assert again.returncode == 3
    assert f"source {poster}: OCR cannot read it" in again.stderr
    assert [d["source_id"] for d in json.loads(again.stdout)] == []  # scan.pdf has a layer
    assert _layers(library) == 1


def test_a_source_that_is_not_a_pdf_or_image_is_refused(tmp_path: Path) -> None:
    library = str(tmp_path / "lib")
    _ok("init", "--library", library)
    text = samples.make_text(tmp_path / "in", name="memo.txt", text="Nampo.")
    (row,) = json.loads(_ok("--library", library, "import", str(text), "--json"))

    result = run_cli("--library", library, "ocr", str(row["source_id"]))

    _one_error_line(result, "is a text", "OCR reads PDFs and images")


def test_ocr_without_a_source_is_a_usage_error(tmp_path: Path) -> None:
    library = str(tmp_path / "lib")
    _ok("init", "--library", library)

    assert run_cli("--library", library, "ocr").returncode == 2
    assert run_cli("--library", library, "ocr", "1", "--all-missing").returncode == 2
    assert run_cli("--library", library, "ocr", "accept", "x").returncode == 2
    assert run_cli("--library", library, "ocr", "settings", "--mode", "sometimes").returncode == 2


@needs_models
def test_a_redacted_ocr_passage_exports_redacted(scanned: tuple[str, Path], tmp_path: Path) -> None:
    """The passage is not in the PDF's own text: its OCR word boxes place it, its pixels go,
    and the OCR layer travels without it (tests/workstation/bundles/test_bundle_ocr_redaction.py
    checks the pixels and every file)."""
    library, pdf = scanned
    (row,) = json.loads(_ok("--library", library, "import", str(pdf), "--json"))
    source = str(row["source_id"])
    _ok("--library", library, "annotate", source, "--quote", "refined petroleum", "--redact")

    _ok("--library", library, "export", "--out", str(tmp_path / "out"), "--redact")

    (layer,) = (tmp_path / "out" / "data" / "ocr").glob("*.json")
    text = layer.read_text(encoding="utf-8")
    assert "petroleum" not in text
    assert "Vladivostok" in text
