"""Reading an open PDF for a viewer: page sizes, renders, character boxes and find.

Character offsets index the page text exactly as the import stored it (``page.get_text()``
with NULs removed), so a selection made in a viewer anchors onto the library's text.

Threads: MuPDF documents must not be used by two threads at once. A PdfDocument keeps a
small lock-protected pool of handles (separate ``pymupdf.Document`` objects on the same
file); each call borrows one for its duration, so any thread may call any method. PyMuPDF's
bindings hold the GIL inside each MuPDF call, so the pool buys interleaving, not parallel
rendering; calls are kept short (display list, then raster) so other threads get a turn.
"""

from __future__ import annotations

import bisect
import difflib
import re
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pymupdf as _pymupdf

from workstation.core.errors import BadInputError, WorkstationError
from workstation.core.progress import CancelToken
from workstation.sources.extract.model import DEFAULT_LIMITS, Limits
from workstation.sources.extract.pdf import capped_zoom, open_pdf

# PyMuPDF's annotations are partial (many functions are untyped); use it as untyped.
pymupdf: Any = _pymupdf

Rect = tuple[float, float, float, float]
"""x0, y0, x1, y1 in PDF points, origin at the top-left of the page as displayed."""

Matrix = tuple[float, float, float, float, float, float]

_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_DEFAULT_SIZE = (612.0, 792.0)  # US Letter, for a page whose size cannot be read
_TEXT_CACHE_CHARS = 32_000_000
_LAYOUT_CACHE_PAGES = 48


class DocumentClosedError(WorkstationError):
    """A PdfDocument was used after close()."""


class RenderedPage(NamedTuple):
    """A page drawn as RGB888 pixels.

    Attributes:
        width: Pixels across.
        height: Pixels down.
        stride: Bytes per row.
        samples: height * stride bytes, RGB, no alpha.
        zoom: The scale actually used (pixels per point); lower than asked when capped.
    """

    width: int
    height: int
    stride: int
    samples: bytes
    zoom: float


class CharBox(NamedTuple):
    """One character of a page's text and where it is drawn.

    Attributes:
        x0: Left, in points, page as displayed (rotation applied).
        y0: Top.
        x1: Right.
        y1: Bottom.
        char: The character (one code point).
        offset: Its index, in code points, into the page text.
    """

    x0: float
    y0: float
    x1: float
    y1: float
    char: str
    offset: int


class TextHit(NamedTuple):
    """One match of a find.

    Attributes:
        page: 1-based page number.
        rects: One rectangle per line the match covers, in points as displayed.
        start: Offset of the first code point of the match in the page text.
        end: Offset just past the match.
    """

    page: int
    rects: list[Rect]
    start: int
    end: int


@dataclass(frozen=True)
class _Line:
    """Characters first..last-1 of a PageText, and their union box before rotation."""

    first: int
    last: int
    x0: float
    y0: float
    x1: float
    y1: float


class PageText:
    """The text of one page with the box of every character, for selection and highlights.

    Geometry questions take and give points in the page as displayed; internally
    lines are kept unrotated, where they run left to right. Boxes are stored in flat
    arrays (a dense page is ~3,000 characters; tuples per character cost 7x more).

    Attributes:
        number: 1-based page number.
        text: The page text, as stored by the import.
    """

    def __init__(
        self,
        number: int,
        text: str,
        offsets: array[int] | None = None,
        boxes: array[float] | None = None,
        lines: Sequence[_Line] = (),
        to_display: Matrix = _IDENTITY,
        from_display: Matrix = _IDENTITY,
    ) -> None:
        self.number = number
        self.text = text
        self._offsets = offsets if offsets is not None else array("l")
        self._boxes = boxes if boxes is not None else array("d")  # unrotated x0 y0 x1 y1
        self._lines = tuple(lines)
        self._to_display = to_display
        self._from_display = from_display

    def __repr__(self) -> str:
        return f"PageText(number={self.number}, chars={len(self._offsets)})"

    @property
    def chars(self) -> tuple[CharBox, ...]:
        """Every character that has a box, in text order (built on each call)."""
        boxes, text = self._boxes, self.text
        made: list[CharBox] = []
        for index, offset in enumerate(self._offsets):
            box = _transform_rect(self._to_display, _box_at(boxes, index))
            made.append(CharBox(*box, text[offset], offset))
        return tuple(made)

    def caret_at(self, x: float, y: float) -> int:
        """The text offset a click at (x, y) puts the caret before.

        Above all text gives the start of the first line; below all text the end
        of the last; otherwise the nearest line, then the nearest gap between
        characters in it.

        Args:
            x: Points from the left of the displayed page (may lie outside the page).
            y: Points from the top.

        Returns:
            An offset from 0 to len(text).
        """
        if not self._lines:
            return 0
        offsets, boxes = self._offsets, self._boxes
        ux, uy = _apply(self._from_display, x, y)
        if uy < min(line.y0 for line in self._lines):
            return offsets[self._lines[0].first]
        if uy > max(line.y1 for line in self._lines):
            return offsets[self._lines[-1].last - 1] + 1
        line = min(self._lines, key=lambda ln: _line_distance(ln, ux, uy))
        for index in range(line.first, line.last):
            x0 = boxes[4 * index]
            if ux < (x0 + boxes[4 * index + 2]) / 2:
                # In a gap with no box (between OCR words): the nearer word's edge, so a
                # drag to the end of a word does not take the space after it.
                if (
                    index > line.first
                    and offsets[index] > offsets[index - 1] + 1
                    and ux < (boxes[4 * index - 2] + x0) / 2
                ):
                    return offsets[index - 1] + 1
                return offsets[index]
        return offsets[line.last - 1] + 1

    def char_at(self, x: float, y: float) -> int | None:
        """The text offset of the character whose box holds (x, y), if any."""
        ux, uy = _apply(self._from_display, x, y)
        boxes = self._boxes
        for line in self._lines:
            if line.y0 <= uy <= line.y1 and line.x0 <= ux <= line.x1:
                for index in range(line.first, line.last):
                    x0, y0, x1, y1 = _box_at(boxes, index)
                    if x0 <= ux <= x1 and y0 <= uy <= y1:
                        return self._offsets[index]
        return None

    def word_at(self, x: float, y: float) -> tuple[int, int] | None:
        """The word under (x, y) as (start, end) offsets, or None off the text.

        A word is a run of letters, digits and underscores (Hangul and CJK count as
        letters); on any other character that character alone is returned, and
        off every character, None.
        """
        offset = self.char_at(x, y)
        if offset is None:
            return None
        text = self.text
        if not _is_word_char(text[offset]):
            return offset, offset + 1
        start, end = offset, offset + 1
        while start > 0 and _is_word_char(text[start - 1]):
            start -= 1
        while end < len(text) and _is_word_char(text[end]):
            end += 1
        return start, end

    def line_ranges(self) -> list[tuple[int, int]]:
        """Each line's text range (start of its first character, end of its last), in
        line order: a viewer keeps each line's box and works out only partial lines."""
        offsets = self._offsets
        return [(offsets[line.first], offsets[line.last - 1] + 1) for line in self._lines]

    def rects(self, start: int, end: int) -> list[Rect]:
        """Boxes covering the characters in [start, end), one per line, as displayed."""
        if end <= start or not self._offsets:
            return []
        first = bisect.bisect_left(self._offsets, start)
        last = bisect.bisect_left(self._offsets, end)
        boxes = self._boxes
        found: list[Rect] = []
        for line in self._lines:
            lo, hi = max(line.first, first), min(line.last, last)
            if lo >= hi:
                continue
            union = (
                min(boxes[4 * i] for i in range(lo, hi)),
                min(boxes[4 * i + 1] for i in range(lo, hi)),
                max(boxes[4 * i + 2] for i in range(lo, hi)),
                max(boxes[4 * i + 3] for i in range(lo, hi)),
            )
            found.append(_transform_rect(self._to_display, union))
        return found


WordBox = tuple[str, float, float, float, float, int]
"""A word read from a page picture: text, x0, y0, x1, y1 (points as displayed), offset."""


def page_text_from_words(number: int, text: str, words: Sequence[WordBox]) -> PageText:
    """A PageText whose character boxes come from word boxes (an OCR layer).

    Each word's box is shared out evenly among its characters (OCR gives no finer box);
    the spaces and line breaks between words have none. Words overlapping the previous
    one vertically, and right of its start, continue its line; any other starts a line.

    Args:
        number: 1-based page number.
        text: The page text the words' offsets index.
        words: In reading order.
    """
    offsets: array[int] = array("l")
    boxes: array[float] = array("d")
    lines: list[_Line] = []
    first = 0
    previous: WordBox | None = None
    for word in words:
        chars, x0, y0, x1, y1, offset = word
        if previous is not None and not (
            y0 < previous[4] and y1 > previous[2] and x0 >= previous[1]
        ):
            if len(offsets) > first:
                lines.append(_line(first, len(offsets), boxes))
            first = len(offsets)
        step = (x1 - x0) / max(1, len(chars))
        for index in range(len(chars)):
            if offset + index >= len(text):
                break
            offsets.append(offset + index)
            boxes.extend((x0 + index * step, y0, x0 + (index + 1) * step, y1))
        previous = word
    if len(offsets) > first:
        lines.append(_line(first, len(offsets), boxes))
    return PageText(number, text, offsets, boxes, lines)


def find_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Where ``query`` occurs in ``text``: case-insensitive, any run of white space
    in the query matching any run (line breaks included) in the text.

    Args:
        text: A page text.
        query: What the reviewer typed.

    Returns:
        (start, end) offsets of each non-overlapping match, in order; none for a blank query.
    """
    pattern = _query_pattern(query)
    if pattern is None:
        return []
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


class PdfDocument:
    """An open PDF for viewing. Any thread may call any method; close() when done.

    Page numbers are 1-based everywhere. Sizes and coordinates are in points,
    for the page as displayed (its /Rotate applied).

    Args:
        path: The PDF file.
        limits: max_render_pixels caps every render.
        max_handles: How many MuPDF handles on the file may be open at once.

    Raises:
        EncryptedInputError: A non-empty password is needed.
        BadInputError: MuPDF cannot open the file or it has no pages.
    """

    def __init__(self, path: Path, limits: Limits = DEFAULT_LIMITS, max_handles: int = 3) -> None:
        self.path = Path(path)
        self.limits = limits
        first, _flags = open_pdf(self.path)
        try:
            self.page_count: int = int(first.page_count)
            self._sizes = _page_sizes(first)
        except BaseException:
            first.close()
            raise
        self._pool = _HandlePool(self.path, first, max(1, max_handles))
        self._cache_lock = threading.Lock()
        self._texts: OrderedDict[int, str] = OrderedDict()
        self._text_chars = 0
        self._layouts: OrderedDict[int, PageText] = OrderedDict()
        self._given: dict[int, PageText] = {}  # text layers from elsewhere (OCR), kept

    # --- pages -------------------------------------------------------------------------

    def page_size(self, number: int) -> tuple[float, float]:
        """(width, height) of a page in points, as displayed."""
        self._check(number)
        return self._sizes[number - 1]

    def page_sizes(self) -> list[tuple[float, float]]:
        """(width, height) of every page in points, as displayed; read once at open."""
        self._check_open()
        return list(self._sizes)

    def render(self, number: int, zoom: float, max_pixels: int | None = None) -> RenderedPage:
        """Draw a page, annotations included.

        Args:
            number: 1-based page number.
            zoom: Pixels per point (1.0 is 72 dpi).
            max_pixels: A tighter cap than limits.max_render_pixels, if given.

        Returns:
            The pixels; ``zoom`` on it says the scale used after capping.

        Raises:
            BadInputError: The page cannot be rendered (damaged file).
            DocumentClosedError: After close().
        """
        self._check(number)
        budget = self.limits.max_render_pixels
        if max_pixels is not None:
            budget = min(budget, max_pixels)
        with self._pool.borrow() as doc:
            try:
                page = doc.load_page(number - 1)
                zoom = capped_zoom(page.rect, zoom, budget)
                # Two MuPDF calls rather than one, so the GIL is let go between them.
                display_list = page.get_displaylist()
                pixmap = display_list.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
                return RenderedPage(
                    int(pixmap.width),
                    int(pixmap.height),
                    int(pixmap.stride),
                    bytes(pixmap.samples),
                    zoom,
                )
            except Exception as exc:
                raise BadInputError(f"damaged PDF: page {number} cannot be rendered") from exc

    # --- text --------------------------------------------------------------------------

    def text(self, number: int) -> str:
        """The page text exactly as the import stores it ("" for an unreadable page)."""
        self._check(number)
        with self._cache_lock:
            given = self._given.get(number)
            if given is not None:
                return given.text
            cached = self._texts.get(number)
            if cached is not None:
                self._texts.move_to_end(number)
                return cached
        with self._pool.borrow() as doc:
            try:
                text: str = doc.load_page(number - 1).get_text()
            except Exception:
                text = ""
        text = text.replace("\x00", "")
        self._remember_text(number, text)
        return text

    def page_text(self, number: int) -> PageText:
        """The page text with a box per character (cached for recently used pages)."""
        self._check(number)
        with self._cache_lock:
            given = self._given.get(number)
            if given is not None:
                return given
            cached = self._layouts.get(number)
            if cached is not None:
                self._layouts.move_to_end(number)
                return cached
        with self._pool.borrow() as doc:
            try:
                layout = _read_page_text(number, doc.load_page(number - 1))
            except Exception:
                layout = PageText(number, "")
        self._remember_text(number, layout.text)
        with self._cache_lock:
            self._layouts[number] = layout
            while len(self._layouts) > _LAYOUT_CACHE_PAGES:
                self._layouts.popitem(last=False)
        return layout

    def cached_page_text(self, number: int) -> PageText | None:
        """page_text(number) if it is at hand, else None; never touches the file."""
        with self._cache_lock:
            return self._given.get(number) or self._layouts.get(number)

    def set_text_layers(self, layers: Iterable[PageText]) -> None:
        """Use these pages' texts instead of the PDF's own (an accepted OCR layer, whose
        text is what the library stores for those pages); kept until close()."""
        with self._cache_lock:
            for layout in layers:
                if 1 <= layout.number <= self.page_count:
                    self._given[layout.number] = layout
                    self._layouts.pop(layout.number, None)

    def has_text_layer(self, number: int) -> bool:
        """Whether page ``number``'s text was given by set_text_layers."""
        with self._cache_lock:
            return number in self._given

    def chars(self, number: int) -> list[CharBox]:
        """Every character of a page with its box and its offset into text(number)."""
        return list(self.page_text(number).chars)

    def iter_find(
        self,
        query: str | re.Pattern[str],
        pages: Iterable[int] | None = None,
        cancel: CancelToken | None = None,
    ) -> Iterator[tuple[int, list[tuple[int, int]]]]:
        """Search page texts in turn, yielding (page, spans) for every page searched.

        Args:
            query: See find_spans for the matching rule; or a compiled pattern (the
                find bar's, which matches typographic variants of a quote).
            pages: 1-based page numbers to search, in order (default: all).
            cancel: Checked before each page.

        Yields:
            The page number and its matches as (start, end) offsets; often empty.

        Raises:
            CancelledError: cancel was set.
        """
        pattern = query if isinstance(query, re.Pattern) else _query_pattern(query)
        for number in pages if pages is not None else range(1, self.page_count + 1):
            if cancel is not None:
                cancel.raise_if_cancelled()
            if pattern is None:
                yield number, []
                continue
            yield number, [(m.start(), m.end()) for m in pattern.finditer(self.text(number))]

    def find(
        self,
        query: str,
        progress: Callable[[int, int], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> list[TextHit]:
        """Every match of ``query`` in the document, with its boxes.

        Args:
            query: Case-insensitive; white space matches any white space.
            progress: Called with (pages searched, page count) after each page.
            cancel: Checked before each page.

        Returns:
            The hits in reading order (page, then offset).
        """
        hits: list[TextHit] = []
        for number, spans in self.iter_find(query, cancel=cancel):
            if spans:
                layout = self.page_text(number)
                hits.extend(TextHit(number, layout.rects(s, e), s, e) for s, e in spans)
            if progress is not None:
                progress(number, self.page_count)
        return hits

    # --- life --------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """Whether close() was called."""
        return self._pool.closed

    def close(self) -> None:
        """Close every handle (those in use close when their call ends). Idempotent."""
        self._pool.close()
        with self._cache_lock:
            self._texts.clear()
            self._layouts.clear()
            self._given.clear()
            self._text_chars = 0

    def __enter__(self) -> PdfDocument:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._pool.closed:
            raise DocumentClosedError(f"{self.path.name} is closed")

    def _check(self, number: int) -> None:
        self._check_open()
        if not 1 <= number <= self.page_count:
            raise ValueError(f"page {number} does not exist (the PDF has {self.page_count})")

    def _remember_text(self, number: int, text: str) -> None:
        with self._cache_lock:
            if number in self._texts:
                return
            self._texts[number] = text
            self._text_chars += len(text)
            while self._text_chars > _TEXT_CACHE_CHARS and len(self._texts) > 1:
                _, dropped = self._texts.popitem(last=False)
                self._text_chars -= len(dropped)


class _HandlePool:
    """MuPDF documents on one file, each lent to one thread at a time."""

    def __init__(self, path: Path, first: Any, limit: int) -> None:
        self._path = path
        self._idle: list[Any] = [first]
        self._open = 1
        self._limit = limit
        self._cond = threading.Condition()
        self.closed = False

    @contextmanager
    def borrow(self) -> Iterator[Any]:
        """A handle for the caller alone until the with-block ends."""
        handle = None
        with self._cond:
            while True:
                if self.closed:
                    raise DocumentClosedError(f"{self._path.name} is closed")
                if self._idle:
                    handle = self._idle.pop()
                    break
                if self._open < self._limit:
                    self._open += 1  # reserve the slot; open outside the lock
                    break
                self._cond.wait()
        if handle is None:
            try:
                handle, _flags = open_pdf(self._path)
            except BaseException:
                with self._cond:
                    self._open -= 1
                    self._cond.notify()
                raise
        try:
            yield handle
        finally:
            with self._cond:
                if self.closed:
                    handle.close()
                    self._open -= 1
                else:
                    self._idle.append(handle)
                self._cond.notify()

    def close(self) -> None:
        with self._cond:
            if self.closed:
                return
            self.closed = True
            for handle in self._idle:
                handle.close()
            self._open -= len(self._idle)
            self._idle.clear()
            self._cond.notify_all()


def _page_sizes(doc: Any) -> list[tuple[float, float]]:
    """Displayed size of every page, read from the page tree without loading pages.

    MuPDF's pdf_page_obj_transform gives the same box as Page.rect (crop box,
    /Rotate, /UserUnit) for about 15 us a page; a page it cannot read is loaded
    instead, and one that cannot be loaded either takes its predecessor's size.
    """
    mupdf = pymupdf.mupdf
    sizes: list[tuple[float, float]] = []
    try:
        pdf = mupdf.PdfDocument(doc.this)
    except Exception:
        pdf = None
    for index in range(doc.page_count):
        size = None
        if pdf is not None:
            try:
                obj = mupdf.pdf_lookup_page_obj(pdf, index)
                box, ctm = mupdf.FzRect(), mupdf.FzMatrix()
                mupdf.pdf_page_obj_transform(obj, box, ctm)
                shown = mupdf.fz_transform_rect(box, ctm)
                size = (float(shown.x1 - shown.x0), float(shown.y1 - shown.y0))
            except Exception:
                size = None
        if size is None or not (size[0] > 0 and size[1] > 0):
            try:
                rect = doc.load_page(index).rect
                size = (float(rect.width), float(rect.height))
            except Exception:
                size = sizes[-1] if sizes else _DEFAULT_SIZE
        if not (size[0] > 0 and size[1] > 0):
            size = sizes[-1] if sizes else _DEFAULT_SIZE
        sizes.append(size)
    return sizes


def _read_page_text(number: int, page: Any) -> PageText:
    """Build a PageText from one MuPDF text page, read once for both text and boxes.

    extractText() writes, for each text line, the characters that overlap the media
    box and then a line break unless the line already ended with one (or with NUL);
    the raw dictionary lists the same characters, so replaying that rule gives every
    character its offset. The import strips NULs, so they get no offset here either.
    """
    to_display = _matrix(page.rotation_matrix)
    from_display = _matrix(page.derotation_matrix)
    textpage = page.get_textpage(flags=pymupdf.TEXTFLAGS_TEXT)
    text: str = textpage.extractText().replace("\x00", "")
    raw = textpage.extractRAWDICT()
    pieces: list[str] = []
    offsets: array[int] = array("l")
    boxes: array[float] = array("d")
    lines: list[_Line] = []
    for block in raw.get("blocks", ()):
        if block.get("type") != 0:
            continue
        for line in block.get("lines", ()):
            first = len(offsets)
            last_code = 0
            for span in line.get("spans", ()):
                for item in span.get("chars", ()):
                    char = item.get("c") or "\x00"
                    last_code = ord(char[0])
                    if last_code == 0:
                        continue
                    if 0xD800 <= last_code <= 0xDFFF:
                        char = "\ufffd"  # as PyMuPDF writes a lone surrogate into the text
                    offsets.append(len(pieces))
                    boxes.extend(_rect(item["bbox"]))
                    pieces.append(char)
            if last_code not in (0, 10):
                pieces.append("\n")
            if len(offsets) > first:
                lines.append(_line(first, len(offsets), boxes))
    if "".join(pieces) != text:
        offsets, boxes, lines = _realign(offsets, boxes, lines, "".join(pieces), text)
    return PageText(number, text, offsets, boxes, lines, to_display, from_display)


def _line(first: int, last: int, boxes: array[float]) -> _Line:
    return _Line(
        first,
        last,
        min(boxes[4 * i] for i in range(first, last)),
        min(boxes[4 * i + 1] for i in range(first, last)),
        max(boxes[4 * i + 2] for i in range(first, last)),
        max(boxes[4 * i + 3] for i in range(first, last)),
    )


def _realign(
    offsets: array[int], boxes: array[float], lines: list[_Line], rebuilt: str, text: str
) -> tuple[array[int], array[float], list[_Line]]:
    """Map characters onto ``text`` when replaying MuPDF's layout did not give it back.

    Not seen with PyMuPDF 1.28, kept so that a future change in its text writer
    degrades to characters without offsets rather than to wrong offsets.
    """
    mapping: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, rebuilt, text, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            mapping[a + k] = b + k
    kept_offsets: array[int] = array("l")
    kept_boxes: array[float] = array("d")
    kept_lines: list[_Line] = []
    for line in lines:
        first = len(kept_offsets)
        for index in range(line.first, line.last):
            target = mapping.get(offsets[index])
            if target is None:
                continue
            kept_offsets.append(target)
            kept_boxes.extend(_box_at(boxes, index))
        if len(kept_offsets) > first:
            kept_lines.append(_line(first, len(kept_offsets), kept_boxes))
    return kept_offsets, kept_boxes, kept_lines


def _query_pattern(query: str) -> re.Pattern[str] | None:
    words = query.split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _line_distance(line: _Line, x: float, y: float) -> tuple[float, float, float]:
    """How far (x, y) is from a line: vertically, then horizontally, then from its middle."""
    dy = max(line.y0 - y, 0.0, y - line.y1)
    dx = max(line.x0 - x, 0.0, x - line.x1)
    return dy, dx, abs(y - (line.y0 + line.y1) / 2)


def _matrix(m: Any) -> Matrix:
    return (float(m.a), float(m.b), float(m.c), float(m.d), float(m.e), float(m.f))


def _box_at(boxes: array[float], index: int) -> Rect:
    return boxes[4 * index], boxes[4 * index + 1], boxes[4 * index + 2], boxes[4 * index + 3]


def _rect(values: Any) -> Rect:
    x0, y0, x1, y1 = values
    return float(x0), float(y0), float(x1), float(y1)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _transform_rect(m: Matrix, rect: Rect) -> Rect:
    if m == _IDENTITY:
        return rect
    x0, y0, x1, y1 = rect
    corners = [_apply(m, x, y) for x in (x0, x1) for y in (y0, y1)]
    xs = [p[0] for p in corners]
    ys = [p[1] for p in corners]
    return min(xs), min(ys), max(xs), max(ys)
