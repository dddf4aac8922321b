"""Coordinate reference systems through pyproj (PROJ and its database ship in its wheel).

Transformers are cached per thread: pyproj's are not safe to share between the
desktop's reader threads, and building one costs milliseconds.
"""

from __future__ import annotations

import math
import threading
from typing import Any

import pyproj
from pyproj.exceptions import CRSError

from workstation.geo.model import GeorefError

WGS84 = "EPSG:4326"

_local = threading.local()


def parse_crs(text: str) -> str:
    """A CRS the reviewer typed or a file named, checked, in the form we store.

    Args:
        text: 'EPSG:32652', '32652', 'epsg:4326', or WKT (a .prj file).

    Returns:
        'EPSG:<code>' when the CRS has one, else its WKT.

    Raises:
        GeorefError: PROJ does not know it.
    """
    given = text.strip()
    if given.isdigit():
        given = f"EPSG:{given}"
    try:
        crs = pyproj.CRS.from_user_input(given)
    except CRSError:
        shown = given if len(given) <= 60 else given[:57] + "..."
        raise GeorefError(f"unknown coordinate reference system {shown!r}") from None
    if not (crs.is_geographic or crs.is_projected):
        raise GeorefError(f"{crs.name} is neither geographic nor projected")
    code = crs.to_epsg(min_confidence=90)
    return f"EPSG:{code}" if code is not None else str(crs.to_wkt())


def _cache() -> dict[str, Any]:
    cache: dict[str, Any] | None = getattr(_local, "cache", None)
    if cache is None:
        cache = {}
        _local.cache = cache
    return cache


def crs_of(crs: str) -> pyproj.CRS:
    """The pyproj CRS of a stored CRS string (cached)."""
    cache = _cache()
    key = "crs:" + crs
    if key not in cache:
        cache[key] = pyproj.CRS.from_user_input(crs)
    found: pyproj.CRS = cache[key]
    return found


def _transformer(src: str, dst: str) -> pyproj.Transformer:
    cache = _cache()
    key = f"t:{src}\n{dst}"
    if key not in cache:
        cache[key] = pyproj.Transformer.from_crs(crs_of(src), crs_of(dst), always_xy=True)
    found: pyproj.Transformer = cache[key]
    return found


def to_lonlat(crs: str, x: float, y: float) -> tuple[float, float]:
    """CRS coordinates -> WGS84 (longitude, latitude) in degrees."""
    lon, lat = _transformer(crs, WGS84).transform(x, y, errcheck=True)
    return float(lon), float(lat)


def from_lonlat(crs: str, lon: float, lat: float) -> tuple[float, float]:
    """WGS84 (longitude, latitude) -> coordinates in ``crs``."""
    x, y = _transformer(WGS84, crs).transform(lon, lat, errcheck=True)
    return float(x), float(y)


def is_geographic(crs: str) -> bool:
    """Whether the CRS's coordinates are degrees (not metres)."""
    return bool(crs_of(crs).is_geographic)


def utm_for(lon: float, lat: float) -> str:
    """The WGS84 UTM zone holding (lon, lat): a metric CRS to fit hand control points in."""
    zone = min(60, int(math.floor((lon + 180.0) / 6.0)) + 1)
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


def check_lonlat(lat: float, lon: float) -> None:
    """Raise GeorefError unless the latitude and longitude are on the Earth."""
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise GeorefError(f"latitude {lat} is not between -90 and 90")
    if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise GeorefError(f"longitude {lon} is not between -180 and 180")
