"""Merge a duplicate entity into another of its kind: choose the one to keep, read
what moves, confirm; nothing is merged before that."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ui.desktop.app.controller import LibraryController
from ui.desktop.entities.entity_rows import (
    ATTRIBUTES_SHOWN_ELSEWHERE,
    EntityRow,
    fact_label,
    fact_text,
    read_rows,
    scheme_label,
)
from ui.desktop.entities.entity_widgets import (
    ENTITY_ROLE,
    choose_row,
    error_label,
    fill_found,
    row_labels,
    show_message,
    typing_pause,
)


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
        if key in ATTRIBUTES_SHOWN_ELSEWHERE:
            continue
        label = fact_label(key)
        if key not in into.attributes:
            lines.append(f"{label} {fact_text(value)} is added to {keep}.")
        elif into.attributes[key] != value:
            lines.append(
                f"{label}: {keep} keeps {fact_text(into.attributes[key])}; "
                f"{fact_text(value)} is dropped."
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
        self._search_timer = typing_pause(self.search_edit, self.search)
        self.message = error_label()
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
        return row_labels(self.found_list)

    def choose(self, text: str) -> bool:
        """Select the first row whose text contains ``text``; False when none does."""
        return choose_row(self.found_list, text)

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
                fill_found(self.found_list, others, None if keep is None else keep.uuid)
                if not others:
                    empty = QListWidgetItem(f"No other {source.kind} matches")
                    empty.setFlags(Qt.ItemFlag.NoItemFlags)
                    self.found_list.addItem(empty)
                self._update_buttons()
                self.searched.emit()

        def failed(message: str) -> None:
            self._running -= 1
            self.last_error = message
            show_message(self.message, message, error=True)

        self._running += 1
        text, kind = self.search_edit.text(), source.kind
        self.controller.query(lambda session: read_rows(session, text, kind), done, on_error=failed)

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
