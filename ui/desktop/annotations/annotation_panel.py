"""The annotations of one source (or of the whole library) as a filterable list.

One source's annotations are read at once (thousands are fine); the
library-wide list is counted and read a block at a time as the view scrolls,
so a million annotations never load together. Reads run on the read pool;
rows are drawn from the loaded data, with no query per row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QIcon, QKeyEvent, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ui.desktop.app.controller import LibraryController
from workstation.annotations.anchors import AnnotationData, PageAnchor, RegionAnchor, TextAnchor
from workstation.annotations.queries import (
    AnnotationFilter,
    annotation_authors,
    annotation_page,
    count_annotations,
    source_titles,
)
from workstation.geo.labels import geometry_label
from workstation.taxonomy.tree import CategoryNode, list_categories

ANNOTATION_ROLE = Qt.ItemDataRole.UserRole + 30
UUID_ROLE = Qt.ItemDataRole.UserRole + 31
PAGE_ROLE = Qt.ItemDataRole.UserRole + 32
COLOURS_ROLE = Qt.ItemDataRole.UserRole + 33
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 34

BLOCK = 2000
NOTE_PREVIEW = 80
NO_COLOUR = "#9e9e9e"
BAR_PX = 5

Index = QModelIndex | QPersistentModelIndex


def page_of(data: AnnotationData) -> int:
    """The 1-based page an annotation sits on (1 for an image, which has no pages)."""
    return data.anchor.page or 1


def _size(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


REGION_NAME_MAX = 60


def region_size(anchor: RegionAnchor) -> str:
    """How big a region is, in its source's units: ``218 × 372 px``."""
    _, _, width, height = anchor.bbox
    unit = "px" if anchor.page is None else "pt"
    return f"{_size(width)} × {_size(height)} {unit}"


def summary(data: AnnotationData, label_of: Callable[[str], str] | None = None) -> str:
    """The first line of a row: the quote; a region by its note, else its categories
    (``label_of`` names them), and where it is; or the whole page."""
    anchor = data.anchor
    if isinstance(anchor, TextAnchor):
        return "“" + " ".join(anchor.exact.split()) + "”"
    if isinstance(anchor, RegionAnchor):
        shape = {"rect": "region", "polygon": "polygon", "points": f"{len(anchor.points)} counted"}
        where = shape[anchor.shape] + ("" if anchor.page is None else f" on page {anchor.page}")
        note = " ".join((data.note or "").split())
        if note:
            name = note if len(note) <= REGION_NAME_MAX else note[: REGION_NAME_MAX - 1] + "…"
        elif data.categories:
            name = ", ".join(label_of(c) if label_of else c for c in data.categories)
        else:
            name = "Uncategorised"
        return f"{name} — {where}"
    assert isinstance(anchor, PageAnchor)
    return f"Whole page {anchor.page}"


def short_date(stamp: str) -> str:
    """``2024-03-15T09:30:00Z`` as ``2024-03-15 09:30`` (as stored, in UTC)."""
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp[:16]
    return when.strftime("%Y-%m-%d %H:%M")


def detail(data: AnnotationData, source_title: str | None = None) -> str:
    """The second line of a row: categories · source (library-wide) · note · author · date."""
    tags = ", ".join(data.categories)
    if data.redact:
        tags = "REDACT on export" + (f" · {tags}" if tags else "")
    parts = [tags or "no category"]
    if source_title:
        parts.append(source_title if len(source_title) <= 40 else source_title[:39] + "…")
    if data.note:
        note = " ".join(data.note.split())
        parts.append(note if len(note) <= NOTE_PREVIEW else note[: NOTE_PREVIEW - 1] + "…")
    parts.append(data.author or "?")
    parts.append(short_date(data.created))
    return " · ".join(parts)


class AnnotationListModel(QAbstractListModel):
    """Annotations matching a filter, loaded off the GUI thread.

    With a source in the filter every match is read in one go; without one,
    the count and the first block come first and ``fetchMore`` reads the next
    block of ``block`` rows (``BLOCK`` unless changed before a refresh).

    Signals:
        loaded(int): a (re)load finished; how many annotations match in all.
        loadFailed(str): a read failed; a one-line message.
    """

    loaded = Signal(int)
    loadFailed = Signal(str)

    def __init__(self, controller: LibraryController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._filter = AnnotationFilter()
        self._rows: list[AnnotationData] = []
        self._uuids: set[str] = set()
        self._total = 0
        self._colours: dict[str, str | None] = {}
        self._labels: dict[str, str] = {}
        self._titles: dict[str, str] = {}  # source SHA-256 -> title, library-wide lists only
        self._generation = 0
        self._fetching = False
        self._loading = False
        self.block = BLOCK

    # --- loading -----------------------------------------------------------

    @property
    def annotation_filter(self) -> AnnotationFilter:
        """The filter the rows match."""
        return self._filter

    @property
    def total(self) -> int:
        """How many annotations match (loaded or not)."""
        return self._total

    @property
    def loading(self) -> bool:
        """Whether a (re)load is under way."""
        return self._loading

    @property
    def paged(self) -> bool:
        """Whether rows come in blocks (library-wide) rather than all at once."""
        return self._filter.source_id is None

    def set_filter(self, flt: AnnotationFilter) -> None:
        """Show the annotations matching ``flt`` (reloads)."""
        self._filter = flt
        self.refresh()

    def refresh(self) -> None:
        """Read the rows again; the old ones stay shown until the new ones arrive."""
        self._generation += 1
        generation = self._generation
        self._loading = True
        self._fetching = True
        flt = self._filter
        block = self.block

        def load(
            session: Session,
        ) -> tuple[list[CategoryNode], int, list[AnnotationData], dict[str, str]]:
            categories = list_categories(session, include_deprecated=True)
            if flt.source_id is not None:
                rows = annotation_page(session, flt)
                return categories, len(rows), rows, {}
            total = count_annotations(session, flt)
            rows = annotation_page(session, flt, 0, block)
            return categories, total, rows, source_titles(session, rows)

        def done(result: Any) -> None:
            if generation != self._generation:
                return
            categories, total, rows, titles = result
            self._colours = {c.code: c.display_colour for c in categories}
            self._labels = {c.code: c.label for c in categories}
            self.beginResetModel()
            self._titles = dict(titles)
            self._rows = list(rows)
            self._uuids = {r.uuid for r in rows}
            self._total = max(total, len(rows))
            self._fetching = self._loading = False
            self.endResetModel()
            self.loaded.emit(self._total)

        self.controller.query(load, done, on_error=self._failed(generation))

    def _failed(self, generation: int) -> Any:
        def failed(message: str) -> None:
            if generation == self._generation:
                self._fetching = self._loading = False
                self.loadFailed.emit(message)

        return failed

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        if parent.isValid():
            return False
        return self.paged and not self._loading and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802
        if parent.isValid() or self._fetching or not self.canFetchMore():
            return
        self._fetching = True
        generation = self._generation
        flt = self._filter
        after = self._rows[-1].uuid if self._rows else None
        block = self.block

        def load(session: Session) -> tuple[list[AnnotationData], dict[str, str]]:
            # Continue after the last row shown: as quick deep in a million rows as
            # at the top, and rows added or deleted above do not shift the blocks.
            rows = annotation_page(session, flt, limit=block, after=after)
            return rows, source_titles(session, rows)

        def done(result: Any) -> None:
            if generation != self._generation:
                return
            rows, titles = result
            self._titles.update(titles)
            self._fetching = False
            # A row can still come twice (edited into a later place meanwhile): skip repeats.
            fresh = [r for r in rows if r.uuid not in self._uuids]
            if not rows:
                self._total = len(self._rows)  # fewer than counted now: stop asking
                return
            if fresh:
                first = len(self._rows)
                self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
                self._rows.extend(fresh)
                self._uuids.update(r.uuid for r in fresh)
                self.endInsertRows()

        self.controller.query(load, done, on_error=self._failed(generation))

    # --- access ---------------------------------------------------------------

    def annotation_at(self, row: int) -> AnnotationData:
        """The annotation shown on ``row``."""
        return self._rows[row]

    def row_of(self, annotation_uuid: str) -> int | None:
        """The row of an annotation, if it is loaded."""
        if annotation_uuid not in self._uuids:
            return None
        return next(i for i, r in enumerate(self._rows) if r.uuid == annotation_uuid)

    def label_of(self, code: str) -> str:
        """A category's label (its code when unknown)."""
        return self._labels.get(code, code)

    def colour_of(self, code: str) -> str:
        """A category's display colour (grey when it has none)."""
        return self._colours.get(code) or NO_COLOUR

    # --- Qt model API ---------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return summary(item, self.label_of)
        if role == DETAIL_ROLE:
            # Library-wide, a row also says which source it is on (after the categories,
            # which must stay in view).
            return detail(item, self._titles.get(item.source_sha256))
        if role == UUID_ROLE:
            return item.uuid
        if role == PAGE_ROLE:
            return page_of(item)
        if role == ANNOTATION_ROLE:
            return item
        if role == COLOURS_ROLE:
            return [self.colour_of(c) for c in item.categories] or [NO_COLOUR]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item)
        return None

    def _tooltip(self, item: AnnotationData) -> str:
        lines = [summary(item, self.label_of)[:500]]
        if isinstance(item.anchor, RegionAnchor):
            lines.append(region_size(item.anchor))
        place = geometry_label(item.geo)
        if place:
            lines.append(f"Centre: {place}")
        lines += [f"• {self._labels.get(c, c)} ({c})" for c in item.categories]
        if item.note:
            lines.append(item.note[:500])
        lines.append(f"{item.author}, {short_date(item.created)}")
        if item.redact:
            lines.append("Marked for redaction")
        return "\n".join(lines)


MIN_ROW_PX = 120


class AnnotationDelegate(QStyledItemDelegate):
    """Draws a row: category colour bar, the quote or region, and a detail line."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        self.initStyleOption(option, index)
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        first = option.text
        option.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        rect = option.rect
        painter.save()
        colours: list[str] = index.data(COLOURS_ROLE) or [NO_COLOUR]
        bar_height = (rect.height() - 4) / len(colours)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        bar = QRect(rect.left() + 3, rect.top() + 2, BAR_PX, rect.height() - 4)
        if selected:
            # A light rim keeps a blue category apart from the selection colour.
            painter.fillRect(bar.adjusted(-1, -1, 1, 1), QColor(255, 255, 255, 220))
        for i, colour in enumerate(colours):
            top = bar.top() + round(i * bar_height)
            bottom = bar.top() + round((i + 1) * bar_height)
            painter.fillRect(QRect(bar.left(), top, BAR_PX, bottom - top), QColor(colour))
        ink = option.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        metrics = option.fontMetrics
        line = metrics.height()
        left = rect.left() + BAR_PX + 10
        width = rect.right() - left - 6
        data = index.data(ANNOTATION_ROLE)
        on_page = getattr(getattr(data, "anchor", None), "page", None)
        page = f"p. {index.data(PAGE_ROLE)}" if on_page is not None else ""
        page_width = metrics.horizontalAdvance(page) + 8 if page else 0
        painter.setPen(ink)
        painter.drawText(
            QRect(left, rect.top() + 4, width - page_width, line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(first, Qt.TextElideMode.ElideRight, width - page_width),
        )
        faint = QColor(ink)
        faint.setAlphaF(0.6)
        painter.setPen(faint)
        painter.drawText(
            QRect(left + width - page_width, rect.top() + 4, page_width, line),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            page,
        )
        small = QFont(option.font)
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.9))
        painter.setFont(small)
        small_metrics = painter.fontMetrics()
        painter.drawText(
            QRect(left, rect.top() + 6 + line, width, small_metrics.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            small_metrics.elidedText(
                str(index.data(DETAIL_ROLE) or ""), Qt.TextElideMode.ElideRight, width
            ),
        )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        # Narrow on purpose: the view widens rows to its own width, and a wider hint
        # pushed the page number past the right edge of a narrow dock.
        return QSize(MIN_ROW_PX, option.fontMetrics.height() * 2 + 12)


def _swatch(colour: str | None) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(colour or NO_COLOUR))
    return QIcon(pixmap)


class AnnotationPanel(QWidget):
    """Filters, a count and the annotation list of one source or the library.

    Signals:
        annotationActivated(str, int): an annotation's uuid and its 1-based
            page (clicked, or Enter pressed on it).
        deleteRequested(str): the reviewer asked to delete this annotation.
        noteRequested(str): the reviewer asked to edit this annotation's note.
        redactToggled(str, bool): "redact on export" set (True) or cleared.
        entitiesRequested(str): the reviewer asked to see or link this
            annotation's entities.
        categoriesChanged(str, object): the annotation's uuid and the list of
            category codes it should now carry (one added or one removed).
        addCategoryRequested(str): the reviewer asked to tag this annotation with
            one more category (the window opens the picker).
        findingRequested(object): the reviewer asked to add these annotations (a list
            of uuids: the selection, or the one right-clicked) to a finding.
        currentMarkChanged(str): the reviewer selected an annotation in the list.
    """

    categoriesChanged = Signal(str, object)
    addCategoryRequested = Signal(str)
    annotationActivated = Signal(str, int)
    deleteRequested = Signal(str)
    noteRequested = Signal(str)
    redactToggled = Signal(str, bool)
    entitiesRequested = Signal(str)
    findingRequested = Signal(object)
    currentMarkChanged = Signal(str)

    def __init__(
        self,
        controller: LibraryController,
        source_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self._source_id = source_id
        self._filling = False
        self.model = AnnotationListModel(controller, self)
        self.category_box = QComboBox()
        self.category_box.setToolTip("Show marks in this category (and its sub-categories)")
        self.category_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.category_box.setMinimumContentsLength(12)
        self.author_box = QComboBox()
        self.author_box.setToolTip("Show marks by this reviewer")
        self.author_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.author_box.setMinimumContentsLength(8)
        self.category_box.addItem("All categories", None)
        self.author_box.addItem("All authors", None)
        self.count_label = QLabel("")
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(AnnotationDelegate(self.view))
        self.view.setUniformItemSizes(True)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Ctrl/Shift+click picks several marks (Add to finding… takes them all).
        self.view.setSelectionMode(QListView.SelectionMode.ExtendedSelection)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.installEventFilter(self)
        self.view.clicked.connect(self._activate)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.customContextMenuRequested.connect(self._context_menu)
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.category_box, 3)
        filters.addWidget(self.author_box, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        layout.addWidget(self.count_label)
        layout.addWidget(self.view, 1)
        self.category_box.currentIndexChanged.connect(self._filters_changed)
        self.author_box.currentIndexChanged.connect(self._filters_changed)
        self.model.loaded.connect(self._loaded)
        self.model.loadFailed.connect(self.count_label.setText)
        self.model.rowsInserted.connect(self._show_count)
        self._keep_uuid: str | None = None
        self._wanted: str | None = None  # the chosen one, selected again after each load
        self._quiet = False
        self._choices_generation = 0
        self.refresh()

    # --- public ----------------------------------------------------------------

    @property
    def source_id(self) -> int | None:
        """The source shown, or None for the whole library."""
        return self._source_id

    def set_source(self, source_id: int | None) -> None:
        """Show another source's annotations (None: the whole library)."""
        if source_id != self._source_id:
            self._wanted = None
        self._source_id = source_id
        self.refresh()

    def refresh(self) -> None:
        """Re-read the filter choices and the annotations (after a change)."""
        current = self.view.currentIndex()
        self._keep_uuid = self._wanted or (current.data(UUID_ROLE) if current.isValid() else None)
        self._load_choices()
        self._apply_filter()

    def current_uuid(self) -> str | None:
        """The uuid of the selected annotation, if any."""
        current = self.view.currentIndex()
        return current.data(UUID_ROLE) if current.isValid() else None

    def selected_uuids(self) -> list[str]:
        """The uuids of the selected annotations, in list order (the current one when
        nothing is selected)."""
        rows = sorted(self.view.selectionModel().selectedRows(), key=lambda i: i.row())
        found = [str(i.data(UUID_ROLE)) for i in rows if i.data(UUID_ROLE)]
        current = self.current_uuid()
        return found or ([current] if current else [])

    def select(self, annotation_uuid: str, *, quiet: bool = False) -> bool:
        """Select and show an annotation if it is loaded; False when it is not.

        It stays the chosen one across reloads. ``quiet``: without telling the
        window (it asked for it, or a reload puts it back).
        """
        self._wanted = annotation_uuid
        row = self.model.row_of(annotation_uuid)
        if row is None:
            return False
        index = self.model.index(row)
        self._quiet = quiet
        try:
            self.view.setCurrentIndex(index)
        finally:
            self._quiet = False
        self.view.scrollTo(index)
        return True

    def want(self, annotation_uuid: str) -> None:
        """Select an annotation now, or as soon as the list has loaded it (quietly)."""
        self.select(annotation_uuid, quiet=True)

    # --- filters -------------------------------------------------------------

    def _filter(self) -> AnnotationFilter:
        return AnnotationFilter(
            source_id=self._source_id,
            category=self.category_box.currentData(),
            author=self.author_box.currentData(),
        )

    def _apply_filter(self) -> None:
        self.count_label.setText("Loading…")
        self.model.set_filter(self._filter())

    def _filters_changed(self) -> None:
        if not self._filling:
            self._apply_filter()

    def _load_choices(self) -> None:
        self._choices_generation += 1
        generation = self._choices_generation
        source_id = self._source_id

        def load(session: Session) -> tuple[list[CategoryNode], list[str]]:
            return list_categories(session), annotation_authors(session, source_id)

        def done(result: Any) -> None:
            if generation == self._choices_generation:
                self._fill_choices(*result)

        self.controller.query(load, done)

    def _fill_choices(self, categories: list[CategoryNode], authors: list[str]) -> None:
        chosen_category = self.category_box.currentData()
        chosen_author = self.author_box.currentData()
        self._filling = True
        try:
            self.category_box.clear()
            self.category_box.addItem("All categories", None)
            for node in categories:
                self.category_box.addItem(
                    _swatch(node.display_colour), "    " * node.depth + node.label, node.code
                )
                self.category_box.setItemData(
                    self.category_box.count() - 1, node.code, Qt.ItemDataRole.ToolTipRole
                )
            self.author_box.clear()
            self.author_box.addItem("All authors", None)
            for name in authors:
                self.author_box.addItem(name, name)
            # A chosen value that disappeared (e.g. a retired category) stays selectable.
            if chosen_category and self.category_box.findData(chosen_category) < 0:
                self.category_box.addItem(chosen_category, chosen_category)
            if chosen_author and self.author_box.findData(chosen_author) < 0:
                self.author_box.addItem(chosen_author, chosen_author)
            self.category_box.setCurrentIndex(max(0, self.category_box.findData(chosen_category)))
            self.author_box.setCurrentIndex(max(0, self.author_box.findData(chosen_author)))
        finally:
            self._filling = False

    def choose_category(self, code: str | None) -> None:
        """Filter by a category code (None: all)."""
        at = self.category_box.findData(code)
        if at < 0 and code is not None:
            self.category_box.addItem(code, code)
            at = self.category_box.count() - 1
        self.category_box.setCurrentIndex(max(0, at))

    def choose_author(self, name: str | None) -> None:
        """Filter by a reviewer's name (None: all)."""
        at = self.author_box.findData(name)
        if at < 0 and name is not None:
            self.author_box.addItem(name, name)
            at = self.author_box.count() - 1
        self.author_box.setCurrentIndex(max(0, at))

    # --- list ------------------------------------------------------------------

    def _loaded(self, total: int) -> None:
        self._show_count()
        keep = self._wanted or self._keep_uuid
        if keep:
            self.select(keep, quiet=True)
            self._keep_uuid = None

    def _show_count(self) -> None:
        total = self.model.total
        noun = "mark" if total == 1 else "marks"  # as the tab, the menu and Ctrl+M say
        text = f"{total:,} {noun}"
        filtered = self.category_box.currentData() or self.author_box.currentData()
        if filtered:
            text += " (filtered)"
        shown = self.model.rowCount()
        if shown < total:
            text += f", {shown:,} loaded"
        self.count_label.setText(text)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        uuid = current.data(UUID_ROLE) if current.isValid() else None
        if uuid and not self._quiet:
            self._wanted = uuid
            self.currentMarkChanged.emit(uuid)

    def _activate(self, index: QModelIndex) -> None:
        picking = QApplication.keyboardModifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        )
        if index.isValid() and not picking:  # Ctrl/Shift+click picks; it does not go
            self.annotationActivated.emit(index.data(UUID_ROLE), index.data(PAGE_ROLE))

    def _context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        menu = QMenu(self)
        uuid = index.data(UUID_ROLE)
        data = index.data(ANNOTATION_ROLE)
        menu.addAction("Go to mark", lambda: self._activate(index))
        menu.addAction("Edit note…", lambda: self.noteRequested.emit(uuid))
        menu.addAction("Add category…", lambda: self.addCategoryRequested.emit(uuid))
        codes = list(getattr(data, "categories", []) or [])
        if codes:
            remove = menu.addMenu("Remove category")
            for code in codes:
                kept = [x for x in codes if x != code]
                remove.addAction(
                    f"{code} — {self.model.label_of(code)}",
                    partial(self.categoriesChanged.emit, uuid, kept),
                )
        menu.addAction("Entities…", lambda: self.entitiesRequested.emit(uuid))
        chosen = self.selected_uuids()
        marks = chosen if uuid in chosen else [uuid]
        label = "Add to finding…" if len(marks) == 1 else f"Add {len(marks)} marks to finding…"
        menu.addAction(label, lambda: self.findingRequested.emit(marks))
        redact = menu.addAction("Redact on export")
        redact.setCheckable(True)
        redact.setChecked(bool(getattr(data, "redact", False)))
        redact.toggled.connect(lambda on: self.redactToggled.emit(uuid, on))
        menu.addSeparator()
        menu.addAction("Delete mark", lambda: self.deleteRequested.emit(uuid))
        menu.exec(self.view.viewport().mapToGlobal(pos))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.view and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            current = self.view.currentIndex()
            if current.isValid() and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._activate(current)
                return True
            if current.isValid() and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.deleteRequested.emit(current.data(UUID_ROLE))
                return True
        return super().eventFilter(watched, event)
