"""Images of the same place: which georeferenced pictures' footprints overlap, and by how much.

A footprint is the picture's outline in WGS84 (a parallelogram: an affine image of a
rectangle, so convex). Two are clipped one by the other (Sutherland-Hodgman, exact for
convex polygons) in a local plane around them (longitude scaled by the cosine of the
latitude: good to a fraction of a percent over the few kilometres of a scene), and the
overlap is the shared area over the smaller footprint's. The first step of a before
and after comparison: the pictures worth pairing, with their capture dates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Georeference as GeorefRow
from db.models import Source
from workstation.geo.records import georeference_json

Ring = Sequence[Sequence[float]]
Point = tuple[float, float]


@dataclass(frozen=True)
class Overlap:
    """Another picture of the same place."""

    source_id: int
    title: str
    captured: str | None
    share: float  # shared area / the smaller footprint's area, 0..1

    def as_json(self) -> dict[str, object]:
        """For ``overlaps --json``."""
        return {
            "source_id": self.source_id,
            "title": self.title,
            "captured": self.captured,
            "overlap": round(self.share, 4),
        }


def _plane(ring: Ring, lat0: float) -> list[Point]:
    k = math.cos(math.radians(lat0))
    points = [(float(p[0]) * k, float(p[1])) for p in ring]
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    return points


def _area(poly: Sequence[Point]) -> float:
    return (
        sum(
            x0 * y1 - x1 * y0
            for (x0, y0), (x1, y1) in zip(poly, [*poly[1:], *poly[:1]], strict=True)
        )
        / 2
    )


def _ccw(poly: list[Point]) -> list[Point]:
    return poly if _area(poly) >= 0 else poly[::-1]


def _inside(p: Point, a: Point, b: Point) -> bool:
    """Whether ``p`` is left of (or on) the edge a -> b."""
    return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]) >= 0


def _crossing(p: Point, q: Point, a: Point, b: Point) -> Point:
    """Where the segment p -> q crosses the line through a -> b."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    ex, ey = b[0] - a[0], b[1] - a[1]
    t = (ex * (p[1] - a[1]) - ey * (p[0] - a[0])) / (ey * dx - ex * dy)
    return p[0] + t * dx, p[1] + t * dy


def _clip(subject: list[Point], clip: list[Point]) -> list[Point]:
    """Sutherland-Hodgman: the part of ``subject`` inside the convex, counter-clockwise ``clip``."""
    output = subject
    for a, b in zip(clip, [*clip[1:], *clip[:1]], strict=True):
        if not output:
            break
        points, output = output, []
        for p, q in zip(points, [*points[1:], *points[:1]], strict=True):
            if _inside(q, a, b):
                if not _inside(p, a, b):
                    output.append(_crossing(p, q, a, b))
                output.append(q)
            elif _inside(p, a, b):
                output.append(_crossing(p, q, a, b))
    return output


def overlap_share(a: Ring, b: Ring) -> float:
    """Shared area of two convex footprints over the smaller one's (0 when apart)."""
    lat0 = (sum(float(p[1]) for p in a) / len(a) + sum(float(p[1]) for p in b) / len(b)) / 2
    pa, pb = _ccw(_plane(a, lat0)), _ccw(_plane(b, lat0))
    smaller = min(abs(_area(pa)), abs(_area(pb)))
    if smaller == 0:
        return 0.0
    shared = _clip(pa, pb)
    return min(1.0, abs(_area(shared)) / smaller) if len(shared) >= 3 else 0.0


def shared_footprint(a: Ring, b: Ring) -> list[Point]:
    """The ground two convex footprints share, as (lon, lat) corners ([] when apart)."""
    lat0 = (sum(float(p[1]) for p in a) / len(a) + sum(float(p[1]) for p in b) / len(b)) / 2
    shared = _clip(_ccw(_plane(a, lat0)), _ccw(_plane(b, lat0)))
    if len(shared) < 3 or _area(shared) == 0:
        return []
    k = math.cos(math.radians(lat0))
    return [(x / k, y) for x, y in shared]


def overlapping(session: Session, source_id: int, least: float = 0.0) -> list[Overlap]:
    """The other georeferenced pictures whose footprints overlap this one's, most first.

    Args:
        session: Any session.
        source_id: The picture.
        least: Leave out overlaps of this share or less (0: any overlap).
    """
    source = session.get(Source, source_id)
    mine = georeference_json(session, source) if source is not None else None
    if mine is None or "footprint" not in mine:
        return []
    ring = mine["footprint"]["coordinates"][0]
    found = []
    others = select(Source).join(GeorefRow, GeorefRow.source_id == Source.id)
    for other in session.scalars(others.where(Source.id != source_id).order_by(Source.id)):
        theirs = georeference_json(session, other)
        if theirs is None or "footprint" not in theirs:
            continue
        share = overlap_share(ring, theirs["footprint"]["coordinates"][0])
        if share > least:
            title = other.title or other.original_filename
            found.append(Overlap(other.id, title, theirs.get("captured"), share))
    return sorted(found, key=lambda o: (-o.share, o.source_id))
