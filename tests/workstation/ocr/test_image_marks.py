"""Passages of an image's OCR text are marked like a PDF page's: a text anchor on page 1,
found by quote, refused while the image has no text, and re-anchored by a new reading."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scans import CLEAN, make_scanned_image
from tests.workstation.ocr.support import needs_models
from workstation.annotations.anchors import TextAnchor, text_anchor
from workstation.annotations.service import AnnotationError, AnnotationService, find_quote
from workstation.core.library import Library
from workstation.ocr.layers import OcrService
from workstation.ocr.reader import PageResult
from workstation.sources.ingest import ImportService
from workstation.sources.lookup import get_source, page_text

LINES = ["Bill of lading for the voyage to Nampo.", "The tanker SKY VENUS met AMBER TIDE"]


def _import(library: Library, path: Path) -> int:
    (result,) = ImportService(library).import_paths([path]).results
    assert result.source_id is not None
    return result.source_id


def test_an_image_without_text_refuses_a_passage_in_one_line(
    library: Library, tmp_path: Path
) -> None:
    source_id = _import(library, make_scanned_image(tmp_path, LINES, look=CLEAN))
    service = AnnotationService(library)
    with pytest.raises(AnnotationError, match="run OCR on it first"), library.writer() as session:
        service.create(session, source_id, TextAnchor(1, 0, 4, "Bill"))
    with pytest.raises(AnnotationError, match="run OCR on it first"), library.reader() as session:
        find_quote(session, get_source(session, source_id), "AMBER TIDE")


@needs_models
def test_a_passage_of_an_images_ocr_text_is_marked_and_survives_a_new_reading(
    library: Library, tmp_path: Path
) -> None:
    source_id = _import(library, make_scanned_image(tmp_path, LINES, look=CLEAN))
    ocr = OcrService(library, workers=1)
    first = ocr.run(source_id, "eng", force=True)
    assert first is not None
    service = AnnotationService(library)
    with library.writer() as session:
        anchor = find_quote(session, get_source(session, source_id), "AMBER TIDE")
        mark = service.create(session, source_id, anchor, categories=["maritime"])
        text = page_text(session, source_id, 1)
    assert isinstance(mark.anchor, TextAnchor)
    assert (mark.anchor.page, mark.anchor.exact) == (1, "AMBER TIDE")
    with pytest.raises(AnnotationError, match="page 1"), library.writer() as session:
        service.create(session, source_id, TextAnchor(2, 0, 4, "Bill"))
    # Marked for redaction like a PDF page's passage (the export takes its pixels out).
    with library.writer() as session:
        assert service.update(session, mark.uuid, redact=True).redact
        assert service.update(session, mark.uuid, redact=False).redact is False
        assert len(service.find(session)) == 1

    # A new reading that found a stamp above the text: the passage moves with its quote.
    stamp = "RECEIVED 14 MARCH 2024\n"
    reread = PageResult(1, stamp + text, [], None, "eng", "Latin", "image", 0.0)
    summary = ocr.save(
        source_id,
        [reread],
        engine_version="5",
        models={},
        languages="eng",
        settings={},
        accept=True,
    )
    assert summary.marks_moved == 1
    assert summary.marks_orphaned == 0
    with library.reader() as session:
        moved = service.get(session, mark.uuid).anchor
    assert isinstance(moved, TextAnchor)
    assert moved == text_anchor(
        stamp + text, mark.anchor.start + len(stamp), mark.anchor.end + len(stamp)
    )
