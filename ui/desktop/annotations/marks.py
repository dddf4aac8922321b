"""Annotations as marks a viewer draws, and marking the current selection.

A worker turns a source's annotations into plain tuples (page, colour,
offsets or points); the GUI thread hands them to the viewer, which draws
text spans in the category's colour and regions as outlined shapes
(rectangles, polygons, numbered count markers) at any zoom.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget
from sqlalchemy.orm import Session

from workstation.annotations.anchors import PageAnchor, RegionAnchor, TextAnchor
from workstation.annotations.queries import AnnotationFilter
from workstation.annotations.service import AnnotationService
from workstation.core.library import Library
from workstation.taxonomy.tree import list_categories

DEFAULT_COLOUR = "#f2c94c"
REDACT = "redact"  # in place of a colour: drawn hatched, removed on export


@dataclass
class SourceMarks:
    """What to draw for one source."""

    spans: dict[int, list[tuple[str, int, int]]] = field(default_factory=dict)
    # Per page (None on images): (colour, shape, points, annotation uuid).
    regions: dict[int | None, list[tuple[str, str, list[tuple[float, float]], str]]] = field(
        default_factory=dict
    )
    pages: dict[int, str] = field(default_factory=dict)  # whole-page marks
    count: int = 0


def load_marks(library: Library, session: Session, source_id: int) -> SourceMarks:
    """Read a source's annotations and their colours (runs on a worker)."""
    marks = SourceMarks()
    colours = {n.code: n.display_colour for n in list_categories(session, include_deprecated=True)}
    found = AnnotationService(library).find(session, AnnotationFilter(source_id=source_id))
    for data in found:
        colour = next((colours[c] for c in data.categories if colours.get(c)), None)
        colour = REDACT if data.redact else (colour or DEFAULT_COLOUR)
        anchor = data.anchor
        if isinstance(anchor, TextAnchor):
            marks.spans.setdefault(anchor.page, []).append((colour, anchor.start, anchor.end))
        elif isinstance(anchor, RegionAnchor):
            marks.regions.setdefault(anchor.page, []).append(
                (colour, anchor.shape, [(float(x), float(y)) for x, y in anchor.points], data.uuid)
            )
        elif isinstance(anchor, PageAnchor):
            marks.pages[anchor.page] = colour
        marks.count += 1
    return marks


def tint(colour: str, strength: float = 0.45) -> QColor:
    """The category colour washed towards white, so text under it stays readable
    (the PDF view multiplies highlights onto the page)."""
    base = QColor(colour)
    return QColor(
        round(255 - (255 - base.red()) * strength),
        round(255 - (255 - base.green()) * strength),
        round(255 - (255 - base.blue()) * strength),
    )


def hatch() -> QBrush:
    """The brush of redaction marks: dark diagonal hatching over the content."""
    return QBrush(QColor("#3a3a3a"), Qt.BrushStyle.BDiagPattern)


def span_brush(colour: str) -> QBrush:
    """How a text span is painted: a tint of its category colour, or hatched."""
    return hatch() if colour == REDACT else QBrush(tint(colour))


def region_style(colour: str) -> tuple[QColor, QBrush]:
    """Outline colour and fill of a region."""
    if colour == REDACT:
        return QColor("#202020"), hatch()
    fill = QColor(colour)
    fill.setAlpha(50)
    return QColor(colour), QBrush(fill)


def qt_spans(marks: SourceMarks) -> dict[int, list[tuple[QBrush, int, int]]]:
    """Spans with the brush each is painted with, per page."""
    return {
        page: [(span_brush(c), s, e) for c, s, e in items] for page, items in marks.spans.items()
    }


Region = tuple[QColor, QBrush, str, list[tuple[float, float]]]


def qt_regions(marks: SourceMarks) -> dict[int, list[Region]]:
    """Regions per page as (outline, fill, shape, points); images use page 0."""
    out: dict[int, list[Region]] = {}
    for page, items in marks.regions.items():
        for c, shape, pts, _uuid in items:
            outline, fill = region_style(c)
            out.setdefault(page or 0, []).append((outline, fill, shape, pts))
    return out


@dataclass
class RegionMark:
    """A region annotation as a viewer draws and edits it (source coordinates).

    ``uuid`` is empty for marks that cannot be edited as shapes (whole-page marks).
    """

    uuid: str
    page: int | None
    shape: str
    points: list[tuple[float, float]]
    outline: QColor
    fill: QBrush

    @property
    def editable(self) -> bool:
        """Whether the reviewer can select, move and reshape it."""
        return bool(self.uuid)


def region_marks(marks: SourceMarks) -> list[RegionMark]:
    """Every region of a source with its style; images have page None."""
    out: list[RegionMark] = []
    for page, items in marks.regions.items():
        for colour, shape, pts, uuid in items:
            outline, fill = region_style(colour)
            out.append(RegionMark(uuid, page, shape, list(pts), outline, fill))
    return out


MARKER_RADIUS = 9.0  # screen pixels: a count marker stays readable at any zoom
MARK_PEN = 2.0


def _marker_font() -> QFont:
    font = QFont()
    font.setPixelSize(11)
    font.setBold(True)
    return font


def marker_radius(number: int) -> float:
    """Radius in screen pixels of the circle holding ``number`` (wider for 3+ digits)."""
    width = QFontMetricsF(_marker_font()).horizontalAdvance(str(number))
    return max(MARKER_RADIUS, width / 2 + 4)


def _text_colour(fill: QColor) -> QColor:
    # Perceived brightness: dark digits on yellow, white digits on navy.
    luma = 0.299 * fill.red() + 0.587 * fill.green() + 0.114 * fill.blue()
    return QColor("#111111") if luma > 150 else QColor("#ffffff")


def paint_count_markers(
    painter: QPainter, colour: QColor, points: Sequence[QPointF], first: int = 1
) -> None:
    """Numbered circles (1, 2, 3, ...) at viewport positions, in a solid category colour."""
    painter.save()
    painter.setFont(_marker_font())
    fill = QColor(colour)
    fill.setAlpha(235)
    ring = QPen(QColor(255, 255, 255, 230), 1.5)  # stands out on dark and light imagery
    for n, point in enumerate(points, start=first):
        radius = marker_radius(n)
        painter.setPen(ring)
        painter.setBrush(fill)
        painter.drawEllipse(point, radius, radius)
        painter.setPen(_text_colour(fill))
        box = QRectF(point.x() - radius, point.y() - radius, 2 * radius, 2 * radius)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, str(n))
    painter.restore()


def paint_region(
    painter: QPainter,
    outline: QColor,
    fill: QBrush,
    shape: str,
    points: Sequence[QPointF],
) -> None:
    """Draw a region whose points are already in viewport (screen) coordinates.

    Rectangles and polygons: outline in the category colour over a translucent fill
    (hatched for redaction marks); count markers: numbered circles.
    """
    if shape == "points":
        paint_count_markers(painter, outline, points)
        return
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(outline, MARK_PEN))
    painter.setBrush(fill)
    if shape == "rect" and len(points) >= 2:
        painter.drawRect(QRectF(points[0], points[1]).normalized())
    elif shape == "polygon" and len(points) >= 2:
        painter.drawPolygon(QPolygonF(list(points)))
    painter.restore()


class RegionItem(QGraphicsItem):
    """One region mark on an image (scene units are image pixels).

    Painted in screen pixels, so outlines and count markers keep their size at any
    zoom; ``set_scale`` keeps the bounding box wide enough for them.

    The item draws its own copy of the mark's points: the editor changes
    ``mark.points`` in place, and the scene's index must hear of a new bounding
    box (``prepareGeometryChange``) before ``boundingRect`` answers with it, or it
    keeps the item filed under the old box and paints freed memory later. So a
    changed mark shows only after ``refresh``; ``stale`` tells whether it is due.
    """

    def __init__(self, mark: RegionMark, scale: float = 1.0) -> None:
        super().__init__()
        self.mark = mark
        self._points = list(mark.points)
        self._pad = 16.0 / max(scale, 1e-6)
        self.setZValue(1)

    @property
    def stale(self) -> bool:
        """Whether the mark's points changed since the item last took them."""
        return self._points != self.mark.points

    def set_scale(self, scale: float) -> None:
        """Screen pixels per image pixel changed (zoom)."""
        self.prepareGeometryChange()
        self._pad = 16.0 / max(scale, 1e-6)

    def refresh(self) -> None:
        """The mark's points changed: repaint where it was and where it is."""
        self.prepareGeometryChange()
        self._points = list(self.mark.points)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        xs = [p[0] for p in self._points] or [0.0]
        ys = [p[1] for p in self._points] or [0.0]
        pad = self._pad
        return QRectF(
            min(xs) - pad, min(ys) - pad, max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + 2 * pad
        )

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        transform = painter.worldTransform()
        points = [transform.map(QPointF(x, y)) for x, y in self._points]
        painter.save()
        painter.resetTransform()
        paint_region(painter, self.mark.outline, self.mark.fill, self.mark.shape, points)
        painter.restore()
