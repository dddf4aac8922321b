"""Coordinates as people write them: '42.2423° N, 130.3105° E' and degrees-minutes-seconds.

Plain arithmetic on WGS84 degrees, no PROJ: the desktop's lists label marks with it
without loading pyproj.
"""

from __future__ import annotations

from typing import Any


def centre_of(geometry: dict[str, Any]) -> tuple[float, float]:
    """The mean (lon, lat) of a geometry's distinct vertices (a label point, not a centroid)."""
    coords: list[list[float]] = []
    kind = geometry["type"]
    if kind == "Polygon":
        coords = geometry["coordinates"][0][:-1]
    elif kind == "Point":
        coords = [geometry["coordinates"]]
    else:
        coords = geometry["coordinates"]
    lon = sum(c[0] for c in coords) / len(coords)
    lat = sum(c[1] for c in coords) / len(coords)
    return lon, lat


def decimal_label(lon: float, lat: float, decimals: int = 4) -> str:
    """'42.2423° N, 130.3105° E'."""
    ns = "N" if lat >= 0 else "S"
    ew = "E" if lon >= 0 else "W"
    return f"{abs(lat):.{decimals}f}° {ns}, {abs(lon):.{decimals}f}° {ew}"


def dms_label(lon: float, lat: float) -> str:
    """'42° 14′ 32.3″ N, 130° 18′ 37.8″ E' (tenths of a second: about 3 m)."""
    return f"{_dms(lat, 'N', 'S')}, {_dms(lon, 'E', 'W')}"


def _dms(value: float, positive: str, negative: str) -> str:
    tenths = round(abs(value) * 36000)
    degrees, rest = divmod(tenths, 36000)
    minutes, tenths = divmod(rest, 600)
    hemisphere = positive if value >= 0 else negative
    return f"{degrees}° {minutes:02d}′ {tenths / 10:04.1f}″ {hemisphere}"


def geometry_label(geometry: dict[str, Any] | None) -> str | None:
    """The decimal label of a geometry's centre, or None."""
    if not geometry:
        return None
    return decimal_label(*centre_of(geometry))
