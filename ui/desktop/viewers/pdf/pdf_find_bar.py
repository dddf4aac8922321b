"""The find bar of a PdfView: type to search, Enter for the next hit, Esc to close."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from ui.desktop.viewers.pdf.pdf_toolbar import tool_button

if TYPE_CHECKING:
    from ui.desktop.viewers.pdf.pdf_view import PdfView


class PdfFindBar(QWidget):
    """A one-line find bar for a PdfView: Enter finds next, Shift+Enter previous, Esc closes.

    Typing searches after a short pause; the label shows "3 of 17".
    """

    def __init__(self, view: PdfView) -> None:
        super().__init__(view)
        self._view = view
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.setSpacing(4)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Find in document")
        self.edit.setClearButtonEnabled(True)
        self.edit.installEventFilter(self)
        self.status = QLabel("", self)
        self.status.setMinimumWidth(110)
        self.previous_button = tool_button(self, "▲")
        self.previous_button.setToolTip("Previous match (Shift+Enter)")
        self.next_button = tool_button(self, "▼")
        self.next_button.setToolTip("Next match (Enter)")
        self.close_button = tool_button(self, "✕")
        self.close_button.setToolTip("Close (Esc)")
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.next_button)
        layout.addWidget(self.close_button)
        self._typing = QTimer(self, singleShot=True, interval=300)
        self._typing.timeout.connect(self._search)
        self.edit.textEdited.connect(lambda _text: self._typing.start())
        self.previous_button.clicked.connect(lambda: self._go(-1))
        self.next_button.clicked.connect(lambda: self._go(1))
        self.close_button.clicked.connect(self.close_bar)
        view.findChanged.connect(self._show_status)

    def set_text(self, text: str) -> None:
        """Put text in the box without searching yet."""
        self.edit.setText(text)

    def focus(self) -> None:
        """Give the box the keyboard, its text selected."""
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def close_bar(self) -> None:
        """Hide the bar, clear the highlights and hand the keyboard back to the pages."""
        self._typing.stop()
        self.hide()
        self._view.clear_find()
        self._view.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                self._go(-1 if shift else 1)
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.close_bar()
                return True
        return super().eventFilter(watched, event)

    def _search(self) -> None:
        self._view.find(self.edit.text())

    def _go(self, step: int) -> None:
        if self._typing.isActive() or self.edit.text() != self._view.find_query:
            self._typing.stop()
            self._search()  # a new query: its first hit is shown as soon as it is found
        elif step > 0:
            self._view.find_next()
        else:
            self._view.find_previous()

    def _show_status(self, current: int, total: int) -> None:
        if not self._view.find_query.strip():
            self.status.setText("")
        elif total == 0:
            self.status.setText("Searching…" if self._view.find_running else "No matches")
        else:
            more = "…" if self._view.find_running else ""
            self.status.setText(f"{current} of {total}{more}")
