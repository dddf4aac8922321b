"""Low-confidence OCR words shown in a viewer (View > Low-Confidence OCR Words): a tint
multiplied onto each word read with confidence under LOW_CONFIDENCE, and a tooltip with
its score. The PDF viewer and the image viewer both draw them with these functions.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from workstation.ocr.viewing import LOW_CONFIDENCE, LowWord, LowWords

LOW_TINT = QColor(255, 150, 150)
"""Multiplied onto the page: paper under the word turns pink, its ink stays black."""
LOW_EDGE = QColor(200, 30, 30)
"""The dotted line under a low-confidence word, so it shows on dark pictures too."""


def low_word_tip(word: LowWord) -> str:
    """The tooltip of a low-confidence word: what was read, and how sure the engine was."""
    return (
        f"OCR read “{word.text}” with confidence {word.confidence:.0f} % "
        f"(under {LOW_CONFIDENCE:.0f} %: check it against the picture)"
    )


def paint_low_words(
    painter: QPainter,
    words: LowWords,
    area: tuple[float, float, float, float],
    to_view: Callable[[float, float, float, float], QRectF],
) -> int:
    """Tint the low-confidence words that meet ``area`` (x0, y0, x1, y1 in the words'
    coordinates), each drawn where ``to_view`` maps its box.

    Returns:
        How many words were drawn (only the ones in ``area``).
    """
    shown = words.in_rect(*area)
    if not shown:
        return 0
    painter.save()
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(LOW_TINT)
    rects = [to_view(w.x0, w.y0, w.x1, w.y1) for w in shown]
    for rect in rects:
        painter.drawRect(rect)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
    pen = QPen(LOW_EDGE)
    pen.setCosmetic(True)  # one screen pixel at any zoom
    pen.setStyle(Qt.PenStyle.DotLine)
    painter.setPen(pen)
    for rect in rects:
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
    painter.restore()
    return len(shown)


__all__ = ["LOW_EDGE", "LOW_TINT", "low_word_tip", "paint_low_words"]
