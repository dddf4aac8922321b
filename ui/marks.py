"""Annotations as marks a viewer draws, and marking the current selection.

A worker turns a source's annotations into plain tuples (page, colour,
offsets or points); the GUI thread hands them to the viewer, which draws
text spans in the category's colour and regions as outlined shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from workstation.anchors import PageAnchor, RegionAnchor, TextAnchor
from workstation.annotations import AnnotationFilter, AnnotationService
from workstation.library import Library
from workstation.taxonomy import list_categories

DEFAULT_COLOUR = "#f2c94c"
REDACT = "redact"  # in place of a colour: drawn hatched, removed on export


@dataclass
class SourceMarks:
    """What to draw for one source."""

    spans: dict[int, list[tuple[str, int, int]]] = field(default_factory=dict)
    regions: dict[int | None, list[tuple[str, str, list[tuple[float, float]]]]] = field(
        default_factory=dict
    )
    pages: dict[int, str] = field(default_factory=dict)  # whole-page marks
    count: int = 0


def load_marks(library: Library, source_id: int) -> SourceMarks:
    """Read a source's annotations and their colours (runs on a worker)."""
    marks = SourceMarks()
    with library.reader() as session:
        colours = {
            n.code: n.display_colour for n in list_categories(session, include_deprecated=True)
        }
        found = AnnotationService(library).find(session, AnnotationFilter(source_id=source_id))
    for data in found:
        colour = next((colours[c] for c in data.categories if colours.get(c)), None)
        colour = REDACT if data.redact else (colour or DEFAULT_COLOUR)
        anchor = data.anchor
        if isinstance(anchor, TextAnchor):
            marks.spans.setdefault(anchor.page, []).append((colour, anchor.start, anchor.end))
        elif isinstance(anchor, RegionAnchor):
            marks.regions.setdefault(anchor.page, []).append(
                (colour, anchor.shape, [tuple(p) for p in anchor.points])  # type: ignore[misc]
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
        for c, shape, pts in items:
            outline, fill = region_style(c)
            out.setdefault(page or 0, []).append((outline, fill, shape, pts))
    return out
