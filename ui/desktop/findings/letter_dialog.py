"""A right-of-reply letter to record or correct: addressee, dates, reference, document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from workstation.findings.replies import ADDRESSEE_KINDS, LetterView

DEFAULT_DAYS = 30  # a month to reply is the Panels' usual courtesy
DATE_HINT = "YYYY-MM-DD"


def lay_out_form(dialog: QDialog, form: QFormLayout) -> None:
    """The form over OK and Cancel (the reply dialog's too)."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(buttons)


def accepted(dialog: QDialog) -> bool:
    """Show ``dialog`` modally; whether OK was pressed (the dialog is deleted later)."""
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()


@dataclass(frozen=True)
class LetterValues:
    """What the dialog gives back; '' is an empty optional field."""

    addressee: str
    addressee_kind: str
    sent: str
    deadline: str
    reference: str
    letter_source: str


class LetterDialog(QDialog):
    """Addressee (and whether a state, company or person), sent date, deadline, reference,
    and the letter as a source (its id or SHA-256 prefix, optional).

    Args:
        letter: the letter to correct (None: a new one, sent today, due in 30 days).
        parent: the finding editor.
        today: the day a new letter is dated by default.
    """

    def __init__(
        self,
        letter: LetterView | None = None,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit letter" if letter else "Add letter")
        self.setMinimumWidth(420)
        day = today or date.today()
        self.addressee_edit = QLineEdit(letter.addressee if letter else "")
        self.addressee_edit.setPlaceholderText("The state, company or person written to")
        self.kind_box = QComboBox()
        self.kind_box.addItem("—", "")
        for kind in ADDRESSEE_KINDS:
            self.kind_box.addItem(kind, kind)
        self.kind_box.setCurrentIndex(
            max(0, self.kind_box.findData((letter.addressee_kind or "") if letter else ""))
        )
        self.sent_edit = QLineEdit(letter.sent if letter else day.isoformat())
        due = (day + timedelta(days=DEFAULT_DAYS)).isoformat()
        self.deadline_edit = QLineEdit((letter.deadline or "") if letter else due)
        for edit in (self.sent_edit, self.deadline_edit):
            edit.setPlaceholderText(DATE_HINT)
        self.reference_edit = QLineEdit((letter.reference or "") if letter else "")
        source = letter.letter_source_id if letter else None
        self.source_edit = QLineEdit(str(source) if source else "")
        self.source_edit.setPlaceholderText("Source id or SHA-256 prefix (optional)")
        form = QFormLayout()
        form.addRow("To", self.addressee_edit)
        form.addRow("Addressee is a", self.kind_box)
        form.addRow("Sent", self.sent_edit)
        form.addRow("Deadline", self.deadline_edit)
        form.addRow("Reference", self.reference_edit)
        form.addRow("Letter (source)", self.source_edit)
        lay_out_form(self, form)

    def values(self) -> LetterValues:
        """The fields as typed (trimmed); the service checks them."""
        return LetterValues(
            addressee=self.addressee_edit.text().strip(),
            addressee_kind=self.kind_box.currentData() or "",
            sent=self.sent_edit.text().strip(),
            deadline=self.deadline_edit.text().strip(),
            reference=self.reference_edit.text().strip(),
            letter_source=self.source_edit.text().strip(),
        )

    @classmethod
    def ask(cls, parent: QWidget, letter: LetterView | None) -> LetterValues | None:
        """Show the dialog modally; the values, or None when cancelled."""
        dialog = cls(letter, parent)
        return dialog.values() if accepted(dialog) else None
