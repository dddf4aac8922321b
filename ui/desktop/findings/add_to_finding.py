"""Add to finding…: link a mark, or a selection of marks, to an existing finding or a
new one, with a role; undoable (Ctrl+Z) through the window's shared history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ui.desktop.annotations.commands import AnnotationCommands
from ui.desktop.app.controller import LibraryController
from ui.desktop.findings.finding_commands import FindingCommands
from ui.desktop.findings.findings_panel import status_label
from workstation.findings.details import FindingSummary
from workstation.findings.service import ROLES, FindingService

NEW = "new"


class MarksList(Protocol):
    """A list of marks that can say which are selected (``AnnotationPanel``)."""

    def selected_uuids(self) -> list[str]: ...  # noqa: D102

    def isAncestorOf(self, child: QWidget) -> bool: ...  # noqa: D102, N802


def selected_marks(given: str | Sequence[str] | None, lists: Sequence[MarksList]) -> list[str]:
    """The marks to add: those ``given``; else the selection of the marks list that has
    the focus, or of the first list with one."""
    if isinstance(given, str):
        return [given]
    if given:
        return list(given)
    focus = QApplication.focusWidget()
    ordered = sorted(lists, key=lambda x: not (focus is not None and x.isAncestorOf(focus)))
    return next((found for x in ordered if (found := x.selected_uuids())), [])


def added_to(marks: Sequence[str], number: str) -> str:
    """The status line once marks are linked: 'Mark added to F-0001 (Ctrl+Z undoes).'"""
    noun = "Mark" if len(marks) == 1 else f"{len(marks)} marks"
    return f"{noun} added to {number} (Ctrl+Z undoes)."


class AddToFindingDialog(QDialog):
    """Choose a finding (or "New finding…" with a title) and a role for some marks.

    Args:
        controller: reads and writes.
        annotation_uuids: the marks.
        parent: the window.
        commands: the window's annotation commands, whose undo history the link
            joins (None: a history of the dialog's own).

    Signals:
        added(str): the finding's number once the marks are linked.
    """

    added = Signal(str)

    def __init__(
        self,
        controller: LibraryController,
        annotation_uuids: list[str],
        parent: QWidget | None = None,
        *,
        commands: AnnotationCommands | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.service = FindingService(controller.library)
        self.edits = FindingCommands(
            commands if commands is not None else AnnotationCommands(controller, self), self
        )
        self.annotations = list(dict.fromkeys(annotation_uuids))
        noun = "mark" if len(self.annotations) == 1 else f"{len(self.annotations)} marks"
        self.setWindowTitle(f"Add {noun} to finding")
        self.setMinimumWidth(460)  # room for "F-0001 Ship-to-ship transfer of…" in the box
        self.finding_box = QComboBox()
        self.finding_box.addItem("New finding…", NEW)
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("Title of the new finding")
        self.role_box = QComboBox()
        for role in ROLES:
            self.role_box.addItem(role, role)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020")
        form = QFormLayout()
        form.addRow("Finding", self.finding_box)
        form.addRow("Title", self.title_edit)
        form.addRow("Role", self.role_box)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.add)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.finding_box.currentIndexChanged.connect(self._choice_changed)
        service = self.service
        self.controller.query(lambda s: service.list(s), self._fill)

    def _fill(self, findings: list[FindingSummary]) -> None:
        if not isValid(self.finding_box):
            return  # closed (and deleted) before the list came
        for item in findings:
            self.finding_box.addItem(
                f"{item.number} {item.title} ({status_label(item.status)})", item.uuid
            )
        if findings:
            self.finding_box.setCurrentIndex(1)

    def _choice_changed(self) -> None:
        self.title_edit.setEnabled(self.finding_box.currentData() == NEW)

    def choose(self, finding_uuid: str | None, role: str = "supports", title: str = "") -> None:
        """Pick a finding by uuid (None: a new one titled ``title``) and a role."""
        at = self.finding_box.findData(finding_uuid or NEW)
        self.finding_box.setCurrentIndex(max(0, at))
        self.role_box.setCurrentIndex(max(0, self.role_box.findData(role)))
        self.title_edit.setText(title)

    def add(self) -> None:
        """Link the marks (creating the finding first if asked); close when done."""
        chosen = self.finding_box.currentData()
        title = self.title_edit.text().strip()
        if chosen == NEW and not title:
            self.message.setText("Give the new finding a title.")
            return
        role = self.role_box.currentData()

        def done(number: str) -> None:
            self.added.emit(number)
            self.accept()

        self.buttons.setEnabled(False)

        def failed(message: str) -> None:
            if not isValid(self.buttons):
                return
            self.buttons.setEnabled(True)
            self.message.setText(message)

        self.edits.link(
            None if chosen == NEW else chosen,
            self.annotations,
            role,
            title=title,
            on_done=done,
            on_error=failed,
        )
