"""The dossier PDF: real sources in, a real PDF out, read back with PyMuPDF."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import replace
from itertools import combinations
from pathlib import Path
from typing import Any, Literal

import pymupdf
import pytest
from PIL import Image

from tests.samples import (
    CHINESE,
    JAPANESE,
    KOREAN,
    RUSSIAN,
    make_large_png,
    make_noise_image,
    make_pdf,
)
from workstation.annotations.anchors import RegionAnchor
from workstation.bundles.dossier import (
    BODY_BOTTOM,
    BODY_TOP,
    MARGIN_X,
    PASSAGE_WITHHELD,
    REGION_WITHHELD,
    Dossier,
    DossierCategory,
    DossierEntity,
    DossierMark,
    DossierSource,
    ReportError,
    write_report,
)
from workstation.core.errors import CancelledError
from workstation.core.progress import CancelToken, Progress

MARKING = "RESTRICTED — MSMT PARTNERS ONLY"
TITLE = "Nampo port ship-to-ship transfers, March 2024"
ENGLISH = "The tanker loaded refined petroleum at the Nampo oil pier on 3 March."
SECRET = "Kim Chol-su of Korea Ryonbong"
NOTE = "<b>x</b> & <script>alert(1)</script>"
STS = DossierCategory("UNSC-2397-8", "Ship-to-ship transfer", "UNSCR 2397 (2017), paragraph 8")
CAP = DossierCategory("UNSC-2397-5", "Refined petroleum cap", "UNSCR 2397 (2017), paragraph 5")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _squash(text: str) -> str:
    """Text without whitespace: the layout may break a line anywhere in CJK text."""
    return "".join(text.split())


def _mark(
    uuid: str,
    kind: Literal["text", "region", "page"] = "text",
    *,
    page: int | None = 1,
    quote: str | None = None,
    region: RegionAnchor | None = None,
    note: str | None = None,
    withheld: bool = False,
    categories: Sequence[DossierCategory] = (STS,),
) -> DossierMark:
    return DossierMark(
        uuid=uuid,
        kind=kind,
        page=page,
        quote=quote,
        categories=categories,
        note=note,
        region=region,
        author="alice",
        created="2024-03-15T09:30:00Z",
        withheld=withheld,
    )


def _source(
    path: Path,
    marks: Sequence[DossierMark],
    *,
    title: str,
    kind: str = "pdf",
    media_type: str = "application/pdf",
    original: str | None = None,
) -> DossierSource:
    sha = _sha(path)
    return DossierSource(
        title=title,
        kind=kind,
        media_type=media_type,
        sha256=sha,
        original_sha256=original or sha,
        bundle_path=f"data/sources/{sha}/{path.name}",
        file=path,
        redacted=original is not None,
        published="2024-03-01",
        publisher="Korean Central News Agency",
        author="Panel of Experts",
        url="https://example.org/reports/nampo",
        grade="B2",
        marks=marks,
    )


def _dossier(sources: Sequence[DossierSource], title: str = TITLE) -> Dossier:
    return Dossier(
        title=title,
        marking=MARKING,
        case="Case 17: Nampo",
        profile="msmt-partners",
        organisation="Panel of Experts",
        contact="J. Doe",
        created="2024-03-16T08:00:00Z",
        tool_version="0.1.0",
        bundle_id="urn:uuid:3f1c2a4e-0000-4000-8000-000000000001",
        sources=sources,
        categories=(STS, CAP),
        entities=(DossierEntity("vessel", "SKY BLUE", ("IMO 9123456", "MMSI 445123000")),),
    )


@pytest.fixture
def pdf_source_file(tmp_path: Path) -> Path:
    """A redacted-looking PDF: Korean, Russian, English and, on page 4, the secret name."""
    return make_pdf(
        tmp_path / "in",
        texts=[KOREAN, RUSSIAN, ENGLISH, f"Meeting with {SECRET} at the port office."],
        name="report.pdf",
    )


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    """A grey noise photo: any red pixel in its crop is the outline."""
    return make_noise_image(tmp_path / "in", "PNG", size=(640, 480), name="photo.png")


@pytest.fixture
def full(tmp_path: Path, pdf_source_file: Path, photo: Path) -> tuple[Dossier, Path]:
    """A dossier with a redacted PDF (text, region, withheld marks) and a photo, written."""
    pdf_marks = [
        _mark("m-ko", page=1, quote=KOREAN, note=NOTE),
        _mark("m-ru", page=2, quote=RUSSIAN, categories=(STS, CAP)),
        _mark("m-en", page=3, quote=ENGLISH),
        _mark(
            "m-region",
            "region",
            page=3,
            region=RegionAnchor("rect", ((45.0, 45.0), (400.0, 70.0)), page=3),
        ),
        _mark("m-secret", page=4, quote=None, withheld=True, note="withheld passage"),
        _mark(
            "m-secret-region",
            "region",
            page=4,
            region=RegionAnchor("rect", ((45.0, 45.0), (400.0, 70.0)), page=4),
            withheld=True,
        ),
    ]
    photo_marks = [
        _mark(
            "m-photo",
            "region",
            page=None,
            region=RegionAnchor("polygon", ((200.0, 150.0), (420.0, 160.0), (380.0, 330.0))),
            note="Two hulls alongside",
        )
    ]
    dossier = _dossier(
        [
            _source(
                pdf_source_file,
                pdf_marks,
                title=f"KCNA report {KOREAN}",
                original="f" * 64,
            ),
            _source(
                photo,
                photo_marks,
                title=f"衛星写真 {JAPANESE}",
                kind="image",
                media_type="image/png",
            ),
            _source(pdf_source_file, [], title=f"报告 {CHINESE}"),
        ]
    )
    dst = tmp_path / "out" / "report.pdf"
    dst.parent.mkdir()
    write_report(dossier, dst)
    return dossier, dst


def _pages_of(doc: Any, needle: str) -> list[int]:
    """0-based numbers of the pages whose text (whitespace removed) contains needle."""
    return [p.number for p in doc if _squash(needle) in _squash(p.get_text())]


def _red_pixels(doc: Any, xref: int) -> int:
    """How many clearly red pixels an embedded image has."""
    data = doc.extract_image(xref)["image"]
    with Image.open(io.BytesIO(data)) as picture:
        pixels = picture.convert("RGB").tobytes()
    return sum(
        1
        for i in range(0, len(pixels), 3)
        if pixels[i] > 180 and pixels[i + 1] < 70 and pixels[i + 2] < 70
    )


# --- text --------------------------------------------------------------------------------


def test_every_page_carries_the_marking_top_and_bottom_and_its_number(
    full: tuple[Dossier, Path],
) -> None:
    _, dst = full
    with pymupdf.open(dst) as doc:
        assert doc.page_count > 3
        for page in doc:
            width, height = page.rect.width, page.rect.height
            top = page.get_text(clip=pymupdf.Rect(0, 0, width, BODY_TOP))
            bottom = page.get_text(clip=pymupdf.Rect(0, BODY_BOTTOM, width, height))
            assert MARKING in top
            assert MARKING in bottom
            assert f"page {page.number + 1} of {doc.page_count}" in bottom


def test_title_hashes_and_quotes_in_every_script_can_be_extracted(
    full: tuple[Dossier, Path], pdf_source_file: Path, photo: Path
) -> None:
    _, dst = full
    with pymupdf.open(dst) as doc:
        text = _squash("".join(page.get_text() for page in doc))
        first = doc[0].get_text()
        assert doc.metadata["title"] == TITLE
    assert _squash(TITLE) in _squash(first)
    assert "Case 17: Nampo" in first
    assert "urn:uuid:3f1c2a4e-0000-4000-8000-000000000001" in first
    for needle in (
        _sha(pdf_source_file),
        _sha(photo),
        KOREAN,
        RUSSIAN,
        ENGLISH,
        JAPANESE,
        CHINESE,
        "redacted derivative of" + "f" * 64,
        "UNSC-2397-5—Refined petroleum cap",
        "UNSCR2397(2017),paragraph8",
        "IMO9123456",
        "p.2",
    ):
        assert _squash(needle) in text, needle


def test_a_withheld_passage_is_nowhere_in_the_file(full: tuple[Dossier, Path]) -> None:
    _, dst = full
    raw = dst.read_bytes()
    with pymupdf.open(dst) as doc:
        text = "".join(page.get_text() for page in doc)
        expanded = doc.tobytes(expand=255)  # every stream decompressed
    assert PASSAGE_WITHHELD in text
    assert REGION_WITHHELD in text
    assert "withheld passage" in text  # the withheld mark itself is listed
    assert TITLE.encode() in expanded  # the byte search does find text that is there
    for blob in (raw, expanded):
        for encoding in ("utf-8", "utf-16-be"):
            assert SECRET.encode(encoding) not in blob
    assert "Ryonbong" not in text


def test_ligatures_extract_as_their_letters(tmp_path: Path, pdf_source_file: Path) -> None:
    quote = "The offshore affiliate filed a waffle-flat shuffle of fifty fjords"
    marks = [_mark("lig", quote=quote, note="Identifiers of the firm")]
    dst = tmp_path / "ligatures.pdf"
    write_report(_dossier([_source(pdf_source_file, marks, title="Official filings")]), dst)
    with pymupdf.open(dst) as doc:
        text = " ".join("".join(page.get_text() for page in doc).split())
    assert quote in text
    assert "Identifiers of the firm" in text
    assert "Official filings" in text
    assert not any("\ufb00" <= ch <= "\ufb06" for ch in text)


def test_markup_in_user_text_is_shown_literally(full: tuple[Dossier, Path]) -> None:
    _, dst = full
    with pymupdf.open(dst) as doc:
        text = "".join(page.get_text() for page in doc)
    assert NOTE in " ".join(text.split())


# --- crops -------------------------------------------------------------------------------


def test_regions_on_a_pdf_page_and_on_a_picture_are_embedded_with_a_red_outline(
    full: tuple[Dossier, Path],
) -> None:
    _, dst = full
    with pymupdf.open(dst) as doc:
        # Page with the PDF region mark (its note-less heading says p. 3 region).
        images = {
            page.number: [image[0] for image in page.get_images()]
            for page in doc
            if page.get_images()
        }
        assert len([x for xrefs in images.values() for x in xrefs]) == 2
        region_page = _pages_of(doc, "Mark 1.4 · region · p. 3")[0]
        photo_page = _pages_of(doc, "Two hulls alongside")[0]
        assert images.get(region_page)
        assert images.get(photo_page)
        for xrefs in images.values():
            for xref in xrefs:
                assert _red_pixels(doc, xref) > 500
        # The PDF crop is rendered at about 2x: wider than the 355 pt region.
        info = doc.extract_image(images[region_page][0])
        assert info["width"] > 700


def test_a_withheld_region_embeds_no_image(tmp_path: Path, pdf_source_file: Path) -> None:
    region = RegionAnchor("rect", ((45.0, 45.0), (400.0, 70.0)), page=4)
    marks = [_mark("w", "region", page=4, region=region, withheld=True)]
    dst = tmp_path / "withheld.pdf"
    write_report(_dossier([_source(pdf_source_file, marks, title="Annex")]), dst)
    with pymupdf.open(dst) as doc:
        assert all(not page.get_images() for page in doc)
        assert REGION_WITHHELD in "".join(page.get_text() for page in doc)


def test_points_on_a_picture_too_big_for_pillow_are_cropped(tmp_path: Path) -> None:
    # 182 million pixels: more than Pillow opens at all (its decompression-bomb limit).
    big = make_large_png(tmp_path / "in", width=14000, height=13000)
    region = RegionAnchor("points", ((13800.0, 12800.0), (13850.0, 12900.0)))
    source = _source(
        big,
        [_mark("p", "region", page=None, region=region)],
        title="Wide area",
        kind="image",
        media_type="image/png",
    )
    dst = tmp_path / "big.pdf"
    write_report(_dossier([source]), dst)
    with pymupdf.open(dst) as doc:
        xrefs = [image[0] for page in doc for image in page.get_images()]
        assert len(xrefs) == 1
        assert _red_pixels(doc, xrefs[0]) > 100


# --- pagination --------------------------------------------------------------------------


def test_two_hundred_marks_paginate_without_overlap_or_cut(
    tmp_path: Path, pdf_source_file: Path
) -> None:
    quotes = [
        f"Quote {n:03d}: the vessel switched off its transponder near Nampo." for n in range(200)
    ]
    long_quote = " ".join([ENGLISH] * 40)  # wraps over many lines
    marks = [_mark(f"m{n}", page=1 + n % 4, quote=q) for n, q in enumerate(quotes)]
    marks.insert(100, _mark("long", page=2, quote=long_quote))
    dst = tmp_path / "long.pdf"
    write_report(_dossier([_source(pdf_source_file, marks, title="Long report")]), dst)
    with pymupdf.open(dst) as doc:
        assert doc.page_count > 10
        text = _squash("".join(page.get_text() for page in doc))
        for quote in quotes:
            assert _squash(quote) in text
            # A mark is never split across pages: each quote is whole on one page.
            assert len(_pages_of(doc, quote)) == 1, quote
        assert _squash(long_quote) in text
        for page in doc:
            spans = []
            for block in page.get_text("dict")["blocks"]:
                for line in block.get("lines", ()):
                    for span in line["spans"]:
                        x0, y0, x1, y1 = span["bbox"]
                        if y1 <= BODY_TOP or y0 >= BODY_BOTTOM:
                            continue  # the marking and the page number
                        # Nothing runs into the margins: text is inside the body or not.
                        assert y0 >= BODY_TOP, (page.number, span["text"])
                        assert y1 <= BODY_BOTTOM, (page.number, span["text"])
                        assert x1 <= page.rect.width - MARGIN_X + 1, (page.number, span["text"])
                        spans.append((pymupdf.Rect(x0, y0, x1, y1), span["text"]))
            # No two runs of text are drawn over each other.
            for (a, text_a), (b, text_b) in combinations(spans, 2):
                both = a & b
                assert both.is_empty or both.width < 1 or both.height < 2, (
                    page.number,
                    text_a,
                    text_b,
                )


# --- cancel and failure ------------------------------------------------------------------


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_cancel_before_start_leaves_nothing(full: tuple[Dossier, Path], tmp_path: Path) -> None:
    dossier, _ = full
    folder = tmp_path / "cancel"
    folder.mkdir()
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        write_report(dossier, folder / "report.pdf", cancel=token)
    assert _leftovers(folder) == []


def test_cancel_while_drawing_pages_leaves_nothing(
    full: tuple[Dossier, Path], tmp_path: Path
) -> None:
    dossier, _ = full
    folder = tmp_path / "cancel"
    folder.mkdir()
    token = CancelToken()
    seen: list[Progress] = []

    def on_progress(step: Progress) -> None:
        seen.append(step)
        if step.current and step.current.startswith("page 2 "):
            token.cancel()

    with pytest.raises(CancelledError):
        write_report(dossier, folder / "report.pdf", cancel=token, progress=on_progress)
    assert _leftovers(folder) == []
    assert [s.current for s in seen if s.current and s.current.startswith("page")] == [
        f"page 1 of {seen[-1].total}",
        f"page 2 of {seen[-1].total}",
    ]


def test_progress_counts_sources_then_pages(full: tuple[Dossier, Path], tmp_path: Path) -> None:
    dossier, first = full
    seen: list[Progress] = []
    write_report(dossier, tmp_path / "again.pdf", progress=seen.append)
    with pymupdf.open(first) as doc:
        pages = doc.page_count
    assert [(s.done, s.total) for s in seen] == [(1, 3), (2, 3), (3, 3)] + [
        (n, pages) for n in range(1, pages + 1)
    ]


def test_a_region_outside_the_file_fails_cleanly_and_keeps_an_older_report(
    tmp_path: Path, pdf_source_file: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    dst = folder / "report.pdf"
    dst.write_bytes(b"older report")
    region = RegionAnchor("rect", ((10.0, 10.0), (50.0, 50.0)), page=9)
    marks = [_mark("bad", "region", page=9, region=region)]
    with pytest.raises(ReportError, match="page 9"):
        write_report(_dossier([_source(pdf_source_file, marks, title="Bad")]), dst)
    assert _leftovers(folder) == ["report.pdf"]
    assert dst.read_bytes() == b"older report"


def test_a_missing_folder_is_a_report_error(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="does not exist"):
        write_report(_dossier([]), tmp_path / "nowhere" / "report.pdf")


def test_an_empty_bundle_still_makes_a_dossier(tmp_path: Path) -> None:
    dst = tmp_path / "empty.pdf"
    write_report(replace(_dossier([]), categories=(), entities=()), dst)
    with pymupdf.open(dst) as doc:
        text = "".join(page.get_text() for page in doc)
    assert "The bundle holds no sources." in text
    assert "No entities are recorded in this bundle." in text


def test_long_tables_repeat_their_header_on_every_page_they_run_on(
    tmp_path: Path, pdf_source_file: Path
) -> None:
    sources = [_source(pdf_source_file, [], title=f"Source number {n:03d}") for n in range(120)]
    entities = tuple(
        DossierEntity("vessel", f"VESSEL {n:03d}", (f"IMO {9_000_000 + n}",)) for n in range(150)
    )
    dossier = replace(_dossier(sources), entities=entities)
    dst = tmp_path / "tables.pdf"
    write_report(dossier, dst)
    with pymupdf.open(dst) as doc:
        pages = [_squash(page.get_text()) for page in doc]
    header = _squash("Title and SHA-256 of the file in the bundle")
    first = next(i for i, t in enumerate(pages) if header in t)
    sections = next(i for i, t in enumerate(pages) if _squash("1. Source number 000") in t)
    table = pages[first:sections]  # the Sources chapter, before the first source's own
    assert len(table) >= 3
    assert all(header in t for t in table)  # the header row on every page
    assert sum(t.count(_squash("Source number")) for t in table) == 120  # no row lost
    annex = next(i for i, t in enumerate(pages) if _squash("Annex B. Entities") in t)
    entity_pages = [t for t in pages[annex:] if _squash("VESSEL") in t]
    assert len(entity_pages) >= 3
    assert all(_squash("Kind Name Identifiers") in t for t in entity_pages)
    assert sum(t.count(_squash("Annex B. Entities")) for t in pages) == 1  # heading once
    everything = "".join(pages)
    for n in range(150):
        assert everything.count(_squash(f"VESSEL {n:03d}")) == 1


def test_the_program_is_named_once(tmp_path: Path, pdf_source_file: Path) -> None:
    from dataclasses import replace

    from workstation.bundles.dossier.text import prepared_with

    # The exporter passes the name with its version (tool_version()); tests, the bare version.
    assert prepared_with("Evidence Workstation 0.1.0") == "Evidence Workstation 0.1.0"
    assert prepared_with("0.1.0") == "Evidence Workstation 0.1.0"
    dossier = replace(
        _dossier([_source(pdf_source_file, [], title="Report")]),
        tool_version="Evidence Workstation 0.1.0",
    )
    dst = tmp_path / "report.pdf"
    write_report(dossier, dst)
    with pymupdf.open(dst) as doc:
        text = " ".join("".join(page.get_text() for page in doc).split())
        assert "Evidence Workstation 0.1.0" in text
        assert "Evidence Workstation Evidence Workstation" not in text
        assert doc.metadata["creator"] == "Evidence Workstation 0.1.0"
