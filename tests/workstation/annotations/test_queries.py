"""The paged annotation list gives what ``AnnotationService.find`` gives, in its order,
whether read by offset or continued after a row (keyset), with the NULL page and
start of image regions, PDF regions and whole-page marks in the mix."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import Source
from tests import samples
from workstation.annotations.anchors import PageAnchor, RegionAnchor
from workstation.annotations.queries import AnnotationFilter, annotation_page, count_annotations
from workstation.annotations.service import AnnotationService, find_quote
from workstation.core.library import Library
from workstation.sources.ingest import ImportService

BOX = RegionAnchor("rect", ((10.0, 10.0), (60.0, 40.0)))


@pytest.fixture
def marked(library: Library, tmp_path: Path) -> Library:
    folder = tmp_path / "in"
    samples.make_pdf(
        folder, pages=2, texts=["Shells at Rajin. Shells again.", "Annex: AMBER TIDE."]
    )
    samples.make_jpeg(folder, size=(200, 150))
    ImportService(library).import_paths([folder])
    service = AnnotationService(library)
    with library.writer() as session:
        pdf = session.scalar(select(Source).where(Source.kind == "pdf"))
        image = session.scalar(select(Source).where(Source.kind == "image"))
        assert pdf is not None
        assert image is not None
        # Passages, PDF regions (start NULL) and whole pages (start NULL) on both pages;
        # several marks share a key but for the id; image regions have page NULL too.
        for _ in range(2):
            service.create(session, pdf.id, find_quote(session, pdf, "Shells"), categories=["arms"])
        service.create(
            session, pdf.id, find_quote(session, pdf, "Shells", occurrence=2), categories=["arms"]
        )
        service.create(session, pdf.id, find_quote(session, pdf, "AMBER TIDE"))
        for page in (2, 1):
            service.create(
                session, pdf.id, RegionAnchor("rect", BOX.points, page), categories=["maritime"]
            )
            service.create(session, pdf.id, PageAnchor(page), redact=True)
        gone = service.create(session, pdf.id, find_quote(session, pdf, "Rajin"))
        service.delete(session, gone.uuid)
        for _ in range(3):
            service.create(session, image.id, BOX, categories=["maritime"])
    return library


@pytest.mark.parametrize(
    "flt",
    [AnnotationFilter(), AnnotationFilter(category="maritime"), AnnotationFilter(author="nobody")],
    ids=["all", "maritime", "nobody"],
)
@pytest.mark.parametrize("block", [1, 2, 3, 5])
def test_offset_and_keyset_pages_give_find_in_its_order(
    marked: Library, flt: AnnotationFilter, block: int
) -> None:
    with marked.reader() as session:
        want = [a.uuid for a in AnnotationService(marked).find(session, flt)]
        assert count_annotations(session, flt) == len(want)
        by_offset: list[str] = []
        while page := annotation_page(session, flt, len(by_offset), block):
            by_offset += [a.uuid for a in page]
        by_key: list[str] = []
        after: str | None = None
        while page := annotation_page(session, flt, limit=block, after=after):
            by_key += [a.uuid for a in page]
            after = page[-1].uuid
    assert by_offset == want
    assert by_key == want
    if flt.author is None:
        assert len(want) >= (3 if flt.category else 11)


def test_keyset_after_an_unknown_uuid_starts_from_the_top(marked: Library) -> None:
    with marked.reader() as session:
        first = annotation_page(session, None, limit=2)
        again = annotation_page(session, None, limit=2, after="not-a-uuid")
    assert [a.uuid for a in again] == [a.uuid for a in first]
