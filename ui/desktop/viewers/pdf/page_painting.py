"""How a PdfView paints its pages: the sheet and its shadow, a placeholder until the
render arrives, the render itself, and marks multiplied onto the text."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter

from ui.desktop.annotations.marks import paint_region
from workstation.sources.pages import PageText

BACKGROUND = QColor(0x52, 0x56, 0x59)
_PAPER = QColor(255, 255, 255)
_PAGE_EDGE = QColor(0x3A, 0x3D, 0x40)
_SHADOW_NEAR = QColor(0x40, 0x43, 0x46)
_SHADOW_FAR = QColor(0x4A, 0x4D, 0x50)
_PLACEHOLDER_TEXT = QColor(0xC4, 0xC7, 0xCA)
_MESSAGE_TEXT = QColor(0xE8, 0xEA, 0xED)
# Highlights are multiplied onto the page, like a highlighter pen: paper takes the colour,
# black text stays black and sharp.
HIT = QColor(255, 236, 110)
CURRENT_HIT = QColor(255, 160, 60)
SELECTION = QColor(150, 195, 255)

Region = tuple[QColor, QBrush, str, list[tuple[float, float]]]
"""An annotated region: outline, fill, shape ('rect', 'polygon', 'points'), points."""


def paint_message(painter: QPainter, rect: QRect, text: str) -> None:
    """Why there are no pages, in the middle of the view."""
    painter.setPen(_MESSAGE_TEXT)
    painter.drawText(
        rect.adjusted(24, 24, -24, -24),
        Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
        text,
    )


def paint_sheet(painter: QPainter, rect: QRectF, paper: bool) -> None:
    """The page's edge and a soft shadow below it, then (if asked) white paper.

    Whole-pixel rectangles only: tall translucent shapes, and outlines stroked with a
    pen, are what the raster engine is slowest at.
    """
    page = rect.toAlignedRect()
    left, top, width, height = page.left(), page.top(), page.width(), page.height()
    painter.fillRect(QRect(left - 1, top - 1, width + 2, 1), _PAGE_EDGE)
    painter.fillRect(QRect(left - 1, top, 1, height), _PAGE_EDGE)
    painter.fillRect(QRect(left + width, top, 1, height), _PAGE_EDGE)
    painter.fillRect(QRect(left - 1, top + height, width + 2, 1), _PAGE_EDGE)
    painter.fillRect(QRect(left, top + height + 1, width + 1, 1), _SHADOW_NEAR)
    painter.fillRect(QRect(left + 1, top + height + 2, width, 1), _SHADOW_FAR)
    painter.fillRect(QRect(left + width + 1, top + 1, 1, height + 1), _SHADOW_NEAR)
    if paper:
        painter.fillRect(rect, _PAPER)


def paint_placeholder(painter: QPainter, rect: QRectF, label: str) -> None:
    """The page number (or why the page cannot be drawn) until its render arrives."""
    painter.setPen(_PLACEHOLDER_TEXT)
    font = painter.font()
    font.setPixelSize(max(10, min(48, int(rect.width() / 10))))
    painter.setFont(font)
    # Near the top rather than in the middle, so a tall page shows it on arrival; fixed
    # on the page, because scrolling moves drawn pixels instead of painting them again.
    box = QRectF(rect.left(), rect.top(), rect.width(), min(rect.height(), 240))
    painter.drawText(
        box.adjusted(8, 8, -8, -8),
        Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
        label,
    )


def paint_render(painter: QPainter, rect: QRectF, dirty: QRectF, image: QImage) -> None:
    """A render at the current zoom, where the page is drawn.

    A copy, no resampling, of the part being painted only (a scroll paints a strip; Qt
    would otherwise convert the whole RGB888 image for it).
    """
    part = rect.intersected(dirty).toAlignedRect()
    ratio = image.devicePixelRatio()
    source = QRectF(
        (part.x() - rect.x()) * ratio,
        (part.y() - rect.y()) * ratio,
        part.width() * ratio,
        part.height() * ratio,
    )
    painter.drawImage(QRectF(part), image, source)


def paint_spans(
    painter: QPainter,
    rect: QRectF,
    scale: float,
    layout: PageText,
    spans: list[tuple[QColor | QBrush, int, int]],
) -> None:
    """Spans of the page text (brush, start, end in code points), multiplied onto the page
    drawn at ``rect``, ``scale`` pixels per point."""
    painter.save()
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
    painter.setPen(Qt.PenStyle.NoPen)
    for brush, start, end in spans:
        painter.setBrush(brush)
        for x0, y0, x1, y1 in layout.rects(start, end):
            painter.drawRect(
                QRectF(
                    rect.x() + x0 * scale,
                    rect.y() + y0 * scale,
                    (x1 - x0) * scale,
                    (y1 - y0) * scale,
                )
            )
    painter.restore()


def paint_regions(painter: QPainter, rect: QRectF, scale: float, regions: list[Region]) -> None:
    """Annotated regions: a translucent fill and an outline in the category colour;
    count markers as numbered circles (screen-sized at any zoom)."""
    for colour, fill, shape, points in regions:
        mapped = [QPointF(rect.x() + x * scale, rect.y() + y * scale) for x, y in points]
        paint_region(painter, colour, fill, shape, mapped)
