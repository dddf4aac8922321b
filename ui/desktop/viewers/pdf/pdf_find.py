"""Find in a PdfView: every hit of a query, searched page by page on a pool thread, and
showing a passage (a search hit, an annotation) on its page."""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, Signal, SignalInstance
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from ui.desktop.ops.workers import Task
from ui.desktop.viewers.pdf.render_pool import start_task
from workstation.annotations.quotes import quote_pattern
from workstation.core.errors import WorkstationError
from workstation.core.progress import CancelToken
from workstation.sources.pages import PdfDocument, find_spans

# Type checkers see the QWidget the mixin ends up in; at run time it adds no base.
if TYPE_CHECKING:
    _Base = QWidget
else:
    _Base = object


class _FindSignals(QObject):
    """Signals of a running find.

    Signals:
        found(int, object, int): search generation, list of (page, start, end), pages done.
        done(int): search generation; the whole document has been searched.
    """

    found = Signal(int, object, int)
    done = Signal(int)


def _find_job(
    document: PdfDocument,
    query: str,
    first_page: int,
    generation: int,
    signals: _FindSignals,
    cancel: CancelToken,
) -> None:
    """Pool-thread job: search from first_page to the end, then from the start, in batches.

    The query matches as a quote does (’ for ', “ for ", no-break spaces, a word
    hyphenated at a line end), ignoring case.
    """
    pattern = quote_pattern(query, ignore_case=True)
    count = document.page_count
    order = [*range(first_page, count + 1), *range(1, first_page)]
    batch: list[tuple[int, int, int]] = []
    done = 0
    shown_first = False
    last_emit = time.monotonic()
    try:
        for page, spans in document.iter_find(pattern, pages=order, cancel=cancel):
            done += 1
            batch.extend((page, start, end) for start, end in spans)
            now = time.monotonic()
            # The first hits go at once (the view jumps to them), then in batches.
            if batch and (not shown_first or now - last_emit > 0.05):
                signals.found.emit(generation, batch, done)
                batch, last_emit, shown_first = [], now, True
    except WorkstationError:  # cancelled, or the document closed under us
        return
    signals.found.emit(generation, batch, done)
    signals.done.emit(generation)


class PdfFindMixin(_Base):
    """The find of a PdfView: hits found so far, the current one, the search running.

    Mixed into PdfView, whose document, pages and scrolling it uses; the view paints
    the hits.
    """

    if TYPE_CHECKING:  # provided by PdfView
        document: PdfDocument | None
        findChanged: SignalInstance
        _area: QAbstractScrollArea
        _current: int
        _mark: tuple[int, int, int] | None
        _on_load: list[Callable[[], None]]
        _pool: QThreadPool

        @property
        def page_count(self) -> int: ...
        def go_to_page(self, number: int) -> None: ...
        def _visible_pages(self, extra: int = 0) -> range: ...
        def _scroll_to_rect(self, number: int, rect: tuple[float, float, float, float]) -> None: ...
        def _request_schedule(self) -> None: ...

    def _init_find(self) -> None:
        self._query = ""
        self._hits: list[tuple[int, int, int]] = []
        self._hit_pages: dict[int, list[tuple[int, int]]] = {}
        self._hit_index = -1
        self._find_generation = 0
        self._find_running = False
        self._find_cancel: CancelToken | None = None
        self._find_signals = _FindSignals(self)
        self._find_signals.found.connect(self._on_found)
        self._find_signals.done.connect(self._on_find_done)
        self._find_task: Task | None = None
        self._find_pages_done = 0

    @property
    def hit_count(self) -> int:
        """Hits found so far for the last find()."""
        return len(self._hits)

    @property
    def current_hit(self) -> int:
        """The emphasised hit, 1-based; 0 when there is none."""
        return self._hit_index + 1

    @property
    def find_running(self) -> bool:
        """Whether a find is still searching pages."""
        return self._find_running

    def hits(self) -> list[tuple[int, int, int]]:
        """Every hit found so far as (page, start, end), in document order."""
        return list(self._hits)

    def find(self, text: str) -> None:  # type: ignore[override]  # hides static QWidget.find(id)
        """Search the document for ``text`` (case-insensitive, across typographic
        variants: see _find_job) in the background.

        Hits are highlighted as they are found; the first one at or after the current
        page becomes the current hit and is scrolled into view.
        """
        if self.document is None:
            self._on_load.append(lambda: self.find(text))
            return
        if self._find_cancel is not None:
            self._find_cancel.cancel()
        self._find_generation += 1
        self._query = text
        self._hits = []
        self._hit_pages = {}
        self._hit_index = -1
        self._mark = None
        self._area.viewport().update()
        if not text.strip():
            self._find_running = False
            self.findChanged.emit(0, 0)
            return
        self._find_running = True
        self._find_cancel = CancelToken()
        task = Task(
            _find_job,
            self.document,
            text,
            self._current,
            self._find_generation,
            self._find_signals,
            self._find_cancel,
        )
        self._find_task = task
        start_task(self._pool, task, 2)
        self.findChanged.emit(0, 0)

    def find_next(self) -> None:
        """Make the next hit current (wrapping round) and scroll to it."""
        self._step_hit(1)

    def find_previous(self) -> None:
        """Make the previous hit current (wrapping round) and scroll to it."""
        self._step_hit(-1)

    def clear_find(self) -> None:
        """Stop searching and remove every find highlight."""
        if self._find_cancel is not None:
            self._find_cancel.cancel()
        self._find_generation += 1
        self._find_running = False
        self._query = ""
        self._hits, self._hit_pages, self._hit_index = [], {}, -1
        self._mark = None
        self._area.viewport().update()
        self.findChanged.emit(0, 0)

    @property
    def find_query(self) -> str:
        """The text of the last find()."""
        return self._query

    # The document pane's find bar (ui/document_area.py) speaks this protocol.

    def find_text(self, text: str) -> int:
        """Start find(text); returns the hits known so far (findChanged tells the rest)."""
        self.find(text)
        return self.hit_count

    @property
    def current_match(self) -> int:
        """Same as current_hit."""
        return self.current_hit

    @property
    def match_count(self) -> int:
        """Same as hit_count."""
        return self.hit_count

    def show_hit(self, page: int, quote: str) -> bool:
        """Go to ``page`` and highlight the first occurrence of ``quote`` on it.

        Args:
            page: 1-based page number.
            quote: Text from the page (a search snippet, an annotation's quote);
                matched case-insensitively, white space matching any white space.

        Returns:
            Whether the quote was found (False also when the document is not open yet;
            the request is then carried out once it is).
        """
        if self.document is None:
            self._on_load.append(lambda: None if self.show_hit(page, quote) else None)
            return False
        page = max(1, min(page, self.page_count))
        layout = self.document.page_text(page)
        spans = find_spans(layout.text, quote)
        if not spans:
            self._mark = None
            self.go_to_page(page)
            return False
        self.show_range(page, *spans[0])
        return True

    def show_range(self, page: int, start: int, end: int) -> None:
        """Go to ``page`` and highlight [start, end) of its text (an annotation anchor)."""
        if self.document is None:
            self._on_load.append(lambda: self.show_range(page, start, end))
            return
        self._mark = (page, start, end)
        layout = self.document.page_text(page)
        rects = layout.rects(start, end)
        self.go_to_page(page)
        if rects:
            union = (
                min(r[0] for r in rects),
                min(r[1] for r in rects),
                max(r[2] for r in rects),
                max(r[3] for r in rects),
            )
            self._scroll_to_rect(page, union)
        self._area.viewport().update()

    def _on_found(self, generation: int, batch: object, done: int) -> None:
        if generation != self._find_generation or not isinstance(batch, list):
            return
        self._find_pages_done = done
        first_batch = not self._hits
        current = self._hits[self._hit_index] if self._hit_index >= 0 else None
        for hit in batch:
            bisect.insort(self._hits, hit)
            self._hit_pages.setdefault(hit[0], []).append((hit[1], hit[2]))
        if current is not None:
            self._hit_index = self._hits.index(current)
        elif batch and first_batch:
            # The search starts at the current page, so its first hit is the one to show.
            self._hit_index = self._hits.index(batch[0])
            self._reveal_hit()
        self._area.viewport().update()
        self._request_schedule()  # character boxes for hit pages in view
        self.findChanged.emit(self.current_hit, len(self._hits))

    def _on_find_done(self, generation: int) -> None:
        if generation != self._find_generation:
            return
        self._find_running = False
        self.findChanged.emit(self.current_hit, len(self._hits))

    def _step_hit(self, step: int) -> None:
        if not self._hits:
            return
        if self._hit_index < 0:
            self._hit_index = 0 if step > 0 else len(self._hits) - 1
        else:
            self._hit_index = (self._hit_index + step) % len(self._hits)
        self._mark = None
        self._reveal_hit()
        self._area.viewport().update()
        self.findChanged.emit(self.current_hit, len(self._hits))

    def _reveal_hit(self) -> None:
        if self.document is None or not 0 <= self._hit_index < len(self._hits):
            return
        page, start, end = self._hits[self._hit_index]
        rects = self.document.page_text(page).rects(start, end)
        if not rects:
            self.go_to_page(page)
            return
        union = (
            min(r[0] for r in rects),
            min(r[1] for r in rects),
            max(r[2] for r in rects),
            max(r[3] for r in rects),
        )
        visible = self._visible_pages()
        if page not in visible:
            self.go_to_page(page)
        self._scroll_to_rect(page, union)
