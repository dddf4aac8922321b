"""The PDF viewer: continuous pages, zoom, find, text selection and copy.

Pages are drawn by pool threads through workstation.sources.pages.PdfDocument and kept
in a byte-bounded cache; until a page arrives its place holds a blank sheet (or an
older render, scaled), so scrolling never waits for MuPDF.
"""

from __future__ import annotations

import atexit
import bisect
import contextlib
import enum
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QBrush,
    QCloseEvent,
    QColor,
    QCursor,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSpinBox,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.desktop.annotations.marks import paint_region
from ui.desktop.ops.workers import Task
from workstation.core.errors import WorkstationError
from workstation.core.progress import CancelToken
from workstation.sources.pages import PageText, PdfDocument, find_spans

PIXELS_PER_POINT = 96 / 72
"""Logical pixels per PDF point at 100 %: a page shows at its printed size."""
ZOOM_STEPS = (0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)
MIN_ZOOM = 0.1
MAX_ZOOM = 4.0
DEFAULT_CACHE_BYTES = 96 * 1024 * 1024
DEFAULT_PAGE_PIXELS = 12_000_000  # one page render at most ~36 MB; above that it is upscaled
PAGE_GAP = 12
MARGIN = 16
PREFETCH_PAGES = 1

_BACKGROUND = QColor(0x52, 0x56, 0x59)
_PAPER = QColor(255, 255, 255)
_PAGE_EDGE = QColor(0x3A, 0x3D, 0x40)
_SHADOW_NEAR = QColor(0x40, 0x43, 0x46)
_SHADOW_FAR = QColor(0x4A, 0x4D, 0x50)
_PLACEHOLDER_TEXT = QColor(0xC4, 0xC7, 0xCA)
_MESSAGE_TEXT = QColor(0xE8, 0xEA, 0xED)
# Highlights are multiplied onto the page, like a highlighter pen: paper takes the colour,
# black text stays black and sharp.
_HIT = QColor(255, 236, 110)
_CURRENT_HIT = QColor(255, 160, 60)
_SELECTION = QColor(150, 195, 255)


class ZoomMode(enum.Enum):
    """How the zoom follows the window."""

    FIT_WIDTH = "fit-width"
    FIT_PAGE = "fit-page"
    CUSTOM = "custom"


class _TaskKeeper(QObject):
    """Holds every started Task until its result has reached the GUI thread.

    A Task (a QRunnable whose signals object Python owns) must outlive its run(), even when
    the widget that started it is deleted mid-render.
    """

    def __init__(self, parent: QObject | None) -> None:
        super().__init__(parent)
        self.tasks: dict[int, Task] = {}
        self.pools: dict[str, QThreadPool] = {}

    def keep(self, task: Task) -> None:
        self.tasks[id(task.signals)] = task
        task.signals.finished.connect(self._release)
        task.signals.failed.connect(self._release)

    def forget(self, task: Task) -> None:
        self.tasks.pop(id(task.signals), None)

    def _release(self, *_result: object) -> None:
        self.tasks.pop(id(self.sender()), None)


_keeper: _TaskKeeper | None = None


def _the_keeper() -> _TaskKeeper:
    global _keeper
    if _keeper is None:
        app = QCoreApplication.instance()
        _keeper = _TaskKeeper(app)
        if app is not None:
            app.aboutToQuit.connect(_finish_jobs)
        atexit.register(_finish_jobs)  # scripts and tests that never run app.exec()
    return _keeper


def _finish_jobs() -> None:
    """Drop queued jobs and wait for running ones, before Python starts tearing down."""
    if _keeper is None or not shiboken6.isValid(_keeper):
        return
    for pool in _keeper.pools.values():
        pool.clear()
        pool.waitForDone()


def viewer_pool(name: str, threads: int) -> QThreadPool:
    """A thread pool shared by every viewer, living as long as the application.

    Shared and never owned by a widget: deleting a viewer must not wait for, or pull the
    rug from under, a render in progress. MuPDF calls hold the GIL, so more threads than
    this would queue on it rather than run in parallel.

    Args:
        name: Which pool ("pages", "thumbnails").
        threads: Its thread count, set when it is first made.
    """
    keeper = _the_keeper()
    pool = keeper.pools.get(name)
    if pool is None:
        pool = QThreadPool(keeper)
        pool.setObjectName(f"viewer-{name}")
        pool.setMaxThreadCount(threads)
        keeper.pools[name] = pool
    return pool


def start_task(pool: QThreadPool, task: Task, priority: int = 0) -> Task:
    """Queue ``task`` on ``pool``, keeping it alive until its result is delivered.

    Call on the GUI thread.
    """
    _the_keeper().keep(task)
    pool.start(task, priority)
    return task


def unqueue_task(pool: QThreadPool, task: Task) -> bool:
    """Take ``task`` off ``pool`` if it has not started; True when it was taken."""
    if pool.tryTake(task):
        _the_keeper().forget(task)
        return True
    return False


class _Rendered(NamedTuple):
    """What a render job hands back to the GUI thread."""

    page: int
    scale: float
    image: QImage | None
    samples: bytes
    error: str | None


class _Entry(NamedTuple):
    image: QImage
    samples: bytes  # the QImage reads these bytes; keep them alive with it
    nbytes: int


class PageImageCache:
    """Rendered pages keyed by (page, scale), least recently used dropped first.

    Bounded by bytes. Keeps one scale per page: a fresh render replaces older ones.

    Args:
        budget: Bytes of pixels to keep at most (the newest entry is always kept).
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._entries: OrderedDict[tuple[int, float], _Entry] = OrderedDict()
        self._scales: dict[int, set[float]] = {}
        self.nbytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def get(self, page: int, scale: float) -> QImage | None:
        """The render of page at scale, marking it recently used."""
        entry = self._entries.get((page, scale))
        if entry is None:
            return None
        self._entries.move_to_end((page, scale))
        return entry.image

    def best(self, page: int, scale: float) -> tuple[QImage, bool] | None:
        """The render at scale, else any render of the page; and whether it is exact."""
        exact = self.get(page, scale)
        if exact is not None:
            return exact, True
        scales = self._scales.get(page)
        if not scales:
            return None
        return self._entries[(page, max(scales))].image, False

    def put(self, page: int, scale: float, image: QImage, samples: bytes) -> None:
        """Store a render, dropping the page's other scales and then the least recent."""
        for old in list(self._scales.get(page, ())):
            self._drop((page, old))
        nbytes = max(int(image.sizeInBytes()), len(samples))
        self._entries[(page, scale)] = _Entry(image, samples, nbytes)
        self._scales.setdefault(page, set()).add(scale)
        self.nbytes += nbytes
        while self.nbytes > self.budget and len(self._entries) > 1:
            self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        """Forget every render."""
        self._entries.clear()
        self._scales.clear()
        self.nbytes = 0

    def _drop(self, key: tuple[int, float]) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        self.nbytes -= entry.nbytes
        scales = self._scales.get(key[0])
        if scales is not None:
            scales.discard(key[1])
            if not scales:
                del self._scales[key[0]]


def render_to_image(
    document: PdfDocument, page: int, scale: float, dpr: float, max_pixels: int
) -> tuple[QImage, bytes]:
    """Render a page into a QImage on the calling thread (pool threads call this).

    Args:
        document: The open document.
        page: 1-based page number.
        scale: Device pixels per point.
        dpr: Device pixel ratio to tag the image with.
        max_pixels: Render cap for this page.

    Returns:
        The image and the bytes it reads (keep both alive together).

    Raises:
        WorkstationError: The page cannot be rendered or the document is closed.
    """
    rendered = document.render(page, scale, max_pixels)
    image = QImage(
        rendered.samples,
        rendered.width,
        rendered.height,
        rendered.stride,
        QImage.Format.Format_RGB888,
    )
    image.setDevicePixelRatio(dpr)
    return image, rendered.samples


def _render_job(
    document: PdfDocument, page: int, scale: float, dpr: float, max_pixels: int
) -> _Rendered:
    """Pool-thread job: the page's pixels."""
    try:
        image, samples = render_to_image(document, page, scale, dpr, max_pixels)
    except WorkstationError as exc:
        return _Rendered(page, scale, None, b"", exc.message)
    return _Rendered(page, scale, image, samples, None)


def _text_job(document: PdfDocument, page: int) -> int:
    with contextlib.suppress(WorkstationError):
        document.page_text(page)
    return page


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
    """Pool-thread job: search from first_page to the end, then from the start, in batches."""
    count = document.page_count
    order = [*range(first_page, count + 1), *range(1, first_page)]
    batch: list[tuple[int, int, int]] = []
    done = 0
    shown_first = False
    last_emit = time.monotonic()
    try:
        for page, spans in document.iter_find(query, pages=order, cancel=cancel):
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


class PdfView(QWidget):
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
        self._px_sizes: list[tuple[int, int]] = []
        self._tops: list[int] = []
        self._doc_height = 0
        self._doc_width = 0
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
        # selection
        self._sel_page = 0
        self._sel_anchor = 0
        self._sel_caret = 0
        self._sel_layout: PageText | None = None
        self._dragging = False
        # find
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
        self._pending_open: Task | None = None
        self._closed = False
        self._mark: tuple[int, int, int] | None = None  # show_hit's highlight
        # Annotations drawn on the pages: text spans and regions (PDF points).
        self._note_spans: dict[int, list[tuple[QColor | QBrush, int, int]]] = {}
        self._note_regions: dict[
            int, list[tuple[QColor, QBrush, str, list[tuple[float, float]]]]
        ] = {}
        self._overlay: Callable[[QPainter], None] | None = None

        self._area = _PageArea(self)
        self.toolbar = _Toolbar(self)
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
        bar.setValue(round(self._tops[number - 1] - PAGE_GAP / 2))
        self._pin = (number, bar.value())
        self._set_current(number)
        self._request_schedule()

    def page_rect(self, number: int) -> QRectF:
        """Where page ``number`` is drawn, in viewport coordinates (logical pixels).

        Whole pixels, so a render at the current zoom is copied, never resampled.
        """
        width, height = self._px_sizes[number - 1]
        viewport = self._area.viewport()
        content_width = max(viewport.width(), self._doc_width)
        x = (content_width - width) // 2 - self._area.horizontalScrollBar().value()
        y = self._tops[number - 1] - self._area.verticalScrollBar().value()
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
        if self._zoom_mode is ZoomMode.FIT_WIDTH:
            widest = max(w for w, _ in self._sizes)
            zoom = (width - 2 * MARGIN) / (widest * PIXELS_PER_POINT)
        else:
            w, h = self._sizes[self._current - 1]
            zoom = min(
                (width - 2 * MARGIN) / (w * PIXELS_PER_POINT),
                (height - 2 * PAGE_GAP) / (h * PIXELS_PER_POINT),
            )
        return max(MIN_ZOOM, min(MAX_ZOOM, zoom))

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
        scale = self._scale()
        # Sizes rounded as MuPDF rounds a render (fz_round_rect), so they match its pixels.
        self._px_sizes = [
            (max(1, math.ceil(w * scale - 0.001)), max(1, math.ceil(h * scale - 0.001)))
            for w, h in self._sizes
        ]
        tops: list[int] = []
        y = MARGIN
        widest = 0
        for width, height in self._px_sizes:
            tops.append(y)
            y += height + PAGE_GAP
            widest = max(widest, width)
        self._tops = tops
        self._doc_height = y - PAGE_GAP + MARGIN if tops else 0
        self._doc_width = widest + 2 * MARGIN if tops else 0
        self._update_scrollbars()

    def _update_scrollbars(self) -> None:
        viewport = self._area.viewport()
        vbar, hbar = self._area.verticalScrollBar(), self._area.horizontalScrollBar()
        vbar.setRange(0, max(0, math.ceil(self._doc_height) - viewport.height()))
        vbar.setPageStep(viewport.height())
        vbar.setSingleStep(48)
        hbar.setRange(0, max(0, math.ceil(self._doc_width) - viewport.width()))
        hbar.setPageStep(viewport.width())
        hbar.setSingleStep(48)

    def _visible_pages(self, extra: int = 0) -> range:
        if not self._tops:
            return range(0)
        top = self._area.verticalScrollBar().value()
        bottom = top + self._area.viewport().height()
        first = max(bisect.bisect_right(self._tops, top) - 1, 0)
        last = max(bisect.bisect_left(self._tops, bottom), first + 1)
        return range(max(first + 1 - extra, 1), min(last + extra, len(self._tops)) + 1)

    def _document_point(self, point: QPointF) -> tuple[int, float, float] | None:
        """(page, fraction across, fraction down) for a viewport point, gaps included."""
        if not self._tops:
            return None
        y = point.y() + self._area.verticalScrollBar().value()
        number = max(bisect.bisect_right(self._tops, y), 1)
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
        painter.fillRect(event.rect(), _BACKGROUND)
        if self.document is None:
            text = f"This PDF cannot be shown: {self.error}" if self.error else ""
            painter.setPen(_MESSAGE_TEXT)
            painter.drawText(
                viewport.rect().adjusted(24, 24, -24, -24),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                text,
            )
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
            self._paint_sheet(painter, rect, paper=not exact)
            if image is None:
                self._paint_placeholder(painter, rect, number)
            elif exact:
                # A copy, no resampling, of the part being painted only (a scroll paints a
                # strip; Qt would otherwise convert the whole RGB888 image for it).
                part = rect.intersected(dirty).toAlignedRect()
                ratio = image.devicePixelRatio()
                source = QRectF(
                    (part.x() - rect.x()) * ratio,
                    (part.y() - rect.y()) * ratio,
                    part.width() * ratio,
                    part.height() * ratio,
                )
                painter.drawImage(QRectF(part), image, source)
            else:
                painter.drawImage(rect, image)  # another zoom's render until ours arrives
            self._paint_marks(painter, number, rect)
        if self._overlay is not None:
            self._overlay(painter)
        painter.end()
        if missing:
            self._request_schedule()

    @staticmethod
    def _paint_sheet(painter: QPainter, rect: QRectF, paper: bool) -> None:
        """The page's edge and a soft shadow below it, then (if asked) white paper.

        Whole-pixel rectangles only: tall translucent shapes, and outlines stroked with a
        pen, are what the raster engine is slowest at.
        """
        page = rect.toAlignedRect()
        left, top, width, height = page.left(), page.top(), page.width(), page.height()
        painter.fillRect(QRect(left - 1, top - 1, width + 2, 1), _PAGE_EDGE)
        painter.fillRect(QRect(left - 1, top, 1, height), _PAGE_EDGE)
        painter.fillRect(QRect(left + width, top, 1, height), _PAGE_EDGE)
        painter.fillRect(QRect(left - 1, top + height, width + 2, 1), _PAGE_EDGE)
        painter.fillRect(QRect(left, top + height + 1, width + 1, 1), _SHADOW_NEAR)
        painter.fillRect(QRect(left + 1, top + height + 2, width, 1), _SHADOW_FAR)
        painter.fillRect(QRect(left + width + 1, top + 1, 1, height + 1), _SHADOW_NEAR)
        if paper:
            painter.fillRect(rect, _PAPER)

    def _paint_placeholder(self, painter: QPainter, rect: QRectF, number: int) -> None:
        painter.setPen(_PLACEHOLDER_TEXT)
        font = painter.font()
        font.setPixelSize(max(10, min(48, int(rect.width() / 10))))
        painter.setFont(font)
        message = self._failed.get(number)
        label = str(number) if message is None else f"Page {number}\n{message}"
        # Near the top rather than in the middle, so a tall page shows it on arrival; fixed
        # on the page, because scrolling moves drawn pixels instead of painting them again.
        box = QRectF(rect.left(), rect.top(), rect.width(), min(rect.height(), 240))
        painter.drawText(
            box.adjusted(8, 8, -8, -8),
            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
            label,
        )

    def _paint_marks(self, painter: QPainter, number: int, rect: QRectF) -> None:
        """Find hits, the shown hit and the selection, multiplied onto the page."""
        self._paint_regions(painter, number, rect)
        spans: list[tuple[QColor | QBrush, int, int]] = list(self._note_spans.get(number, ()))
        current = self._hits[self._hit_index] if 0 <= self._hit_index < len(self._hits) else None
        for first, last in self._hit_pages.get(number, ()):
            colour = _CURRENT_HIT if current == (number, first, last) else _HIT
            spans.append((colour, first, last))
        if self._mark is not None and self._mark[0] == number:
            spans.append((_CURRENT_HIT, self._mark[1], self._mark[2]))
        selection = self.selection()
        if selection is not None and selection[0] == number:
            spans.append((_SELECTION, selection[1], selection[2]))
        if not spans or self.document is None:
            return
        layout = self.document.cached_page_text(number)
        if layout is None:
            if number == self._sel_page and self._sel_layout is not None:
                layout = self._sel_layout
            else:
                return  # a text job for the page is queued; it repaints when done
        scale = self._scale()
        painter.save()
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
        painter.setPen(Qt.PenStyle.NoPen)
        for brush, start, end in spans:
            painter.setBrush(brush)
            for x0, y0, x1, y1 in layout.rects(start, end):
                painter.drawRect(
                    QRectF(
                        rect.x() + x0 * scale,
                        rect.y() + y0 * scale,
                        (x1 - x0) * scale,
                        (y1 - y0) * scale,
                    )
                )
        painter.restore()

    def _paint_regions(self, painter: QPainter, number: int, rect: QRectF) -> None:
        """Annotated regions: a translucent fill and an outline in the category colour;
        count markers as numbered circles (screen-sized at any zoom)."""
        regions = self._note_regions.get(number)
        if not regions:
            return
        scale = self._scale()
        for colour, fill, shape, points in regions:
            mapped = [QPointF(rect.x() + x * scale, rect.y() + y * scale) for x, y in points]
            paint_region(painter, colour, fill, shape, mapped)

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
            task = Task(_render_job, document, number, key, self._dpr(), self.max_page_pixels)
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
        regions: dict[int, list[tuple[QColor, QBrush, str, list[tuple[float, float]]]]],
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
        task = Task(_text_job, document, number)
        task.signals.finished.connect(self._on_text_ready)
        self._pending_text[number] = task
        start_task(self._pool, task, 0)

    def _on_rendered(self, result: object) -> None:
        assert isinstance(result, _Rendered)
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
        if not self._tops:
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

    # --- selection ---------------------------------------------------------------------

    def selection(self) -> tuple[int, int, int] | None:
        """(page, start, end): code-point offsets into that page's text, or None."""
        if not self._sel_page or self._sel_anchor == self._sel_caret:
            return None
        start, end = sorted((self._sel_anchor, self._sel_caret))
        return self._sel_page, start, end

    def selected_text(self) -> str:
        """The selected text as stored in the library ("" when nothing is selected)."""
        selection = self.selection()
        if selection is None or self._sel_layout is None:
            return ""
        return self._sel_layout.text[selection[1] : selection[2]]

    def set_selection(self, page: int, start: int, end: int) -> None:
        """Select [start, end) of a page's text (offsets as in selection())."""
        if self.document is None:
            self._on_load.append(lambda: self.set_selection(page, start, end))
            return
        layout = self.document.page_text(page)
        start, end = (max(0, min(v, len(layout.text))) for v in (start, end))
        self._select(page, layout, start, end)

    def clear_selection(self) -> None:
        """Select nothing."""
        if self._sel_page:
            self._sel_page = 0
            self._sel_layout = None
            self._sel_anchor = self._sel_caret = 0
            self._area.viewport().update()
            self.selectionChanged.emit()

    def copy(self) -> None:
        """Put the selected text on the clipboard."""
        text = self.selected_text()
        if text:
            QGuiApplication.clipboard().setText(text)

    def _select(self, page: int, layout: PageText, anchor: int, caret: int) -> None:
        before = self.selection()
        self._sel_page, self._sel_layout = page, layout
        self._sel_anchor, self._sel_caret = anchor, caret
        if self.selection() != before:
            self._area.viewport().update()
            self.selectionChanged.emit()

    def _layout_for(self, page: int) -> PageText | None:
        if self.document is None:
            return None
        # Normally warmed by the render job; a click on a page not yet read waits ~10 ms.
        return self.document.cached_page_text(page) or self.document.page_text(page)

    def _mouse_press(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self._mark = None
        hit = self.viewport_to_page(event.position())
        if hit is None:
            self._dragging = False
            self.clear_selection()
            return
        page, x, y = hit
        layout = self._layout_for(page)
        if layout is None:
            return
        caret = layout.caret_at(x, y)
        extend = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        if extend and self._sel_page == page:
            self._select(page, layout, self._sel_anchor, caret)
        else:
            self._select(page, layout, caret, caret)
        self._dragging = True
        self._area.setFocus(Qt.FocusReason.MouseFocusReason)

    def _mouse_move(self, event: QMouseEvent) -> None:
        pos = event.position()
        if not self._dragging:
            over = self.viewport_to_page(pos)
            shape = Qt.CursorShape.IBeamCursor if over else Qt.CursorShape.ArrowCursor
            self._area.viewport().setCursor(QCursor(shape))
            if over is not None:
                self._request_text(over[0])  # a selection is likely to start here
            return
        if not self._sel_page or self._sel_layout is None:
            return
        viewport = self._area.viewport()
        vbar = self._area.verticalScrollBar()
        if pos.y() < 0:
            vbar.setValue(vbar.value() + round(pos.y()))
        elif pos.y() > viewport.height():
            vbar.setValue(vbar.value() + round(pos.y() - viewport.height()))
        rect = self.page_rect(self._sel_page)
        scale = self._scale()
        caret = self._sel_layout.caret_at(
            (pos.x() - rect.x()) / scale, (pos.y() - rect.y()) / scale
        )
        self._select(self._sel_page, self._sel_layout, self._sel_anchor, caret)

    def _mouse_release(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._dragging = False

    def _mouse_double_click(self, event: QMouseEvent) -> None:
        hit = self.viewport_to_page(event.position())
        if hit is None:
            return
        page, x, y = hit
        layout = self._layout_for(page)
        if layout is None:
            return
        word = layout.word_at(x, y)
        if word is not None:
            self._select(page, layout, word[0], word[1])
        self._dragging = False

    # --- find --------------------------------------------------------------------------

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
        """Search the document for ``text`` (case-insensitive) in the background.

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
        palette.setColor(QPalette.ColorRole.Window, _BACKGROUND)
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

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._view._wheel_zoom(event)
            event.accept()
        else:
            super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if not self._view._key_press(event):
            super().keyPressEvent(event)


def _spacer(parent: QWidget) -> QWidget:
    """A stretch between toolbar groups."""
    space = QWidget(parent)
    space.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return space


def _tool_button(parent: QWidget, text: str) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setAutoRaise(True)
    return button


class _Toolbar(QToolBar):
    """Page number box and zoom controls above the pages.

    A QToolBar so that in a narrow pane what does not fit goes behind the »
    button instead of forcing the pane (and the window's docks) wider.
    """

    def __init__(self, view: PdfView) -> None:
        super().__init__(view)
        self._view = view
        self.setMovable(False)
        self.setFloatable(False)
        self.setContentsMargins(4, 0, 4, 0)
        self.page_box = QSpinBox(self)
        self.page_box.setRange(1, 1)
        self.page_box.setKeyboardTracking(False)
        self.page_box.setAccessibleName("Page number")
        self.page_box.valueChanged.connect(self._page_entered)
        self.count_label = QLabel("of –", self)
        self.zoom_out_button = _tool_button(self, "−")
        self.zoom_out_button.setToolTip("Zoom out (Ctrl+-)")
        self.zoom_out_button.clicked.connect(view.zoom_out)
        self.zoom_box = QComboBox(self)
        self.zoom_box.setEditable(True)
        self.zoom_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zoom_box.addItem("Fit width", ZoomMode.FIT_WIDTH)
        self.zoom_box.addItem("Fit page", ZoomMode.FIT_PAGE)
        for step in (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0):
            self.zoom_box.addItem(f"{round(step * 100)}%", step)
        self.zoom_box.setMinimumContentsLength(8)
        self.zoom_box.activated.connect(self._zoom_chosen)
        line_edit = self.zoom_box.lineEdit()
        assert line_edit is not None
        line_edit.returnPressed.connect(self._zoom_typed)
        self.zoom_in_button = _tool_button(self, "+")
        self.zoom_in_button.setToolTip("Zoom in (Ctrl+=)")
        self.zoom_in_button.clicked.connect(view.zoom_in)
        self.find_button = _tool_button(self, "Find")
        self.find_button.setToolTip("Find in document (Ctrl+F)")
        self.find_button.clicked.connect(view.show_find_bar)
        self.addWidget(self.page_box)
        self.addWidget(self.count_label)
        self.addWidget(_spacer(self))
        self.addWidget(self.zoom_out_button)
        self.addWidget(self.zoom_box)
        self.addWidget(self.zoom_in_button)
        self.addWidget(_spacer(self))
        self.addWidget(self.find_button)

    def set_page_count(self, count: int) -> None:
        self.page_box.blockSignals(True)
        self.page_box.setRange(1, max(count, 1))
        self.page_box.blockSignals(False)
        self.count_label.setText(f"of {count}")

    def show_page(self, number: int) -> None:
        self.page_box.blockSignals(True)
        self.page_box.setValue(number)
        self.page_box.blockSignals(False)

    def show_zoom(self, zoom: float, mode: ZoomMode) -> None:
        if mode is ZoomMode.FIT_WIDTH:
            text = "Fit width"
        elif mode is ZoomMode.FIT_PAGE:
            text = "Fit page"
        else:
            text = f"{round(zoom * 100)}%"
        self.zoom_box.setEditText(text)
        self.zoom_box.setToolTip(f"Zoom: {round(zoom * 100)}%")

    def _page_entered(self, number: int) -> None:
        self._view.go_to_page(number)

    def _zoom_chosen(self, index: int) -> None:
        choice = self.zoom_box.itemData(index)
        if isinstance(choice, ZoomMode):
            self._view.set_zoom_mode(choice)
        elif isinstance(choice, float):
            self._view.set_zoom(choice)

    def _zoom_typed(self) -> None:
        text = self.zoom_box.currentText().strip().rstrip("%").strip()
        try:
            self._view.set_zoom(float(text) / 100)
        except ValueError:
            self.show_zoom(self._view.zoom, self._view.zoom_mode)


class PdfFindBar(QWidget):
    """A one-line find bar for a PdfView: Enter finds next, Shift+Enter previous, Esc closes.

    Typing searches after a short pause; the label shows "3 of 17".
    """

    def __init__(self, view: PdfView) -> None:
        super().__init__(view)
        self._view = view
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.setSpacing(4)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Find in document")
        self.edit.setClearButtonEnabled(True)
        self.edit.installEventFilter(self)
        self.status = QLabel("", self)
        self.status.setMinimumWidth(110)
        self.previous_button = _tool_button(self, "▲")
        self.previous_button.setToolTip("Previous match (Shift+Enter)")
        self.next_button = _tool_button(self, "▼")
        self.next_button.setToolTip("Next match (Enter)")
        self.close_button = _tool_button(self, "✕")
        self.close_button.setToolTip("Close (Esc)")
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.next_button)
        layout.addWidget(self.close_button)
        self._typing = QTimer(self, singleShot=True, interval=300)
        self._typing.timeout.connect(self._search)
        self.edit.textEdited.connect(lambda _text: self._typing.start())
        self.previous_button.clicked.connect(lambda: self._go(-1))
        self.next_button.clicked.connect(lambda: self._go(1))
        self.close_button.clicked.connect(self.close_bar)
        view.findChanged.connect(self._show_status)

    def set_text(self, text: str) -> None:
        """Put text in the box without searching yet."""
        self.edit.setText(text)

    def focus(self) -> None:
        """Give the box the keyboard, its text selected."""
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def close_bar(self) -> None:
        """Hide the bar, clear the highlights and hand the keyboard back to the pages."""
        self._typing.stop()
        self.hide()
        self._view.clear_find()
        self._view.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                self._go(-1 if shift else 1)
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.close_bar()
                return True
        return super().eventFilter(watched, event)

    def _search(self) -> None:
        self._view.find(self.edit.text())

    def _go(self, step: int) -> None:
        if self._typing.isActive() or self.edit.text() != self._view.find_query:
            self._typing.stop()
            self._search()  # a new query: its first hit is shown as soon as it is found
        elif step > 0:
            self._view.find_next()
        else:
            self._view.find_previous()

    def _show_status(self, current: int, total: int) -> None:
        if not self._view.find_query.strip():
            self.status.setText("")
        elif total == 0:
            self.status.setText("Searching…" if self._view.find_running else "No matches")
        else:
            more = "…" if self._view.find_running else ""
            self.status.setText(f"{current} of {total}{more}")
