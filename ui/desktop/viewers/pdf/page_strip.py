"""A column of page thumbnails beside a PdfView: click one to go there.

Thumbnails are drawn lazily, only for rows the list actually paints, on a pool thread,
and kept in a small byte-bounded cache; rows scrolled past before their turn are dropped.
"""

from __future__ import annotations

from collections import deque
from typing import NamedTuple

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QCloseEvent, QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from ui.desktop.ops.workers import Task
from ui.desktop.viewers.pdf.pdf_view import PdfView
from ui.desktop.viewers.pdf.render_pool import (
    render_to_image,
    start_task,
    unqueue_task,
    viewer_pool,
)
from workstation.core.errors import WorkstationError
from workstation.sources.pages import PdfDocument

THUMBNAIL_ROLE = Qt.ItemDataRole.UserRole + 1
"""The page's thumbnail as a QImage, or None while it is being drawn."""
PAGE_SIZE_ROLE = Qt.ItemDataRole.UserRole + 2
#: The colours of the marks on a page (category colours; "redact" for redaction).
MARKS_ROLE = Qt.ItemDataRole.UserRole + 3
_MAX_DOTS = 4
"""The page's (width, height) in points."""

# Small enough that the strip takes a sixth of a split pane, not a third.
THUMBNAIL_BOX = QSize(68, 88)
"""Logical pixels a thumbnail fits into."""
_CELL = QSize(THUMBNAIL_BOX.width() + 16, THUMBNAIL_BOX.height() + 30)
_CACHE_BYTES = 24 * 1024 * 1024
_PAPER = QColor(255, 255, 255)
_BORDER = QColor(0, 0, 0, 80)


class _Thumb(NamedTuple):
    row: int
    image: QImage | None
    samples: bytes


def _thumbnail_job(
    document: PdfDocument, row: int, scale: float, dpr: float, max_pixels: int
) -> _Thumb:
    try:
        image, samples = render_to_image(document, row + 1, scale, dpr, max_pixels)
    except WorkstationError:
        return _Thumb(row, None, b"")
    return _Thumb(row, image, samples)


class PageThumbnailModel(QAbstractListModel):
    """One row per page; THUMBNAIL_ROLE renders on first request, in the background.

    Args:
        parent: Owner.
        cache_bytes: Pixels of thumbnails to keep.
    """

    def __init__(self, parent: QObject | None = None, cache_bytes: int = _CACHE_BYTES) -> None:
        super().__init__(parent)
        self.document: PdfDocument | None = None
        self._sizes: list[tuple[float, float]] = []
        self._budget = cache_bytes
        self._images: dict[int, tuple[QImage, bytes]] = {}
        self._marks: dict[int, list[str]] = {}  # 1-based page -> mark colours
        self._order: deque[int] = deque()  # rows, least recently drawn first
        self._bytes = 0
        self._pending: dict[int, Task] = {}
        self._failed: set[int] = set()
        self.device_pixel_ratio = 1.0
        self._pool = viewer_pool("thumbnails", 1)

    def set_document(self, document: PdfDocument | None) -> None:
        """Show the pages of ``document`` (None for none)."""
        self.beginResetModel()
        self._unqueue_all()
        self._images.clear()
        self._order.clear()
        self._bytes = 0
        self._failed.clear()
        self.document = document
        self._sizes = document.page_sizes() if document is not None else []
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:  # noqa: N802 - Qt override
        if parent is not None and parent.isValid():
            return 0
        return len(self._sizes)

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._sizes):
            return None
        row = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            return str(row + 1)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            marks = self._marks.get(row + 1, [])
            if not marks:
                return f"Page {row + 1}"
            redactions = sum(1 for c in marks if c == "redact")
            said = f"Page {row + 1}: {len(marks)} mark{'s' if len(marks) != 1 else ''}"
            return said + (f", {redactions} to redact" if redactions else "")
        if role == MARKS_ROLE:
            return self._marks.get(row + 1, [])
        if role == PAGE_SIZE_ROLE:
            return self._sizes[row]
        if role == THUMBNAIL_ROLE:
            found = self._images.get(row)
            if found is None:
                self._request(row)
                return None
            return found[0]
        return None

    def set_marks(self, per_page: dict[int, list[str]]) -> None:
        """The colours of each page's marks, drawn as dots beside its thumbnail."""
        if per_page == self._marks:
            return
        self._marks = {page: list(colours) for page, colours in per_page.items()}
        if self._sizes:
            self.dataChanged.emit(self.index(0), self.index(len(self._sizes) - 1), [MARKS_ROLE])

    def thumbnail_ready(self, row: int) -> bool:
        """Whether the thumbnail of ``row`` is drawn and cached."""
        return row in self._images

    def keep_only(self, rows: range) -> None:
        """Unqueue thumbnails not started yet for rows outside ``rows``."""
        for row, task in list(self._pending.items()):
            if row not in rows and unqueue_task(self._pool, task):
                del self._pending[row]

    def shutdown(self) -> None:
        """Drop queued thumbnails (one being drawn finishes and is ignored)."""
        self._unqueue_all()
        self.document = None

    def _unqueue_all(self) -> None:
        for task in self._pending.values():
            unqueue_task(self._pool, task)
        self._pending.clear()

    def _request(self, row: int) -> None:
        document = self.document
        if document is None or row in self._pending or row in self._failed or document.closed:
            return
        width, height = self._sizes[row]
        scale = min(THUMBNAIL_BOX.width() / width, THUMBNAIL_BOX.height() / height)
        dpr = self.device_pixel_ratio
        box_pixels = int(THUMBNAIL_BOX.width() * THUMBNAIL_BOX.height() * dpr * dpr * 1.1)
        task = Task(_thumbnail_job, document, row, scale * dpr, dpr, box_pixels)
        task.signals.finished.connect(self._on_thumbnail)
        self._pending[row] = task
        # Later requests are for rows painted later, usually further down: last in, first out
        # would suit fast scrolling, but keep_only() already drops the rows scrolled past.
        start_task(self._pool, task)

    def _on_thumbnail(self, result: object) -> None:
        assert isinstance(result, _Thumb)
        self._pending.pop(result.row, None)
        if self.document is None or result.row >= len(self._sizes):
            return
        if result.image is None:
            self._failed.add(result.row)
            return
        self._images[result.row] = (result.image, result.samples)
        self._order.append(result.row)
        self._bytes += int(result.image.sizeInBytes())
        while self._bytes > self._budget and len(self._order) > 1:
            old = self._order.popleft()
            dropped = self._images.pop(old, None)
            if dropped is not None:
                self._bytes -= int(dropped[0].sizeInBytes())
        index = self.index(result.row)
        self.dataChanged.emit(index, index, [THUMBNAIL_ROLE])


def _paint_mark_dots(painter: QPainter, sheet: QRectF, colours: list[str]) -> None:
    """Dots down the top right corner of a page thumbnail, one per mark colour (a few at most;
    a redaction is a dark hatched square): where the marks are, at a glance."""
    seen: list[str] = []
    for colour in colours:
        if colour not in seen:
            seen.append(colour)
    for n, colour in enumerate(seen[:_MAX_DOTS]):
        dot = QRectF(sheet.right() - 11, sheet.top() + 4 + n * 10, 8, 8)
        painter.setPen(QColor(0, 0, 0, 90))
        if colour == "redact":
            painter.setBrush(QColor("#202020"))
            painter.drawRect(dot)
        else:
            painter.setBrush(QColor(colour))
            painter.drawEllipse(dot)


class _ThumbnailDelegate(QStyledItemDelegate):
    """Draws a thumbnail on a sheet with a shadow, the page number under it."""

    def sizeHint(  # noqa: N802 - Qt override
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return _CELL

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        cell = QRectF(option.rect)
        state = option.state
        palette: QPalette = option.palette
        selected = bool(state & QStyle.StateFlag.State_Selected)
        size = index.data(PAGE_SIZE_ROLE)
        width, height = size if size else (THUMBNAIL_BOX.width(), THUMBNAIL_BOX.height())
        scale = min(THUMBNAIL_BOX.width() / width, THUMBNAIL_BOX.height() / height)
        sheet = QRectF(0, 0, width * scale, height * scale)
        sheet.moveCenter(cell.center())
        sheet.moveTop(cell.top() + 6 + (THUMBNAIL_BOX.height() - sheet.height()) / 2)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(sheet.adjusted(-4, -4, 4, 4), 3, 3)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 40))
        painter.drawRect(sheet.translated(1, 2))
        image = index.data(THUMBNAIL_ROLE)
        painter.fillRect(sheet, _PAPER)
        if isinstance(image, QImage):
            painter.drawImage(sheet, image)
        painter.setPen(_BORDER)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(sheet.adjusted(-0.5, -0.5, 0.5, 0.5))
        _paint_mark_dots(painter, sheet, index.data(MARKS_ROLE) or [])
        number = str(index.data())
        metrics = painter.fontMetrics()
        label = QRectF(0, 0, metrics.horizontalAdvance(number) + 10, metrics.height() + 2)
        label.moveCenter(cell.center())
        label.moveTop(sheet.bottom() + 5)
        if selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(label, label.height() / 2, label.height() / 2)
            painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
        else:
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
        painter.drawText(label, Qt.AlignmentFlag.AlignCenter, number)
        painter.restore()


class PageStrip(QListView):
    """Page thumbnails of a PdfView in a column; follows and drives its current page.

    Args:
        view: The viewer whose document and page it shows.
        parent: Parent widget.
    """

    def __init__(self, view: PdfView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view = view
        self._following = False
        self.thumbnails = PageThumbnailModel(self)
        self.setModel(self.thumbnails)
        self.setItemDelegate(_ThumbnailDelegate(self))
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.verticalScrollBar().setSingleStep(24)
        self.setAccessibleName("Page thumbnails")
        # Window, not Base: white sheets stand out on the panel colour of the theme.
        self.viewport().setBackgroundRole(QPalette.ColorRole.Window)
        self.clicked.connect(self._chosen)
        self.activated.connect(self._chosen)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)
        view.loaded.connect(self._loaded)
        view.pageChanged.connect(self.follow)
        if view.document is not None:
            self._loaded()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        scrollbar = self.verticalScrollBar().sizeHint().width()
        return QSize(_CELL.width() + scrollbar + 2 * self.frameWidth(), 480)

    def follow(self, page: int) -> None:
        """Select page's thumbnail and scroll it into view, without moving the viewer."""
        if not 1 <= page <= self.thumbnails.rowCount():
            return
        index = self.thumbnails.index(page - 1)
        self._following = True
        try:
            self.setCurrentIndex(index)
            self.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        finally:
            self._following = False

    def visible_rows(self) -> range:
        """Rows at least partly in view."""
        count = self.thumbnails.rowCount()
        if count == 0:
            return range(0)
        area = self.viewport().rect()
        first = self.indexAt(QPoint(area.center().x(), area.top() + 1))
        last = self.indexAt(QPoint(area.center().x(), area.bottom() - 1))
        top = first.row() if first.isValid() else 0
        bottom = last.row() if last.isValid() else count - 1
        return range(top, bottom + 1)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.thumbnails.shutdown()
        super().closeEvent(event)

    def _loaded(self) -> None:
        if self._view.is_page_rendered(self._view.current_page):
            self._attach()
        else:
            # Thumbnails would compete with the viewer's first page for the GIL: wait for it.
            self._view.pageRendered.connect(self._attach_once)

    def _attach_once(self) -> None:
        self._view.pageRendered.disconnect(self._attach_once)
        self._attach()

    def _attach(self) -> None:
        self.thumbnails.device_pixel_ratio = float(self.viewport().devicePixelRatioF())
        self.thumbnails.set_document(self._view.document)
        self.follow(self._view.current_page)

    def currentChanged(  # noqa: N802 - Qt override
        self,
        current: QModelIndex | QPersistentModelIndex,
        previous: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().currentChanged(current, previous)
        if (
            not self._following
            and current.isValid()
            and current.row() + 1 != self._view.current_page
        ):
            self._view.go_to_page(current.row() + 1)

    def _chosen(self, index: QModelIndex) -> None:
        if index.isValid():
            self._view.go_to_page(index.row() + 1)

    def _scrolled(self) -> None:
        rows = self.visible_rows()
        self.thumbnails.keep_only(range(max(rows.start - 2, 0), rows.stop + 2))
