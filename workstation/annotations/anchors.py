"""Where an annotation sits in its source, independent of any viewer.

Text anchors count Unicode code points in the page text the library stored
(not Qt's UTF-16 positions) and keep the exact quote with some context, so
a passage can be found again if the extracted text ever changes. Region
anchors are in source coordinates: image pixels, or PDF points on a page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

CONTEXT_CHARS = 32


@dataclass(frozen=True)
class TextAnchor:
    """A passage: ``text[start:end] == exact`` on 1-based ``page``."""

    page: int
    start: int
    end: int
    exact: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class RegionAnchor:
    """A shape on an image (``page`` None) or on a PDF page (PDF points).

    ``shape`` 'rect' has two points (top-left, bottom-right); 'polygon' three
    or more; 'points' is a set of count markers.
    """

    shape: Literal["rect", "polygon", "points"]
    points: tuple[tuple[float, float], ...]
    page: int | None = None

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """x, y, width, height of the smallest rectangle around the shape."""
        xs = [p[0] for p in self.points]
        ys = [p[1] for p in self.points]
        return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


@dataclass(frozen=True)
class PageAnchor:
    """A whole page (e.g. a page to redact)."""

    page: int


Anchor = TextAnchor | RegionAnchor | PageAnchor


@dataclass
class AnnotationData:
    """An annotation as plain data: what the service stores and W3C carries."""

    uuid: str
    source_sha256: str
    source_media_type: str
    anchor: Anchor
    categories: list[str] = field(default_factory=list)
    note: str | None = None
    redact: bool = False
    author: str = ""
    created: str = ""
    modified: str = ""
    entities: list[str] = field(default_factory=list)
    # Derived, not stored: a region on a georeferenced image in WGS84 as a GeoJSON
    # geometry (lon, lat); it follows the image's georeference when that changes.
    geo: dict[str, Any] | None = None


def text_anchor(text: str, start: int, end: int, page: int = 1) -> TextAnchor:
    """Anchor ``text[start:end]`` with its quote and context.

    Raises:
        ValueError: the range is empty or outside the text.
    """
    if not 0 <= start < end <= len(text):
        raise ValueError(f"passage {start}-{end} is outside the page text (0-{len(text)})")
    return TextAnchor(
        page=page,
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
    )
