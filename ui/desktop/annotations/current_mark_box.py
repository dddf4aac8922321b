"""The current mark in the Inspector: what it is, its categories, the findings that
cite it, and its note, edited in place (the mark just made, or clicked on the page
or in a list).

Signals:
    noteSaved(str, str): the note typed here for this mark (uuid, note) is to be saved.
    noteRequested(str): edit this mark's note in the larger editor.
    categoryRequested(str): add a category to this mark.
    entitiesRequested(str): see or link this mark's entities.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.desktop.annotations.annotation_panel import summary
from workstation.annotations.anchors import AnnotationData
from workstation.findings.citing import CitingFinding

NOTE_LINES = 5
"""Lines of note shown before the editor scrolls."""


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

    noteSaved = Signal(str, str)
    noteRequested = Signal(str)
    categoryRequested = Signal(str)
    entitiesRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Current mark", parent)
        self.annotation_uuid: str | None = None
        self.what = _wrapped()
        self.tags = _wrapped()
        self.findings = _wrapped()
        self.note = QPlainTextEdit()
        self.note.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.note.setPlaceholderText("No note. Type one here.")
        self.note.setTabChangesFocus(True)
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.note.setFixedHeight(
            self.note.fontMetrics().lineSpacing() * NOTE_LINES
            + 2 * (self.note.frameWidth() + round(self.note.document().documentMargin()))
        )
        self.note.setToolTip("This mark's note: Save note (Ctrl+Return) keeps it")
        self.note.textChanged.connect(self._note_edited)
        self._saved_note = ""
        self.save_note_button = QPushButton("Save note")
        self.save_note_button.setToolTip("Keep the note typed above (Ctrl+Return; undoable)")
        self.save_note_button.clicked.connect(self.save_note)
        QShortcut(
            QKeySequence("Ctrl+Return"),
            self.note,
            self.save_note,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        self.note_button = QPushButton("Larger editor…")
        self.note_button.setToolTip("Edit the note in a resizable window (Ctrl+Shift+N)")
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
        buttons.addWidget(self.save_note_button, 0, 0)
        buttons.addWidget(self.note_button, 0, 1)
        buttons.addWidget(self.category_button, 1, 0)
        buttons.addWidget(self.entities_button, 1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.what)
        layout.addWidget(self.tags)
        layout.addWidget(self.findings)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        self.hide()

    def _emit(self, signal: object) -> None:
        if self.annotation_uuid is not None:
            signal.emit(self.annotation_uuid)  # type: ignore[attr-defined]

    @property
    def note_dirty(self) -> bool:
        """Whether the note typed here differs from the mark's."""
        return self.note.toPlainText().strip() != self._saved_note

    def _note_edited(self) -> None:
        self.save_note_button.setEnabled(self.note_dirty)

    def save_note(self) -> None:
        """Ask for the typed note to be saved (noteSaved), if it changed."""
        if self.annotation_uuid is not None and self.note_dirty:
            self.noteSaved.emit(self.annotation_uuid, self.note.toPlainText().strip())

    def show_mark(
        self, data: AnnotationData | None, findings: Sequence[CitingFinding] = ()
    ) -> None:
        """Show a mark and the findings citing it, or hide the box (None).

        The same mark shown again (after any change) keeps a note being typed; another
        mark made current saves it first (as leaving a field does).
        """
        same = data is not None and data.uuid == self.annotation_uuid
        typing = same and self.note_dirty
        if data is not None and not same:
            self.save_note()
        self.annotation_uuid = data.uuid if data is not None else None
        if data is None:
            self.hide()
            return
        self.what.setText(summary(data))
        tags = ", ".join(data.categories) or "No category yet"
        if data.redact:
            tags = "Redacted on export · " + tags
        self.tags.setText(tags)
        self.findings.setText(
            "\n".join(
                f"{f.number} · {f.status.replace('_', ' ')} · {f.role}: {f.title}" for f in findings
            )
        )
        self.findings.setVisible(bool(findings))
        self._saved_note = (data.note or "").strip()
        if not same or (not typing and self.note.toPlainText().strip() != self._saved_note):
            self.note.setPlainText(self._saved_note)
        self._note_edited()
        self.show()
