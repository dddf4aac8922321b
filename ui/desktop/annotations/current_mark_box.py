"""The current mark in the Inspector: what it is, its categories and note, and
buttons to edit them (the mark just made, or clicked on the page or in a list).

Signals:
    noteRequested(str): edit this mark's note.
    categoryRequested(str): add a category to this mark.
    entitiesRequested(str): see or link this mark's entities.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.desktop.annotations.annotation_panel import summary
from workstation.annotations.anchors import AnnotationData

NOTE_SHOWN_MAX = 600


def _wrapped() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    # A long quote or note wraps; it never widens the dock.
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(40)
    return label


class CurrentMarkBox(QGroupBox):
    """Shows one mark (or hides itself when there is none)."""

    noteRequested = Signal(str)
    categoryRequested = Signal(str)
    entitiesRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Current mark", parent)
        self.annotation_uuid: str | None = None
        self.what = _wrapped()
        self.tags = _wrapped()
        self.note = _wrapped()
        self.note_button = QPushButton("Edit note…")
        self.note_button.setToolTip("Write or change this mark's note (Ctrl+Shift+N)")
        self.category_button = QPushButton("Category…")
        self.category_button.setToolTip("Add a category to this mark")
        self.entities_button = QPushButton("Entities…")
        self.entities_button.setToolTip("The vessels, companies and places it mentions (Ctrl+K)")
        for button, signal in (
            (self.note_button, self.noteRequested),
            (self.category_button, self.categoryRequested),
            (self.entities_button, self.entitiesRequested),
        ):
            button.clicked.connect(lambda _=False, s=signal: self._emit(s))
        # Two to a row: three in one made the Inspector wider than its dock.
        buttons = QGridLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.note_button, 0, 0)
        buttons.addWidget(self.category_button, 0, 1)
        buttons.addWidget(self.entities_button, 1, 0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.what)
        layout.addWidget(self.tags)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        self.hide()

    def _emit(self, signal: object) -> None:
        if self.annotation_uuid is not None:
            signal.emit(self.annotation_uuid)  # type: ignore[attr-defined]

    def show_mark(self, data: AnnotationData | None) -> None:
        """Show a mark, or hide the box (None)."""
        self.annotation_uuid = data.uuid if data is not None else None
        if data is None:
            self.hide()
            return
        self.what.setText(summary(data))
        tags = ", ".join(data.categories) or "No category yet"
        if data.redact:
            tags = "Redacted on export · " + tags
        self.tags.setText(tags)
        note = (data.note or "").strip()
        self.note.setText(
            note[:NOTE_SHOWN_MAX] + ("…" if len(note) > NOTE_SHOWN_MAX else "")
            if note
            else "No note."
        )
        self.note.setEnabled(bool(note))
        self.note_button.setText("Edit note…" if note else "Add note…")
        self.show()
