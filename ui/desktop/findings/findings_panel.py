"""The findings of the library as a table: number, title, status, corroboration, grade.

Rows are read on the read pool through the findings service and reloaded
when an operation announces that findings, marks or sources changed (the
corroboration badge depends on all three). Filters by status, case and measure
combine, and are remembered in the app's settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
from ui.desktop.app.settings import FindingsFilter, Settings
from ui.desktop.ops.changes import Changes
from workstation.findings.details import FindingSummary
from workstation.findings.service import STATUSES, FindingService
from workstation.sources.cases import list_cases
from workstation.taxonomy.tree import CategoryNode, list_categories

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


@dataclass(frozen=True)
class FilterChoices:
    """What the case and measure filters offer: case names, and categories in tree order
    with the codes under each (a measure shows the findings of its sub-categories too)."""

    cases: list[str]
    measures: list[CategoryNode]
    under: dict[str, frozenset[str]] = field(default_factory=dict)


def load_choices(session: Session) -> FilterChoices:
    """The library's cases and categories, for the filters."""
    nodes = list_categories(session)
    under: dict[str, set[str]] = {n.code: {n.code} for n in nodes}
    for node in reversed(nodes):  # children come after their parent: fold them upwards
        if node.parent in under:
            under[node.parent] |= under[node.code]
    return FilterChoices(
        [case.name for case, _count in list_cases(session)],
        nodes,
        {code: frozenset(codes) for code, codes in under.items()},
    )


def load_rows(
    service: FindingService,
    session: Session,
    status: str | None,
    case: str | None = None,
    measures: frozenset[str] | None = None,
) -> list[FindingRow]:
    """The findings of a status, a case and any of ``measures`` (None: any), with their
    weakest supporting grade."""
    rows = []
    for summary in service.list(session, status=status, case=case):
        if measures is not None and summary.category not in measures:
            continue
        details = service.show(session, summary.uuid)
        grades = [e.grade for e in details.evidence if e.role == "supports"]
        rows.append(FindingRow(summary, lowest_grade(grades)))
    return rows


class FindingListModel(QAbstractTableModel):
    """Findings matching a status, a case and a measure, loaded off the GUI thread.

    Attributes:
        status: the state shown (None: all).
        case: the case name (None: all).
        measures: the category codes shown (None: all).

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
        self.case: str | None = None
        self.measures: frozenset[str] | None = None
        self._rows: list[FindingRow] = []
        self._generation = 0

    def refresh(self) -> None:
        """Read the rows again; the old ones stay until the new ones arrive."""
        self._generation += 1
        generation = self._generation
        service, status, case, measures = self.service, self.status, self.case, self.measures

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

        self.controller.query(
            lambda s: load_rows(service, s, status, case, measures), done, on_error=failed
        )

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
    """Filters (status, case, measure), a count and the findings table.

    Args:
        controller: reads the findings.
        parent: the dock.
        settings: where the filters are remembered (None: they are not).

    Signals:
        findingActivated(str): a finding's uuid (double-clicked or Enter).
    """

    findingActivated = Signal(str)

    def __init__(
        self,
        controller: LibraryController,
        parent: QWidget | None = None,
        *,
        settings: Settings | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.settings = settings
        self.choices = FilterChoices([], [])
        self._filling = True
        self.model = FindingListModel(controller, self)
        self.status_box = QComboBox()
        self.status_box.setToolTip("Show findings in this state")
        self.status_box.addItem("All states", "")
        for status in STATUSES:
            self.status_box.addItem(status_label(status).capitalize(), status)
        self.case_box = QComboBox()
        self.case_box.setToolTip("Show findings of this case")
        self.measure_box = QComboBox()
        self.measure_box.setToolTip("Show findings of this measure (and the measures under it)")
        for box in (self.case_box, self.measure_box):
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.setMinimumContentsLength(8)
        self.case_box.addItem("All cases", "")
        self.measure_box.addItem("All measures", "")
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
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.status_box, 1)
        top.addWidget(self.count_label, 1)
        second = QHBoxLayout()
        second.setContentsMargins(0, 0, 0, 0)
        second.addWidget(self.case_box, 1)
        second.addWidget(self.measure_box, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addLayout(second)
        layout.addWidget(self.view, 1)
        remembered = settings.findings_filter if settings is not None else FindingsFilter()
        self._wanted: FindingsFilter | None = (
            remembered  # the case and measure are chosen once their lists come
        )
        self._choose(self.status_box, remembered.status)
        self.model.status = self.status_box.currentData() or None
        for box in (self.status_box, self.case_box, self.measure_box):
            box.currentIndexChanged.connect(self._filter_changed)
        self.model.loaded.connect(self._show_count)
        self.model.loadFailed.connect(self.count_label.setText)
        controller.changed.connect(self._changed)
        self._filling = False
        self._load_choices()

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

    @property
    def filter(self) -> FindingsFilter:
        """The filters as chosen ('' for all)."""
        return FindingsFilter(
            self.status_box.currentData() or "",
            self.case_box.currentData() or "",
            self.measure_box.currentData() or "",
        )

    def choose_status(self, status: str | None) -> None:
        """Show only findings in ``status`` (None: all)."""
        self.status_box.setCurrentIndex(max(0, self.status_box.findData(status or "")))

    def choose_case(self, case: str | None) -> None:
        """Show only findings of ``case`` (None: all)."""
        self.case_box.setCurrentIndex(max(0, self.case_box.findData(case or "")))

    def choose_measure(self, code: str | None) -> None:
        """Show only findings of the measure ``code`` and those under it (None: all)."""
        self.measure_box.setCurrentIndex(max(0, self.measure_box.findData(code or "")))

    def current_uuid(self) -> str | None:
        """The selected finding's uuid, if any."""
        current = self.view.currentIndex()
        return current.data(UUID_ROLE) if current.isValid() else None

    @staticmethod
    def _choose(box: QComboBox, value: str) -> None:
        box.setCurrentIndex(max(0, box.findData(value)))

    def _load_choices(self) -> None:
        self.controller.query(load_choices, self._fill_choices, on_error=self.count_label.setText)

    def _fill_choices(self, choices: FilterChoices) -> None:
        wanted = self._wanted or self.filter
        self._wanted = None
        self.choices = choices
        self._filling = True
        self.case_box.clear()
        self.case_box.addItem("All cases", "")
        for name in choices.cases:
            self.case_box.addItem(name, name)
        self.measure_box.clear()
        self.measure_box.addItem("All measures", "")
        for node in choices.measures:
            self.measure_box.addItem("  " * node.depth + node.label, node.code)
            self.measure_box.setItemData(
                self.measure_box.count() - 1, node.code, Qt.ItemDataRole.ToolTipRole
            )
        # A case or measure since removed falls back to all.
        self._choose(self.case_box, wanted.case)
        self._choose(self.measure_box, wanted.measure)
        self._filling = False
        self._filter_changed()

    def _filter_changed(self) -> None:
        if self._filling:
            return
        chosen = self.filter
        self.model.status = chosen.status or None
        self.model.case = chosen.case or None
        self.model.measures = (
            self.choices.under.get(chosen.measure, frozenset({chosen.measure}))
            if chosen.measure
            else None
        )
        if self.settings is not None:
            self.settings.findings_filter = chosen
        self.refresh()

    def _show_count(self, total: int) -> None:
        noun = "finding" if total == 1 else "findings"
        narrowed = self.filter != FindingsFilter()
        self.count_label.setText(f"{total:,} {noun}" + (" (filtered)" if narrowed else ""))

    def _activate(self, index: QModelIndex) -> None:
        if index.isValid():
            self.findingActivated.emit(index.data(UUID_ROLE))

    def _changed(self, changes: Changes) -> None:
        if changes.taxonomy or changes.source_set:
            self._load_choices()  # reloads the rows too
        elif changes.findings or changes.annotations or changes.sources:
            self.refresh()
