"""Entities in the app: link an annotation to the vessels, companies and places
its passage names, see everything in the library that mentions one, and
correct an entity or merge a duplicate into it.

Suggestions come from ``workstation.entities.register.suggest`` over the passage and
its note; nothing is added or linked until the reviewer clicks, and nothing is
merged until they confirm what moves. Every read and write goes through the
controller, off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QHideEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

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
from ui.desktop.widgets.colours import error_colour
from workstation.annotations.anchors import AnnotationData, PageAnchor, RegionAnchor, TextAnchor
from workstation.annotations.service import AnnotationHistory, AnnotationService
from workstation.core.library import Library
from workstation.entities.register import (
    KINDS,
    Candidate,
    SourceMention,
    add_entity,
    entity_page,
    find_entities,
    get_entity,
    identifiers_of,
    link_annotation,
    merge_entities,
    mmsi_flag,
    suggest,
    unlink_annotation,
    update_entity,
)
from workstation.sources.lookup import resolve_source
from workstation.taxonomy.tree import list_categories

ENTITY_ROLE = Qt.ItemDataRole.UserRole + 40
SUGGESTION_ROLE = Qt.ItemDataRole.UserRole + 41
SOURCE_ROLE = Qt.ItemDataRole.UserRole + 42

MAX_FOUND = 200  # search results shown at once; typing narrows them
SEARCH_DELAY_MS = 200
ALIASES_TIP = (
    "Other spellings, in any script: one per line. Written on a single line, commas "
    "separate them (put a name with a comma on a line of its own)."
)


# --- plain data ----------------------------------------------------------------


@dataclass(frozen=True)
class EntityRow:
    """An entity as the widgets show it, read inside the worker's session."""

    uuid: str
    kind: str
    name: str
    aliases: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def identifier_text(self) -> str:
        """``IMO 9074729 · MMSI 445123456`` (empty when it has none)."""
        return " · ".join(f"{scheme_label(s)} {v}" for s, v in self.identifiers)

    def describe(self) -> str:
        """``AMBER TIDE (vessel) · IMO 9074729``: one line for a list."""
        text = f"{self.name} ({self.kind})"
        return f"{text} · {self.identifier_text}" if self.identifiers else text


def scheme_label(scheme: str) -> str:
    """How an identifier scheme is written: ``IMO``, ``MMSI``, else as stored."""
    return scheme.upper() if scheme in ("imo", "mmsi") else scheme


def entity_row(session: Any, entity: Any) -> EntityRow:
    """The plain data of an entity (identifiers read in ``session``)."""
    attributes = dict(entity.attributes or {})
    former = attributes.get("former_names", [])
    return EntityRow(
        uuid=entity.uuid,
        kind=entity.kind,
        name=entity.name,
        aliases=tuple(entity.aliases or ()),
        former_names=tuple(n for n in former if isinstance(n, str)),
        identifiers=tuple(identifiers_of(session, entity)),
        attributes=attributes,
    )


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


def split_aliases(text: str) -> list[str]:
    """Aliases typed one per line, or comma-separated on a single line.

    A single line ended by a newline is one alias, commas and all
    ("Korea Ocean Shipping Co., Ltd.").
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) == 1 and not text.rstrip(" \t").endswith("\n"):
        lines = [part.strip() for part in lines[0].split(",") if part.strip()]
    return lines


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


def _source_title(session: Any, sha256: str) -> str:
    source = resolve_source(session, sha256)
    return source.title or source.original_filename


def _link(
    library: Library,
    session: Any,
    history: AnnotationHistory | None,
    annotation_uuid: str,
    entity_uuid: str,
) -> bool:
    """Link through the window's undo history when there is one (Ctrl+Z takes it back)."""
    if history is not None:
        return history.link(session, annotation_uuid, entity_uuid)
    return link_annotation(library, session, annotation_uuid, entity_uuid)


def run_write(
    controller: LibraryController,
    work: Callable[[Library, Any], Any],
    label: str,
    on_done: Callable[[Any], None],
    on_error: Callable[[str], None],
) -> None:
    """Run ``work(library, session)`` in one write transaction on the write thread."""
    library = controller.library

    def write() -> Any:
        with library.writer() as session:
            return work(library, session)

    controller.run(write, write=True, label=label, on_done=on_done, on_error=on_error)


def _error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _show_message(label: QLabel, text: str, *, error: bool) -> None:
    colour = error_colour(label) if error else label.palette().color(QPalette.ColorRole.Text).name()
    label.setStyleSheet(f"color: {colour};")
    label.setText(f"Not done: {text}" if error and text else text)


def _entity_item(row: EntityRow) -> QListWidgetItem:
    item = QListWidgetItem(row.describe())
    item.setData(ENTITY_ROLE, row)
    tip = [row.describe()]
    if row.aliases:
        tip.append("Also: " + ", ".join(row.aliases))
    item.setToolTip("\n".join(tip))
    return item


def _read_rows(library: Library, text: str, kind: str | None = None) -> list[EntityRow]:
    """The entities ``find_entities`` finds, read in one read session."""
    with library.reader() as session:
        return [entity_row(session, e) for e in find_entities(session, text, kind)]


def _fill_found(view: QListWidget, rows: list[EntityRow], keep: str | None) -> None:
    """Show search results (the first ``MAX_FOUND``), keeping the row ``keep`` chosen."""
    with QSignalBlocker(view):
        view.clear()
        for row in rows[:MAX_FOUND]:
            item = _entity_item(row)
            view.addItem(item)
            if row.uuid == keep:
                view.setCurrentItem(item)
        if len(rows) > MAX_FOUND:
            more = QListWidgetItem(f"… {len(rows) - MAX_FOUND:,} more; type to narrow")
            more.setFlags(Qt.ItemFlag.NoItemFlags)
            view.addItem(more)


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


# --- the entity form -----------------------------------------------------------


FORM_SCHEMES = ("imo", "mmsi")  # the identifiers the form shows; others are kept as stored
SEVERAL_TIP = "More than one (a merged entity may hold two): separate them with commas."


def _identifier_text(row: EntityRow, scheme: str) -> str:
    """The entity's values of one scheme as the form shows them: ``9074729, 9166778``."""
    return ", ".join(v for s, v in row.identifiers if s == scheme)


def _fact_text(value: Any) -> str:
    """An attribute's value on one line (a list is comma-separated)."""
    text = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    return " ".join(text.split())


class EntityForm(QDialog):
    """Add an entity (and, when asked, link it to an annotation in the same write),
    or, given ``entity``, edit one.

    The service checks everything; its refusals (a bad IMO check digit, an
    identifier another entity holds, an empty name) are shown under the fields
    and the form stays open. When editing, the kind is shown but fixed
    (``update_entity`` cannot change it), and the identifiers and attributes
    the form does not show are kept as stored.

    Signals:
        entityAdded(str): the new entity's uuid, after the write committed.
        entityEdited(str): the edited entity's uuid, after the write committed.
    """

    entityAdded = Signal(str)
    entityEdited = Signal(str)

    def __init__(
        self,
        controller: LibraryController,
        parent: QWidget | None = None,
        *,
        kind: str = "vessel",
        name: str = "",
        imo: str = "",
        mmsi: str = "",
        flag: str = "",
        link_to: str | None = None,
        history: AnnotationHistory | None = None,
        entity: EntityRow | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.link_to = link_to
        self.history = history
        self.entity = entity
        self.busy = False
        self.last_error: str | None = None
        aliases: tuple[str, ...] = ()
        if entity is not None:
            kind, name, aliases = entity.kind, entity.name, entity.aliases
            imo, mmsi = _identifier_text(entity, "imo"), _identifier_text(entity, "mmsi")
            flag = _fact_text(entity.attributes.get("flag", ""))
        self._shown_flag = flag
        self.setWindowTitle("New entity" if entity is None else f"Edit {entity.kind}")
        self.kind_combo = QComboBox()
        for k in KINDS:
            self.kind_combo.addItem(k, k)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(kind)))
        if entity is not None:
            self.kind_combo.setEnabled(False)
            self.kind_combo.setToolTip(
                "The kind of an entity cannot be changed; entities of another kind "
                "cannot be merged into it either"
            )
        self.name_edit = QLineEdit(name)
        self.name_edit.setPlaceholderText("the name most sources use, e.g. AMBER TIDE")
        if entity is not None and entity.kind == "vessel":
            self.name_edit.setToolTip("A renamed vessel keeps its old name as a former name")
        self.aliases_edit = QPlainTextEdit()
        self.aliases_edit.setTabChangesFocus(True)
        self.aliases_edit.setPlaceholderText("one per line, e.g. 앰버 타이드")
        self.aliases_edit.setToolTip(ALIASES_TIP)
        self.aliases_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        # One per line, the last line ended too: an alias with a comma stays whole.
        self.aliases_edit.setPlainText("".join(f"{alias}\n" for alias in aliases))
        self.imo_edit = QLineEdit(imo)
        self.imo_edit.setPlaceholderText("seven digits; the last is a check digit")
        self.mmsi_edit = QLineEdit(mmsi)
        self.mmsi_edit.setPlaceholderText("nine digits; the first three give the flag")
        for edit in (self.imo_edit, self.mmsi_edit):
            edit.setToolTip(SEVERAL_TIP)
        self.flag_edit = QLineEdit(flag)
        self._auto_flag = flag if flag and flag == mmsi_flag(mmsi) else ""
        self.mmsi_edit.textChanged.connect(self._mmsi_changed)
        self.message = _error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if entity is not None:
            self.ok_button.setText("Save")
        else:
            self.ok_button.setText("Add and link" if link_to else "Add")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Kind:", self.kind_combo)
        form.addRow("Name:", self.name_edit)
        form.addRow("Aliases:", self.aliases_edit)
        form.addRow("IMO:", self.imo_edit)
        form.addRow("MMSI:", self.mmsi_edit)
        form.addRow("Flag:", self.flag_edit)
        form.addRow(self.message)
        form.addRow(self.buttons)
        self.setMinimumWidth(460)
        self.name_edit.setFocus()

    def _mmsi_changed(self, text: str) -> None:
        # The flag follows the MMSI while the reviewer has not typed one of their own.
        if self.flag_edit.text() in ("", self._auto_flag):
            mmsi = text.strip()
            self._auto_flag = (mmsi_flag(mmsi) or "") if len(mmsi) == 9 else ""
            self.flag_edit.setText(self._auto_flag)

    def values(self) -> dict[str, Any]:
        """What ``add_entity`` gets: kind, name, aliases, identifiers, attributes.

        Identifiers are ``{scheme: [values]}``: a field may hold several,
        comma-separated.
        """
        identifiers = {
            scheme: values
            for scheme, edit in (("imo", self.imo_edit), ("mmsi", self.mmsi_edit))
            if (values := [v.strip() for v in edit.text().split(",") if v.strip()])
        }
        flag = " ".join(self.flag_edit.text().split())
        return {
            "kind": self.kind_combo.currentData(),
            "name": self.name_edit.text(),
            "aliases": split_aliases(self.aliases_edit.toPlainText()),
            "identifiers": identifiers,
            "attributes": {"flag": flag} if flag else {},
        }

    def submit(self) -> None:
        """Write the entity (and the link); close on success, say why not otherwise."""
        if self.busy:
            return
        values = self.values()
        if self.entity is None:
            work, label, signal = (
                _adding(values, self.link_to, self.history),
                "adding entity",
                self.entityAdded,
            )
        else:
            work = _editing(self.entity.uuid, values, self._shown_flag)
            label, signal = "saving entity", self.entityEdited

        def done(uuid: Any) -> None:
            self.busy = False
            self.ok_button.setEnabled(True)
            self.last_error = None
            signal.emit(str(uuid))
            self.accept()

        def failed(message: str) -> None:
            self.busy = False
            self.ok_button.setEnabled(True)
            self.last_error = message
            _show_message(self.message, message, error=True)

        self.busy = True
        self.ok_button.setEnabled(False)
        _show_message(self.message, "", error=False)
        run_write(self.controller, work, label, done, failed)


def _adding(
    values: dict[str, Any], link_to: str | None, history: AnnotationHistory | None
) -> Callable[[Library, Any], str]:
    """The write of a new entity from the form (and its link to ``link_to``)."""

    def work(library: Library, session: Any) -> str:
        entity = add_entity(
            library,
            session,
            values["kind"],
            values["name"],
            aliases=values["aliases"],
            identifiers=values["identifiers"],
            attributes=values["attributes"],
        )
        if link_to is not None:
            _link(library, session, history, link_to, entity.uuid)
        return entity.uuid

    return work


def _editing(
    entity_uuid: str, values: dict[str, Any], shown_flag: str
) -> Callable[[Library, Any], str]:
    """The write of an edited entity: what the form shows replaces the stored values.

    Identifiers of other schemes and attributes other than the flag are read
    in the write session and passed back unchanged (``update_entity``
    replaces what it is given whole); the attributes are passed only when the
    flag was changed in the form.
    """

    def work(library: Library, session: Any) -> str:
        stored = get_entity(session, entity_uuid)
        identifiers: dict[str, list[str]] = {}
        for scheme, value in identifiers_of(session, stored):
            if scheme not in FORM_SCHEMES:
                identifiers.setdefault(scheme, []).append(value)
        identifiers.update(values["identifiers"])
        attributes: dict[str, Any] | None = None
        if values["attributes"].get("flag", "") != shown_flag:
            attributes = {k: v for k, v in (stored.attributes or {}).items() if k != "flag"}
            attributes.update(values["attributes"])
        entity = update_entity(
            library,
            session,
            stored.uuid,
            name=values["name"],
            aliases=values["aliases"],
            identifiers=identifiers,
            attributes=attributes,
        )
        return entity.uuid

    return work


# --- linking one annotation ----------------------------------------------------


@dataclass(frozen=True)
class _LinkState:
    annotation: AnnotationData
    source_title: str
    linked: list[EntityRow]
    suggestions: list[Suggestion]


def _read_link_state(library: Library, annotation_uuid: str) -> _LinkState:
    with library.reader() as session:
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
            source_title=_source_title(session, data.source_sha256),
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
        self.where_label = _heading("")
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.note_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note_label.hide()

        self.linked_tree = _flat_tree(["Kind", "Name", "Identifiers"], stretch=1)
        self.unlink_button = _button(
            "&Unlink", "Remove the link; the entity stays in the library", self._unlink_clicked
        )
        self.linked_tree.currentItemChanged.connect(lambda *_: self._update_buttons())

        self.suggestion_list = QListWidget()
        self.suggestion_list.setToolTip(
            "Identifiers and known names read from the passage and its note"
        )
        self.link_suggestion_button = _button(
            "&Link Suggestion",
            "Link the known entity to this annotation",
            self._link_suggestion_clicked,
        )
        self.add_button = _button(
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
        self.link_found_button = _button(
            "Link &Found", "Link the chosen entity to this annotation", self._link_found_clicked
        )
        self.new_button = _button(
            "&New Entity…", "Add an entity that is not in the library yet", self._new_clicked
        )
        self.found_list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.found_list.itemActivated.connect(lambda _item: self._link_found_clicked())
        self._search_timer = _typing_pause(self.search_edit, self.search)
        self.search_edit.returnPressed.connect(self.search)  # Enter searches, nothing else

        self.message = _error_label()
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
        _show_message(self.message, "", error=False)
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
        return _labels(self.suggestion_list)

    def found_labels(self) -> list[str]:
        """What the search result rows say, top to bottom."""
        return _labels(self.found_list)

    def reload(self) -> None:
        """Read the annotation, its links and the suggestions again."""
        self._generation += 1
        generation = self._generation
        uuid = self.annotation_uuid

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
        self.controller.run(
            _read_link_state, self.controller.library, uuid, on_done=done, on_error=failed
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
        library = self.controller.library

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
        self.controller.run(_read_rows, library, text, on_done=done, on_error=failed)

    def _filter_found(self) -> None:
        linked = set(self.linked_uuids())
        rows = [r for r in self._found if r.uuid not in linked]
        _fill_found(self.found_list, rows, self._current_uuid(self.found_list.currentItem()))
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
        return _choose(self.suggestion_list, text)

    def choose_found(self, text: str) -> bool:
        """Select the first search result whose row contains ``text``."""
        return _choose(self.found_list, text)

    def choose_linked(self, entity_uuid: str) -> bool:
        """Select a linked entity's row."""
        for item in _tree_items(self.linked_tree):
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
        self._write(lambda lib, s: _link(lib, s, history, uuid, entity_uuid), "Linked.")

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
        _show_message(self.message, "", error=False)
        run_write(self.controller, work, "linking", done, failed)

    def _written(self, text: str) -> None:
        self.last_error = None
        _show_message(self.message, text, error=False)
        self.reload()
        self.search()
        self.linksChanged.emit(self.annotation_uuid)

    def _fail(self, message: str) -> None:
        self.last_error = message
        _show_message(self.message, message, error=True)


def _button(text: str, tip: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    # Never the dialog's default: Enter in a search field must not press Unlink or Link.
    button.setAutoDefault(False)
    button.setDefault(False)
    button.clicked.connect(lambda _checked=False: slot())
    return button


def _typing_pause(edit: QLineEdit, slot: Callable[[], None]) -> QTimer:
    """A timer that runs ``slot`` once typing in ``edit`` pauses (one query, not one a key)."""
    timer = QTimer(edit)
    timer.setSingleShot(True)
    timer.setInterval(SEARCH_DELAY_MS)
    timer.timeout.connect(slot)
    edit.textChanged.connect(lambda _text: timer.start())
    return timer


def _labels(view: QListWidget) -> list[str]:
    return [view.item(i).text() for i in range(view.count())]


def _choose(view: QListWidget, text: str) -> bool:
    """Select the first row whose text contains ``text``; False when none does."""
    for i in range(view.count()):
        if text in view.item(i).text():
            view.setCurrentRow(i)
            return True
    return False


def _flat_tree(headers: list[str], *, stretch: int) -> QTreeWidget:
    """A list with columns: the ``stretch`` column takes the room, the others fit."""
    tree = QTreeWidget()
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    header = tree.header()
    header.setStretchLastSection(False)
    for column in range(len(headers)):
        mode = QHeaderView.ResizeMode.Stretch
        if column != stretch:
            mode = QHeaderView.ResizeMode.ResizeToContents
        header.setSectionResizeMode(column, mode)
    return tree


def _tree_items(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    items = (tree.topLevelItem(i) for i in range(tree.topLevelItemCount()))
    return [item for item in items if item is not None]


def _button_row(*buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    return row


# --- merging duplicates ----------------------------------------------------------


def merge_summary(source: EntityRow, into: EntityRow, links: int) -> list[str]:
    """What ``merge_entities(source, into)`` will do, a sentence a line.

    Args:
        source: the entity merged and removed.
        into: the entity kept.
        links: how many (not deleted) annotations are linked to ``source``.
    """
    keep, gone = f"“{into.name}”", f"“{source.name}”"
    lines = [f"{keep} is kept, under its own name."]
    # As merge_entities does it: the name and aliases join the aliases (a
    # spelling it already goes by, in any case, is not repeated), the former
    # names the former names.
    known = {into.name.casefold(), *(a.casefold() for a in into.aliases)}
    aliases = _new_names([source.name, *source.aliases], known)
    if aliases:
        verb = "becomes an alias" if len(aliases) == 1 else "become aliases"
        lines.append(f"{_quoted(aliases)} {verb} of {keep}.")
    former = [n for n in source.former_names if n != into.name and n not in into.former_names]
    if former:
        verb = "becomes a former name" if len(former) == 1 else "become former names"
        lines.append(f"{_quoted(former)} {verb} of {keep}.")
    if source.identifiers:
        lines.append(f"Its identifiers ({source.identifier_text}) move to {keep}.")
        shared = sorted({s for s, _ in source.identifiers} & {s for s, _ in into.identifiers})
        for scheme in shared:
            lines.append(f"{keep} will then hold more than one {scheme_label(scheme)}.")
    if links:
        noun = (
            "annotation linked to it is" if links == 1 else f"{links} annotations linked to it are"
        )
        lines.append(f"The {noun} linked to {keep} instead.")
    for key, value in sorted(source.attributes.items()):
        if key in _ATTRIBUTES_SHOWN_ELSEWHERE:
            continue
        label = _fact_label(key)
        if key not in into.attributes:
            lines.append(f"{label} {_fact_text(value)} is added to {keep}.")
        elif into.attributes[key] != value:
            lines.append(
                f"{label}: {keep} keeps {_fact_text(into.attributes[key])}; "
                f"{_fact_text(value)} is dropped."
            )
    lines.append(
        f"{gone} is then removed; links and exports that refer to it by its id lead to {keep}."
    )
    return lines


def _new_names(names: Iterable[str], known: set[str]) -> list[str]:
    """``names`` without those in ``known`` (compared casefolded) or repeated."""
    out: list[str] = []
    for name in names:
        if name.casefold() not in known:
            known.add(name.casefold())
            out.append(name)
    return out


def _quoted(names: list[str]) -> str:
    """``“A”``, ``“A” and “B”``, ``“A”, “B” and “C”``."""
    quoted = [f"“{n}”" for n in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


class EntityMergeDialog(QDialog):
    """Choose the entity another one is merged into: others of its kind, searchable.

    Merge… asks for confirmation (a message box saying what moves); Cancel
    there leaves this dialog open to choose again. Accepted once confirmed;
    the caller then writes the merge.

    Signals:
        searched(): the list of entities was (re)read.
    """

    searched = Signal()

    def __init__(
        self,
        controller: LibraryController,
        source: EntityRow,
        parent: QWidget | None = None,
        *,
        links: int = 0,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.source = source
        self.links = links
        self.last_error: str | None = None
        self._running = 0
        self._generation = 0
        self.setWindowTitle(f"Merge {source.name} into…")
        intro = QLabel(
            f"Choose the {source.kind} to keep. “{source.name}” is merged into it and "
            "removed: its name, aliases, identifiers and annotation links move over."
        )
        intro.setWordWrap(True)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Name, alias or former name")
        self.search_edit.setClearButtonEnabled(True)
        self.found_list = QListWidget()
        self.found_list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.found_list.itemActivated.connect(lambda _item: self.submit())
        self._search_timer = _typing_pause(self.search_edit, self.search)
        self.message = _error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Merge…")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.found_list, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(520, 420)
        self._update_buttons()
        self.search_edit.setFocus()
        self.search()

    @property
    def busy(self) -> bool:
        """Whether a search is running or about to start."""
        return self._running > 0 or self._search_timer.isActive()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        self._search_timer.stop()
        super().hideEvent(event)

    def found_labels(self) -> list[str]:
        """What the rows say, top to bottom."""
        return _labels(self.found_list)

    def choose(self, text: str) -> bool:
        """Select the first row whose text contains ``text``; False when none does."""
        return _choose(self.found_list, text)

    def chosen(self) -> EntityRow | None:
        """The entity chosen to keep, if any."""
        item = self.found_list.currentItem()
        row = item.data(ENTITY_ROLE) if item is not None else None
        return row if isinstance(row, EntityRow) else None

    def search(self) -> None:
        """List the other entities of the kind that match the search text."""
        self._search_timer.stop()
        self._generation += 1
        generation = self._generation
        source = self.source

        def done(rows: Any) -> None:
            self._running -= 1
            if generation == self._generation:
                others = [r for r in rows if r.uuid != source.uuid]
                keep = self.chosen()
                _fill_found(self.found_list, others, None if keep is None else keep.uuid)
                if not others:
                    empty = QListWidgetItem(f"No other {source.kind} matches")
                    empty.setFlags(Qt.ItemFlag.NoItemFlags)
                    self.found_list.addItem(empty)
                self._update_buttons()
                self.searched.emit()

        def failed(message: str) -> None:
            self._running -= 1
            self.last_error = message
            _show_message(self.message, message, error=True)

        self._running += 1
        self.controller.run(
            _read_rows,
            self.controller.library,
            self.search_edit.text(),
            source.kind,
            on_done=done,
            on_error=failed,
        )

    def _update_buttons(self) -> None:
        self.ok_button.setEnabled(self.chosen() is not None)

    def submit(self) -> None:
        """Ask the reviewer to confirm; accept when they do."""
        into = self.chosen()
        if into is not None and self.confirm(into):
            self.accept()

    def confirm(self, into: EntityRow) -> bool:
        """A message box saying what the merge does; True when the reviewer says Merge."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Merge entities")
        box.setText(f"Merge “{self.source.name}” into “{into.name}”?")
        lines = merge_summary(self.source, into, self.links)
        box.setInformativeText(
            "\n".join(f"• {line}" for line in lines) + "\n\nA merge cannot be undone with Ctrl+Z."
        )
        merge = box.addButton("Merge", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is merge


# --- the entities window ---------------------------------------------------------


@dataclass(frozen=True)
class _PageView:
    entity: EntityRow
    annotations: list[AnnotationData]
    titles: dict[str, str]
    colours: dict[str, str | None]
    sources: list[SourceMention]


def _read_page(library: Library, entity_uuid: str) -> _PageView:
    with library.reader() as session:
        page = entity_page(session, entity_uuid)
        titles = {
            sha: _source_title(session, sha) for sha in {a.source_sha256 for a in page.annotations}
        }
        colours = {
            c.code: c.display_colour for c in list_categories(session, include_deprecated=True)
        }
        return _PageView(
            entity=entity_row(session, page.entity),
            annotations=page.annotations,
            titles=titles,
            colours=colours,
            sources=page.sources,
        )


_ATTRIBUTES_SHOWN_ELSEWHERE = ("former_names", "merged_from")


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
        self.entity_tree = _flat_tree(["Name", "Kind"], stretch=0)
        self.count_label = QLabel()
        self._search_timer = _typing_pause(self.search_edit, self.reload_list)
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
        self.edit_button = _button(
            "Edit…", "Correct the name, aliases, IMO, MMSI or flag (F2)", self.edit_entity
        )
        self.merge_button = _button(
            "Merge into…",
            "This entity is a duplicate: fold it into another of its kind, which is kept",
            self.merge_entity,
        )
        QShortcut(QKeySequence(Qt.Key.Key_F2), self, self.edit_entity)
        self.facts = QFormLayout()
        self.facts.setContentsMargins(0, 4, 0, 0)

        self.annotations_heading = _heading("Annotations (0)")
        self.annotation_list = QListWidget()
        self.annotation_list.setItemDelegate(AnnotationDelegate(self.annotation_list))
        self.annotation_list.setUniformItemSizes(True)
        self.annotation_list.activated.connect(self._annotation_activated)
        self.sources_heading = _heading("Sources mentioning it (0)")
        self.source_tree = _flat_tree(["Source", "Pages", "Found as"], stretch=0)
        self.source_tree.activated.connect(self._source_activated)
        self.message = _error_label()

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
        return [item.text(0) for item in _tree_items(self.entity_tree)]

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
        library = self.controller.library

        def done(rows: Any) -> None:
            self._running -= 1
            if generation == self._list_generation:
                self._fill_list(rows)

        self._running += 1
        self.controller.run(_read_rows, library, text, kind, on_done=done, on_error=self._failed)

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
        for item in _tree_items(self.entity_tree):
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
        self.controller.run(
            _read_page, self.controller.library, entity_uuid, on_done=done, on_error=self._failed
        )

    def _failed(self, message: str) -> None:
        self._running -= 1
        self.last_error = message
        _show_message(self.message, message, error=True)

    def _show_page(self, view: _PageView) -> None:
        self.page = view
        self.last_error = None
        _show_message(self.message, self._notice, error=False)
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
            _show_message(self.message, message, error=True)

        self._writing += 1
        self._update_buttons()
        _show_message(self.message, "", error=False)
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


def _fact_label(key: str) -> str:
    return key.replace("_", " ").capitalize()


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
        if key not in _ATTRIBUTES_SHOWN_ELSEWHERE:
            facts.append((_fact_label(key), _fact_text(value)))
    return [(name, text) for name, text in facts if text]


__all__ = [
    "EntityForm",
    "EntityLinkDialog",
    "EntityMergeDialog",
    "EntityRow",
    "EntityWindow",
    "entity_facts",
    "merge_summary",
    "Suggestion",
    "page_ranges",
    "pick_suggestions",
    "split_aliases",
]
