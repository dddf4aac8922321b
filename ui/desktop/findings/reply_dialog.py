"""A reply to record or correct: its date, and its text or the document, and a summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from ui.desktop.findings.letter_dialog import DATE_HINT, accepted, lay_out_form
from workstation.findings.replies import ReplyView


@dataclass(frozen=True)
class ReplyValues:
    """What the dialog gives back; '' is an empty field."""

    received: str
    text: str
    document: str
    summary: str


class ReplyDialog(QDialog):
    """The date a reply came, its text or the document (a source), and a summary.

    Args:
        reply: the reply to correct (None: a new one, received today).
        parent: the finding editor.
        today: the day a new reply is dated by default.
    """

    def __init__(
        self,
        reply: ReplyView | None = None,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit reply" if reply else "Add reply")
        self.setMinimumWidth(420)
        self.date_edit = QLineEdit(reply.date if reply else (today or date.today()).isoformat())
        self.date_edit.setPlaceholderText(DATE_HINT)
        self.text_edit = QPlainTextEdit((reply.text or "") if reply else "")
        self.text_edit.setPlaceholderText("The reply's text, or give its document below")
        self.text_edit.setFixedHeight(90)
        self.document_edit = QLineEdit(str(reply.source_id) if reply and reply.source_id else "")
        self.document_edit.setPlaceholderText("Source id or SHA-256 prefix")
        self.summary_edit = QLineEdit((reply.summary or "") if reply else "")
        self.summary_edit.setPlaceholderText("What it says, in a line (for the report)")
        form = QFormLayout()
        form.addRow("Received", self.date_edit)
        form.addRow("Text", self.text_edit)
        form.addRow("Document", self.document_edit)
        form.addRow("Summary", self.summary_edit)
        lay_out_form(self, form)

    def values(self) -> ReplyValues:
        """The fields as typed (trimmed); the service checks them."""
        return ReplyValues(
            received=self.date_edit.text().strip(),
            text=self.text_edit.toPlainText().strip(),
            document=self.document_edit.text().strip(),
            summary=self.summary_edit.text().strip(),
        )

    @classmethod
    def ask(cls, parent: QWidget, reply: ReplyView | None) -> ReplyValues | None:
        """Show the dialog modally; the values, or None when cancelled."""
        dialog = cls(reply, parent)
        return dialog.values() if accepted(dialog) else None
