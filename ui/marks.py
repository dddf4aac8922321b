"""Annotations as marks a viewer draws, and marking the current selection.

A worker turns a source's annotations into plain tuples (page, colour,
offsets or points); the GUI thread hands them to the viewer, which draws
text spans in the category's colour and regions as outlined shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtGui import QColor

from workstation.anchors import PageAnchor, RegionAnchor, TextAnchor
from workstation.annotations import AnnotationFilter, AnnotationService
from workstation.library import Library
from workstation.taxonomy import list_categories

DEFAULT_COLOUR = "#f2c94c"


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
        colour = colour or DEFAULT_COLOUR
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


def qt_spans(marks: SourceMarks) -> dict[int, list[tuple[QColor, int, int]]]:
    """Spans as highlight tints of their category colours, for the viewers."""
    return {page: [(tint(c), s, e) for c, s, e in items] for page, items in marks.spans.items()}


def qt_regions(
    marks: SourceMarks,
) -> dict[int, list[tuple[QColor, str, list[tuple[float, float]]]]]:
    """Regions on PDF pages with QColors (images use page 0 here)."""
    return {
        (page or 0): [(QColor(c), shape, pts) for c, shape, pts in items]
        for page, items in marks.regions.items()
    }
