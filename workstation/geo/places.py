"""Marks and pixels on the Earth: GeoJSON geometries in WGS84 and coordinates as people write them.

GeoJSON (RFC 7946) puts longitude first; polygons are closed rings wound
counter-clockwise. Coordinates are rounded to 8 decimals (about a millimetre),
so the same mark always prints the same geometry.
"""

from __future__ import annotations

import math
from typing import Any

from workstation.geo.crs import from_lonlat
from workstation.geo.model import Georeference
from workstation.geo.transform import pixel_to_lonlat

DECIMALS = 8


def pixel_lonlat(g: Georeference, x: float, y: float) -> tuple[float, float] | None:
    """WGS84 (longitude, latitude) of pixel (x, y); None without coordinates."""
    if g.transform is None or g.crs is None:
        return None
    return pixel_to_lonlat(g.crs, g.transform, x, y)


def region_geometry(
    g: Georeference, shape: str, points: tuple[tuple[float, float], ...]
) -> dict[str, Any] | None:
    """A region mark's GeoJSON geometry in WGS84 (lon, lat); None without coordinates.

    Args:
        g: The image's georeference.
        shape: 'rect' (two corners), 'polygon' or 'points' (count markers).
        points: Pixel coordinates.
    """
    if g.transform is None or g.crs is None or not points:
        return None
    if shape == "rect" and len(points) == 2:
        (x0, y0), (x1, y1) = points
        points = ((x0, y0), (x1, y0), (x1, y1), (x0, y1))
    lonlats = [_rounded(pixel_to_lonlat(g.crs, g.transform, x, y)) for x, y in points]
    if shape == "points":
        return {"type": "MultiPoint", "coordinates": lonlats}
    if len(lonlats) < 3:
        return {"type": "LineString", "coordinates": lonlats}
    if _signed_area(lonlats) < 0:
        lonlats.reverse()
    return {"type": "Polygon", "coordinates": [[*lonlats, lonlats[0]]]}


def _rounded(lonlat: tuple[float, float]) -> list[float]:
    return [round(lonlat[0], DECIMALS), round(lonlat[1], DECIMALS)]


def _signed_area(ring: list[list[float]]) -> float:
    """Shoelace area: positive when counter-clockwise (x east, y north)."""
    total = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        total += x0 * y1 - x1 * y0
    return total / 2


def north_angle(g: Georeference, x: float, y: float) -> float | None:
    """Degrees clockwise from the picture's up to true north at pixel (x, y); None without one.

    From the transform's local derivatives in longitude and latitude, so a rotated
    picture and a UTM grid's convergence are both accounted for.
    """
    if g.transform is None or g.crs is None:
        return None
    lon0, lat0 = pixel_to_lonlat(g.crs, g.transform, x, y)
    lon1, lat1 = pixel_to_lonlat(g.crs, g.transform, x + 1, y)
    lon2, lat2 = pixel_to_lonlat(g.crs, g.transform, x, y + 1)
    # d(lat)/d(pixel) along x and y: north is the pixel direction that raises latitude
    # most, with longitude scaled by cos(latitude) so the two are in the same units.
    k = math.cos(math.radians(lat0))
    jx, jy = ((lon1 - lon0) * k, lat1 - lat0), ((lon2 - lon0) * k, lat2 - lat0)
    det = jx[0] * jy[1] - jy[0] * jx[1]
    if det == 0:
        return None
    # Pixel step (px, py) with d(east) = 0 and d(north) = 1.
    px, py = -jy[0] / det, jx[0] / det
    return math.degrees(math.atan2(px, -py)) % 360


def lonlat_pixel(g: Georeference, lon: float, lat: float) -> tuple[float, float] | None:
    """Pixel (x, y) of a WGS84 position; None without coordinates or a collapsed transform."""
    if g.transform is None or g.crs is None:
        return None
    big_x, big_y = from_lonlat(g.crs, lon, lat)
    a, b, c, d, e, f = g.transform
    det = a * e - b * d
    if det == 0:
        return None
    dx, dy = big_x - c, big_y - f
    return (e * dx - b * dy) / det, (-d * dx + a * dy) / det
