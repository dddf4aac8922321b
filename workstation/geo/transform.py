"""Affine pixel -> CRS transforms: applying them, fitting them to control points, their scale.

Two control points fix a similarity (scale, rotation, shift; exact, so no
residual); three or more a least-squares affine whose residual, the root mean
square of the geodesic distances between where the fit puts each point and
where the reviewer said it is, is stored with it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyproj

from workstation.geo.crs import from_lonlat, to_lonlat
from workstation.geo.model import Affine, ControlPoint, GeorefError

GEOD = pyproj.Geod(ellps="WGS84")
"""Distances and areas on the WGS84 ellipsoid."""

# Pixel control points closer than this (pixels) are the same point.
_MIN_SPREAD = 1.0
# Below this |det| / scale^2 the transform squashes the picture into a line.
_MIN_SHAPE = 1e-9


def apply(t: Affine, x: float, y: float) -> tuple[float, float]:
    """Pixel (x, y) -> CRS coordinates."""
    a, b, c, d, e, f = t
    return a * x + b * y + c, d * x + e * y + f


def pixel_to_lonlat(crs: str, t: Affine, x: float, y: float) -> tuple[float, float]:
    """Pixel (x, y) -> WGS84 (longitude, latitude)."""
    return to_lonlat(crs, *apply(t, x, y))


def check_shape(t: Affine) -> None:
    """Raise GeorefError when the transform is not finite or collapses the picture."""
    a, b, _c, d, e, _f = t
    if not all(math.isfinite(v) for v in t):
        raise GeorefError("the transform has a value that is not a finite number")
    scale = max(abs(a), abs(b), abs(d), abs(e))
    if scale == 0 or abs(a * e - b * d) <= _MIN_SHAPE * scale * scale:
        raise GeorefError("the transform collapses the picture onto a line (zero-area pixels)")


def fit(points: Sequence[ControlPoint], crs: str) -> tuple[Affine, float | None]:
    """The transform (pixel -> ``crs``) through the control points, and its residual.

    Args:
        points: Two or more control points (WGS84 degrees).
        crs: The CRS to fit in (a projected one keeps a similarity true to shape).

    Returns:
        The transform and the RMS residual in metres (None with two points: exact).

    Raises:
        GeorefError: fewer than two points, two points on the same pixel or place,
            or three or more on one line.
    """
    if len(points) < 2:
        raise GeorefError(f"a georeference needs at least 2 control points, not {len(points)}")
    pix = np.array([[p.x, p.y] for p in points], dtype=float)
    world = np.array([from_lonlat(crs, p.lon, p.lat) for p in points], dtype=float)
    if len(points) == 2:
        return _similarity(pix, world), None
    design = np.column_stack([pix, np.ones(len(points))])
    centred = pix - pix.mean(axis=0)
    singular = np.linalg.svd(centred, compute_uv=False)
    if singular[-1] < _MIN_SPREAD:
        raise GeorefError(
            f"the {len(points)} control points lie on one line in the picture; "
            "an affine fit needs them spread out (or give only two)"
        )
    (a, b, c), *_ = np.linalg.lstsq(design, world[:, 0], rcond=None)
    (d, e, f), *_ = np.linalg.lstsq(design, world[:, 1], rcond=None)
    t: Affine = (float(a), float(b), float(c), float(d), float(e), float(f))
    check_shape(t)
    return t, residual(points, crs, t)


def _similarity(pix: np.ndarray, world: np.ndarray) -> Affine:
    """X = p*x + q*y + c, Y = q*x - p*y + f: north up is y down, hence the reflection."""
    (x1, y1), (x2, y2) = pix
    (X1, Y1), (X2, Y2) = world
    dx, dy = x2 - x1, y2 - y1
    if math.hypot(dx, dy) < _MIN_SPREAD:
        raise GeorefError("the two control points are on the same pixel")
    dX, dY = X2 - X1, Y2 - Y1
    if math.hypot(dX, dY) == 0:
        raise GeorefError("the two control points are at the same place")
    # Solve [dx dy; -dy dx] [p q]^T = [dX dY] (from dX = p dx + q dy, dY = q dx - p dy).
    norm = dx * dx + dy * dy
    p = (dx * dX - dy * dY) / norm
    q = (dy * dX + dx * dY) / norm
    c = X1 - p * x1 - q * y1
    f = Y1 - q * x1 + p * y1
    t: Affine = (float(p), float(q), float(c), float(q), float(-p), float(f))
    check_shape(t)
    return t


def residual(points: Sequence[ControlPoint], crs: str, t: Affine) -> float:
    """RMS of the geodesic distances (metres) between fitted and given positions."""
    squares = []
    for p in points:
        lon, lat = pixel_to_lonlat(crs, t, p.x, p.y)
        _az, _back, dist = GEOD.inv(lon, lat, p.lon, p.lat)
        squares.append(dist * dist)
    return math.sqrt(sum(squares) / len(squares))


def gsd_of(crs: str, t: Affine, x: float, y: float) -> float:
    """Metres per pixel at pixel (x, y): the mean of the steps along the two axes."""
    lon0, lat0 = pixel_to_lonlat(crs, t, x, y)
    lon1, lat1 = pixel_to_lonlat(crs, t, x + 1, y)
    lon2, lat2 = pixel_to_lonlat(crs, t, x, y + 1)
    along_x = GEOD.inv(lon0, lat0, lon1, lat1)[2]
    along_y = GEOD.inv(lon0, lat0, lon2, lat2)[2]
    return float((along_x + along_y) / 2)


def pixel_similarity(
    first: Sequence[tuple[float, float]], second: Sequence[tuple[float, float]]
) -> Affine:
    """The similarity (scale, rotation, shift; no mirror) taking two pixels of one
    picture onto the two corresponding pixels of another: first -> second.

    The two-point fit above, given the second picture's y upwards (its similarity
    mirrors y, north up being y down), so the result keeps handedness.

    Raises:
        GeorefError: not two points each, or a picture's two points on one pixel.
    """
    if len(first) != 2 or len(second) != 2:
        raise GeorefError("a two-point alignment needs two points in each picture")
    pix = np.array(first, dtype=float)
    world = np.array([(x, -y) for x, y in second], dtype=float)
    if math.hypot(*(world[1] - world[0])) < _MIN_SPREAD:
        raise GeorefError("the two points in the second picture are on the same pixel")
    a, b, c, d, e, f = _similarity(pix, world)
    return a, b, c, -d, -e, -f


def invert(t: Affine) -> Affine:
    """The inverse transform (``check_shape`` first: a collapsed one has none)."""
    a, b, c, d, e, f = t
    det = a * e - b * d
    ia, ib, id_, ie = e / det, -b / det, -d / det, a / det
    return ia, ib, -(ia * c + ib * f), id_, ie, -(id_ * c + ie * f)


def scale_and_rotation(t: Affine) -> tuple[float, float]:
    """A similarity's scale and its rotation in degrees (clockwise on screen, y down)."""
    a, _b, _c, d, _e, _f = t
    return math.hypot(a, d), math.degrees(math.atan2(d, a))
