"""The findings of the library as a table: number, title, status, corroboration, grade.

Rows are read on the read pool through the findings service and reloaded
when an operation announces that findings, marks or sources changed (the
corroboration badge depends on all three).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ui.desktop.app.controller import LibraryController
from ui.desktop.ops.changes import Changes
from workstation.findings.service import STATUSES, FindingService, FindingSummary

UUID_ROLE = Qt.ItemDataRole.UserRole + 40
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 41
STATUS_COLOURS = {
    "draft": "#9e9e9e",
    "in_review": "#f9a825",
    "confirmed": "#2e7d32",
    "rejected": "#c62828",
}
WIDE_PX = 560
COLUMNS = ("No.", "Title", "Status", "Corroboration", "Lowest grade", "Right of reply")

Index = QModelIndex | QPersistentModelIndex


def status_label(status: str) -> str:
    """``in_review`` as ``in review``."""
    return status.replace("_", " ")


def lowest_grade(grades: list[str | None]) -> str | None:
    """The weakest Admiralty grade among ``grades`` (``C3`` is weaker than ``B2``)."""
    known = [g for g in grades if g]
    return max(known, key=lambda g: (g[:1], g[1:])) if known else None


@dataclass(frozen=True)
class FindingRow:
    """One row of the table: the service's summary and the weakest evidence grade."""

    summary: FindingSummary
    lowest_grade: str | None


def load_rows(service: FindingService, session: Session, status: str | None) -> list[FindingRow]:
    """The findings (of one status, or all) with their weakest supporting grade."""
    rows = []
    for summary in service.list(session, status=status):
        details = service.show(session, summary.uuid)
        grades = [e.grade for e in details.evidence if e.role == "supports"]
        rows.append(FindingRow(summary, lowest_grade(grades)))
    return rows


class FindingListModel(QAbstractTableModel):
    """Findings matching a status, loaded off the GUI thread.

    Signals:
        loaded(int): a (re)load finished; how many findings are shown.
        loadFailed(str): a read failed; a one-line message.
    """

    loaded = Signal(int)
    loadFailed = Signal(str)

    def __init__(self, controller: LibraryController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.service = FindingService(controller.library)
        self.status: str | None = None
        self._rows: list[FindingRow] = []
        self._generation = 0

    def refresh(self) -> None:
        """Read the rows again; the old ones stay until the new ones arrive."""
        self._generation += 1
        generation = self._generation
        service, status = self.service, self.status

        def done(rows: list[FindingRow]) -> None:
            if generation != self._generation:
                return
            self.beginResetModel()
            self._rows = rows
            self.endResetModel()
            self.loaded.emit(len(rows))

        def failed(message: str) -> None:
            if generation == self._generation:
                self.loadFailed.emit(message)

        self.controller.query(lambda s: load_rows(service, s, status), done, on_error=failed)

    def row_at(self, row: int) -> FindingRow:
        """The finding shown on ``row``."""
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        item = row.summary
        if role == UUID_ROLE:
            return item.uuid
        if role == DETAIL_ROLE:
            grade = f"lowest {row.lowest_grade}" if row.lowest_grade else "ungraded"
            reply = "" if item.reply_status == "not sent" else f" · reply: {item.reply_status}"
            return f"{item.badge} · {status_label(item.status)} · {grade}{reply}"
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 0:
            return QColor(STATUS_COLOURS.get(item.status, "#9e9e9e"))
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                item.number,
                item.title,
                status_label(item.status),
                item.badge,
                row.lowest_grade or "—",
                item.reply_status,
            )
            return values[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [f"{item.number}: {item.title}", status_label(item.status), item.badge]
            parts.append(f"right of reply: {item.reply_status}")
            if item.category:
                parts.append(f"measure: {item.category}")
            if item.case:
                parts.append(f"case: {item.case}")
            return "\n".join(parts)
        return None


class FindingDelegate(QStyledItemDelegate):
    """The title column in a narrow dock: the title, and under it status, badge and grade."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        self.initStyleOption(option, index)
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        title = option.text
        option.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        ink = option.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        rect = option.rect.adjusted(4, 3, -4, -3)
        metrics = option.fontMetrics
        painter.save()
        painter.setPen(ink)
        painter.drawText(
            QRect(rect.left(), rect.top(), rect.width(), metrics.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(title, Qt.TextElideMode.ElideRight, rect.width()),
        )
        small = QFont(option.font)
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.9))
        painter.setFont(small)
        faint = QColor(ink)
        faint.setAlphaF(0.65)
        painter.setPen(faint)
        small_metrics = painter.fontMetrics()
        painter.drawText(
            QRect(
                rect.left(), rect.top() + metrics.height() + 2, rect.width(), small_metrics.height()
            ),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            small_metrics.elidedText(
                str(index.data(DETAIL_ROLE) or ""), Qt.TextElideMode.ElideRight, rect.width()
            ),
        )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        return QSize(120, option.fontMetrics.height() * 2 + 10)


class FindingsPanel(QWidget):
    """A status filter, a count and the findings table.

    Signals:
        findingActivated(str): a finding's uuid (double-clicked or Enter).
    """

    findingActivated = Signal(str)

    def __init__(self, controller: LibraryController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.model = FindingListModel(controller, self)
        self.status_box = QComboBox()
        self.status_box.setToolTip("Show findings in this state")
        self.status_box.addItem("All states", None)
        for status in STATUSES:
            self.status_box.addItem(status_label(status).capitalize(), status)
        self.count_label = QLabel("")
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # A dock is narrow on a laptop: the title column carries status, badge and
        # grade on a second line; the separate columns show when the dock is wide.
        self.view.setItemDelegateForColumn(1, FindingDelegate(self.view))
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() * 2 + 10)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._narrow = False
        self.view.doubleClicked.connect(self._activate)
        self.view.activated.connect(self._activate)
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.status_box, 1)
        filters.addWidget(self.count_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        self.status_box.currentIndexChanged.connect(self._filter_changed)
        self.model.loaded.connect(self._show_count)
        self.model.loadFailed.connect(self.count_label.setText)
        controller.changed.connect(self._changed)
        self.refresh()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        narrow = self.width() < WIDE_PX
        if narrow != self._narrow:
            self._narrow = narrow
            for column in range(2, len(COLUMNS)):
                self.view.setColumnHidden(column, narrow)

    def refresh(self) -> None:
        """Read the findings again."""
        self.count_label.setText("Loading…")
        self.model.refresh()

    def choose_status(self, status: str | None) -> None:
        """Show only findings in ``status`` (None: all)."""
        self.status_box.setCurrentIndex(max(0, self.status_box.findData(status)))

    def current_uuid(self) -> str | None:
        """The selected finding's uuid, if any."""
        current = self.view.currentIndex()
        return current.data(UUID_ROLE) if current.isValid() else None

    def _filter_changed(self) -> None:
        self.model.status = self.status_box.currentData()
        self.refresh()

    def _show_count(self, total: int) -> None:
        noun = "finding" if total == 1 else "findings"
        self.count_label.setText(f"{total:,} {noun}")

    def _activate(self, index: QModelIndex) -> None:
        if index.isValid():
            self.findingActivated.emit(index.data(UUID_ROLE))

    def _changed(self, changes: Changes) -> None:
        if changes.findings or changes.annotations or changes.sources or changes.source_set:
            self.refresh()
