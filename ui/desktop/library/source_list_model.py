"""Item model of the library's source list: ids up front, rows on demand.

The model holds the ordered ids of every source that passes the filter
(cheap even at 100,000) and fetches row data in blocks for what the view
asks about, on the read pool, keeping a bounded cache: a row not yet read
shows blank for the moment its block takes and arrives with a dataChanged.
Thumbnails load on a pool thread the same way.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from sqlalchemy.orm import Session

from ui.desktop.app.controller import LibraryController
from ui.desktop.widgets.icons import kind_icon
from workstation.sources.lookup import SourceListItem, rows_for, source_ids

SOURCE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
MIME_SOURCES = "application/x-workstation-source-ids"
BLOCK = 100
CACHE_ROWS = 5000
THUMB_PX = 40

COLUMNS = ("Title", "Date", "Grade", "Marks", "Pages")
SORT_FOR_COLUMN = {0: "title", 1: "published", 2: "grade", 3: "imported", 4: "imported"}

Index = QModelIndex | QPersistentModelIndex


class _ThumbSignals(QObject):
    loaded = Signal(str, QImage)


class SourceListModel(QAbstractTableModel):
    """Lazy table of sources; see the module docstring.

    Signals:
        refreshed(): the ids were read again and the model reset.
    """

    refreshed = Signal()

    def __init__(self, controller: LibraryController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._ids: list[int] = []
        self._row_of: dict[int, int] = {}
        self._cache: OrderedDict[int, SourceListItem] = OrderedDict()
        self.thumbnails_shown = True
        self._thumbs: OrderedDict[str, QPixmap] = OrderedDict()
        self._thumbs_pending: set[str] = set()
        self._thumb_signals = _ThumbSignals()
        self._thumb_signals.loaded.connect(self._thumb_loaded)
        self._filter: dict[str, Any] = {}
        self._sort = ("imported", False)
        self._generation = 0
        self._blocks_pending: set[int] = set()
        self._edits = 0  # counts invalidate() calls
        self._edited_at: dict[int, int] = {}  # source id -> the count at its last edit
        self.refresh()

    # --- loading -----------------------------------------------------------

    def set_filter(
        self, *, kind: str | None = None, case: str | None = None, text: str | None = None
    ) -> None:
        """Show only sources of this kind / case / with this text in the title."""
        self._filter = {"kind": kind or None, "case": case or None, "text": text or None}
        self.refresh()

    def refresh(self) -> None:
        """Re-read the ordered ids (after an import or a filter change), on the read pool.

        Signals ``modelReset`` when they arrive; the rows shown stay until then.
        """
        self._generation += 1
        generation = self._generation
        sort, descending = self._sort
        wanted = dict(self._filter)

        def read(session: Session) -> list[int]:
            return source_ids(session, sort=sort, descending=descending, **wanted)

        def arrived(ids: list[int]) -> None:
            if generation != self._generation:
                return  # a newer filter or sort was asked for meanwhile
            self.beginResetModel()
            self._ids = ids
            self._row_of = {sid: row for row, sid in enumerate(ids)}
            self._cache.clear()
            self._blocks_pending.clear()
            self.endResetModel()
            self.refreshed.emit()

        self.controller.query(read, arrived)

    def detach(self) -> None:
        """Show nothing (the library is about to close)."""
        self._generation += 1
        self._blocks_pending.clear()
        self.beginResetModel()
        self._ids = []
        self._row_of = {}
        self._cache.clear()
        self.endResetModel()

    def source_id_at(self, row: int) -> int:
        """The source id shown on ``row``."""
        return self._ids[row]

    def row_of(self, source_id: int) -> int | None:
        """The row that shows ``source_id``, if it passes the filter."""
        return self._row_of.get(source_id)

    def item(self, row: int) -> SourceListItem | None:
        """Row data when cached; else None, and its block is read on the read pool."""
        sid = self._ids[row]
        found = self._cache.get(sid)
        if found is not None:
            self._cache.move_to_end(sid)
            return found
        self._fetch_block(row // BLOCK * BLOCK)
        return None

    def _fetch_block(self, start: int) -> None:
        if start in self._blocks_pending:
            return
        self._blocks_pending.add(start)
        generation = self._generation
        asked_at = self._edits
        block = self._ids[start : start + BLOCK]

        def arrived(fetched: dict[int, SourceListItem]) -> None:
            if generation != self._generation:
                return  # the ids were read again meanwhile: these rows moved
            self._blocks_pending.discard(start)
            for sid in [s for s in fetched if self._edited_at.get(s, 0) > asked_at]:
                del fetched[sid]  # read before its edit: the repaint asks again
            self._cache.update(fetched)
            while len(self._cache) > CACHE_ROWS:
                self._cache.popitem(last=False)
            last = min(start + len(block), len(self._ids)) - 1
            if last >= start:
                self.dataChanged.emit(self.index(start, 0), self.index(last, len(COLUMNS) - 1))

        def failed(message: str) -> None:
            # The block stays marked: asked again at the next refresh, not at every paint.
            self.controller.errorOccurred.emit(message)

        self.controller.query(lambda session: rows_for(session, block), arrived, on_error=failed)

    def invalidate(self, source_id: int) -> None:
        """Forget a cached row (after an edit) and repaint it.

        A block read before the edit may still be on its way: its copy of this
        row is dropped when it arrives, and the row is read again.
        """
        self._edits += 1
        self._edited_at[source_id] = self._edits
        self._cache.pop(source_id, None)
        row = self._row_of.get(source_id)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    # --- Qt model API --------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == SOURCE_ID_ROLE:
            return self._ids[row]
        item = self.item(row)
        if item is None:
            return None
        if role == KIND_ROLE:
            return item.kind
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, col)
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return self._decoration(item)
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            flags = f"\nFlags: {', '.join(item.flags)}" if item.flags else ""
            extent = f"{item.extent}, " if item.extent else ""
            return f"{item.title}\n{item.kind}, {extent}SHA-256 {item.sha256[:16]}…{flags}"
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 2:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    @staticmethod
    def _display(item: SourceListItem, col: int) -> str:
        if col == 0:
            return item.title
        if col == 1:
            return (item.published or "")[:10]
        if col == 2:
            return item.grade or ""
        if col == 3:
            return str(item.annotations) if item.annotations else ""
        if item.pixels is not None:
            return f"{item.pixels[0]}×{item.pixels[1]}"
        return str(item.pages) if item.pages else ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_FOR_COLUMN.get(column, "imported")
        self._sort = (key, order == Qt.SortOrder.DescendingOrder)
        self.refresh()

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [MIME_SOURCES]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:  # noqa: N802
        ids = sorted({self._ids[i.row()] for i in indexes if i.isValid()})
        mime = QMimeData()
        mime.setData(MIME_SOURCES, json.dumps(ids).encode())
        return mime

    # --- thumbnails ----------------------------------------------------------

    def set_thumbnails(self, on: bool) -> None:
        """Thumbnails (on) or kind icons (off: compact rows, nothing to load)."""
        if on != self.thumbnails_shown:
            self.thumbnails_shown = on
            if self.rowCount():
                self.dataChanged.emit(
                    self.index(0, 0),
                    self.index(self.rowCount() - 1, 0),
                    [Qt.ItemDataRole.DecorationRole],
                )

    def _decoration(self, item: SourceListItem) -> QIcon | QPixmap:
        if item.thumbnail and self.thumbnails_shown:
            pixmap = self._thumbs.get(item.sha256)
            if pixmap is not None:
                return pixmap
            self._request_thumb(item)
        return kind_icon(item.kind)

    def _request_thumb(self, item: SourceListItem) -> None:
        if item.sha256 in self._thumbs_pending or not item.thumbnail:
            return
        self._thumbs_pending.add(item.sha256)
        path = self.controller.library.root / item.thumbnail
        sha = item.sha256
        signals = self._thumb_signals

        def load() -> None:
            image = QImage(str(Path(path)))
            if not image.isNull():
                image = _square(image)
            signals.loaded.emit(sha, image)

        self.controller.run(load)

    def _thumb_loaded(self, sha: str, image: QImage) -> None:
        self._thumbs_pending.discard(sha)
        if image.isNull():
            return
        self._thumbs[sha] = QPixmap.fromImage(image)
        while len(self._thumbs) > CACHE_ROWS:
            self._thumbs.popitem(last=False)
        for sid, item in self._cache.items():
            if item.sha256 == sha:
                row = self._row_of.get(sid)
                if row is not None:
                    idx = self.index(row, 0)
                    self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DecorationRole])
                break


def _square(image: QImage) -> QImage:
    """The thumbnail scaled into a THUMB_PX square, centred on a clear ground, so a
    tall page and a wide photo take the room of a type icon and titles line up."""
    scaled = image.scaled(
        THUMB_PX,
        THUMB_PX,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    square = QImage(THUMB_PX, THUMB_PX, QImage.Format.Format_ARGB32_Premultiplied)
    square.fill(Qt.GlobalColor.transparent)
    painter = QPainter(square)
    painter.drawImage((THUMB_PX - scaled.width()) // 2, (THUMB_PX - scaled.height()) // 2, scaled)
    painter.end()
    return square
