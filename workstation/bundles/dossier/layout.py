"""Laying the dossier out on A4 pages: blocks kept whole, tables split between rows with
their header repeated, the releasability marking and "page N of M" on every page.

``layout_document`` is the generic part (any chapters, any marking, extra CSS): the
findings report (workstation/report) lays its paragraphs out with it too.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pymupdf as _pymupdf

from workstation.bundles.dossier.ligatures import spell_out_ligatures
from workstation.bundles.dossier.model import Dossier, check_cancel
from workstation.bundles.dossier.text import clean, esc, pdf_date, prepared_with
from workstation.core.progress import CancelToken, Progress, ProgressCallback

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

_BODY_RECT = (MARGIN_X, BODY_TOP, PAGE_WIDTH - MARGIN_X, BODY_BOTTOM)
_BLOCK_GAP = 4.0

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


@dataclass(frozen=True)
class Block:
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


Chapter = list[Block]
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
        css: str = _CSS,
    ) -> None:
        self.writer = writer
        self.marking = marking
        self.css = css
        self.total = total
        self.cancel = cancel
        self.progress = progress
        self.number = 0
        self.device: Any = None
        self.bookmarks: list[tuple[int, str, int]] = []

    def new_page(self) -> None:
        self.finish_page()
        check_cancel(self.cancel)
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


def _flow(chapters: Sequence[Chapter], pages: _Pages, archive: Any) -> None:
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
            story = _story(block.html, archive, pages.css)
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


def _story(html: str, archive: Any, css: str) -> Any:
    return pymupdf.Story(html=f"<html><body>{html}</body></html>", user_css=css, archive=archive)


def _flow_table(block: Block, pages: _Pages, archive: Any, y: float) -> float:
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
            more, _ = _story(html, archive, pages.css).place(area)
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
        story = _story(block.table_html(start, low, continued=start > 0), archive, pages.css)
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


@dataclass(frozen=True)
class PdfInfo:
    """What a laid-out PDF says about itself: the marking on every page and its metadata.

    Attributes:
        marking: Releasability marking printed above and below every page's body.
        title: Document title (metadata and reader's title bar).
        subject: What the document is.
        author: Organisation or person, when known.
        creator: The program that wrote it.
        created: ISO 8601 UTC time.
    """

    marking: str
    title: str
    subject: str
    author: str
    creator: str
    created: str


def layout_document(
    chapters: Sequence[Chapter],
    archive: Any,
    info: PdfInfo,
    *,
    css: str = "",
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> bytes:
    """Lay chapters out on A4 pages with the marking and page numbers; fonts subset.

    ``css`` is added to the dossier's style sheet (classes of the caller's own blocks).
    """
    style = _CSS + css
    counting = _Pages(None, info.marking, 0, cancel, None, style)
    _flow(chapters, counting, archive)

    buffer = io.BytesIO()
    writer = pymupdf.DocumentWriter(buffer)
    pages = _Pages(writer, info.marking, counting.number, cancel, progress, style)
    _flow(chapters, pages, archive)
    writer.close()

    doc = pymupdf.open("pdf", buffer.getvalue())
    try:
        # Story embeds whole fonts (the CJK one is 3.6 MB); keep only the glyphs used.
        doc.subset_fonts()
        spell_out_ligatures(doc)
        doc.set_metadata(
            {
                "title": clean(info.title),
                "subject": clean(info.subject),
                "keywords": clean(info.marking),
                "author": clean(info.author),
                "creator": clean(info.creator),
                "producer": f"PyMuPDF {pymupdf.VersionBind}",
                "creationDate": pdf_date(info.created),
                "modDate": pdf_date(info.created),
            }
        )
        if pages.bookmarks:
            doc.set_toc([list(entry) for entry in pages.bookmarks])
        return bytes(doc.tobytes(garbage=3, deflate=True))
    finally:
        doc.close()


def layout_pdf(
    dossier: Dossier,
    chapters: Sequence[Chapter],
    archive: Any,
    cancel: CancelToken | None,
    progress: ProgressCallback | None,
) -> bytes:
    """The dossier's chapters laid out (``layout_document`` with the dossier's metadata)."""
    info = PdfInfo(
        marking=dossier.marking,
        title=dossier.title,
        subject=f"Evidence dossier, bundle {dossier.bundle_id}",
        author=dossier.organisation or "",
        creator=prepared_with(dossier.tool_version),
        created=dossier.created,
    )
    return layout_document(chapters, archive, info, cancel=cancel, progress=progress)


def _draw_furniture(device: Any, marking: str, number: int, total: int) -> None:
    """The marking above and below the body, and the page number, on one page."""
    mark = esc(marking)
    header = pymupdf.Story(html=f'<p class="marking">{mark}</p>', user_css=_CSS)
    header.place(pymupdf.Rect(MARGIN_X, 26, PAGE_WIDTH - MARGIN_X, BODY_TOP - 8))
    header.draw(device)
    footer = pymupdf.Story(
        html=(f'<p class="marking">{mark}</p><p class="folio">page {number} of {total}</p>'),
        user_css=_CSS,
    )
    footer.place(pymupdf.Rect(MARGIN_X, BODY_BOTTOM + 12, PAGE_WIDTH - MARGIN_X, PAGE_HEIGHT - 12))
    footer.draw(device)
