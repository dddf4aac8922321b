"""Link an annotation to the vessels, companies and places its passage names.

Suggestions come from ``workstation.entities.register.suggest`` over the passage and
its note; nothing is added or linked until the reviewer clicks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QFont, QHideEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ui.desktop.app.controller import LibraryController
from ui.desktop.entities.entity_form import EntityForm
from ui.desktop.entities.entity_rows import (
    EntityRow,
    entity_row,
    link_undoably,
    read_rows,
    run_write,
    scheme_label,
    source_title,
)
from ui.desktop.entities.entity_widgets import (
    ENTITY_ROLE,
    choose_row,
    error_label,
    fill_found,
    flat_tree,
    heading,
    push_button,
    row_labels,
    show_message,
    tree_items,
    typing_pause,
)
from workstation.annotations.anchors import AnnotationData, PageAnchor, RegionAnchor, TextAnchor
from workstation.annotations.service import AnnotationHistory, AnnotationService
from workstation.core.library import Library
from workstation.entities.register import Candidate, get_entity, suggest, unlink_annotation

SUGGESTION_ROLE = Qt.ItemDataRole.UserRole + 41


@dataclass(frozen=True)
class Suggestion:
    """A candidate from the passage and the known entity it belongs to, if any."""

    candidate: Candidate
    entity: EntityRow | None

    @property
    def known(self) -> bool:
        """Whether a known entity holds it (Link), or not (Add entity)."""
        return self.entity is not None

    @property
    def label(self) -> str:
        """What the row says, e.g. ``Najin → Rajin (location)``."""
        c, entity = self.candidate, self.entity
        if c.kind in ("imo", "mmsi"):
            head = f"{scheme_label(c.kind)} {c.value}"
            if c.flag:
                head += f" (flag: {c.flag})"
            if entity is None:
                return f"{head} — not in the library"
            return f"{head} — {entity.name} ({entity.kind}, known)"
        assert entity is not None  # names are only ever found for known entities
        written = " ".join(c.text.split())
        if written.casefold() == entity.name.casefold():
            return f"{entity.name} ({entity.kind})"
        return f"{written} → {entity.name} ({entity.kind})"


def pick_suggestions(
    candidates: Iterable[Candidate],
    entities: dict[str, EntityRow],
    linked: Iterable[str],
) -> list[Suggestion]:
    """One row per known entity and per unknown identifier, linked ones left out.

    The same ship named by its IMO number and by its name is one row (the
    first met in the passage).
    """
    seen: set[tuple[str, str]] = {("entity", uuid) for uuid in linked}
    out: list[Suggestion] = []
    for candidate in candidates:
        uuid = candidate.entity_uuid
        entity = entities.get(uuid) if uuid else None
        key = ("entity", uuid) if uuid else (candidate.kind, candidate.value)
        if key in seen or (uuid and entity is None):
            continue
        seen.add(key)
        out.append(Suggestion(candidate, entity))
    return out


def passage_text(data: AnnotationData) -> str:
    """What suggestions are read from: the quote (if any) and the note."""
    parts = [data.anchor.exact] if isinstance(data.anchor, TextAnchor) else []
    if data.note:
        parts.append(data.note)
    return "\n".join(parts)


def where_text(data: AnnotationData) -> str:
    """The quote, or where a region or page annotation sits."""
    anchor = data.anchor
    if isinstance(anchor, TextAnchor):
        return "“" + " ".join(anchor.exact.split()) + "”"
    if isinstance(anchor, RegionAnchor):
        return "region on the image" if anchor.page is None else f"region on page {anchor.page}"
    assert isinstance(anchor, PageAnchor)
    return f"whole page {anchor.page}"


@dataclass(frozen=True)
class _LinkState:
    annotation: AnnotationData
    source_title: str
    linked: list[EntityRow]
    suggestions: list[Suggestion]


def _read_link_state(library: Library, session: Session, annotation_uuid: str) -> _LinkState:
    data = AnnotationService(library).get(session, annotation_uuid)
    linked = [entity_row(session, get_entity(session, u)) for u in data.entities]
    candidates = suggest(session, passage_text(data))
    known = {
        c.entity_uuid: entity_row(session, get_entity(session, c.entity_uuid))
        for c in candidates
        if c.entity_uuid
    }
    return _LinkState(
        annotation=data,
        source_title=source_title(session, data.source_sha256),
        linked=sorted(linked, key=lambda r: (r.kind, r.name.casefold())),
        suggestions=pick_suggestions(candidates, known, (r.uuid for r in linked)),
    )


class EntityLinkDialog(QDialog):
    """The entities one annotation mentions: linked ones, suggestions, and a search.

    ``link``, ``unlink`` and ``add_for`` do the work the buttons ask for; a
    form opened by "Add Entity…" or "New Entity…" writes only when the
    reviewer confirms it.

    Signals:
        linksChanged(str): the annotation's links were written (its uuid).
        loaded(): the annotation, its links and suggestions were (re)read.
        searched(): the search results were (re)read.
    """

    linksChanged = Signal(str)
    loaded = Signal()
    searched = Signal()

    def __init__(
        self,
        controller: LibraryController,
        annotation_uuid: str,
        parent: QWidget | None = None,
        history: AnnotationHistory | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.annotation_uuid = annotation_uuid
        self.history = history
        self.state: _LinkState | None = None
        self.form: EntityForm | None = None
        self.last_error: str | None = None
        self._running = 0
        self._generation = 0
        self._search_generation = 0
        self._found: list[EntityRow] = []
        self.setWindowTitle("Entities of the annotation")
        self.setModal(False)

        self.passage_label = QLabel("Loading…")
        self.passage_label.setWordWrap(True)
        self.passage_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.passage_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.passage_label.setMargin(6)
        self.where_label = heading("")
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.note_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note_label.hide()

        self.linked_tree = flat_tree(["Kind", "Name", "Identifiers"], stretch=1)
        self.unlink_button = push_button(
            "&Unlink", "Remove the link; the entity stays in the library", self._unlink_clicked
        )
        self.linked_tree.currentItemChanged.connect(lambda *_: self._update_buttons())

        self.suggestion_list = QListWidget()
        self.suggestion_list.setToolTip(
            "Identifiers and known names read from the passage and its note"
        )
        self.link_suggestion_button = push_button(
            "&Link Suggestion",
            "Link the known entity to this annotation",
            self._link_suggestion_clicked,
        )
        self.add_button = push_button(
            "&Add Entity…",
            "Add an entity with this identifier (you confirm it first)",
            self._add_clicked,
        )
        self.suggestion_list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.suggestion_list.itemActivated.connect(lambda _item: self._suggestion_activated())

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Find an entity by name, alias or former name")
        self.search_edit.setClearButtonEnabled(True)
        self.found_list = QListWidget()
        self.link_found_button = push_button(
            "Link &Found", "Link the chosen entity to this annotation", self._link_found_clicked
        )
        self.new_button = push_button(
            "&New Entity…", "Add an entity that is not in the library yet", self._new_clicked
        )
        self.found_list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.found_list.itemActivated.connect(lambda _item: self._link_found_clicked())
        self._search_timer = typing_pause(self.search_edit, self.search)
        self.search_edit.returnPressed.connect(self.search)  # Enter searches, nothing else

        self.message = error_label()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        for button in close.buttons():
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)  # Esc closes; Enter belongs to the field in use

        linked_box = QGroupBox("Linked entities")
        linked_layout = QVBoxLayout(linked_box)
        linked_layout.addWidget(self.linked_tree)
        linked_layout.addLayout(_button_row(self.unlink_button))
        suggestion_box = QGroupBox("Suggestions from the passage")
        suggestion_layout = QVBoxLayout(suggestion_box)
        suggestion_layout.addWidget(self.suggestion_list)
        suggestion_layout.addLayout(_button_row(self.link_suggestion_button, self.add_button))
        search_box = QGroupBox("Find in the library")
        search_layout = QVBoxLayout(search_box)
        search_layout.addWidget(self.search_edit)
        search_layout.addWidget(self.found_list)
        search_layout.addLayout(_button_row(self.link_found_button, self.new_button))
        layout = QVBoxLayout(self)
        layout.addWidget(self.where_label)
        layout.addWidget(self.passage_label)
        layout.addWidget(self.note_label)
        layout.addWidget(linked_box, 2)
        layout.addWidget(suggestion_box, 2)
        layout.addWidget(search_box, 3)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.resize(640, 720)
        self._update_buttons()
        self.reload()
        self.search()

    # --- reading ----------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Whether a read or a write is running or a search is about to start."""
        if self._running > 0 or self._search_timer.isActive():
            return True
        return self.form is not None and self.form.busy

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        self._search_timer.stop()  # no search for a dialog nobody sees
        super().hideEvent(event)

    def set_annotation(self, annotation_uuid: str) -> None:
        """Show another annotation (the main window keeps one dialog)."""
        if annotation_uuid == self.annotation_uuid:
            return
        self.annotation_uuid = annotation_uuid
        self.state = None
        show_message(self.message, "", error=False)
        self.passage_label.setText("Loading…")
        self.where_label.clear()
        self.note_label.hide()
        self.linked_tree.clear()
        self.suggestion_list.clear()
        self.reload()
        self.search()

    def linked_uuids(self) -> list[str]:
        """The uuids of the linked entities shown."""
        return [] if self.state is None else [r.uuid for r in self.state.linked]

    def suggestion_labels(self) -> list[str]:
        """What the suggestion rows say, top to bottom."""
        return row_labels(self.suggestion_list)

    def found_labels(self) -> list[str]:
        """What the search result rows say, top to bottom."""
        return row_labels(self.found_list)

    def reload(self) -> None:
        """Read the annotation, its links and the suggestions again."""
        self._generation += 1
        generation = self._generation
        uuid = self.annotation_uuid
        library = self.controller.library

        def done(state: Any) -> None:
            self._running -= 1
            if generation == self._generation and uuid == self.annotation_uuid:
                self._show_state(state)

        def failed(message: str) -> None:
            self._running -= 1
            if generation == self._generation:
                self.passage_label.setText("")
                self._fail(message)

        self._running += 1
        self.controller.query(
            lambda session: _read_link_state(library, session, uuid), done, on_error=failed
        )

    def _show_state(self, state: _LinkState) -> None:
        self.state = state
        self.passage_label.setText(where_text(state.annotation))
        page = state.annotation.anchor.page
        self.where_label.setText(
            state.source_title if page is None else f"{state.source_title}, page {page}"
        )
        note = " ".join((state.annotation.note or "").split())
        self.note_label.setText(f"Note: {note}")
        self.note_label.setVisible(bool(note))
        self._fill_linked(state.linked)
        self._fill_suggestions(state.suggestions)
        self._filter_found()
        self._update_buttons()
        self.loaded.emit()

    def _fill_linked(self, rows: list[EntityRow]) -> None:
        keep = self._current_uuid(self.linked_tree.currentItem())
        with QSignalBlocker(self.linked_tree):
            self.linked_tree.clear()
            for row in rows:
                item = QTreeWidgetItem([row.kind, row.name, row.identifier_text])
                item.setData(0, ENTITY_ROLE, row)
                item.setToolTip(1, row.describe())
                self.linked_tree.addTopLevelItem(item)
                if row.uuid == keep:
                    self.linked_tree.setCurrentItem(item)
            first = self.linked_tree.topLevelItem(0)
            if self.linked_tree.currentItem() is None and first is not None:
                self.linked_tree.setCurrentItem(first)

    def _fill_suggestions(self, suggestions: list[Suggestion]) -> None:
        with QSignalBlocker(self.suggestion_list):
            self.suggestion_list.clear()
            for suggestion in suggestions:
                item = QListWidgetItem(suggestion.label)
                item.setData(SUGGESTION_ROLE, suggestion)
                item.setToolTip(f"Found as “{suggestion.candidate.text}”")
                if not suggestion.known:
                    italic = QFont(item.font())
                    italic.setItalic(True)
                    item.setFont(italic)
                self.suggestion_list.addItem(item)
            if not suggestions:
                empty = QListWidgetItem("Nothing recognised in the passage or its note")
                empty.setFlags(Qt.ItemFlag.NoItemFlags)
                self.suggestion_list.addItem(empty)
            else:
                self.suggestion_list.setCurrentRow(0)

    @staticmethod
    def _current_uuid(item: QTreeWidgetItem | QListWidgetItem | None) -> str | None:
        if isinstance(item, QTreeWidgetItem):
            row = item.data(0, ENTITY_ROLE)
        else:
            row = None if item is None else item.data(ENTITY_ROLE)
        return row.uuid if isinstance(row, EntityRow) else None

    def search(self) -> None:
        """List the library's entities matching the search text (all when empty)."""
        self._search_timer.stop()
        self._search_generation += 1
        generation = self._search_generation
        text = self.search_edit.text()

        def done(rows: Any) -> None:
            self._running -= 1
            if generation == self._search_generation:
                self._found = list(rows)
                self._filter_found()
                self.searched.emit()

        def failed(message: str) -> None:
            self._running -= 1
            self._fail(message)

        self._running += 1
        self.controller.query(lambda session: read_rows(session, text), done, on_error=failed)

    def _filter_found(self) -> None:
        linked = set(self.linked_uuids())
        rows = [r for r in self._found if r.uuid not in linked]
        fill_found(self.found_list, rows, self._current_uuid(self.found_list.currentItem()))
        self._update_buttons()

    # --- buttons ------------------------------------------------------------------

    def _chosen_suggestion(self) -> Suggestion | None:
        item = self.suggestion_list.currentItem()
        found = item.data(SUGGESTION_ROLE) if item is not None else None
        return found if isinstance(found, Suggestion) else None

    def _update_buttons(self) -> None:
        chosen = self._chosen_suggestion()
        linked = self._current_uuid(self.linked_tree.currentItem())
        self.unlink_button.setEnabled(linked is not None)
        self.link_suggestion_button.setEnabled(chosen is not None and chosen.known)
        self.add_button.setEnabled(chosen is not None and not chosen.known)
        self.link_found_button.setEnabled(
            self._current_uuid(self.found_list.currentItem()) is not None
        )

    def choose_suggestion(self, text: str) -> bool:
        """Select the first suggestion whose row contains ``text``; False when none does."""
        return choose_row(self.suggestion_list, text)

    def choose_found(self, text: str) -> bool:
        """Select the first search result whose row contains ``text``."""
        return choose_row(self.found_list, text)

    def choose_linked(self, entity_uuid: str) -> bool:
        """Select a linked entity's row."""
        for item in tree_items(self.linked_tree):
            if self._current_uuid(item) == entity_uuid:
                self.linked_tree.setCurrentItem(item)
                return True
        return False

    def _suggestion_activated(self) -> None:
        chosen = self._chosen_suggestion()
        if chosen is not None:
            (self._link_suggestion_clicked if chosen.known else self._add_clicked)()

    def _link_suggestion_clicked(self) -> None:
        chosen = self._chosen_suggestion()
        if chosen is not None and chosen.entity is not None:
            self.link(chosen.entity.uuid)

    def _link_found_clicked(self) -> None:
        uuid = self._current_uuid(self.found_list.currentItem())
        if uuid is not None:
            self.link(uuid)

    def _unlink_clicked(self) -> None:
        uuid = self._current_uuid(self.linked_tree.currentItem())
        if uuid is not None:
            self.unlink(uuid)

    def _add_clicked(self) -> None:
        chosen = self._chosen_suggestion()
        if chosen is not None and not chosen.known:
            self.add_for(chosen.candidate)

    def _new_clicked(self) -> None:
        self._open_form(name=self.search_edit.text().strip())

    # --- writing ------------------------------------------------------------------

    def link(self, entity_uuid: str) -> None:
        """Link an entity to the annotation (on the write thread)."""
        uuid, history = self.annotation_uuid, self.history
        self._write(lambda lib, s: link_undoably(lib, s, history, uuid, entity_uuid), "Linked.")

    def unlink(self, entity_uuid: str) -> None:
        """Remove the link between an entity and the annotation."""
        uuid, history = self.annotation_uuid, self.history
        self._write(
            lambda lib, s: (
                history.unlink(s, uuid, entity_uuid)
                if history is not None
                else unlink_annotation(lib, s, uuid, entity_uuid)
            ),
            "Unlinked.",
        )

    def add_for(self, candidate: Candidate) -> EntityForm:
        """Open the entity form prefilled from an unknown IMO number or MMSI."""
        if candidate.kind == "imo":
            return self._open_form(kind="vessel", imo=candidate.value)
        if candidate.kind == "mmsi":
            return self._open_form(kind="vessel", mmsi=candidate.value, flag=candidate.flag or "")
        return self._open_form(name=candidate.text)

    def _open_form(self, **prefill: Any) -> EntityForm:
        if self.form is not None:
            self.form.close()
        form = EntityForm(
            self.controller, self, link_to=self.annotation_uuid, history=self.history, **prefill
        )
        form.entityAdded.connect(lambda _uuid: self._written("Added and linked."))
        self.form = form
        form.open()
        return form

    def _write(self, work: Callable[[Library, Any], Any], done_text: str) -> None:
        def done(_result: Any) -> None:
            self._running -= 1
            self._written(done_text)

        def failed(message: str) -> None:
            self._running -= 1
            self._fail(message)
            self.reload()

        self._running += 1
        show_message(self.message, "", error=False)
        run_write(self.controller, work, "linking", done, failed)

    def _written(self, text: str) -> None:
        self.last_error = None
        show_message(self.message, text, error=False)
        self.reload()
        self.search()
        self.linksChanged.emit(self.annotation_uuid)

    def _fail(self, message: str) -> None:
        self.last_error = message
        show_message(self.message, message, error=True)


def _button_row(*buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    return row
