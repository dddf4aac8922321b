"""The Entities window: every entity, and the page of one (its facts, the
annotations linked to it, the sources that mention it); edit and merge from there."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QFont, QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ui.desktop.annotations.annotation_panel import (
    ANNOTATION_ROLE,
    COLOURS_ROLE,
    DETAIL_ROLE,
    NO_COLOUR,
    PAGE_ROLE,
    UUID_ROLE,
    AnnotationDelegate,
    detail,
    page_of,
    summary,
)
from ui.desktop.app.controller import LibraryController
from ui.desktop.entities.entity_form import EntityForm
from ui.desktop.entities.entity_merge_dialog import EntityMergeDialog
from ui.desktop.entities.entity_rows import (
    ATTRIBUTES_SHOWN_ELSEWHERE,
    EntityRow,
    entity_row,
    fact_label,
    fact_text,
    read_rows,
    run_write,
    source_title,
)
from ui.desktop.entities.entity_widgets import (
    ENTITY_ROLE,
    error_label,
    flat_tree,
    heading,
    push_button,
    show_message,
    tree_items,
    typing_pause,
)
from workstation.annotations.anchors import AnnotationData
from workstation.core.library import Library
from workstation.entities.register import KINDS, SourceMention, entity_page, merge_entities
from workstation.taxonomy.tree import list_categories

SOURCE_ROLE = Qt.ItemDataRole.UserRole + 42


def page_ranges(pages: Iterable[int]) -> str:
    """``1, 3, 5–7`` for pages 1, 3, 5, 6, 7."""
    out: list[str] = []
    run: list[int] = []
    for page in sorted(set(pages)):
        if run and page == run[-1] + 1:
            run.append(page)
            continue
        if run:
            out.append(_run_text(run))
        run = [page]
    if run:
        out.append(_run_text(run))
    return ", ".join(out)


def _run_text(run: list[int]) -> str:
    if len(run) == 1:
        return str(run[0])
    joiner = ", " if len(run) == 2 else "–"
    return f"{run[0]}{joiner}{run[-1]}"


@dataclass(frozen=True)
class _PageView:
    entity: EntityRow
    annotations: list[AnnotationData]
    titles: dict[str, str]
    colours: dict[str, str | None]
    sources: list[SourceMention]


def _read_page(session: Session, entity_uuid: str) -> _PageView:
    page = entity_page(session, entity_uuid)
    titles = {
        sha: source_title(session, sha) for sha in {a.source_sha256 for a in page.annotations}
    }
    colours = {c.code: c.display_colour for c in list_categories(session, include_deprecated=True)}
    return _PageView(
        entity=entity_row(session, page.entity),
        annotations=page.annotations,
        titles=titles,
        colours=colours,
        sources=page.sources,
    )


class EntityWindow(QWidget):
    """All entities on the left; the page of the chosen one on the right.

    Signals:
        annotationActivated(str, int): an annotation's uuid and its 1-based
            page (double-clicked, or Enter pressed on it).
        sourceActivated(int, int): a source's id and the first page that
            mentions the entity.
        listed(): the entity list was (re)read.
        pageShown(str): the page of this entity was read and shown.
        entitiesChanged(str): an entity was edited, or merged into another
            (the uuid of the one edited or kept).
    """

    annotationActivated = Signal(str, int)
    sourceActivated = Signal(int, int)
    listed = Signal()
    pageShown = Signal(str)
    entitiesChanged = Signal(str)

    def __init__(self, controller: LibraryController, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        # A window of its own, so no dialog's Esc: give it one.
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self.controller = controller
        self.setWindowTitle("Entities")
        self.page: _PageView | None = None
        self.form: EntityForm | None = None
        self.merge_dialog: EntityMergeDialog | None = None
        self.last_error: str | None = None
        self._running = 0
        self._writing = 0
        self._notice = ""  # said once the page after a write is shown
        self._list_generation = 0
        self._page_generation = 0
        self._wanted: str | None = None

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Name, alias or former name")
        self.search_edit.setClearButtonEnabled(True)
        self.kind_combo = QComboBox()
        self.kind_combo.addItem("All kinds", None)
        for kind in KINDS:
            self.kind_combo.addItem(kind, kind)
        self.entity_tree = flat_tree(["Name", "Kind"], stretch=0)
        self.count_label = QLabel()
        self._search_timer = typing_pause(self.search_edit, self.reload_list)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self.reload_list())
        self.entity_tree.currentItemChanged.connect(lambda *_: self._selection_changed())

        self.name_label = QLabel()
        title_font = QFont(self.name_label.font())
        title_font.setBold(True)
        title_font.setPointSizeF(title_font.pointSizeF() * 1.4)
        self.name_label.setFont(title_font)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.name_label.setToolTip("Double-click or press F2 to edit the entity")
        self.name_label.installEventFilter(self)
        self.kind_label = QLabel()
        self.edit_button = push_button(
            "Edit…", "Correct the name, aliases, IMO, MMSI or flag (F2)", self.edit_entity
        )
        self.merge_button = push_button(
            "Merge into…",
            "This entity is a duplicate: fold it into another of its kind, which is kept",
            self.merge_entity,
        )
        QShortcut(QKeySequence(Qt.Key.Key_F2), self, self.edit_entity)
        self.facts = QFormLayout()
        self.facts.setContentsMargins(0, 4, 0, 0)

        self.annotations_heading = heading("Annotations (0)")
        self.annotation_list = QListWidget()
        self.annotation_list.setItemDelegate(AnnotationDelegate(self.annotation_list))
        self.annotation_list.setUniformItemSizes(True)
        self.annotation_list.activated.connect(self._annotation_activated)
        self.sources_heading = heading("Sources mentioning it (0)")
        self.source_tree = flat_tree(["Source", "Pages", "Found as"], stretch=0)
        self.source_tree.activated.connect(self._source_activated)
        self.message = error_label()

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 1)
        filters.addWidget(self.kind_combo)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.entity_tree, 1)
        left_layout.addWidget(self.count_label)

        self.page_widget = QWidget()
        top = QVBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.name_label, 1)
        header.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        header.addWidget(self.merge_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(header)
        top.addWidget(self.kind_label)
        top.addLayout(self.facts)
        annotations = QWidget()
        annotations_layout = QVBoxLayout(annotations)
        annotations_layout.setContentsMargins(0, 6, 0, 0)
        annotations_layout.addWidget(self.annotations_heading)
        annotations_layout.addWidget(self.annotation_list, 1)
        sources = QWidget()
        sources_layout = QVBoxLayout(sources)
        sources_layout.setContentsMargins(0, 6, 0, 0)
        sources_layout.addWidget(self.sources_heading)
        sources_layout.addWidget(self.source_tree, 1)
        lists = QSplitter(Qt.Orientation.Vertical)
        lists.addWidget(annotations)
        lists.addWidget(sources)
        lists.setChildrenCollapsible(False)
        page_layout = QVBoxLayout(self.page_widget)
        page_layout.setContentsMargins(8, 0, 0, 0)
        page_layout.addLayout(top)
        page_layout.addWidget(lists, 1)
        self.placeholder = QLabel("Choose an entity on the left.")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setEnabled(False)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.placeholder, 1)
        right_layout.addWidget(self.page_widget, 1)
        self.page_widget.hide()

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([330, 770])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)
        self.resize(1100, 680)
        self._update_buttons()
        controller.sourcesChanged.connect(self._sources_changed)
        self.reload_list()

    # --- reading ----------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Whether a read or write is running, a search is about to start, or a
        form or merge dialog of the window is at work."""
        if self._running > 0 or self._writing > 0 or self._search_timer.isActive():
            return True
        return any(d is not None and d.busy for d in (self.form, self.merge_dialog))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.name_label and event.type() == QEvent.Type.MouseButtonDblClick:
            self.edit_entity()
            return True
        return super().eventFilter(watched, event)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        self._search_timer.stop()
        super().hideEvent(event)

    def entity_names(self) -> list[str]:
        """The names in the list, top to bottom."""
        return [item.text(0) for item in tree_items(self.entity_tree)]

    def fact_rows(self) -> dict[str, str]:
        """The facts shown under the name: ``{"Aliases": "Najin, 라진", ...}``."""
        rows: dict[str, str] = {}
        for row in range(self.facts.rowCount()):
            label = self.facts.itemAt(row, QFormLayout.ItemRole.LabelRole)
            value = self.facts.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label is not None and value is not None:
                name, text = label.widget(), value.widget()
                if isinstance(name, QLabel) and isinstance(text, QLabel):
                    rows[name.text().rstrip(":")] = text.text()
        return rows

    def current_uuid(self) -> str | None:
        """The uuid of the entity shown on the right, if any."""
        return None if self.page is None else self.page.entity.uuid

    def show_entity(self, entity_uuid: str) -> None:
        """Select an entity (clearing the filters when they hide it) and show its page."""
        self._wanted = entity_uuid
        if self._select(entity_uuid):
            return
        if self.search_edit.text() or self.kind_combo.currentIndex() != 0:
            with QSignalBlocker(self.search_edit), QSignalBlocker(self.kind_combo):
                self.search_edit.clear()
                self.kind_combo.setCurrentIndex(0)
        self.reload_list()
        self.load_page(entity_uuid)

    def refresh(self) -> None:
        """Read the list and the page shown again (after links or entities changed)."""
        self.reload_list()
        if self.page is not None:
            self.load_page(self.page.entity.uuid)

    def _sources_changed(self) -> None:
        if self.isVisible():
            self.refresh()

    def reload_list(self) -> None:
        """Read the entities matching the search text and kind."""
        self._search_timer.stop()
        self._list_generation += 1
        generation = self._list_generation
        text = self.search_edit.text()
        kind = self.kind_combo.currentData()

        def done(rows: Any) -> None:
            self._running -= 1
            if generation == self._list_generation:
                self._fill_list(rows)

        self._running += 1
        self.controller.query(
            lambda session: read_rows(session, text, kind), done, on_error=self._failed
        )

    def _fill_list(self, rows: list[EntityRow]) -> None:
        keep = self._wanted or self.current_uuid()
        self._wanted = None
        with QSignalBlocker(self.entity_tree):
            self.entity_tree.clear()
            for row in rows:
                item = QTreeWidgetItem([row.name, row.kind])
                item.setData(0, ENTITY_ROLE, row)
                tip = [row.describe()]
                if row.aliases:
                    tip.append("Also: " + ", ".join(row.aliases))
                item.setToolTip(0, "\n".join(tip))
                self.entity_tree.addTopLevelItem(item)
                if row.uuid == keep:
                    self.entity_tree.setCurrentItem(item)
        noun = "entity" if len(rows) == 1 else "entities"
        self.count_label.setText(f"{len(rows):,} {noun}")
        self.listed.emit()

    def _select(self, entity_uuid: str) -> bool:
        for item in tree_items(self.entity_tree):
            row = item.data(0, ENTITY_ROLE)
            if isinstance(row, EntityRow) and row.uuid == entity_uuid:
                self.entity_tree.setCurrentItem(item)
                self.entity_tree.scrollToItem(item)
                return True
        return False

    def _selection_changed(self) -> None:
        item = self.entity_tree.currentItem()
        row = item.data(0, ENTITY_ROLE) if item is not None else None
        if isinstance(row, EntityRow):
            self._wanted = None
            self.load_page(row.uuid)

    def load_page(self, entity_uuid: str) -> None:
        """Read an entity's page (its annotations and the sources that mention it)."""
        self._page_generation += 1
        generation = self._page_generation

        def done(view: Any) -> None:
            self._running -= 1
            if generation == self._page_generation:
                self._show_page(view)

        self._running += 1
        self.controller.query(
            lambda session: _read_page(session, entity_uuid), done, on_error=self._failed
        )

    def _failed(self, message: str) -> None:
        self._running -= 1
        self.last_error = message
        show_message(self.message, message, error=True)

    def _show_page(self, view: _PageView) -> None:
        self.page = view
        self.last_error = None
        show_message(self.message, self._notice, error=False)
        self._notice = ""
        self._update_buttons()
        entity = view.entity
        self.placeholder.hide()
        self.page_widget.show()
        self.name_label.setText(entity.name)
        self.kind_label.setText(entity.kind.capitalize())
        while self.facts.rowCount():
            self.facts.removeRow(0)
        for name, text in entity_facts(entity):
            value = QLabel(text)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts.addRow(f"{name}:", value)
        self._fill_annotations(view)
        self._fill_sources(view.sources)
        self.pageShown.emit(entity.uuid)

    def _fill_annotations(self, view: _PageView) -> None:
        self.annotation_list.clear()
        for data in view.annotations:
            item = QListWidgetItem(summary(data))
            title = view.titles.get(data.source_sha256, "")
            item.setData(DETAIL_ROLE, f"{title} · {detail(data)}")
            item.setData(UUID_ROLE, data.uuid)
            item.setData(PAGE_ROLE, page_of(data))
            item.setData(ANNOTATION_ROLE, data)
            item.setData(
                COLOURS_ROLE,
                [view.colours.get(c) or NO_COLOUR for c in data.categories] or [NO_COLOUR],
            )
            item.setToolTip(f"{summary(data)[:500]}\n{title}")
            self.annotation_list.addItem(item)
        self.annotations_heading.setText(f"Annotations ({len(view.annotations)})")

    def _fill_sources(self, sources: list[SourceMention]) -> None:
        self.source_tree.clear()
        for mention in sources:
            item = QTreeWidgetItem(
                [mention.title, page_ranges(mention.pages), ", ".join(mention.matched)]
            )
            item.setData(0, SOURCE_ROLE, mention)
            item.setToolTip(0, mention.title)
            self.source_tree.addTopLevelItem(item)
        self.sources_heading.setText(f"Sources mentioning it ({len(sources)})")

    # --- correcting -------------------------------------------------------------

    def _update_buttons(self) -> None:
        ready = self.page is not None and self._writing == 0
        self.edit_button.setEnabled(ready)
        self.merge_button.setEnabled(ready)

    def edit_entity(self) -> EntityForm | None:
        """Open the form on the entity shown (Edit…, F2, a double-click on its name)."""
        if self.page is None or self._writing:
            return None
        if self.form is not None:
            self.form.close()
        form = EntityForm(self.controller, self, entity=self.page.entity)
        form.entityEdited.connect(lambda uuid: self._written(uuid, "Saved."))
        self.form = form
        form.open()
        return form

    def merge_entity(self) -> EntityMergeDialog | None:
        """Choose the entity to merge the one shown into (Merge into…)."""
        if self.page is None or self._writing:
            return None
        if self.merge_dialog is not None:
            self.merge_dialog.close()
        source = self.page.entity
        dialog = EntityMergeDialog(self.controller, source, self, links=len(self.page.annotations))
        dialog.accepted.connect(lambda: self._merge_chosen(dialog))
        self.merge_dialog = dialog
        dialog.open()
        return dialog

    def _merge_chosen(self, dialog: EntityMergeDialog) -> None:
        into = dialog.chosen()
        if into is not None:
            self.merge(dialog.source, into)

    def merge(self, source: EntityRow, into: EntityRow) -> None:
        """Fold ``source`` into ``into`` on the write thread, then show ``into``."""
        source_uuid, into_uuid = source.uuid, into.uuid

        def work(library: Library, session: Any) -> str:
            return merge_entities(library, session, source_uuid, into_uuid).uuid

        def done(uuid: Any) -> None:
            self._writing -= 1
            self._written(str(uuid), f"Merged “{source.name}” into “{into.name}”.")

        def failed(message: str) -> None:
            self._writing -= 1
            self._update_buttons()
            self.last_error = message
            show_message(self.message, message, error=True)

        self._writing += 1
        self._update_buttons()
        show_message(self.message, "", error=False)
        run_write(self.controller, work, "merging entities", done, failed)

    def _written(self, entity_uuid: str, notice: str) -> None:
        """After an edit or merge: read the list and the entity's page again."""
        self._notice = notice
        self._wanted = entity_uuid
        self.reload_list()
        self.load_page(entity_uuid)
        self._update_buttons()
        self.entitiesChanged.emit(entity_uuid)

    def mention_of(self, source_id: int) -> SourceMention | None:
        """What the page shown says about a source (to open it at the mention)."""
        if self.page is None:
            return None
        return next((m for m in self.page.sources if m.source_id == source_id), None)

    def _annotation_activated(self, index: QModelIndex) -> None:
        uuid = index.data(UUID_ROLE)
        if uuid:
            self.annotationActivated.emit(str(uuid), int(index.data(PAGE_ROLE) or 1))

    def _source_activated(self, index: QModelIndex) -> None:
        mention = index.siblingAtColumn(0).data(SOURCE_ROLE)
        if isinstance(mention, SourceMention):
            page = mention.pages[0] if mention.pages else 1
            self.sourceActivated.emit(mention.source_id, page)


def entity_facts(row: EntityRow) -> list[tuple[str, str]]:
    """What the entity page lists under the name; empty facts are left out.

    Identifiers, aliases and former names first, then the free-form
    attributes (flag, tonnage...) by name.
    """
    facts = [
        ("Identifiers", row.identifier_text),
        ("Aliases", ", ".join(row.aliases)),
        ("Former names", ", ".join(row.former_names)),
    ]
    for key, value in sorted(row.attributes.items()):
        if key not in ATTRIBUTES_SHOWN_ELSEWHERE:
            facts.append((fact_label(key), fact_text(value)))
    return [(name, text) for name, text in facts if text]
