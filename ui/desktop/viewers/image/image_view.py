"""The image viewer: large imagery shown tile by tile, with smooth zoom and pan.

The scene is the image at full resolution, one scene unit per image pixel, so annotation
items added to ``scene()`` are placed in image pixel coordinates. Only the tiles in view
are read, at the pyramid level that matches the zoom, on worker threads; coarser (or
finer) tiles already in memory are drawn scaled in their place until they arrive.
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QCursor,
    QHelpEvent,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QResizeEvent,
    QShowEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QToolTip,
    QWidget,
)

from ui.desktop.ops.workers import Task
from ui.desktop.viewers.image.image_text import ImageTextLayer
from workstation.core.errors import WorkstationError
from workstation.core.progress import Progress
from workstation.sources.imagery import ImagePyramid, ensure_pyramid

TileKey = tuple[int, int, int]
"""(level, column, row) of a tile in an ImagePyramid."""

DEFAULT_CACHE_BYTES = 64 * 1024 * 1024
"""Tile memory per view: 1080p needs up to 40 MB in view; more is reserved when a view needs it."""
MAX_ZOOM = 32.0
"""Device pixels per image pixel at the closest zoom."""
WHEEL_STEP = 2 ** (1 / 4)
"""Zoom factor per wheel notch (four notches double the size)."""
KEY_STEP = 2 ** (1 / 2)
BACKGROUND = QColor(40, 42, 46)


class TileCache:
    """Tile images, least recently used dropped first, bounded by bytes.

    Pinned tiles (the coarsest level, which stands in for everything else) are never
    dropped and not counted against the budget. ``reserve`` raises the limit to what the
    view shows at once (a 4K screen at 2x), so tiles in view never push each other out.

    Args:
        budget: Bytes of unpinned tiles to keep at most.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.reserve = 0
        self.nbytes = 0
        self._tiles: OrderedDict[TileKey, QImage] = OrderedDict()
        self._pinned: dict[TileKey, QImage] = {}

    def __len__(self) -> int:
        return len(self._tiles) + len(self._pinned)

    def __contains__(self, key: object) -> bool:
        return key in self._tiles or key in self._pinned

    def get(self, key: TileKey) -> QImage | None:
        """The tile, marking it recently used; None when not cached."""
        image = self._pinned.get(key)
        if image is not None:
            return image
        image = self._tiles.get(key)
        if image is not None:
            self._tiles.move_to_end(key)
        return image

    def put(self, key: TileKey, image: QImage, *, pinned: bool = False) -> None:
        """Store a tile, then drop the least recently used ones over the budget."""
        if pinned:
            self._pinned[key] = image
            return
        old = self._tiles.pop(key, None)
        if old is not None:
            self.nbytes -= old.sizeInBytes()
        self._tiles[key] = image
        self.nbytes += image.sizeInBytes()
        while self.nbytes > max(self.budget, self.reserve) and len(self._tiles) > 1:
            _key, dropped = self._tiles.popitem(last=False)
            self.nbytes -= dropped.sizeInBytes()

    def clear(self) -> None:
        """Forget every tile, pinned ones too."""
        self._tiles.clear()
        self._pinned.clear()
        self.nbytes = 0


class _Opened(NamedTuple):
    token: int
    pyramid: ImagePyramid | None
    error: str | None


def _open_pyramid(
    token: int, derived_dir: Path, blob_path: Path, sha256: str, **kwargs: Any
) -> _Opened:
    """ensure_pyramid() on a worker thread; expected failures come back as a message."""
    try:
        return _Opened(token, ensure_pyramid(derived_dir, blob_path, sha256, **kwargs), None)
    except WorkstationError as exc:
        return _Opened(token, None, exc.message)


class _TileResult(NamedTuple):
    generation: int
    key: TileKey
    image: QImage | None
    error: str | None


def _load_tile(pyramid: ImagePyramid, key: TileKey, generation: int) -> _TileResult:
    """Read one tile on a worker thread and make it a QImage ready to draw."""
    level, column, row = key
    try:
        x, y, w, h = tile_rect_in_level(pyramid, key)
        data = pyramid.read_region(level, x, y, w, h)
        bands = pyramid.bands
        source_format = QImage.Format.Format_RGBA8888 if bands == 4 else QImage.Format.Format_RGB888
        # Converting copies out of `data` and gives the fastest format to paint from.
        draw_format = (
            QImage.Format.Format_ARGB32_Premultiplied if bands == 4 else QImage.Format.Format_RGB32
        )
        image = QImage(data, w, h, w * bands, source_format).convertToFormat(draw_format)
    except Exception as exc:  # reported on the GUI thread as a failed tile
        return _TileResult(generation, key, None, str(exc) or type(exc).__name__)
    return _TileResult(generation, key, image, None)


def tile_rect_in_level(pyramid: ImagePyramid, key: TileKey) -> tuple[int, int, int, int]:
    """(x, y, width, height) of a tile in its level's pixels; edge tiles are smaller."""
    level, column, row = key
    size = pyramid.tile_size
    level_w, level_h = pyramid.levels[level]
    x, y = column * size, row * size
    return x, y, min(size, level_w - x), min(size, level_h - y)


def tile_rect_in_image(pyramid: ImagePyramid, key: TileKey) -> QRectF:
    """Where a tile lies in full-resolution image pixels (scene coordinates)."""
    x, y, w, h = tile_rect_in_level(pyramid, key)
    sx, sy = pyramid.level_scale(key[0])
    return QRectF(x * sx, y * sy, w * sx, h * sy)


def tiles_covering(pyramid: ImagePyramid, level: int, rect: QRectF) -> list[TileKey]:
    """Tiles of ``level`` that intersect ``rect`` (image pixels), row by row."""
    level_w, level_h = pyramid.levels[level]
    sx, sy = pyramid.level_scale(level)
    size = pyramid.tile_size
    columns, rows = math.ceil(level_w / size), math.ceil(level_h / size)
    c0 = max(0, math.floor(rect.left() / sx / size))
    c1 = min(columns - 1, math.ceil(rect.right() / sx / size) - 1)
    r0 = max(0, math.floor(rect.top() / sy / size))
    r1 = min(rows - 1, math.ceil(rect.bottom() / sy / size) - 1)
    return [(level, c, r) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]


class _PyramidItem(QGraphicsItem):
    """The image in the scene: paints whatever tiles are cached for the exposed area."""

    def __init__(self, view: ImageView, pyramid: ImagePyramid) -> None:
        super().__init__()
        self.view = view
        self.pyramid = pyramid
        width, height = pyramid.full_size
        self._rect = QRectF(0, 0, width, height)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        cache = self.view.cache
        area = option.exposedRect.intersected(self._rect)
        if area.isEmpty():
            return
        transform = painter.worldTransform()
        dpr = painter.device().devicePixelRatioF()
        scale = transform.m11() * dpr
        level = self.pyramid.best_level(scale)
        sharp: list[tuple[TileKey, QImage]] = []
        stand_ins: dict[int, list[QRectF]] = {}  # level standing in -> areas it covers
        for key in tiles_covering(self.pyramid, level, area):
            image = cache.get(key)
            if image is not None:
                sharp.append((key, image))
                continue
            target = tile_rect_in_image(self.pyramid, key)
            other = self._stand_in_level(level, target)
            if other is not None:
                stand_ins.setdefault(other, []).append(target)
        if transform.isRotating():  # turned (a compare alignment): draw in image pixels
            for key, image in sharp:
                painter.drawImage(tile_rect_in_image(self.pyramid, key), image)
            return
        painter.save()
        painter.resetTransform()  # draw in device-snapped view coordinates: no seams
        # Stand-ins first: whole tiles of another level, scaled, clipped to the gaps. Drawn
        # whole, they interpolate smoothly across the gaps instead of in 256 px patches.
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        for other, targets in stand_ins.items():
            gaps = QPainterPath()
            bounds = QRectF()
            for target in targets:
                gaps.addRect(self._snapped(transform, dpr, target))
                bounds = bounds.united(target)
            painter.setClipPath(gaps)
            for key in tiles_covering(self.pyramid, other, bounds):
                image = cache.get(key)
                if image is not None:
                    self._draw(painter, transform, dpr, key, image)
        painter.setClipping(False)
        # Sharp tiles: nearest-neighbour above 200 %, so single pixels stay visible.
        smooth = scale * self.pyramid.level_scale(level)[0] < 2.0
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
        for key, image in sharp:
            self._draw(painter, transform, dpr, key, image)
        painter.restore()

    def _stand_in_level(self, level: int, target: QRectF) -> int | None:
        """The nearest level whose tiles over ``target`` are all in memory."""
        cache = self.view.cache
        candidates = [level - 1] if level > 0 else []
        candidates += list(range(level + 1, len(self.pyramid.levels)))
        for other in candidates:
            keys = tiles_covering(self.pyramid, other, target)
            if keys and all(key in cache for key in keys):
                return other
        return None

    @staticmethod
    def _snapped(transform: QTransform, dpr: float, rect: QRectF) -> QRectF:
        """``rect`` (image pixels) in view coordinates, its edges on whole device pixels."""
        mapped = transform.mapRect(rect)
        left = round(mapped.left() * dpr) / dpr
        top = round(mapped.top() * dpr) / dpr
        right = round(mapped.right() * dpr) / dpr
        bottom = round(mapped.bottom() * dpr) / dpr
        return QRectF(left, top, right - left, bottom - top)

    def _draw(
        self, painter: QPainter, transform: QTransform, dpr: float, key: TileKey, image: QImage
    ) -> None:
        """Draw a whole tile where it belongs, its edges on whole device pixels."""
        target = self._snapped(transform, dpr, tile_rect_in_image(self.pyramid, key))
        if not target.isEmpty():
            painter.drawImage(target, image, QRectF(image.rect()))


class ImageView(QGraphicsView):
    """An image shown from an ImagePyramid: wheel zooms at the cursor, dragging pans.

    Keys: ``+``/``-`` zoom, ``0`` fits the image, ``1`` shows it at 100 %. The zoom is in
    device pixels per image pixel, so 100 % shows every image pixel on exactly one screen
    pixel, also on high-DPI screens. Scene coordinates are full-resolution image pixels.

    Args:
        parent: The parent widget.
        cache_bytes: Memory for decoded tiles.
        threads: Worker threads reading tiles.

    Signals:
        zoomChanged(float): The zoom changed; 1.0 is 100 % (one device pixel per pixel).
        loaded(): An image is shown (set_pyramid, or open_image finished).
        loadFailed(str): The image cannot be opened, or (once per image) a tile of it
            cannot be read; a one-line reason.
        preparing(int, int, str): Progress of building a missing pyramid (done, total, what).
        tilesReady(): Every tile wanted for the current view is in memory.
    """

    zoomChanged = Signal(float)
    loaded = Signal()
    loadFailed = Signal(str)
    preparing = Signal(int, int, str)
    tilesReady = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        threads: int = 2,
    ) -> None:
        super().__init__(parent)
        self.cache = TileCache(cache_bytes)
        self.error: str | None = None
        self._pyramid: ImagePyramid | None = None
        self._owns_pyramid = False
        self._item: _PyramidItem | None = None
        self._generation = 0
        self._pending: dict[TileKey, Task] = {}
        self._retired: deque[Task] = deque(maxlen=64)  # finished tasks, kept past run()
        self._failed: set[TileKey] = set()
        self._fit_mode = True
        self._rotation = 0.0
        self._open_task: Task | None = None
        self._open_token = 0
        self._message = ""
        self._overlay: Callable[[QPainter], None] | None = None
        self.text_layer: ImageTextLayer | None = None
        # A selection dragged past an edge keeps scrolling while the mouse stays there.
        self._drag_pos = QPointF()
        self._drag_timer = QTimer(self, interval=30)
        self._drag_timer.timeout.connect(self._keep_following)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max(1, threads))
        self._schedule_timer = QTimer(self, singleShot=True, interval=0)
        self._schedule_timer.timeout.connect(self._schedule)

        self.setScene(QGraphicsScene(self))
        self.setBackgroundBrush(BACKGROUND)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Wheel and drag navigate; without scroll bars the fitted image uses the whole view.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, BACKGROUND)
        self.setPalette(palette)

    # --- the image ---------------------------------------------------------------------

    @property
    def pyramid(self) -> ImagePyramid | None:
        """The image shown, if any."""
        return self._pyramid

    def set_pyramid(self, pyramid: ImagePyramid, *, take_ownership: bool = False) -> None:
        """Show an opened image, fitted to the view.

        Args:
            pyramid: The image.
            take_ownership: Close it when the view lets it go (clear(), another image).
        """
        self.clear()
        self._pyramid = pyramid
        self._owns_pyramid = take_ownership
        self.error = None
        self._message = ""
        width, height = pyramid.full_size
        self.scene().setSceneRect(QRectF(0, 0, width, height))
        self._item = _PyramidItem(self, pyramid)
        self._item.setZValue(-1)  # under annotations added later
        self.scene().addItem(self._item)
        # The coarsest level stands in for everything else: read it now (a tile or two).
        top = len(pyramid.levels) - 1
        for key in tiles_covering(pyramid, top, QRectF(0, 0, width, height)):
            result = _load_tile(pyramid, key, self._generation)
            if result.image is not None:
                self.cache.put(key, result.image, pinned=True)
        self.fit()
        self.loaded.emit()

    def open_image(self, derived_dir: Path, blob_path: Path, sha256: str) -> None:
        """Open an original, building its pyramid first if the cache has none.

        Emits ``preparing`` while a pyramid is built, then ``loaded`` or ``loadFailed``.
        The view owns (and closes) the image it opens.

        Args:
            derived_dir: The library's ``derived/`` folder.
            blob_path: The original (``Library.blobs.path_for(sha256)``).
            sha256: The original's hash.
        """
        self.clear()
        self._message = "Opening image…"
        self._open_token += 1
        task = Task(_open_pyramid, self._open_token, Path(derived_dir), Path(blob_path), sha256)

        def progress(step: Progress) -> None:
            task.report(step.done, step.total, step.current or "")

        task.kwargs.update(progress=progress, cancel=task.cancel)
        task.signals.progress.connect(self._on_open_progress)
        task.signals.finished.connect(self._on_opened)
        task.signals.failed.connect(self._on_open_failed)
        self._open_task = task
        self._pool.start(task, 1)
        self.viewport().update()

    @property
    def is_opening(self) -> bool:
        """Whether open_image() is still at work."""
        return self._open_task is not None

    def _on_open_progress(self, done: int, total: int, text: str) -> None:
        if self._open_task is None:
            return
        percent = f" {100 * done // total} %" if total else ""
        self._message = f"Preparing image for viewing…{percent}"
        self.preparing.emit(done, total, text)
        self.viewport().update()

    def _on_opened(self, result: object) -> None:
        assert isinstance(result, _Opened)
        if result.token != self._open_token or self._open_task is None:
            if result.pyramid is not None:  # superseded by another open or clear()
                result.pyramid.close()
            return
        self._retired.append(self._open_task)
        self._open_task = None
        if result.pyramid is not None:
            self.set_pyramid(result.pyramid, take_ownership=True)
        else:
            self._show_failure(result.error or "the image cannot be opened")

    def _on_open_failed(self, message: str) -> None:
        # Only unexpected errors arrive here; expected ones come back as _Opened.error.
        if self._open_task is not None:
            self._retired.append(self._open_task)
            self._open_task = None
            self._show_failure(message)

    def _show_failure(self, message: str) -> None:
        self.error = message
        self._message = message
        self.viewport().update()
        self.loadFailed.emit(message)

    def clear(self) -> None:
        """Show nothing: stop reading tiles, forget them, close an image the view owns."""
        if self._open_task is not None:
            self._open_task.cancel.cancel()
            self._retired.append(self._open_task)
            self._open_task = None
        self._generation += 1
        for key, task in list(self._pending.items()):
            if self._pool.tryTake(task):
                del self._pending[key]
        self._retired.extend(self._pending.values())
        self._pending.clear()
        self._failed.clear()
        self.cache.clear()
        if self._item is not None:
            self.scene().removeItem(self._item)
            self._item = None
        if self._pyramid is not None and self._owns_pyramid:
            # Reads still running keep what they use alive; later ones fail harmlessly.
            self._pyramid.close()
        self._pyramid = None
        self._message = ""
        self.error = None
        self.scene().setSceneRect(QRectF())
        self.viewport().update()

    def close_image(self) -> None:
        """clear(), and wait for every worker to stop (before the view is thrown away)."""
        self.clear()
        self._pool.clear()
        self._pool.waitForDone()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the view ends it: reads stop and an image it opened is closed."""
        self.close_image()
        super().closeEvent(event)

    # --- coordinates -------------------------------------------------------------------

    def scene_to_image(self, point: QPointF) -> QPointF:
        """Image pixel coordinates of a scene point: the same numbers (1 unit = 1 pixel)."""
        return QPointF(point)

    def image_to_scene(self, point: QPointF) -> QPointF:
        """Scene coordinates of an image pixel position: the same numbers."""
        return QPointF(point)

    def view_to_image(self, point: QPointF) -> QPointF:
        """Image pixel coordinates under a viewport position (logical pixels)."""
        inverted, _ok = self.viewportTransform().inverted()
        return inverted.map(QPointF(point))

    def image_to_view(self, point: QPointF) -> QPointF:
        """Viewport position (logical pixels) of an image pixel position."""
        return self.viewportTransform().map(QPointF(point))

    def visible_image_rect(self) -> QRectF:
        """The part of the image in view, in image pixels (empty without an image)."""
        if self._pyramid is None:
            return QRectF()
        inverted, _ok = self.viewportTransform().inverted()
        shown = inverted.mapRect(QRectF(self.viewport().rect()))
        return shown.intersected(self.sceneRect())

    # --- zoom --------------------------------------------------------------------------

    @property
    def zoom(self) -> float:
        """Device pixels per image pixel: 1.0 is 100 %, 0.5 shows the image at half size."""
        return math.hypot(self.transform().m11(), self.transform().m12()) * self._dpr()

    @zoom.setter
    def zoom(self, value: float) -> None:
        self.set_zoom(value)

    @property
    def fit_zoom(self) -> float:
        """The zoom at which the whole image just fits the view."""
        if self._pyramid is None:
            return 1.0
        width, height = self._pyramid.full_size
        area = self.viewport().rect()
        return max(1e-6, min(area.width() / width, area.height() / height)) * self._dpr()

    @property
    def is_fitted(self) -> bool:
        """Whether the view follows its size with fit() (until the user zooms)."""
        return self._fit_mode

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Zoom so that the image point under ``anchor`` stays where it is.

        Args:
            zoom: Device pixels per image pixel; kept between a quarter of the fit (or
                of 100 % for small images) and MAX_ZOOM.
            anchor: A viewport position (logical pixels); the centre when None.
        """
        self._fit_mode = False
        self._apply_zoom(zoom, anchor)

    @property
    def rotation(self) -> float:
        """Degrees the picture is turned on screen (clockwise; 0 but in an aligned compare)."""
        return self._rotation

    def set_rotation(self, degrees: float, anchor: QPointF | None = None) -> None:
        """Turn the picture on screen, keeping the zoom and the point under ``anchor``."""
        self._rotation = degrees
        self._apply_zoom(self.zoom, anchor)

    def fit(self) -> None:
        """Show the whole image, centred; it keeps fitting as the view is resized."""
        self._fit_mode = True
        self._apply_zoom(self.fit_zoom, None)
        self.centerOn(self.sceneRect().center())

    def actual_size(self) -> None:
        """100 %: one image pixel on each device pixel, around the centre of the view."""
        self.set_zoom(1.0)

    def zoom_in(self, factor: float = KEY_STEP) -> None:
        """Zoom in around the centre of the view."""
        self.set_zoom(self.zoom * factor)

    def zoom_out(self, factor: float = KEY_STEP) -> None:
        """Zoom out around the centre of the view."""
        self.set_zoom(self.zoom / factor)

    def _apply_zoom(self, zoom: float, anchor: QPointF | None) -> None:
        lowest = min(self.fit_zoom, 1.0) / 4
        zoom = min(max(zoom, lowest), MAX_ZOOM)
        before = self.zoom
        if anchor is None:
            anchor = QPointF(self.viewport().rect().center())
        fixed = self.view_to_image(anchor)
        scale = zoom / self._dpr()
        self.setTransform(QTransform().rotate(self._rotation).scale(scale, scale))
        moved = self.image_to_view(fixed) - anchor
        horizontal, vertical = self.horizontalScrollBar(), self.verticalScrollBar()
        horizontal.setValue(horizontal.value() + round(moved.x()))
        vertical.setValue(vertical.value() + round(moved.y()))
        self._request_schedule()
        if not math.isclose(before, self.zoom, rel_tol=1e-9):
            self.zoomChanged.emit(self.zoom)

    def _dpr(self) -> float:
        return float(self.viewport().devicePixelRatioF())

    # --- tiles -------------------------------------------------------------------------

    @property
    def current_level(self) -> int:
        """The pyramid level drawn sharp at the current zoom."""
        return self._pyramid.best_level(self.zoom) if self._pyramid is not None else 0

    def wanted_tiles(self) -> list[TileKey]:
        """Tiles of the current level needed for the visible area, centre first."""
        pyramid = self._pyramid
        if pyramid is None:
            return []
        shown = self.visible_image_rect()
        if shown.isEmpty():
            return []
        level = self.current_level
        centre = shown.center()
        keys = tiles_covering(pyramid, level, shown)

        def distance(key: TileKey) -> float:
            offset = tile_rect_in_image(pyramid, key).center() - centre
            return offset.x() ** 2 + offset.y() ** 2

        return sorted(keys, key=distance)

    @property
    def missing_tile_count(self) -> int:
        """Visible tiles of the current level not in memory yet (0: the view is sharp)."""
        return sum(1 for key in self.wanted_tiles() if key not in self.cache)

    @property
    def pending_tile_count(self) -> int:
        """Tiles queued or being read."""
        return len(self._pending)

    def _request_schedule(self) -> None:
        if not self._schedule_timer.isActive():
            self._schedule_timer.start()

    def _schedule(self) -> None:
        """Ask for the tiles in view (and a ring around them); drop requests out of view."""
        pyramid = self._pyramid
        if pyramid is None:
            return
        visible = self.wanted_tiles()
        ring: list[TileKey] = []
        if visible:
            level = visible[0][0]
            around = self.visible_image_rect()
            sx, sy = pyramid.level_scale(level)
            margin_x, margin_y = pyramid.tile_size * sx, pyramid.tile_size * sy
            around.adjust(-margin_x, -margin_y, margin_x, margin_y)
            seen = set(visible)
            ring = [k for k in tiles_covering(pyramid, level, around) if k not in seen]
            tile_bytes = pyramid.tile_size**2 * 4
            self.cache.reserve = (len(visible) + 4) * tile_bytes
            if (len(visible) + len(ring)) * tile_bytes > self.cache.budget * 3 // 4:
                ring = []  # no room to read ahead: keep the budget for what is seen
        wanted = visible + ring
        wanted_set = set(wanted)
        for key, task in list(self._pending.items()):
            if key not in wanted_set and self._pool.tryTake(task):
                del self._pending[key]
        for priority, keys in ((0, visible), (-1, ring)):
            for key in keys:
                if key in self.cache or key in self._pending or key in self._failed:
                    continue
                task = Task(_load_tile, pyramid, key, self._generation)
                task.signals.finished.connect(self._on_tile_loaded)
                self._pending[key] = task
                self._pool.start(task, priority)
        if not self._pending:
            self.tilesReady.emit()

    def _on_tile_loaded(self, result: object) -> None:
        assert isinstance(result, _TileResult)
        if result.generation != self._generation or self._pyramid is None:
            return
        task = self._pending.pop(result.key, None)
        if task is not None:
            self._retired.append(task)
        if result.image is None:
            self._failed.add(result.key)
            if self.error is None:
                self.error = result.error
                self.loadFailed.emit(result.error or "an image tile cannot be read")
        else:
            self.cache.put(result.key, result.image)
            area = self.mapFromScene(tile_rect_in_image(self._pyramid, result.key))
            self.viewport().update(area.boundingRect().adjusted(-2, -2, 2, 2))
        if not self._pending:
            self.tilesReady.emit()

    # --- Qt overrides ------------------------------------------------------------------

    def wheelEvent(self, event: QWheelEvent) -> None:
        """The wheel zooms at the cursor (no modifier needed); a touchpad zooms smoothly."""
        delta = event.angleDelta().y() or event.pixelDelta().y()
        if not delta or self._pyramid is None:
            super().wheelEvent(event)
            return
        self.set_zoom(self.zoom * WHEEL_STEP ** (delta / 120), event.position())
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """``+``/``=`` zoom in, ``-`` out, ``0`` fits, ``1`` is 100 %; others scroll."""
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_out()
        elif key == Qt.Key.Key_0:
            self.fit()
        elif key == Qt.Key.Key_1:
            self.actual_size()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def set_text_layer(self, layer: ImageTextLayer | None) -> None:
        """Show an image's OCR text over it (None: none); the view hands it the mouse."""
        if self.text_layer is not None:
            self.scene().removeItem(self.text_layer)
        self.text_layer = layer
        if layer is not None:
            self.scene().addItem(layer)

    def _text_at(self, event: QMouseEvent) -> tuple[ImageTextLayer, QPointF] | None:
        """The text layer and the image point under the mouse, while clicks pan (no
        drawing tool on) and the image has text."""
        layer = self.text_layer
        if (
            layer is None
            or not layer.has_text
            or self.dragMode() != QGraphicsView.DragMode.ScrollHandDrag
        ):
            return None
        return layer, self.view_to_image(event.position())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A press on the OCR text starts a selection; elsewhere dragging pans."""
        hit = self._text_at(event)
        if hit is not None and event.button() == Qt.MouseButton.LeftButton:
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            if hit[0].press(hit[1], shift):
                self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
                self.setFocus(Qt.FocusReason.MouseFocusReason)  # Ctrl+C is this pane's
                event.accept()
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Selecting follows the mouse; over the text the cursor is an I-beam."""
        hit = self._text_at(event)
        if hit is not None:
            layer, point = hit
            if layer.dragging:
                self._drag_pos = event.position()
                if self._follow_drag(self._drag_pos):
                    point = self.view_to_image(self._drag_pos)  # the picture moved
                    self._drag_timer.start()
                layer.drag(point)
                event.accept()
                return
            if not event.buttons():
                over = layer.over_text(point)
                shape = Qt.CursorShape.IBeamCursor if over else Qt.CursorShape.OpenHandCursor
                self.viewport().setCursor(QCursor(shape))
        super().mouseMoveEvent(event)

    def _follow_drag(self, pos: QPointF) -> bool:
        """A selection dragged past an edge of the view scrolls the picture after it, by
        as far as the mouse is past the edge; True when it moved."""
        area = self.viewport().rect()
        dx = min(0.0, pos.x()) or max(0.0, pos.x() - area.width())
        dy = min(0.0, pos.y()) or max(0.0, pos.y() - area.height())
        bars = self.horizontalScrollBar(), self.verticalScrollBar()
        before = bars[0].value(), bars[1].value()
        bars[0].setValue(before[0] + round(dx))
        bars[1].setValue(before[1] + round(dy))
        return (bars[0].value(), bars[1].value()) != before

    def _keep_following(self) -> None:
        layer = self.text_layer
        if layer is None or not layer.dragging or not self._follow_drag(self._drag_pos):
            self._drag_timer.stop()
            return
        layer.drag(self.view_to_image(self._drag_pos))

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """Double-click on a word selects it."""
        hit = self._text_at(event)
        if hit is not None and hit[0].select_word(hit[1]):
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """The end of a drag is the view's, even where no scene item takes the click."""
        if self.text_layer is not None and self.text_layer.dragging:
            self._drag_timer.stop()
            self.text_layer.release()
            event.accept()
            return
        super().mouseReleaseEvent(event)
        event.accept()

    def viewportEvent(self, event: QEvent) -> bool:
        """A tooltip over a low-confidence OCR word gives its confidence."""
        if (
            event.type() == QEvent.Type.ToolTip
            and isinstance(event, QHelpEvent)
            and self.text_layer is not None
        ):
            tip = self.text_layer.tip_at(self.view_to_image(QPointF(event.pos())))
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.viewport())
                return True
        return super().viewportEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep fitting while in fit mode; ask for the tiles newly in view."""
        super().resizeEvent(event)
        if self._fit_mode and self._pyramid is not None:
            self.fit()
        self._request_schedule()

    def showEvent(self, event: QShowEvent) -> None:
        """A view shown for the first time fits again: its size is known only now."""
        super().showEvent(event)
        if self._fit_mode and self._pyramid is not None:
            self.fit()
        self._request_schedule()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        """Panning brings new tiles into view."""
        super().scrollContentsBy(dx, dy)
        self._request_schedule()

    def set_overlay(self, paint: Callable[[QPainter], None] | None) -> None:
        """Have ``paint(painter)`` draw over the image in viewport pixels (drawing tools)."""
        self._overlay = paint
        self.viewport().update()

    def overlay_changed(self) -> None:
        """Repaint after the overlay changed."""
        self.viewport().update()

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        """The drawing tools' overlay; a line of text in the middle while an image is
        prepared, or why it failed."""
        if self._overlay is not None and self._pyramid is not None:
            painter.save()
            painter.resetTransform()
            self._overlay(painter)
            painter.restore()
        if not self._message or self._pyramid is not None:
            return
        painter.save()
        painter.resetTransform()
        painter.setPen(QColor(220, 220, 220))
        painter.drawText(
            self.viewport().rect().adjusted(16, 16, -16, -16),
            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
            self._message,
        )
        painter.restore()


__all__ = [
    "DEFAULT_CACHE_BYTES",
    "ImageView",
    "TileCache",
    "TileKey",
    "tile_rect_in_image",
    "tile_rect_in_level",
    "tiles_covering",
]
