"""The note of a mark, edited in a window of its own: resizable, wrapped at its
width, saved with Ctrl+Enter (a note can run to paragraphs; the old one-line
input dialog showed ~240 px of it without wrapping).

Signals:
    saved(str, str): the mark's uuid and its new note.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui.desktop.app.layout import available_area, fit_to_screen

NOTE_EDITOR_SIZE = QSize(560, 360)


class NoteEditor(QDialog):
    """Edit one mark's note; one editor a window, pointed at the mark to edit.

    Args:
        parent: the main window.
    """

    saved = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Note")
        self.setSizeGripEnabled(True)
        self.annotation_uuid = ""
        self.about = QLabel()
        self.about.setWordWrap(True)
        self.about.setTextFormat(Qt.TextFormat.PlainText)
        self.edit = QPlainTextEdit()
        self.edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.edit.setPlaceholderText(
            "What the mark shows, why it matters, what to check next (plain text)"
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        save = buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setToolTip("Save the note (Ctrl+Enter)")
        QShortcut(QKeySequence("Ctrl+Return"), self, self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.about)
        layout.addWidget(self.edit, 1)
        layout.addWidget(buttons)
        area = available_area(self)
        self.resize(
            min(NOTE_EDITOR_SIZE.width(), area.width()),
            min(NOTE_EDITOR_SIZE.height(), area.height()),
        )

    def edit_note(self, annotation_uuid: str, note: str, about: str = "") -> None:
        """Show the editor on a mark's note (``about``: a line saying which mark)."""
        self.annotation_uuid = annotation_uuid
        self.about.setText(about)
        self.about.setVisible(bool(about))
        self.edit.setPlainText(note)
        self.edit.moveCursor(self.edit.textCursor().MoveOperation.End)
        self.show()
        fit_to_screen(self)
        self.raise_()
        self.activateWindow()
        self.edit.setFocus()

    def text(self) -> str:
        """The note as typed."""
        return self.edit.toPlainText()

    def accept(self) -> None:
        """Save: the window writes the note through its undo history."""
        super().accept()
        self.saved.emit(self.annotation_uuid, self.text())
