"""The left side of the window: cases, filters and the source list.

Signals:
    openRequested(int): open a source in the current pane (double-click, Enter).
    currentSourceChanged(int): the selected source changed (for the inspector).
    importRequested(): the start page's Import Files… was pressed.
    demoRequested(): the start page's Open the Demo Library was pressed.

An empty library shows a start page instead of an empty list: what to do first,
and where the library lives.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ui.desktop.app.controller import LibraryController
from ui.desktop.library.source_list_model import THUMB_PX, SourceListModel
from workstation.sources.cases import list_cases

ALL_CASES = "All sources"
KINDS = [
    ("All types", ""),
    ("PDF reports", "pdf"),
    ("Images", "image"),
    ("Articles", "article"),
    ("Text", "text"),
    ("E-mail", "email"),
]


# Below this width the list shows title, date and marks only.
NARROW_LIST_PX = 380
OPTIONAL_COLUMNS = (2, 4)  # Grade, Pages
COMPACT_ICON_PX = 16


class SourceTable(QTableView):
    """The source list: Enter opens, drag starts a source drag.

    In a narrow dock (a laptop screen) the Grade and Pages columns step aside so
    the titles keep room; they come back when the dock is widened.
    """

    openRequested = Signal(int)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fit_columns()

    def fit_columns(self) -> None:
        """Hide the optional columns in a narrow list, show them in a wide one."""
        narrow = self.viewport().width() < NARROW_LIST_PX
        for column in OPTIONAL_COLUMNS:
            if self.isColumnHidden(column) != narrow:
                self.setColumnHidden(column, narrow)

    def keyPressEvent(self, event: object) -> None:  # noqa: N802
        assert isinstance(event, QKeyEvent)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            idx = self.currentIndex()
            if idx.isValid():
                model = self.model()
                assert isinstance(model, SourceListModel)
                self.openRequested.emit(model.source_id_at(idx.row()))
                return
        super().keyPressEvent(event)


class StartPage(QFrame):
    """What an empty library shows: import, or look at the demo first."""

    def __init__(self, library_root: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        heading = QLabel("<b>This library is empty</b>")
        text = QLabel(
            "Import the evidence you are reviewing (PDF reports, images, saved web pages, "
            "text, e-mail), or drop files on the window. New here? The demo library holds "
            "an invented case with marks and findings to try everything on."
        )
        text.setWordWrap(True)
        self.import_button = QPushButton("Import Files…")
        self.demo_button = QPushButton("Open the Demo Library")
        self.where = where = QLabel(f"This library lives in {library_root}")
        where.setWordWrap(True)
        where.setEnabled(False)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(text)
        layout.addWidget(self.import_button)
        layout.addWidget(self.demo_button)
        layout.addWidget(where)
        layout.addStretch(1)


class LibraryPanel(QWidget):
    """Cases, filters and the lazy source list."""

    openRequested = Signal(int)
    currentSourceChanged = Signal(int)
    importRequested = Signal()
    demoRequested = Signal()

    def __init__(self, controller: LibraryController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.model = SourceListModel(controller, self)

        self.case_box = QComboBox()
        self.case_box.setToolTip("Show the sources of one case")
        self.kind_box = QComboBox()
        for label, value in KINDS:
            self.kind_box.addItem(label, value)
        self.kind_box.setToolTip("Show one type of source")
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by title…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setToolTip("Show sources whose title or file name contains this text")

        self.table = SourceTable()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setDragEnabled(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.show_thumbnails(False)
        self.reset_columns()
        self.table.doubleClicked.connect(self._open_index)
        self.table.openRequested.connect(self.openRequested)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.case_box, 3)
        filters.addWidget(self.kind_box, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        layout.addWidget(self.filter_edit)
        self.start_page = StartPage(str(controller.library.root))
        self.start_page.import_button.clicked.connect(self.importRequested)
        self.start_page.demo_button.clicked.connect(self.demoRequested)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.table)
        self.pages.addWidget(self.start_page)
        layout.addWidget(self.pages, 1)
        self.model.refreshed.connect(self._show_start_page)

        self.reload_cases()
        self.case_box.currentIndexChanged.connect(self._apply_filter)
        self.kind_box.currentIndexChanged.connect(self._apply_filter)
        self.filter_edit.textChanged.connect(self._apply_filter)
        controller.sourcesChanged.connect(self.reload)
        controller.sourceEdited.connect(self.model.invalidate)

    def show_thumbnails(self, on: bool) -> None:
        """Tall rows with page thumbnails, or compact rows with a kind icon (default):
        compact, a laptop's list shows twice as many titles."""
        self.model.set_thumbnails(on)
        icon_px = THUMB_PX if on else COMPACT_ICON_PX
        self.table.setIconSize(QSize(icon_px, icon_px))
        row = max(icon_px, self.fontMetrics().height()) + 6
        self.table.verticalHeader().setMinimumSectionSize(row)
        self.table.verticalHeader().setDefaultSectionSize(row)

    def reset_columns(self) -> None:
        """Every column shown at its starting width, the title taking the rest."""
        header = self.table.horizontalHeader()
        # Fixed widths: ResizeToContents would ask the model for every row
        # (160,000 data() calls at 10,000 sources before the first paint).
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        metrics = self.fontMetrics()
        for col, sample in ((1, "2025-05-20"), (2, "Grade"), (3, "Marks"), (4, "2000×1500")):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, metrics.horizontalAdvance(sample) + 18)
            if col not in OPTIONAL_COLUMNS:
                self.table.setColumnHidden(col, False)
        self.table.fit_columns()

    def _show_start_page(self) -> None:
        """The start page when the library has no source at all (not: none passes
        the filter), else the list."""
        unfiltered = not (
            self.case_box.currentData() or self.kind_box.currentData() or self.filter_edit.text()
        )
        empty = unfiltered and self.model.rowCount() == 0
        self.pages.setCurrentWidget(self.start_page if empty else self.table)

    @property
    def showing_start_page(self) -> bool:
        """Whether the start page is shown instead of the list."""
        return self.pages.currentWidget() is self.start_page

    def reload_cases(self) -> None:
        """Re-read the case list (on the read pool), keeping the chosen case."""
        self.controller.query(
            lambda session: [(case.name, count) for case, count in list_cases(session)],
            self._fill_cases,
        )

    def _fill_cases(self, cases: list[tuple[str, int]]) -> None:
        if not isValid(self.case_box):
            return
        current = self.case_box.currentData()
        self.case_box.blockSignals(True)
        self.case_box.clear()
        self.case_box.addItem(ALL_CASES, "")
        for name, count in cases:
            self.case_box.addItem(f"{name} ({count})", name)
        found = self.case_box.findData(current)
        self.case_box.setCurrentIndex(max(found, 0))
        self.case_box.blockSignals(False)

    def reload(self) -> None:
        """After an import: cases and rows, keeping the selected source."""
        keep = self.current_source_id()
        self.reload_cases()
        self.model.refresh()
        if keep is not None:
            self.select_source(keep)

    def _apply_filter(self) -> None:
        self.model.set_filter(
            kind=self.kind_box.currentData(),
            case=self.case_box.currentData(),
            text=self.filter_edit.text().strip(),
        )

    def current_source_id(self) -> int | None:
        """The selected source, if any."""
        idx = self.table.currentIndex()
        return self.model.source_id_at(idx.row()) if idx.isValid() else None

    def selected_source_ids(self) -> list[int]:
        """Every selected source (Ctrl/Shift+click), in list order."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.source_id_at(r) for r in rows]

    def select_source(self, source_id: int) -> None:
        """Select and scroll to a source when it passes the filter."""
        row = self.model.row_of(source_id)
        if row is not None:
            idx = self.model.index(row, 0)
            self.table.setCurrentIndex(idx)
            self.table.scrollTo(idx)

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.openRequested.emit(self.model.source_id_at(index.row()))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.currentSourceChanged.emit(self.model.source_id_at(current.row()))
