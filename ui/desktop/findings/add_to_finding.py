"""Add to finding…: link a mark to an existing finding, or to a new one, with a role."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ui.desktop.app.controller import LibraryController
from ui.desktop.findings.finding_editor import FINDINGS
from ui.desktop.findings.findings_panel import status_label
from workstation.findings.policy import number_label
from workstation.findings.service import ROLES, FindingService, FindingSummary

NEW = "new"


class AddToFindingDialog(QDialog):
    """Choose a finding (or "New finding…" with a title) and a role for some marks.

    Signals:
        added(str): the finding's number once the marks are linked.
    """

    added = Signal(str)

    def __init__(
        self,
        controller: LibraryController,
        annotation_uuids: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.service = FindingService(controller.library)
        self.annotations = list(annotation_uuids)
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
        service, marks = self.service, self.annotations

        def change(session: Session) -> str:
            ref = chosen if chosen != NEW else service.create(session, title=title).uuid
            row = service.add_evidence(session, ref, marks, role)
            return number_label(row.number)

        def done(number: str) -> None:
            self.added.emit(number)
            self.accept()

        self.buttons.setEnabled(False)

        def failed(message: str) -> None:
            self.buttons.setEnabled(True)
            self.message.setText(message)

        self.controller.write(change, done, changes=FINDINGS, on_error=failed)
