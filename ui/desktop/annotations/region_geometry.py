"""The geometry of region marks, in source coordinates (image pixels, PDF points):
held inside the page, moved, resized, their handles; and how near a point is to an edge."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF

Point = tuple[float, float]


def clamp(point: Point, bounds: tuple[float, float] | None) -> Point:
    """A point held inside the image or page."""
    if bounds is None:
        return point
    return (min(max(point[0], 0.0), bounds[0]), min(max(point[1], 0.0), bounds[1]))


def inside(point: Point, bounds: tuple[float, float] | None) -> bool:
    """Whether a point lies on the image or page."""
    return bounds is None or (0 <= point[0] <= bounds[0] and 0 <= point[1] <= bounds[1])


def translated(
    points: Sequence[Point], dx: float, dy: float, bounds: tuple[float, float] | None
) -> list[Point]:
    """The shape moved by (dx, dy), stopped at the edges so it keeps its form."""
    if bounds is not None:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        dx = min(max(dx, -min(xs)), bounds[0] - max(xs))
        dy = min(max(dy, -min(ys)), bounds[1] - max(ys))
    return [(x + dx, y + dy) for x, y in points]


def rect_handles(points: Sequence[Point]) -> list[Point]:
    """Corners (top-left, top-right, bottom-right, bottom-left), then edge middles
    (top, right, bottom, left) of a rectangle."""
    (x0, y0), (x1, y1) = points[0], points[1]
    left, right = sorted((x0, x1))
    top, bottom = sorted((y0, y1))
    mx, my = (left + right) / 2, (top + bottom) / 2
    return [
        (left, top),
        (right, top),
        (right, bottom),
        (left, bottom),
        (mx, top),
        (right, my),
        (mx, bottom),
        (left, my),
    ]


def resized(points: Sequence[Point], handle: int, to: Point) -> list[Point]:
    """A rectangle with one corner or edge dragged to ``to`` (it may flip over)."""
    (x0, y0), (x1, y1) = points[0], points[1]
    left, right = sorted((x0, x1))
    top, bottom = sorted((y0, y1))
    x, y = to
    if handle in (0, 3, 7):
        left = x
    if handle in (1, 2, 5):
        right = x
    if handle in (0, 1, 4):
        top = y
    if handle in (2, 3, 6):
        bottom = y
    left, right = sorted((left, right))
    top, bottom = sorted((top, bottom))
    return [(left, top), (right, bottom)]


def handles_of(shape: str, points: Sequence[Point]) -> list[Point]:
    """Where the handles of a selected shape are: rectangle corners and edges, polygon
    vertices, count markers."""
    return rect_handles(points) if shape == "rect" else list(points)


def bbox(points: Sequence[Point]) -> tuple[float, float, float, float]:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def near_segment(pos: QPointF, a: QPointF, b: QPointF, reach: float) -> bool:
    dx, dy = b.x() - a.x(), b.y() - a.y()
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else ((pos.x() - a.x()) * dx + (pos.y() - a.y()) * dy) / length
    t = min(max(t, 0.0), 1.0)
    return math.hypot(a.x() + t * dx - pos.x(), a.y() + t * dy - pos.y()) <= reach
