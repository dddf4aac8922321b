"""Lengths and areas on a picture, in metres on the WGS84 ellipsoid, with their uncertainty.

With coordinates, each vertex goes to longitude/latitude and pyproj's Geod
measures along the ellipsoid (never flat degrees). With a scale alone, pixel
lengths are multiplied by the GSD.

Uncertainty of one vertex, ``sigma``: the transform's residual at the control
points (a fitted georeference) and one pixel of pointing, added in quadrature;
a file's georeference has no residual, so one pixel. A length between two
independent vertices is uncertain by ``sqrt(2) * sigma``; a path of n vertices by
``sqrt(n) * sigma``; an area by ``perimeter * sigma`` (a band of that width along
the boundary). These are one-sigma figures, not bounds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from workstation.geo.model import Georeference, GeorefError
from workstation.geo.transform import GEOD, pixel_to_lonlat

Method = Literal["georeference", "gsd"]


@dataclass(frozen=True)
class Measurement:
    """A measured length (metres) or area (square metres) and its one-sigma uncertainty."""

    kind: Literal["length", "area"]
    value: float
    uncertainty: float
    method: Method
    perimeter: float | None = None

    def as_json(self) -> dict[str, object]:
        """For ``measure --json``."""
        if self.kind == "length":
            return {
                "kind": "length",
                "metres": self.value,
                "uncertainty_metres": self.uncertainty,
                "method": self.method,
            }
        return {
            "kind": "area",
            "square_metres": self.value,
            "uncertainty_square_metres": self.uncertainty,
            "perimeter_metres": self.perimeter,
            "method": self.method,
        }

    def note(self) -> str:
        """The note of a measurement kept as a mark: 'Measured length 182.4 ± 3.1 m (...)'."""
        return f"Measured {self.kind} {self.text()} ({self.method}; one sigma)"

    def text(self) -> str:
        """'182.4 ± 3.1 m' or '5,210 ± 180 m²'."""
        unit = "m" if self.kind == "length" else "m²"
        return f"{_figure(self.value)} ± {_figure(self.uncertainty)} {unit}"


def _figure(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _sigma(g: Georeference) -> float:
    if g.gsd is None:
        raise GeorefError("the georeference has no scale (ground sample distance)")
    return math.hypot(g.residual or 0.0, g.gsd)


def _prepare(
    g: Georeference, points: Sequence[tuple[float, float]], least: int, what: str
) -> tuple[float, tuple[list[float], list[float]] | None]:
    """Checks shared by both measures: (one vertex's sigma, the vertices' lons and lats or None)."""
    if len(points) < least:
        raise GeorefError(f"{what} needs at least {least} points, not {len(points)}")
    sigma = _sigma(g)
    if g.transform is None or g.crs is None:
        return sigma, None
    lonlats = [pixel_to_lonlat(g.crs, g.transform, x, y) for x, y in points]
    return sigma, ([p[0] for p in lonlats], [p[1] for p in lonlats])


def measure_line(g: Georeference, points: Sequence[tuple[float, float]]) -> Measurement:
    """The length of a path through pixel points (two or more).

    Raises:
        GeorefError: fewer than two points, or a georeference without scale.
    """
    sigma, geo = _prepare(g, points, 2, "a line")
    method: Method = "georeference" if geo else "gsd"
    if geo is not None:
        length = float(GEOD.line_length(*geo))
    else:
        pixels = sum(math.dist(p, q) for p, q in zip(points, points[1:], strict=False))
        length = pixels * (g.gsd or 0.0)
    return Measurement("length", length, math.sqrt(len(points)) * sigma, method)


def measure_polygon(g: Georeference, points: Sequence[tuple[float, float]]) -> Measurement:
    """The area inside a polygon of pixel points (three or more).

    Raises:
        GeorefError: fewer than three points, or a georeference without scale.
    """
    sigma, geo = _prepare(g, points, 3, "an area")
    method: Method = "georeference" if geo else "gsd"
    if geo is not None:
        signed, perimeter = GEOD.polygon_area_perimeter(*geo)
        area = abs(float(signed))
    else:
        gsd = g.gsd or 0.0
        ring = [*points, points[0]]
        pairs = list(zip(ring, ring[1:], strict=False))
        area = abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairs)) / 2 * gsd * gsd
        perimeter = sum(math.dist(p, q) for p, q in pairs) * gsd
    return Measurement("area", area, float(perimeter) * sigma, method, perimeter=float(perimeter))


def registered_size(attributes: Mapping[str, object]) -> str | None:
    """'registered LOA 183 m, beam 32 m' from a vessel entity's attributes, or None."""
    parts = []
    for key, label in (("loa_metres", "LOA"), ("beam_metres", "beam")):
        value = attributes.get(key)
        if isinstance(value, int | float):
            parts.append(f"{label} {value:g} m")
    return "registered " + ", ".join(parts) if parts else None
