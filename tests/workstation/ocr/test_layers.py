"""OCR layers on real scanned pages: text, words and boxes, search, accept, re-run, cancel."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.ocr_testset import page_lines
from db.models import OcrLayer, OcrPage
from tests.samples import make_pdf
from tests.scans import make_scanned_image, make_scanned_pdf
from tests.workstation.ocr.support import needs_models
from workstation.annotations.anchors import TextAnchor, text_anchor
from workstation.annotations.service import AnnotationService
from workstation.core.check import check_library
from workstation.core.errors import CancelledError
from workstation.core.library import Library
from workstation.core.progress import CancelToken, Progress
from workstation.ocr.layers import OcrService, layers_of, ocr_words
from workstation.ocr.reader import PageResult
from workstation.search.service import SearchService
from workstation.sources.ingest import ImportService
from workstation.sources.lookup import page_text

# A word per language that a reading of the test page must contain (tolerant: NFKC, any
# spacing), and what search must find.
EXPECTED = {
    "eng": "Nampo",
    "rus": "Нампхо",
    "kor": "남포항에",
    "chi_sim": "南浦港",
    "chi_tra": "南浦港",
    "jpn": "南浦港",
    "jpn_vert": "南浦港",
}


def _import(library: Library, path: Path) -> int:
    report = ImportService(library).import_paths([path])
    (result,) = report.results
    assert result.source_id is not None
    return result.source_id


def _flat(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _search(library: Library, query: str) -> list[tuple[int, int]]:
    with library.writer() as session:
        results = SearchService(session, library.search_index).search(query)
    return [(hit.source_id, hit.page) for hit in results.hits]


@needs_models
@pytest.mark.slow
def test_a_scanned_page_per_language_is_read_and_found_by_search(
    library: Library, tmp_path: Path
) -> None:
    languages = list(EXPECTED)
    path = make_scanned_pdf(
        tmp_path, [list(page_lines(lang)) for lang in languages], languages, dpi=200
    )
    source_id = _import(library, path)
    assert _search(library, "Nampo") == []  # no text layer: nothing to find yet

    summary = OcrService(library, workers=2).run(source_id, "auto")

    assert summary is not None
    assert summary.accepted
    assert [p["page"] for p in summary.pages] == list(range(1, len(languages) + 1))
    assert {p["reason"] for p in summary.pages} == {"no text"}
    # auto: the script detected per page picks the model; columns of Japanese, jpn_vert;
    # simplified or traditional Chinese, whichever reads with more confidence.
    assert [p["languages"] for p in summary.pages] == languages
    with library.reader() as session:
        for number, language in enumerate(languages, 1):
            assert _flat(EXPECTED[language]) in _flat(page_text(session, source_id, number))
    for number, language in enumerate(languages, 1):
        assert (source_id, number) in _search(library, EXPECTED[language]), language


@needs_models
def test_layer_records_engine_models_words_boxes_and_confidence(
    library: Library, tmp_path: Path
) -> None:
    path = make_scanned_pdf(tmp_path, [list(page_lines("eng"))], "eng", dpi=200)
    source_id = _import(library, path)

    summary = OcrService(library, workers=1).run(source_id, "eng")

    assert summary is not None
    assert summary.engine == "tesseract"
    assert summary.engine_version.startswith("tesseract 5.")
    assert summary.languages == "eng"
    assert summary.models["eng"].startswith("eng.traineddata sha256:")
    assert summary.mean_confidence is not None
    assert summary.mean_confidence > 70
    (page,) = summary.pages
    assert page["languages"] == "eng"
    assert page["words"] > 40
    with library.reader() as session:
        words = ocr_words(session, source_id, 1)
        text = page_text(session, source_id, 1)
    assert words is not None
    by_text = {w[0]: w for w in words}
    assert "Nampo" in by_text
    _word, x0, y0, x1, y1, confidence, offset = by_text["Nampo"]
    # A4 in points; the line 'at Nampo ...' is the third, about 1.4 inches down.
    assert 72 <= x0 < x1 < 595
    assert 90 < y0 < y1 < 140
    assert 0 <= confidence <= 100
    assert text[offset : offset + len("Nampo")] == "Nampo"
    assert "IMO 9379301" in text


@needs_models
def test_an_image_gets_a_page_of_text(library: Library, tmp_path: Path) -> None:
    path = make_scanned_image(tmp_path, list(page_lines("rus")), "rus", fmt="JPEG", name="a.jpg")
    source_id = _import(library, path)

    summary = OcrService(library, workers=1).run(source_id, "rus+eng")

    assert summary is not None
    assert summary.pages[0]["reason"] == "image"
    with library.reader() as session:
        assert "Нампхо" in page_text(session, source_id, 1)
        words = ocr_words(session, source_id, 1)
    assert words is not None
    # Image boxes are in the image's pixels.
    assert max(w[3] for w in words) <= 8.27 * 200
    assert (source_id, 1) in _search(library, "Нампхо")


@needs_models
def test_a_rerun_is_kept_aside_until_accepted(library: Library, tmp_path: Path) -> None:
    path = make_scanned_pdf(tmp_path, [list(page_lines("eng"))], "eng", dpi=200)
    source_id = _import(library, path)
    service = OcrService(library, workers=1)
    first = service.run(source_id, "eng")
    assert first is not None
    with library.reader() as session:
        before = page_text(session, source_id, 1)

    # Read again with a model that garbles English: kept aside, the page text unchanged.
    second = service.run(source_id, "kor", force=True)

    assert second is not None
    assert not second.accepted
    with library.reader() as session:
        assert page_text(session, source_id, 1) == before
        assert [s.accepted for s in layers_of(session, source_id)] == [True, False]
    assert (source_id, 1) in _search(library, "Nampo")

    service.accept(second.layer_id)

    with library.reader() as session:
        assert [s.accepted for s in layers_of(session, source_id)] == [False, True]
        after = page_text(session, source_id, 1)
    assert after != before
    # And back: the first layer's text returns, the import's (empty) text kept underneath.
    service.accept(first.layer_id)
    with library.reader() as session:
        assert page_text(session, source_id, 1) == before
        replaced = session.scalars(
            select(OcrPage.replaced_text).where(OcrPage.layer_id == first.layer_id)
        ).one()
    assert replaced == ""
    assert check_library(library).ok


@needs_models
def test_a_pdf_with_a_text_layer_needs_no_ocr(library: Library, tmp_path: Path) -> None:
    source_id = _import(library, make_pdf(tmp_path, texts=["Nampo port call. " * 40]))

    assert OcrService(library, workers=1).run(source_id, "eng") is None

    with library.reader() as session:
        assert session.scalar(select(func.count()).select_from(OcrLayer)) == 0


@needs_models
def test_cancel_stores_nothing(library: Library, tmp_path: Path) -> None:
    lines = list(page_lines("eng"))
    path = make_scanned_pdf(tmp_path, [lines, lines, lines, lines], "eng", dpi=150)
    source_id = _import(library, path)
    cancel = CancelToken()
    seen: list[int] = []

    def on_progress(p: Progress) -> None:
        seen.append(p.done)
        if p.done == 1:
            cancel.cancel()

    with pytest.raises(CancelledError):
        OcrService(library, workers=2).run(source_id, "eng", progress=on_progress, cancel=cancel)

    assert 1 in seen
    assert 4 not in seen
    with library.reader() as session:
        assert session.scalar(select(func.count()).select_from(OcrLayer)) == 0
        assert page_text(session, source_id, 1) == ""


def _read_as(text: str) -> list[PageResult]:
    """A page as some reading gave it (data, as a layer from a bundle would come)."""
    return [PageResult(1, text, [], 90.0, "eng", None, "no text", 0.1)]


def test_accepting_another_layer_moves_marks_by_quote_or_lists_them_orphaned(
    library: Library, tmp_path: Path
) -> None:
    """Runs without Tesseract: the layers are stored as data through the same service."""
    path = make_scanned_pdf(tmp_path, [list(page_lines("eng"))], "eng", dpi=150)
    source_id = _import(library, path)
    service = OcrService(library, workers=1)
    made = {"engine_version": "tesseract 5.5.4", "models": {}, "languages": "eng", "settings": {}}
    service.save(source_id, _read_as("AIS off. loaded refined petroleum at Nampo\n"), **made)
    marks = AnnotationService(library)
    with library.writer() as session:
        text = page_text(session, source_id, 1)
        start = text.index("refined petroleum")
        mark = marks.create(
            session, source_id, text_anchor(text, start, start + len("refined petroleum"))
        )

    moved = service.save(
        source_id,
        _read_as("The tanker moored. AIS off. loaded refined petroleum at Nampo\n"),
        accept=True,
        **made,
    )
    gone = service.save(source_id, _read_as("an unreadable page\n"), accept=True, **made)

    assert (moved.marks_moved, moved.marks_orphaned) == (1, 0)
    assert (gone.marks_moved, gone.marks_orphaned) == (0, 1)
    with library.reader() as session:
        (orphan,) = marks.orphaned(session, source_id)
    assert orphan.uuid == mark.uuid
    assert isinstance(orphan.anchor, TextAnchor)
    assert orphan.anchor.start == len("The tanker moored. AIS off. loaded ")
    # Back to the layer that has the quote: the mark is found again.
    back = service.accept(moved.layer_id)
    assert (back.marks_moved, back.marks_orphaned) == (1, 0)
    assert check_library(library).ok
