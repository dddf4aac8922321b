"""The dossier PDF of an evidence bundle: what a partner state's analyst reads first.

The bundle exporter fills a ``Dossier`` (plain data, no database) and calls
``write_report``; the PDF quotes every mark, shows every region as a crop and
carries the releasability marking on every page, in any script the sources use.
"""

from __future__ import annotations

import contextlib
import html
import io
import os
import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pymupdf as _pymupdf
import pyvips
from PIL import Image, ImageDraw

from workstation.annotations.anchors import RegionAnchor
from workstation.core.errors import CancelledError, WorkstationError
from workstation.core.progress import CancelToken, Progress, ProgressCallback
from workstation.sources.extract.image import _displayable

# PyMuPDF's annotations are partial (Story, DocumentWriter are untyped); use it as untyped.
pymupdf: Any = _pymupdf

PAGE_WIDTH = 595.0
"""A4 width in points."""
PAGE_HEIGHT = 842.0
"""A4 height in points."""
MARGIN_X = 56.0
"""Left and right margin, points."""
BODY_TOP = 70.0
"""Where the body starts; the marking sits above it."""
BODY_BOTTOM = PAGE_HEIGHT - 70.0
"""Where the body ends; the marking and the page number sit below it."""

CROP_MAX_PIXELS = 4_000_000
"""Largest crop (pixels) embedded per region; bigger regions are scaled down."""
CROP_MAX_SIDE = 1600
"""Longest side of an embedded crop, pixels."""
CROP_MIN_SIDE = 480
"""Small crops are enlarged (nearest neighbour) to this side so the outline stays crisp."""
PDF_CROP_ZOOM = 2.0
"""Pixels per point for crops of PDF pages (144 dpi)."""
IMAGE_MAX_PIXELS = 25_000_000
"""Pillow decodes images whole; larger pictures are cropped through libvips instead."""

_BODY_RECT = (MARGIN_X, BODY_TOP, PAGE_WIDTH - MARGIN_X, BODY_BOTTOM)
_DISPLAY_MAX_WIDTH = PAGE_WIDTH - 2 * MARGIN_X - 24
_DISPLAY_MAX_HEIGHT = 300.0
_BLOCK_GAP = 4.0
_OUTLINE = (230, 0, 0)
_CASING = (255, 255, 255)
# XML 1.0 forbids these; MuPDF's parser would drop or choke on them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")

PASSAGE_WITHHELD = "[passage withheld]"
"""Shown instead of a quote that is redacted for this recipient."""
REGION_WITHHELD = "[region withheld]"
"""Shown instead of the crop of a redacted region."""


class ReportError(WorkstationError):
    """The dossier PDF cannot be written (unreadable source file, unwritable folder)."""


# --- the data the exporter fills -----------------------------------------------------------


@dataclass(frozen=True)
class DossierCategory:
    """A violation category as the dossier shows it.

    Attributes:
        code: Stable code, e.g. 'UNSC-2397-8'.
        label: Human name.
        legal_basis: The resolution text or citation, when known.
    """

    code: str
    label: str
    legal_basis: str | None = None


@dataclass(frozen=True)
class DossierMark:
    """One annotation on a source, already filtered by the recipient's redactions.

    Attributes:
        uuid: The annotation's stable UUID.
        kind: 'text' (a passage), 'region' (a shape) or 'page' (a whole page).
        page: 1-based page, None for images.
        quote: The passage; None when withheld (redacted) or when the mark has none.
        categories: Categories the mark is tagged with.
        note: The reviewer's note.
        region: The shape, in source coordinates (image pixels, PDF points as displayed).
        author: Reviewer who made the mark.
        created: ISO 8601 UTC.
        withheld: The quote or crop is withheld because the passage is redacted.
    """

    uuid: str
    kind: Literal["text", "region", "page"]
    page: int | None
    quote: str | None
    categories: Sequence[DossierCategory]
    note: str | None
    region: RegionAnchor | None
    author: str
    created: str
    withheld: bool = False


@dataclass(frozen=True)
class DossierSource:
    """One source in the bundle and its marks.

    Attributes:
        title: Title shown for the source.
        kind: 'pdf', 'image', 'article', 'text' or 'email'.
        media_type: e.g. 'application/pdf'.
        sha256: Of the file in the bundle.
        original_sha256: Of the original (same as sha256 when not redacted).
        bundle_path: Where the file is in the bag, e.g. 'data/sources/<sha>/file.pdf'.
        file: The file in the bundle (original or redacted derivative); crops come from it.
        redacted: The file is a redacted derivative of the original.
        published: Publication date, when known.
        publisher: Publisher or site, when known.
        author: Author, when known.
        url: Where it was found, when known.
        grade: Admiralty reliability grade, e.g. 'B2'.
        marks: The marks on it, in reading order.
    """

    title: str
    kind: str
    media_type: str
    sha256: str
    original_sha256: str
    bundle_path: str
    file: Path
    redacted: bool
    published: str | None = None
    publisher: str | None = None
    author: str | None = None
    url: str | None = None
    grade: str | None = None
    marks: Sequence[DossierMark] = field(default_factory=tuple)


@dataclass(frozen=True)
class DossierEntity:
    """A vessel, company, person... named in the bundle.

    Attributes:
        kind: 'vessel', 'company', 'person', ...
        name: Display name.
        identifiers: e.g. 'IMO 9123456', 'MMSI 445123000'.
    """

    kind: str
    name: str
    identifiers: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class Dossier:
    """Everything the dossier PDF shows.

    Attributes:
        title: Title of the bundle.
        marking: Releasability marking printed on every page.
        case: Case name, when the export was scoped to one.
        profile: Recipient profile name.
        organisation: Sending organisation.
        contact: Contact person.
        created: ISO 8601 UTC time of the export.
        tool_version: Version of the program that wrote the bundle.
        bundle_id: The bundle's External-Identifier.
        sources: The sources, in the order to show them.
        categories: Categories used in the bundle, with legal bases.
        entities: Entities in the bundle.
    """

    title: str
    marking: str
    case: str | None
    profile: str | None
    organisation: str | None
    contact: str | None
    created: str
    tool_version: str
    bundle_id: str
    sources: Sequence[DossierSource]
    categories: Sequence[DossierCategory]
    entities: Sequence[DossierEntity]


# --- writing --------------------------------------------------------------------------------


def write_report(
    dossier: Dossier,
    dst: Path,
    *,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> None:
    """Write the dossier PDF to ``dst`` atomically (temp file next to it, then rename).

    Progress goes through two phases: one step per source (crops are made), then one
    step per page drawn (``total`` is the page count).

    Args:
        dossier: What to show.
        dst: The PDF to write; replaced if it exists.
        cancel: Checked between sources and between pages.
        progress: Called after each step.

    Raises:
        CancelledError: Cancelled; nothing is left at ``dst`` or next to it.
        ReportError: A source file cannot be read for a crop, or ``dst`` cannot be written.
    """
    dst = Path(dst)
    if not dst.parent.is_dir():
        raise ReportError(f"cannot write the report: folder {dst.parent} does not exist")
    tmp = dst.with_name(f".{dst.name}.{uuid.uuid4().hex}.part")
    try:
        archive = pymupdf.Archive()
        chapters = _chapters(dossier, archive, cancel, progress)
        data = _layout(dossier, chapters, archive, cancel, progress)
        _check(cancel)
        with tmp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, dst)
    except OSError as exc:
        _remove(tmp)
        raise ReportError(f"cannot write the report to {dst}: {exc.strerror or exc}") from exc
    except BaseException:
        _remove(tmp)
        raise


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _check(cancel: CancelToken | None) -> None:
    if cancel is not None and cancel.cancelled:
        raise CancelledError("report cancelled")


# --- page layout ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    """A piece of the body kept on one page when it fits (a mark, a heading and its table).

    A table block (``rows`` set) is split between rows instead, and its header
    row is repeated at the top of each page it continues on.

    Attributes:
        html: The block's HTML (user text already escaped); for a table, what comes
            before it (a heading).
        bookmark: Title of a PDF outline entry pointing at the block, if any.
        header: For a table: its ``<tr>`` of ``<th>`` cells.
        rows: For a table: its ``<tr>`` rows.
    """

    html: str
    bookmark: str | None = None
    header: str = ""
    rows: tuple[str, ...] = ()

    def table_html(self, start: int, stop: int, *, continued: bool) -> str:
        """The table with rows ``start`` to ``stop`` (the heading only on the first part)."""
        lead = "" if continued else self.html
        return f"{lead}<table>{self.header}{''.join(self.rows[start:stop])}</table>"


_Chapter = list[_Block]
"""Blocks that start on a new page."""


class _Pages:
    """Page sequence for one layout pass; draws nothing when there is no writer.

    The same flow runs twice: once without a writer to count pages, so that every
    footer can say "page N of M", then with one to draw.
    """

    def __init__(
        self,
        writer: Any,
        marking: str,
        total: int,
        cancel: CancelToken | None,
        progress: ProgressCallback | None,
    ) -> None:
        self.writer = writer
        self.marking = marking
        self.total = total
        self.cancel = cancel
        self.progress = progress
        self.number = 0
        self.device: Any = None
        self.bookmarks: list[tuple[int, str, int]] = []

    def new_page(self) -> None:
        self.finish_page()
        _check(self.cancel)
        self.number += 1
        if self.writer is not None:
            self.device = self.writer.begin_page(pymupdf.Rect(0, 0, PAGE_WIDTH, PAGE_HEIGHT))

    def finish_page(self) -> None:
        if self.number == 0 or (self.writer is not None and self.device is None):
            return
        if self.writer is not None:
            _draw_furniture(self.device, self.marking, self.number, self.total)
            self.writer.end_page()
            self.device = None
            if self.progress is not None:
                self.progress(
                    Progress(self.number, self.total, f"page {self.number} of {self.total}")
                )


def _flow(chapters: Sequence[_Chapter], pages: _Pages, archive: Any) -> None:
    """Place every block: a block that fits on a page is never split, a longer one flows on."""
    x0, top, x1, bottom = _BODY_RECT
    full = pymupdf.Rect(x0, top, x1, bottom)
    for chapter in chapters:
        pages.new_page()
        y = top
        for block in chapter:
            if block.rows:
                y = _flow_table(block, pages, archive, y)
                continue
            html_text = f"<html><body>{block.html}</body></html>"
            story = pymupdf.Story(html=html_text, user_css=_CSS, archive=archive)
            # Measure on an empty page first: squeezed into the rest of a page, MuPDF
            # would shrink an image to fit rather than report that the block overflows.
            more, filled = story.place(full)
            height = filled[3] - top
            if y > top and (more or y + height > bottom):
                pages.new_page()
                y = top
            if y > top:
                more, filled = story.place(pymupdf.Rect(x0, y, x1, bottom))
            if block.bookmark:
                pages.bookmarks.append((1, block.bookmark, pages.number))
            story.draw(pages.device)
            while more:
                pages.new_page()
                more, filled = story.place(full)
                story.draw(pages.device)
            y = filled[3] + _BLOCK_GAP
    pages.finish_page()


def _story(html: str, archive: Any) -> Any:
    return pymupdf.Story(html=f"<html><body>{html}</body></html>", user_css=_CSS, archive=archive)


def _flow_table(block: _Block, pages: _Pages, archive: Any, y: float) -> float:
    """Place a table from ``y`` on: as many rows as fit on each page, the header row
    again at the top of every page it continues on; returns where the next block goes."""
    x0, top, x1, bottom = _BODY_RECT
    if block.bookmark:
        pages.bookmarks.append((1, block.bookmark, pages.number))
    start, count = 0, len(block.rows)
    while start < count:
        area = pymupdf.Rect(x0, y, x1, bottom)

        def fits(stop: int, start: int = start, area: Any = area) -> bool:
            html = block.table_html(start, stop, continued=start > 0)
            more, _ = _story(html, archive).place(area)
            return not more

        # The most rows from ``start`` that fit here (binary search; fit is monotone).
        low, high = start, count
        while low < high:
            middle = (low + high + 1) // 2
            if fits(middle):
                low = middle
            else:
                high = middle - 1
        if low == start:
            if y > top:  # not even one row here: the rest goes on a fresh page
                pages.new_page()
                y = top
                continue
            low = start + 1  # one row taller than a page: let it run on, as a block would
        story = _story(block.table_html(start, low, continued=start > 0), archive)
        more, filled = story.place(area)
        story.draw(pages.device)
        while more:
            pages.new_page()
            more, filled = story.place(pymupdf.Rect(x0, top, x1, bottom))
            story.draw(pages.device)
        start = low
        if start < count:
            pages.new_page()
            y = top
        else:
            y = filled[3] + _BLOCK_GAP
    return y


def _layout(
    dossier: Dossier,
    chapters: Sequence[_Chapter],
    archive: Any,
    cancel: CancelToken | None,
    progress: ProgressCallback | None,
) -> bytes:
    """Lay the chapters out on A4 pages with marking and page numbers; fonts subset."""
    counting = _Pages(None, dossier.marking, 0, cancel, None)
    _flow(chapters, counting, archive)

    buffer = io.BytesIO()
    writer = pymupdf.DocumentWriter(buffer)
    pages = _Pages(writer, dossier.marking, counting.number, cancel, progress)
    _flow(chapters, pages, archive)
    writer.close()

    doc = pymupdf.open("pdf", buffer.getvalue())
    try:
        # Story embeds whole fonts (the CJK one is 3.6 MB); keep only the glyphs used.
        doc.subset_fonts()
        _spell_out_ligatures(doc)
        doc.set_metadata(
            {
                "title": _clean(dossier.title),
                "subject": _clean(f"Evidence dossier, bundle {dossier.bundle_id}"),
                "keywords": _clean(dossier.marking),
                "author": _clean(dossier.organisation or ""),
                "creator": _clean(f"Evidence Workstation {dossier.tool_version}"),
                "producer": f"PyMuPDF {pymupdf.VersionBind}",
                "creationDate": _pdf_date(dossier.created),
                "modDate": _pdf_date(dossier.created),
            }
        )
        if pages.bookmarks:
            doc.set_toc([list(entry) for entry in pages.bookmarks])
        return bytes(doc.tobytes(garbage=3, deflate=True))
    finally:
        doc.close()


def _draw_furniture(device: Any, marking: str, number: int, total: int) -> None:
    """The marking above and below the body, and the page number, on one page."""
    mark = _esc(marking)
    header = pymupdf.Story(html=f'<p class="marking">{mark}</p>', user_css=_CSS)
    header.place(pymupdf.Rect(MARGIN_X, 26, PAGE_WIDTH - MARGIN_X, BODY_TOP - 8))
    header.draw(device)
    footer = pymupdf.Story(
        html=(f'<p class="marking">{mark}</p><p class="folio">page {number} of {total}</p>'),
        user_css=_CSS,
    )
    footer.place(pymupdf.Rect(MARGIN_X, BODY_BOTTOM + 12, PAGE_WIDTH - MARGIN_X, PAGE_HEIGHT - 12))
    footer.draw(device)


# --- the body -------------------------------------------------------------------------------

# No background colours in tables: MuPDF repaints a cell's background on the pages a
# table's story continues onto. Column widths in points: percentages collapse.
_CSS = """
body { font-family: serif; font-size: 10pt; line-height: 1.3; color: #111111; }
p, td, th, h1, h2, h3 { overflow-wrap: break-word; }
h1 { font-family: sans-serif; font-size: 22pt; font-weight: bold; margin: 0 0 8pt 0; }
h2 { font-family: sans-serif; font-size: 14pt; font-weight: bold; margin: 0 0 8pt 0;
     padding-bottom: 3pt; border-bottom: 1pt solid #333333; }
h3 { font-family: sans-serif; font-size: 10.5pt; font-weight: bold; margin: 12pt 0 3pt 0;
     color: #222222; }
p { margin: 0 0 4pt 0; }
.kicker { font-family: sans-serif; font-size: 10pt; letter-spacing: 1pt; color: #555555;
          margin-top: 90pt; margin-bottom: 6pt; }
.titleblock { margin-bottom: 24pt; }
.lede { font-size: 11pt; color: #333333; margin-bottom: 18pt; }
.marking { font-family: sans-serif; font-size: 9pt; font-weight: bold; text-align: center;
           color: #a00000; margin: 0; }
.folio { font-family: sans-serif; font-size: 8pt; text-align: center; color: #444444;
         margin: 2pt 0 0 0; }
.mono { font-family: monospace; font-size: 7.5pt; }
.small { font-size: 8.5pt; color: #444444; }
.label { font-family: sans-serif; font-size: 8.5pt; color: #444444; }
table { border-collapse: collapse; width: 100%; margin: 0 0 8pt 0; }
th { font-family: sans-serif; font-size: 8.5pt; font-weight: bold; text-align: left;
     border: 0.5pt solid #999999; border-bottom: 1pt solid #333333; padding: 3pt; }
td { border: 0.5pt solid #999999; padding: 3pt; vertical-align: top; font-size: 9pt; }
td.key { font-family: sans-serif; font-size: 8.5pt; color: #333333; width: 110pt; }
h2.annexb { margin-top: 14pt; }
th.num { width: 16pt; }
th.kind { width: 56pt; }
th.grade { width: 34pt; }
.mark { margin: 8pt 0 0 0; padding: 0 0 6pt 0; border-bottom: 0.5pt solid #bbbbbb; }
.markhead { font-family: sans-serif; font-size: 9pt; font-weight: bold; color: #222222;
            margin: 0 0 3pt 0; }
.cat { font-family: sans-serif; font-size: 8.5pt; margin: 0 0 2pt 0; }
.quote { margin: 4pt 0 4pt 12pt; padding: 2pt 0 2pt 8pt; border-left: 2pt solid #777777;
         font-size: 10pt; }
.withheld { font-family: sans-serif; font-weight: bold; color: #8b0000; }
.note { margin: 3pt 0 3pt 0; }
.crop { margin: 6pt 0 4pt 12pt; }
.byline { font-family: sans-serif; font-size: 8pt; color: #555555; margin: 2pt 0 0 0; }
.redacted { font-family: sans-serif; font-weight: bold; color: #8b0000; }
"""


def _chapters(
    dossier: Dossier,
    archive: Any,
    cancel: CancelToken | None,
    progress: ProgressCallback | None,
) -> list[_Chapter]:
    """The body: title page, table of sources, one chapter per source, the annex."""
    chapters = [_title_page(dossier), _sources_table(dossier)]
    crops = _CropStore(archive)
    for index, source in enumerate(dossier.sources, start=1):
        _check(cancel)
        chapters.append(_source_section(index, source, crops, cancel))
        if progress is not None:
            progress(Progress(index, len(dossier.sources), f"source {source.title}"))
    chapters.append(_annex(dossier))
    return chapters


def _title_page(dossier: Dossier) -> _Chapter:
    marks = sum(len(source.marks) for source in dossier.sources)
    regions = sum(1 for s in dossier.sources for m in s.marks if m.kind == "region")
    withheld = sum(1 for s in dossier.sources for m in s.marks if m.withheld)
    redacted = sum(1 for source in dossier.sources if source.redacted)
    rows: list[tuple[str, str]] = [
        (label, _esc(value))
        for label, value in (
            ("Case", dossier.case),
            ("Releasability", dossier.marking),
        )
        if value
    ]
    rows.append(("Bundle ID", f'<span class="mono">{_esc(dossier.bundle_id)}</span>'))
    rows += [
        (label, _esc(value))
        for label, value in (
            ("Date", _when(dossier.created)),
            ("Organisation", dossier.organisation),
            ("Contact", dossier.contact),
            ("Recipient profile", dossier.profile),
            ("Prepared with", f"Evidence Workstation {dossier.tool_version}"),
        )
        if value
    ]
    counts = [
        ("Sources", f"{len(dossier.sources)} ({redacted} redacted)"),
        ("Marks", f"{marks} ({regions} regions, {withheld} withheld)"),
        ("Categories", str(len(dossier.categories))),
        ("Entities", str(len(dossier.entities))),
    ]
    title = (
        '<div class="titleblock">'
        '<p class="kicker">EVIDENCE DOSSIER</p>'
        f"<h1>{_esc(dossier.title)}</h1>"
        '<p class="lede">Sources, annotated passages and image regions carried in the evidence '
        "bundle, with the SHA-256 of every file so each can be checked against the bundle's "
        "manifest (manifest-sha256.txt).</p>"
        "</div>" + _key_table(rows)
    )
    contents = "<h3>Contents</h3>" + _key_table([(label, _esc(value)) for label, value in counts])
    return [_Block(title, "Title page"), _Block(contents)]


def _key_table(rows: Sequence[tuple[str, str]]) -> str:
    """A two-column table of labels and (already escaped) values."""
    cells = "".join(f'<tr><td class="key">{_esc(k)}</td><td>{v}</td></tr>' for k, v in rows)
    return f"<table>{cells}</table>"


def _sources_table(dossier: Dossier) -> _Chapter:
    rows = []
    for index, source in enumerate(dossier.sources, start=1):
        rows.append(
            "<tr>"
            f"<td>{index}</td>"
            f"<td>{_esc(source.title)}<br/>"
            f'<span class="mono">{_esc(source.sha256)}</span></td>'
            f"<td>{_esc(source.kind)}{'<br/>redacted' if source.redacted else ''}</td>"
            f"<td>{_esc(source.grade or '–')}</td>"
            "</tr>"
        )
    if not rows:
        return [_Block("<h2>Sources</h2><p>The bundle holds no sources.</p>", "Sources")]
    return [
        _Block(
            "<h2>Sources</h2>",
            "Sources",
            header='<tr><th class="num">#</th><th>Title and SHA-256 of the file in the bundle</th>'
            '<th class="kind">Kind</th><th class="grade">Grade</th></tr>',
            rows=tuple(rows),
        )
    ]


def _source_section(
    index: int, source: DossierSource, crops: _CropStore, cancel: CancelToken | None
) -> _Chapter:
    meta: list[tuple[str, str]] = [
        ("Kind", _esc(f"{source.kind} ({source.media_type})")),
        ("Grade", _esc(source.grade or "not graded")),
    ]
    for key, value in (
        ("Published", source.published),
        ("Publisher", source.publisher),
        ("Author", source.author),
        ("URL", source.url),
    ):
        if value:
            meta.append((key, _esc(value)))
    meta.append(("File in bundle", f'<span class="mono">{_esc(source.bundle_path)}</span>'))
    meta.append(("SHA-256", f'<span class="mono">{_esc(source.sha256)}</span>'))
    if source.redacted:
        meta.append(
            (
                "Redacted",
                '<span class="redacted">redacted derivative of</span><br/>'
                f'<span class="mono">{_esc(source.original_sha256)}</span>',
            )
        )
    meta.append(("Marks", str(len(source.marks))))
    blocks = [
        _Block(
            f"<h2>{index}. {_esc(source.title)}</h2>" + _key_table(meta), f"{index}. {source.title}"
        )
    ]
    for number, mark in enumerate(source.marks, start=1):
        _check(cancel)
        blocks.append(_Block(_mark_html(index, number, source, mark, crops)))
    if not source.marks:
        blocks.append(_Block('<p class="small">No marks on this source.</p>'))
    return blocks


def _mark_html(
    index: int, number: int, source: DossierSource, mark: DossierMark, crops: _CropStore
) -> str:
    page = mark.page if mark.page is not None else (mark.region.page if mark.region else None)
    where = f" · p. {page}" if page is not None else ""
    kind = {"text": "passage", "region": "region", "page": "whole page"}.get(mark.kind, mark.kind)
    parts = [f'<div class="mark"><p class="markhead">Mark {index}.{number} · {kind}{where}</p>']
    for category in mark.categories:
        parts.append(f'<p class="cat"><b>{_esc(category.code)}</b> — {_esc(category.label)}</p>')
    if mark.kind == "region":
        if mark.withheld:
            parts.append(f'<p class="withheld">{REGION_WITHHELD}</p>')
        elif mark.region is None:
            parts.append('<p class="small">[no region recorded]</p>')
        else:
            parts.append(crops.html(source, mark.region, page))
        if mark.quote and not mark.withheld:
            parts.append(f'<p class="quote">{_esc(mark.quote)}</p>')
    elif mark.quote is None or mark.withheld:
        parts.append(f'<p class="quote"><span class="withheld">{PASSAGE_WITHHELD}</span></p>')
    else:
        parts.append(f'<p class="quote">{_esc(mark.quote)}</p>')
    if mark.note:
        parts.append(f'<p class="note"><span class="label">Note: </span>{_esc(mark.note)}</p>')
    parts.append(
        f'<p class="byline">{_esc(mark.author)} · {_esc(_when(mark.created))} · '
        f'<span class="mono">{_esc(mark.uuid)}</span></p></div>'
    )
    return "".join(parts)


def _annex(dossier: Dossier) -> _Chapter:
    title_a = "Annex A. Categories and legal bases"
    if dossier.categories:
        category_rows = tuple(
            f"<tr><td><b>{_esc(c.code)}</b></td><td>{_esc(c.label)}</td>"
            f"<td>{_esc(c.legal_basis or '–')}</td></tr>"
            for c in dossier.categories
        )
        blocks = [
            _Block(
                f"<h2>{title_a}</h2>",
                title_a,
                header="<tr><th>Code</th><th>Category</th><th>Legal basis</th></tr>",
                rows=category_rows,
            )
        ]
    else:
        blocks = [
            _Block(f"<h2>{title_a}</h2><p>No categories are used in this bundle.</p>", title_a)
        ]
    title_b = "Annex B. Entities"
    heading_b = f'<h2 class="annexb">{title_b}</h2>'
    if dossier.entities:
        entity_rows = tuple(
            f"<tr><td>{_esc(e.kind)}</td><td>{_esc(e.name)}</td>"
            f"<td>{'<br/>'.join(_esc(i) for i in e.identifiers) or '–'}</td></tr>"
            for e in dossier.entities
        )
        blocks.append(
            _Block(
                heading_b,
                title_b,
                header="<tr><th>Kind</th><th>Name</th><th>Identifiers</th></tr>",
                rows=entity_rows,
            )
        )
    else:
        blocks.append(
            _Block(f"{heading_b}<p>No entities are recorded in this bundle.</p>", title_b)
        )
    return blocks


# --- crops ----------------------------------------------------------------------------------


class _CropStore:
    """Renders region crops into the Story's archive and returns the <img> for each."""

    def __init__(self, archive: Any) -> None:
        self._archive = archive
        self._count = 0

    def html(self, source: DossierSource, region: RegionAnchor, page: int | None) -> str:
        picture = _crop(source, region, page)
        self._count += 1
        data = io.BytesIO()
        if _is_pdf(source):
            name = f"crop-{self._count}.png"  # text and line art: lossless and small
            picture.save(data, "PNG")
        else:
            # Photographs compress badly as PNG; 4:4:4 keeps the red outline crisp.
            name = f"crop-{self._count}.jpg"
            picture.save(data, "JPEG", quality=90, subsampling=0)
        self._archive.add((data.getvalue(), name))
        scale = min(_DISPLAY_MAX_WIDTH / picture.width, _DISPLAY_MAX_HEIGHT / picture.height, 1.0)
        width, height = picture.width * scale, picture.height * scale
        return f'<p class="crop"><img src="{name}" width="{width:.1f}" height="{height:.1f}"/></p>'


def _crop(source: DossierSource, region: RegionAnchor, page: int | None) -> Image.Image:
    """The region with a margin, its outline drawn in red, as an RGB picture."""
    if not region.points:
        raise ReportError(f"source {source.title!r}: a region mark has no points")
    try:
        if _is_pdf(source):
            picture, origin, scale = _pdf_crop(source.file, region, page or region.page or 1)
        else:
            picture, origin, scale = _image_crop(source.file, region)
    except WorkstationError:
        raise
    except Exception as exc:
        raise ReportError(
            f"source {source.title!r}: cannot draw the crop of a region from "
            f"{source.bundle_path} ({type(exc).__name__})"
        ) from exc
    return _outline(picture, region, origin, scale)


def _is_pdf(source: DossierSource) -> bool:
    return source.kind == "pdf" or source.media_type == "application/pdf"


def _margin_box(
    region: RegionAnchor, width: float, height: float, minimum: float
) -> tuple[float, float, float, float]:
    """The region's bounding box grown by a margin, clamped to the picture or page."""
    x, y, w, h = region.bbox
    margin = max(minimum, 0.12 * max(w, h))
    x0, y0 = max(0.0, x - margin), max(0.0, y - margin)
    x1, y1 = min(width, x + w + margin), min(height, y + h + margin)
    if x1 <= x0 or y1 <= y0:
        raise ReportError("the region lies outside the picture or page")
    return x0, y0, x1, y1


def _image_crop(path: Path, region: RegionAnchor) -> tuple[Image.Image, tuple[float, float], float]:
    width, height = _picture_size(path)
    x0, y0, x1, y1 = _margin_box(region, width, height, 24)
    box = (int(x0), int(y0), int(x1 + 0.999), int(y1 + 0.999))
    scale = min(1.0, CROP_MAX_SIDE / max(box[2] - box[0], box[3] - box[1]))
    size = (max(1, round((box[2] - box[0]) * scale)), max(1, round((box[3] - box[1]) * scale)))
    if width * height <= IMAGE_MAX_PIXELS:
        with Image.open(path) as picture:
            picture.seek(0)
            cropped = _rgb(picture.crop(box))
        if scale < 1.0:
            cropped = cropped.resize(size, Image.Resampling.LANCZOS)
    else:
        cropped = _vips_crop(path, box, size)
    return cropped, (float(box[0]), float(box[1])), scale


def _picture_size(path: Path) -> tuple[int, int]:
    """Width and height from the header; Pillow would refuse a big satellite picture."""
    try:
        header = pyvips.Image.new_from_file(str(path))
        return int(header.width), int(header.height)
    except pyvips.Error:  # BMP and the few formats libvips lacks
        with Image.open(path) as probe:
            return probe.size


def _vips_crop(path: Path, box: tuple[int, int, int, int], size: tuple[int, int]) -> Image.Image:
    """Crop a picture too big for Pillow; libvips decodes only down to the region."""
    image = pyvips.Image.new_from_file(str(path), access="sequential")
    piece = _displayable(image.crop(box[0], box[1], box[2] - box[0], box[3] - box[1]))
    if (piece.width, piece.height) != size:
        piece = piece.resize(size[0] / piece.width, vscale=size[1] / piece.height)
    data = bytes(piece.write_to_buffer(".png"))
    with Image.open(io.BytesIO(data)) as picture:
        return _rgb(picture)


def _rgb(picture: Image.Image) -> Image.Image:
    """An RGB copy; transparency is flattened onto white as a reader would show it."""
    if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
        rgba = picture.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if picture.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        return picture.convert("L").convert("RGB")
    return picture.convert("RGB")


def _pdf_crop(
    path: Path, region: RegionAnchor, page_number: int
) -> tuple[Image.Image, tuple[float, float], float]:
    doc = pymupdf.open(path)
    try:
        if not 1 <= page_number <= doc.page_count:
            raise ReportError(
                f"a region mark is on page {page_number}, the PDF has {doc.page_count} pages"
            )
        page = doc.load_page(page_number - 1)
        # Region anchors are in points on the page as displayed, which is what clip takes.
        x0, y0, x1, y1 = _margin_box(region, page.rect.width, page.rect.height, 18)
        zoom = PDF_CROP_ZOOM
        area = (x1 - x0) * (y1 - y0)
        if area * zoom * zoom > CROP_MAX_PIXELS:
            zoom = (CROP_MAX_PIXELS / area) ** 0.5
        pixmap = page.get_pixmap(
            matrix=pymupdf.Matrix(zoom, zoom), clip=pymupdf.Rect(x0, y0, x1, y1), alpha=False
        )
        picture = Image.frombuffer(
            "RGB",
            (pixmap.width, pixmap.height),
            bytes(pixmap.samples),
            "raw",
            "RGB",
            pixmap.stride,
            1,
        ).copy()
    finally:
        doc.close()
    return picture, (x0, y0), zoom


def _outline(
    picture: Image.Image, region: RegionAnchor, origin: tuple[float, float], scale: float
) -> Image.Image:
    """Draw the region's shape in red on the crop; tiny crops are enlarged first."""
    grow = 1.0
    if max(picture.size) < CROP_MIN_SIDE:
        grow = CROP_MIN_SIDE / max(picture.size)
        picture = picture.resize(
            (max(1, round(picture.width * grow)), max(1, round(picture.height * grow))),
            Image.Resampling.NEAREST,
        )
    factor = scale * grow
    points = [((x - origin[0]) * factor, (y - origin[1]) * factor) for x, y in region.points]
    line = max(3, round(max(picture.size) / 160))
    draw = ImageDraw.Draw(picture)
    # A white casing under the red line keeps the outline visible on red or dark pixels.
    for colour, width in ((_CASING, line + 4), (_OUTLINE, line)):
        if region.shape == "rect" and len(points) >= 2:
            (ax, ay), (bx, by) = points[0], points[1]
            box = (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))
            draw.rectangle(box, outline=colour, width=width)
        elif region.shape == "polygon" and len(points) >= 2:
            draw.line([*points, points[0]], fill=colour, width=width, joint="curve")
        else:
            radius = max(8, line * 4)
            for x, y in points:
                draw.ellipse(
                    (x - radius, y - radius, x + radius, y + radius), outline=colour, width=width
                )
    frame = (0, 0, picture.width - 1, picture.height - 1)
    draw.rectangle(frame, outline=(128, 128, 128), width=1)
    return picture


# --- ligatures -----------------------------------------------------------------------------

_LIGATURES = {code: unicodedata.normalize("NFKC", chr(code)) for code in range(0xFB00, 0xFB07)}
_BFRANGE_BLOCK = re.compile(rb"(\d+) beginbfrange\s*\n(.*?)endbfrange", re.S)
_RANGE_LINE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]{4})>")
_CHAR_LIGATURE = re.compile(rb"(<[0-9a-fA-F]+>\s*)<([fF][bB]0[0-6])>")


def _spell_out_ligatures(doc: Any) -> None:
    """Map ligature glyphs (fi, ff, ffl...) to their letters in every ToUnicode CMap.

    MuPDF's layout forms ligatures and maps them to U+FB01 and kin, so a quote with
    "offshore" would extract as "o\ufb00shore"; readers and scripts then miss it.
    """
    for xref in range(1, doc.xref_length()):
        kind, value = doc.xref_get_key(xref, "ToUnicode")
        if kind != "xref":
            continue
        cmap_xref = int(value.split()[0])
        fixed = _spelled_cmap(bytes(doc.xref_stream(cmap_xref)))
        if fixed is not None:
            doc.update_stream(cmap_xref, fixed)


def _spelled_cmap(cmap: bytes) -> bytes | None:
    """The CMap with ligature targets spelled out, or None when it maps no ligature."""
    extra: list[bytes] = []

    def ranges(block: re.Match[bytes]) -> bytes:
        kept: list[bytes] = []
        for line in block.group(2).splitlines():
            found = _RANGE_LINE.fullmatch(line.strip())
            if found is not None:
                low, high, first = (int(found[i], 16) for i in (1, 2, 3))
                if first <= 0xFB06 and first + high - low >= 0xFB00:
                    # A range cannot map to two-letter strings: list its codes one by one.
                    width = len(found[1])
                    for offset in range(high - low + 1):
                        letters = _LIGATURES.get(first + offset, chr(first + offset))
                        extra.append(
                            b"<%s> <%s>" % (f"{low + offset:0{width}x}".encode(), _hex(letters))
                        )
                    continue
            if line.strip():
                kept.append(line.strip())
        if not kept:
            return b""
        return b"%d beginbfrange\n%s\nendbfrange" % (len(kept), b"\n".join(kept))

    out = _BFRANGE_BLOCK.sub(ranges, cmap)
    out = _CHAR_LIGATURE.sub(
        lambda m: m.group(1) + b"<" + _hex(_LIGATURES[int(m.group(2), 16)]) + b">", out
    )
    blocks = [extra[i : i + 100] for i in range(0, len(extra), 100)]
    added = b"".join(
        b"%d beginbfchar\n%s\nendbfchar\n" % (len(chunk), b"\n".join(chunk)) for chunk in blocks
    )
    if added:
        out = out.replace(b"endcmap", added + b"endcmap", 1)
    return None if out == cmap else out


def _hex(text: str) -> bytes:
    return text.encode("utf-16-be").hex().encode()


# --- text helpers ---------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Text without the control characters XML and PDF strings cannot carry."""
    return _CONTROL.sub("", text)


def _esc(text: str | None) -> str:
    """User text as HTML that shows literally; line breaks kept."""
    if text is None:
        return ""
    return html.escape(_clean(text), quote=True).replace("\r\n", "\n").replace("\n", "<br/>")


def _when(value: str) -> str:
    """An ISO 8601 time as 'YYYY-MM-DD HH:MM UTC'; anything unparsable as given."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _pdf_date(value: str) -> str:
    """An ISO 8601 time as a PDF date string (D:YYYYMMDDHHmmSSZ); empty when unparsable."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("D:%Y%m%d%H%M%SZ")
