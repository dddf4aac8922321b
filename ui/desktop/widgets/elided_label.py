"""A one-line label that shortens its text (…) to the room it gets.

A plain QLabel asks for the width of its whole text as its minimum, so a
200-character title in a pane header made the main window wider than the
screen. This one asks for little, draws what fits, and keeps the whole text
in its tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

# Wide enough to read a few words; a title never asks for more than this.
ELIDED_MIN_WIDTH = 60
ELIDED_HINT_WIDTH = 320


class ElidedLabel(QLabel):
    """A plain-text label that elides at the right and never widens its window.

    Args:
        text: the first text.
        parent: the parent widget.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        super().setText(" ".join(text.split()))  # a title with line breaks stays one line
        self.setToolTip(text)  # the whole title, however little is shown

    def shown_text(self, width: int | None = None) -> str:
        """The text as drawn at ``width`` (default: the label's own)."""
        room = self.contentsRect().width() if width is None else width
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, room)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(ELIDED_MIN_WIDTH, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        full = super().sizeHint()
        return QSize(min(full.width(), ELIDED_HINT_WIDTH), full.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(
            self.contentsRect(),
            int(self.alignment() | Qt.AlignmentFlag.AlignVCenter),
            self.shown_text(),
        )
