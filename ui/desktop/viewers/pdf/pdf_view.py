"""The PDF viewer: continuous pages, zoom, find, text selection and copy.

Pages are drawn by pool threads through workstation.sources.pages.PdfDocument and kept
in a byte-bounded cache; until a page arrives its place holds a blank sheet (or an
older render, scaled), so scrolling never waits for MuPDF. Find and text selection are
mixed in from pdf_find and pdf_selection; where the pages sit is page_layout's, how
they are painted page_painting's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QBrush,
    QCloseEvent,
    QColor,
    QHelpEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QToolTip, QVBoxLayout, QWidget

from ui.desktop.ops.workers import Task
from ui.desktop.viewers.pdf.page_image_cache import PageImageCache
from ui.desktop.viewers.pdf.page_layout import (
    MAX_ZOOM,
    MIN_ZOOM,
    PAGE_GAP,
    PIXELS_PER_POINT,
    ZOOM_STEPS,
    PageLayout,
    ZoomMode,
    fitted_zoom,
)
from ui.desktop.viewers.pdf.page_painting import (
    BACKGROUND,
    CURRENT_HIT,
    HIT,
    SELECTION,
    Region,
    paint_message,
    paint_placeholder,
    paint_regions,
    paint_render,
    paint_sheet,
    paint_spans,
)
from ui.desktop.viewers.pdf.pdf_find import PdfFindMixin
from ui.desktop.viewers.pdf.pdf_find_bar import PdfFindBar
from ui.desktop.viewers.pdf.pdf_selection import PdfSelectionMixin
from ui.desktop.viewers.pdf.pdf_text_layers import PdfTextLayerMixin
from ui.desktop.viewers.pdf.pdf_toolbar import PdfToolbar
from ui.desktop.viewers.pdf.render_pool import (
    RenderedPage,
    read_text_job,
    render_page_job,
    start_task,
    unqueue_task,
    viewer_pool,
)
from workstation.sources.pages import PdfDocument

DEFAULT_CACHE_BYTES = 96 * 1024 * 1024
DEFAULT_PAGE_PIXELS = 12_000_000  # one page render at most ~36 MB; above that it is upscaled
PREFETCH_PAGES = 1


class PdfView(PdfSelectionMixin, PdfFindMixin, PdfTextLayerMixin, QWidget):
    """A PDF shown as a continuous column of pages, with zoom, find, selection and copy.

    The document opens on a pool thread; until then the view is empty. Page numbers are
    1-based; positions on a page are in PDF points as displayed.

    Args:
        path: The PDF file.
        page_count: The page count the library recorded, shown until the file is open.
        parent: Parent widget.
        cache_bytes: Pixels of rendered pages to keep.
        max_page_pixels: A page is never rendered with more pixels than this; beyond it
            (very high zoom on a high-DPI screen) the render is scaled up.

    Signals:
        pageChanged(int): The current page (the one most in view) changed.
        zoomChanged(float): The zoom changed; 1.0 is 100 % (printed size).
        selectionChanged(): The text selection changed or was cleared.
        findChanged(int, int): Current hit (1-based, 0 for none) and hits found so far.
        pageRendered(int): A page's render at the current zoom arrived (and is painted).
        loaded(int): The document is open; its page count.
        loadFailed(str): The document cannot be shown; a message for the reviewer.
    """

    pageChanged = Signal(int)
    zoomChanged = Signal(float)
    selectionChanged = Signal()
    findChanged = Signal(int, int)
    pageRendered = Signal(int)
    loaded = Signal(int)
    loadFailed = Signal(str)

    def __init__(
        self,
        path: Path,
        page_count: int | None = None,
        parent: QWidget | None = None,
        *,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        max_page_pixels: int = DEFAULT_PAGE_PIXELS,
    ) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.document: PdfDocument | None = None
        self.error: str | None = None
        self.max_page_pixels = max_page_pixels
        self._hint_count = page_count or 0
        self._sizes: list[tuple[float, float]] = []
        self._page_layout = PageLayout([], 1.0)
        self._zoom = 1.0
        self._zoom_mode = ZoomMode.FIT_WIDTH
        self._current = 1
        self._pin: tuple[int, int] | None = None  # (page, scroll value) set by go_to_page
        self._wheel_rest = 0.0
        self._cache = PageImageCache(cache_bytes)
        self._pending: dict[tuple[int, float], Task] = {}
        self._pending_text: dict[int, Task] = {}
        self._failed: dict[int, str] = {}
        self._pool = viewer_pool("pages", 2)
        self._schedule_timer = QTimer(self, singleShot=True, interval=0)
        self._schedule_timer.timeout.connect(self._schedule)
        self._on_load: list[Callable[[], None]] = []
        self._init_selection()
        self._init_find()
        self._init_text_layers()
        self._pending_open: Task | None = None
        self._closed = False
        self._mark: tuple[int, int, int] | None = None  # show_hit's highlight
        # Annotations drawn on the pages: text spans and regions (PDF points).
        self._note_spans: dict[int, list[tuple[QColor | QBrush, int, int]]] = {}
        self._note_regions: dict[int, list[Region]] = {}
        self._overlay: Callable[[QPainter], None] | None = None

        self._area = _PageArea(self)
        self.toolbar = PdfToolbar(self)
        self.find_bar = PdfFindBar(self)
        self.find_bar.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.find_bar)
        layout.addWidget(self._area, 1)
        self.setFocusProxy(self._area)
        self._make_actions()
        if page_count:
            self.toolbar.set_page_count(page_count)
        self._open()

    # --- opening -----------------------------------------------------------------------

    def _open(self) -> None:
        # A handle for each user at once: two page threads, the thumbnail thread, and the
        # GUI thread reading a page's characters on a click; so the GUI never waits for one.
        task = Task(PdfDocument, self.path, max_handles=4)
        task.signals.finished.connect(self._on_opened)
        task.signals.failed.connect(self._on_open_failed)
        self._pending_open = task
        start_task(self._pool, task)

    def _on_opened(self, document: object) -> None:
        assert isinstance(document, PdfDocument)
        self._pending_open = None
        if self._closed:
            document.close()
            return
        if self._hold_back(document):
            return
        self.document = document
        self._sizes = document.page_sizes()
        self._fit_zoom()
        self._relayout()
        self._update_current_page(force=True)
        self.toolbar.set_page_count(document.page_count)
        self._area.viewport().update()
        self._schedule()  # the first page's render goes ahead of whatever loaded starts
        self.loaded.emit(document.page_count)
        for action in self._on_load:
            action()
        self._on_load.clear()
        self._request_schedule()

    def _on_open_failed(self, message: str) -> None:
        self._pending_open = None
        self.error = message
        self._area.viewport().update()
        self.loadFailed.emit(message)

    def is_loaded(self) -> bool:
        """Whether the document is open and laid out."""
        return self.document is not None

    def close_document(self) -> None:
        """Stop every job and close the document; the view shows nothing afterwards."""
        self._closed = True
        self._drop_held()
        if self._find_cancel is not None:
            self._find_cancel.cancel()
        for task in [*self._pending.values(), *self._pending_text.values()]:
            unqueue_task(self._pool, task)  # jobs already running finish on a closed document
        self._pending.clear()
        self._pending_text.clear()
        self._cache.clear()
        if self.document is not None:
            self.document.close()
            self.document = None
        self._sizes = []
        self._relayout()
        self._area.viewport().update()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Closing the view ends it: jobs stop and the file is closed."""
        self.close_document()
        super().closeEvent(event)

    # --- pages -------------------------------------------------------------------------

    @property
    def page_count(self) -> int:
        """Pages in the document (the recorded count until it is open)."""
        return len(self._sizes) if self.document is not None else self._hint_count

    @property
    def current_page(self) -> int:
        """The page most in view, 1-based."""
        return self._current

    def go_to_page(self, number: int) -> None:
        """Scroll so the top of page ``number`` is at the top of the view.

        Before the document is open, the request waits for it.
        """
        if self.document is None:
            self._on_load.append(lambda: self.go_to_page(number))
            return
        number = max(1, min(number, len(self._sizes)))
        bar = self._area.verticalScrollBar()
        bar.setValue(round(self._page_layout.tops[number - 1] - PAGE_GAP / 2))
        self._pin = (number, bar.value())
        self._set_current(number)
        self._request_schedule()

    def page_rect(self, number: int) -> QRectF:
        """Where page ``number`` is drawn, in viewport coordinates (logical pixels).

        Whole pixels, so a render at the current zoom is copied, never resampled.
        """
        width, height = self._page_layout.px_sizes[number - 1]
        viewport = self._area.viewport()
        content_width = max(viewport.width(), self._page_layout.width)
        x = (content_width - width) // 2 - self._area.horizontalScrollBar().value()
        y = self._page_layout.tops[number - 1] - self._area.verticalScrollBar().value()
        return QRectF(x, y, width, height)

    def page_scale(self) -> float:
        """Viewport (logical) pixels per PDF point at the current zoom."""
        return self._scale()

    def page_to_viewport(self, number: int, x: float, y: float) -> QPointF:
        """A point on page ``number`` (points) in viewport coordinates."""
        rect = self.page_rect(number)
        scale = self._scale()
        return QPointF(rect.x() + x * scale, rect.y() + y * scale)

    def viewport_to_page(self, point: QPointF | QPoint) -> tuple[int, float, float] | None:
        """(page, x, y in points) of the page under a viewport point, or None between pages."""
        if self.document is None:
            return None
        point = QPointF(point)
        for number in self._visible_pages():
            rect = self.page_rect(number)
            if rect.contains(point):
                scale = self._scale()
                return number, (point.x() - rect.x()) / scale, (point.y() - rect.y()) / scale
        return None

    def viewport(self) -> QWidget:
        """The widget the pages are painted on (mouse events go here)."""
        return self._area.viewport()

    def is_page_rendered(self, number: int) -> bool:
        """Whether page ``number`` is cached at the current zoom and pixel ratio."""
        return (number, self._scale_key()) in self._cache

    @property
    def cache(self) -> PageImageCache:
        """The rendered-page cache (for inspection)."""
        return self._cache

    # --- zoom --------------------------------------------------------------------------

    @property
    def zoom(self) -> float:
        """The zoom; 1.0 is 100 % (printed size)."""
        return self._zoom

    @property
    def zoom_mode(self) -> ZoomMode:
        """Fit width, fit page, or a fixed zoom."""
        return self._zoom_mode

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Show pages at ``zoom`` (1.0 = 100 %), keeping the point under ``anchor`` still.

        Args:
            zoom: Wanted zoom, clamped to MIN_ZOOM..MAX_ZOOM.
            anchor: Viewport point to keep fixed (default: the centre of the view).
        """
        self._zoom_mode = ZoomMode.CUSTOM
        self._apply_zoom(zoom, anchor)

    def set_zoom_mode(self, mode: ZoomMode) -> None:
        """Fit the width or the whole page to the view, and keep doing so on resize."""
        self._zoom_mode = mode
        if mode is not ZoomMode.CUSTOM:
            self._apply_zoom(self._fitted_zoom(), None)
        self.toolbar.show_zoom(self._zoom, mode)

    def zoom_in(self) -> None:
        """The next zoom step up."""
        self.set_zoom(next((z for z in ZOOM_STEPS if z > self._zoom + 1e-3), MAX_ZOOM))

    def zoom_out(self) -> None:
        """The next zoom step down."""
        smaller = [z for z in ZOOM_STEPS if z < self._zoom - 1e-3]
        self.set_zoom(smaller[-1] if smaller else MIN_ZOOM)

    def reset_zoom(self) -> None:
        """100 %."""
        self.set_zoom(1.0)

    def _apply_zoom(self, zoom: float, anchor: QPointF | None) -> None:
        zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        if math.isclose(zoom, self._zoom, rel_tol=1e-4):
            self.toolbar.show_zoom(self._zoom, self._zoom_mode)
            return
        viewport = self._area.viewport()
        if anchor is None:
            anchor = QPointF(viewport.width() / 2, viewport.height() / 2)
        where = self._document_point(anchor)
        self._zoom = zoom
        self._relayout()
        if where is not None:
            number, fx, fy = where
            rect = self.page_rect(number)
            dx = rect.x() + fx * rect.width() - anchor.x()
            dy = rect.y() + fy * rect.height() - anchor.y()
            hbar, vbar = self._area.horizontalScrollBar(), self._area.verticalScrollBar()
            hbar.setValue(round(hbar.value() + dx))
            vbar.setValue(round(vbar.value() + dy))
        self._pin = None
        viewport.update()
        self._update_current_page()
        self.toolbar.show_zoom(zoom, self._zoom_mode)
        self.zoomChanged.emit(zoom)
        self._request_schedule()

    def _fit_zoom(self) -> None:
        if self._zoom_mode is not ZoomMode.CUSTOM and self._sizes:
            zoom = self._fitted_zoom()
            if not math.isclose(zoom, self._zoom, rel_tol=1e-4):
                self._zoom = zoom
                self.zoomChanged.emit(zoom)
            self.toolbar.show_zoom(self._zoom, self._zoom_mode)

    def _fitted_zoom(self) -> float:
        if not self._sizes:
            return self._zoom
        viewport = self._area.viewport()
        scrollbar = self._area.verticalScrollBar().sizeHint().width()
        width = max(viewport.width(), 100)
        if not self._area.verticalScrollBar().isVisible():
            width -= scrollbar  # it will appear once the pages are taller than the view
        height = max(viewport.height(), 100)
        return fitted_zoom(self._sizes, self._zoom_mode, self._current, width, height)

    def _wheel_zoom(self, event: QWheelEvent) -> None:
        self._wheel_rest += event.angleDelta().y()
        steps = self._wheel_rest / 120
        if abs(steps) < 0.05:
            return
        self._wheel_rest = 0.0
        self.set_zoom(self._zoom * 1.2**steps, event.position())

    # --- layout and painting -----------------------------------------------------------

    def _scale(self) -> float:
        """Logical pixels per point."""
        return self._zoom * PIXELS_PER_POINT

    def _dpr(self) -> float:
        return float(self._area.viewport().devicePixelRatioF())

    def _scale_key(self) -> float:
        """Device pixels per point, rounded: the render cache key."""
        return round(self._scale() * self._dpr(), 4)

    def _relayout(self) -> None:
        self._page_layout = PageLayout(self._sizes, self._scale())
        self._update_scrollbars()

    def _update_scrollbars(self) -> None:
        viewport = self._area.viewport()
        vbar, hbar = self._area.verticalScrollBar(), self._area.horizontalScrollBar()
        vbar.setRange(0, max(0, math.ceil(self._page_layout.height) - viewport.height()))
        vbar.setPageStep(viewport.height())
        vbar.setSingleStep(48)
        hbar.setRange(0, max(0, math.ceil(self._page_layout.width) - viewport.width()))
        hbar.setPageStep(viewport.width())
        hbar.setSingleStep(48)

    def _visible_pages(self, extra: int = 0) -> range:
        top = self._area.verticalScrollBar().value()
        return self._page_layout.visible(top, top + self._area.viewport().height(), extra)

    def _document_point(self, point: QPointF) -> tuple[int, float, float] | None:
        """(page, fraction across, fraction down) for a viewport point, gaps included."""
        if not self._page_layout.tops:
            return None
        number = self._page_layout.page_at(point.y() + self._area.verticalScrollBar().value())
        rect = self.page_rect(number)
        if rect.width() <= 0 or rect.height() <= 0:
            return None
        return (
            number,
            (point.x() - rect.x()) / rect.width(),
            (point.y() - rect.y()) / rect.height(),
        )

    def _paint(self, event: QPaintEvent) -> None:
        viewport = self._area.viewport()
        painter = QPainter(viewport)
        painter.fillRect(event.rect(), BACKGROUND)
        if self.document is None:
            text = f"This PDF cannot be shown: {self.error}" if self.error else ""
            paint_message(painter, viewport.rect(), text)
            painter.end()
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        key = self._scale_key()
        dirty = QRectF(event.rect())
        missing = False
        for number in self._visible_pages():
            rect = self.page_rect(number)
            if not rect.adjusted(-4, -4, 4, 6).intersects(dirty):
                continue
            found = self._cache.best(number, key)
            image, exact = found if found is not None else (None, False)
            if not exact and (number, key) not in self._pending and number not in self._failed:
                missing = True  # e.g. the window moved to a screen with another pixel ratio
            # A capped render (max_page_pixels) is smaller than the page: stretch it.
            if image is not None and exact:
                exact = abs(image.deviceIndependentSize().width() - rect.width()) <= 1
            paint_sheet(painter, rect, paper=not exact)
            if image is None:
                message = self._failed.get(number)
                label = str(number) if message is None else f"Page {number}\n{message}"
                paint_placeholder(painter, rect, label)
            elif exact:
                paint_render(painter, rect, dirty, image)
            else:
                painter.drawImage(rect, image)  # another zoom's render until ours arrives
            self._paint_marks(painter, number, rect)
            self._paint_low_words(painter, number, rect, self._scale(), dirty)
        if self._overlay is not None:
            self._overlay(painter)
        painter.end()
        if missing:
            self._request_schedule()

    def _paint_marks(self, painter: QPainter, number: int, rect: QRectF) -> None:
        """Annotated regions; annotated passages, find hits, the shown hit and the
        selection, multiplied onto the page."""
        regions = self._note_regions.get(number)
        if regions:
            paint_regions(painter, rect, self._scale(), regions)
        spans: list[tuple[QColor | QBrush, int, int]] = list(self._note_spans.get(number, ()))
        current = self._hits[self._hit_index] if 0 <= self._hit_index < len(self._hits) else None
        for first, last in self._hit_pages.get(number, ()):
            colour = CURRENT_HIT if current == (number, first, last) else HIT
            spans.append((colour, first, last))
        if self._mark is not None and self._mark[0] == number:
            spans.append((CURRENT_HIT, self._mark[1], self._mark[2]))
        selection = self.selection()
        if selection is not None and selection[0] == number:
            spans.append((SELECTION, selection[1], selection[2]))
        if not spans or self.document is None:
            return
        layout = self.document.cached_page_text(number)
        if layout is None:
            if number == self._sel_page and self._sel_layout is not None:
                layout = self._sel_layout
            else:
                return  # a text job for the page is queued; it repaints when done
        paint_spans(painter, rect, self._scale(), layout, spans)

    def set_overlay(self, paint: Callable[[QPainter], None] | None) -> None:
        """Have ``paint(painter)`` draw over the pages in viewport pixels (drawing tools)."""
        self._overlay = paint
        self._area.viewport().update()

    def overlay_changed(self) -> None:
        """Repaint after the overlay changed."""
        self._area.viewport().update()

    # --- rendering ---------------------------------------------------------------------

    def _request_schedule(self) -> None:
        if not self._schedule_timer.isActive():
            self._schedule_timer.start()

    def _schedule(self) -> None:
        """Queue renders for the pages in view (then their neighbours); unqueue the rest."""
        document = self.document
        if document is None or document.closed:
            return
        key = self._scale_key()
        visible = list(self._visible_pages())
        wanted = list(self._visible_pages(PREFETCH_PAGES))
        queue = [n for n in visible if (n, key) not in self._cache]
        if not queue and self._fits_in_cache(wanted, key):
            # Neighbours once the pages in view are drawn, if that evicts none of them.
            queue = [n for n in wanted if n not in visible]
        for number in queue:
            if (number, key) in self._cache or (number, key) in self._pending:
                continue
            if number in self._failed:
                continue
            task = Task(render_page_job, document, number, key, self._dpr(), self.max_page_pixels)
            task.signals.finished.connect(self._on_rendered)
            self._pending[(number, key)] = task
            start_task(self._pool, task, 1 if number in visible else 0)
        # Character boxes only where something is drawn over the text; a click elsewhere
        # reads them then (~10 ms), hovering a page reads them ahead (see _mouse_move).
        for number in visible:
            if self._marks_on(number):
                self._request_text(number)
        # Renders not started yet for pages out of view, or at another zoom, are dropped.
        wanted_set = set(wanted)
        for (number, scale), task in list(self._pending.items()):
            if (number not in wanted_set or scale != key) and unqueue_task(self._pool, task):
                del self._pending[(number, scale)]

    def _fits_in_cache(self, pages: list[int], key: float) -> bool:
        """Whether renders of ``pages`` at ``key`` device pixels per point fit the cache."""
        need = 0.0
        for number in pages:
            width, height = self._sizes[number - 1]
            need += min(width * height * key * key, self.max_page_pixels) * 3
        return need <= self._cache.budget

    def set_annotations(
        self,
        spans: dict[int, list[tuple[QBrush, int, int]]],
        regions: dict[int, list[Region]],
    ) -> None:
        """Draw annotations, per 1-based page: text spans as (brush, start, end) in code
        points of the page text, and regions as (outline, fill, shape, points) in PDF
        points, shape 'rect', 'polygon' or 'points'."""
        self._note_spans = {page: list(items) for page, items in spans.items()}
        self._note_regions = {page: list(items) for page, items in regions.items()}
        for number in self._visible_pages():
            if number in self._note_spans:
                self._request_text(number)
        self._area.viewport().update()

    def _marks_on(self, number: int) -> bool:
        """Whether hits, the shown hit, the selection or annotations are on page ``number``."""
        return (
            number in self._note_spans
            or number in self._hit_pages
            or (self._mark is not None and self._mark[0] == number)
            or self._sel_page == number
        )

    def _request_text(self, number: int) -> None:
        """Read a page's character boxes on a pool thread unless they are at hand."""
        document = self.document
        if (
            document is None
            or number in self._pending_text
            or document.cached_page_text(number) is not None
        ):
            return
        task = Task(read_text_job, document, number)
        task.signals.finished.connect(self._on_text_ready)
        self._pending_text[number] = task
        start_task(self._pool, task, 0)

    def _on_rendered(self, result: object) -> None:
        assert isinstance(result, RenderedPage)
        self._pending.pop((result.page, result.scale), None)
        if self.document is None:
            return
        if result.image is None:
            self._failed[result.page] = result.error or "cannot be rendered"
        elif result.scale == self._scale_key():
            self._cache.put(result.page, result.scale, result.image, result.samples)
        else:
            return  # rendered for a zoom the view has left: dropped
        if result.page in self._visible_pages():
            self._area.viewport().update(self.page_rect(result.page).toAlignedRect())
        self._request_schedule()  # the neighbours' turn
        if result.image is not None:
            self.pageRendered.emit(result.page)

    def _on_text_ready(self, page: object) -> None:
        assert isinstance(page, int)
        self._pending_text.pop(page, None)
        if self.document is not None and page in self._visible_pages():
            self._area.viewport().update(self.page_rect(page).toAlignedRect())

    # --- scrolling ---------------------------------------------------------------------

    def _scrolled(self) -> None:
        self._update_current_page()
        self._request_schedule()

    def _resized(self) -> None:
        if self.document is None:
            return
        if self._zoom_mode is not ZoomMode.CUSTOM:
            zoom = self._fitted_zoom()
            if not math.isclose(zoom, self._zoom, rel_tol=1e-4):
                self._apply_zoom(zoom, QPointF(self._area.viewport().width() / 2, 0))
                return
        self._relayout()
        self._update_current_page()
        self._request_schedule()

    def _update_current_page(self, force: bool = False) -> None:
        if not self._page_layout.tops:
            return
        bar = self._area.verticalScrollBar()
        if self._pin is not None and self._pin[1] == bar.value():
            number = self._pin[0]
        else:
            self._pin = None
            height = self._area.viewport().height()
            best, best_seen = self._current, -1.0
            for candidate in self._visible_pages():
                rect = self.page_rect(candidate)
                seen = min(rect.bottom(), height) - max(rect.top(), 0.0)
                if seen > best_seen + 0.5:
                    best, best_seen = candidate, seen
            number = best
        if number != self._current or force:
            self._set_current(number)

    def _set_current(self, number: int) -> None:
        changed = number != self._current
        self._current = number
        self.toolbar.show_page(number)
        if changed:
            self.pageChanged.emit(number)

    def _scroll_to_rect(self, number: int, rect: tuple[float, float, float, float]) -> None:
        """Scroll so a box on a page (points) is in view, centred if it was not."""
        page = self.page_rect(number)
        scale = self._scale()
        x0, y0, x1, y1 = rect
        target = QRectF(
            QPointF(page.x() + x0 * scale, page.y() + y0 * scale),
            QPointF(page.x() + x1 * scale, page.y() + y1 * scale),
        )
        viewport = self._area.viewport()
        vbar, hbar = self._area.verticalScrollBar(), self._area.horizontalScrollBar()
        if target.top() < 0 or target.bottom() > viewport.height():
            vbar.setValue(round(vbar.value() + target.center().y() - viewport.height() / 2))
        if target.left() < 0 or target.right() > viewport.width():
            hbar.setValue(round(hbar.value() + target.center().x() - viewport.width() / 2))
        self._pin = None
        self._update_current_page()
        if self._current != number and self._pin is None:
            self._pin = (number, vbar.value())
            self._set_current(number)
        viewport.update()

    # --- keys and actions --------------------------------------------------------------

    def _make_actions(self) -> None:
        def action(
            text: str,
            keys: list[QKeySequence | QKeySequence.StandardKey | str],
            slot: Callable[[], None],
        ) -> QAction:
            made = QAction(text, self)
            made.setShortcuts([QKeySequence(k) for k in keys])
            made.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            made.triggered.connect(slot)
            self.addAction(made)
            return made

        self.copy_action = action("Copy", [QKeySequence.StandardKey.Copy], self.copy)
        self.find_action = action("Find…", [QKeySequence.StandardKey.Find], self.show_find_bar)
        self.zoom_in_action = action("Zoom in", ["Ctrl+=", "Ctrl++"], self.zoom_in)
        self.zoom_out_action = action("Zoom out", ["Ctrl+-"], self.zoom_out)
        self.zoom_reset_action = action("Actual size", ["Ctrl+0"], self.reset_zoom)

    def show_find_bar(self) -> None:
        """Show the find bar and put the caret in it, filled with the selection if any."""
        selected = self.selected_text().strip()
        if selected and "\n" not in selected:
            self.find_bar.set_text(selected)
        self.find_bar.show()
        self.find_bar.focus()

    def _key_press(self, event: QKeyEvent) -> bool:
        """Home/End go to the first/last page; True when the key was used."""
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        if event.key() == Qt.Key.Key_Home:
            self.go_to_page(1)
            return True
        if event.key() == Qt.Key.Key_End:
            self.go_to_page(self.page_count)
            return True
        return False


class _PageArea(QAbstractScrollArea):
    """The scrolling surface of a PdfView; it hands every event to the view."""

    def __init__(self, view: PdfView) -> None:
        super().__init__(view)
        self._view = view
        self.setFrameShape(QAbstractScrollArea.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setMouseTracking(True)
        self.viewport().setAutoFillBackground(False)
        palette = self.viewport().palette()
        palette.setColor(QPalette.ColorRole.Window, BACKGROUND)
        self.viewport().setPalette(palette)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(720, 900)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        self._view._paint(event)

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt override
        # Move the pixels already drawn; only the strip scrolled into view is painted.
        self.viewport().scroll(dx, dy)
        self._view._scrolled()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._view._resized()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._view._mouse_press(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._view._mouse_move(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._view._mouse_release(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._view._mouse_double_click(event)

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            tip = self._view.low_word_tip_at(QPointF(event.pos()))
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.viewport())
                return True
        return super().viewportEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._view._wheel_zoom(event)
            event.accept()
        else:
            super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if not self._view._key_press(event):
            super().keyPressEvent(event)
