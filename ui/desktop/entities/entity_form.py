"""The entity form: add an entity (and link it to an annotation in the same write),
or correct one; the service's refusals are shown under the fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from ui.desktop.app.controller import LibraryController
from ui.desktop.entities.entity_rows import EntityRow, fact_text, link_undoably, run_write
from ui.desktop.entities.entity_widgets import error_label, show_message
from workstation.annotations.service import AnnotationHistory
from workstation.core.library import Library
from workstation.entities.register import (
    KINDS,
    add_entity,
    get_entity,
    identifiers_of,
    mmsi_flag,
    update_entity,
)
from workstation.entities.vessels import SIZE_KEYS, with_size

ALIASES_TIP = (
    "Other spellings, in any script: one per line. Written on a single line, commas "
    "separate them (put a name with a comma on a line of its own)."
)


FORM_SCHEMES = ("imo", "mmsi")  # the identifiers the form shows; others are kept as stored
SEVERAL_TIP = "More than one (a merged entity may hold two): separate them with commas."


def split_aliases(text: str) -> list[str]:
    """Aliases typed one per line, or comma-separated on a single line.

    A single line ended by a newline is one alias, commas and all
    ("Korea Ocean Shipping Co., Ltd.").
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) == 1 and not text.rstrip(" \t").endswith("\n"):
        lines = [part.strip() for part in lines[0].split(",") if part.strip()]
    return lines


def _identifier_text(row: EntityRow, scheme: str) -> str:
    """The entity's values of one scheme as the form shows them: ``9074729, 9166778``."""
    return ", ".join(v for s, v in row.identifiers if s == scheme)


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
            flag = fact_text(entity.attributes.get("flag", ""))
        stored = entity.attributes if entity is not None else {}
        self._shown_size = tuple(_metres_text(stored.get(key)) for key in SIZE_KEYS.values())
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
        # A vessel's registered size: what a length measured on an image is checked against.
        self.loa_edit = QLineEdit(self._shown_size[0])
        self.loa_edit.setPlaceholderText("metres, e.g. 183 (from the register)")
        self.loa_edit.setToolTip("Registered length overall in metres; blank: not known")
        self.beam_edit = QLineEdit(self._shown_size[1])
        self.beam_edit.setPlaceholderText("metres, e.g. 32")
        self.beam_edit.setToolTip("Registered beam (width) in metres; blank: not known")
        self.message = error_label()
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
        form.addRow("LOA (m):", self.loa_edit)
        form.addRow("Beam (m):", self.beam_edit)
        self._form = form
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        form.addRow(self.message)
        form.addRow(self.buttons)
        self.setMinimumWidth(460)
        self.name_edit.setFocus()

    def _kind_changed(self) -> None:
        # Only a vessel has a length overall and a beam.
        vessel = self.kind_combo.currentData() == "vessel"
        for edit in (self.loa_edit, self.beam_edit):
            self._form.setRowVisible(edit, vessel)

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
            "size": (self.loa_edit.text().strip(), self.beam_edit.text().strip()),
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
            work = _editing(self.entity.uuid, values, self._shown_flag, self._shown_size)
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
            show_message(self.message, message, error=True)

        self.busy = True
        self.ok_button.setEnabled(False)
        show_message(self.message, "", error=False)
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
            attributes=with_size(values["kind"], values["attributes"], *values["size"]),
        )
        if link_to is not None:
            link_undoably(library, session, history, link_to, entity.uuid)
        return entity.uuid

    return work


def _editing(
    entity_uuid: str,
    values: dict[str, Any],
    shown_flag: str,
    shown_size: tuple[str, ...] = ("", ""),
) -> Callable[[Library, Any], str]:
    """The write of an edited entity: what the form shows replaces the stored values.

    Identifiers of other schemes and attributes other than the flag are read
    in the write session and passed back unchanged (``update_entity``
    replaces what it is given whole); the attributes are passed only when the
    flag or the registered size (LOA, beam) was changed in the form.
    """

    def work(library: Library, session: Any) -> str:
        stored = get_entity(session, entity_uuid)
        identifiers: dict[str, list[str]] = {}
        for scheme, value in identifiers_of(session, stored):
            if scheme not in FORM_SCHEMES:
                identifiers.setdefault(scheme, []).append(value)
        identifiers.update(values["identifiers"])
        attributes: dict[str, Any] | None = None
        flag_changed = values["attributes"].get("flag", "") != shown_flag
        if flag_changed or values["size"] != shown_size:
            attributes = {k: v for k, v in (stored.attributes or {}).items() if k != "flag"}
            attributes.update(values["attributes"])
            if values["size"] != shown_size:
                attributes = with_size(stored.kind, attributes, *values["size"])
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


def _metres_text(value: object) -> str:
    """A stored size as the form shows it: ``183`` or ``32.2``; blank for none."""
    return f"{value:g}" if isinstance(value, int | float) else ""
