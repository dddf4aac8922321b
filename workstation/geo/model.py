"""A source's georeference as plain data, and the error every geo operation raises.

The transform maps image pixels to the CRS: ``X = a*x + b*y + c``, ``Y = d*x + e*y + f``,
where ``(x, y)`` are continuous pixel coordinates with ``(0, 0)`` at the top-left
corner of the top-left pixel (the coordinates region marks are stored in), so a
GeoTIFF's "pixel is point" and a world file's pixel centres are shifted by half a
pixel on the way in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from workstation.core.errors import BadInputError

Origin = Literal["file", "world-file", "hand", "gsd"]
ORIGINS: tuple[Origin, ...] = ("file", "world-file", "hand", "gsd")

Affine = tuple[float, float, float, float, float, float]
"""(a, b, c, d, e, f): pixel (x, y) -> CRS (a*x + b*y + c, d*x + e*y + f)."""


class GeorefError(BadInputError):
    """A georeference cannot be read, fitted or used; the message says why in one line."""


@dataclass(frozen=True)
class ControlPoint:
    """A pixel whose position on the Earth the reviewer gave (WGS84 degrees)."""

    x: float
    y: float
    lat: float
    lon: float


@dataclass(frozen=True)
class Capture:
    """When, by what and from whom the picture was taken, as far as its metadata says."""

    captured: str | None = None
    sensor: str | None = None
    provider: str | None = None


@dataclass(frozen=True)
class Georeference:
    """How a source's pixels lie on the Earth (or only their scale).

    Attributes:
        origin: 'file' (GeoTIFF tags), 'world-file' (a sidecar), 'hand' (control
            points) or 'gsd' (a scale alone, no coordinates).
        crs: The CRS of the transform as pyproj reads it ('EPSG:32652', or WKT);
            None for a scale alone, or a world file still waiting for its CRS.
        transform: Pixel -> CRS; None for a scale alone.
        gsd: Ground sample distance, metres per pixel (the mean of the two axes).
        residual: Root-mean-square error at the control points, metres (hand, >= 3 points).
        points: The control points of a hand georeference.
        capture: Capture date, sensor and provider where the metadata has them.
        made_by: The reviewer who made it (or imported the file).
        made_at: ISO 8601 UTC.
    """

    origin: Origin
    crs: str | None = None
    transform: Affine | None = None
    gsd: float | None = None
    residual: float | None = None
    points: tuple[ControlPoint, ...] = ()
    capture: Capture = field(default_factory=Capture)
    made_by: str = ""
    made_at: str = ""

    @property
    def located(self) -> bool:
        """Whether pixels have coordinates (a transform and its CRS), not only a scale."""
        return self.transform is not None and self.crs is not None
