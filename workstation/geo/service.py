"""Stored georeferences: read, made by hand, read from a file, removed; every change audited.

A georeference belongs to its source: its row is part of the source's audited
state (``core.state``), so each change is a ``source.georeference`` event on the
source and ``workstation check`` notices an edit made behind the program's back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from sqlalchemy.orm import Session

from db.models import Georeference as GeorefRow
from db.models import Source
from workstation.core.dates import utc_now
from workstation.core.errors import NotFoundError
from workstation.core.library import Library
from workstation.geo.crs import parse_crs, utm_for
from workstation.geo.model import ControlPoint, Georeference, GeorefError
from workstation.geo.reading import read_beside, read_geotiff, read_world_file
from workstation.geo.records import as_json, georeference_of
from workstation.geo.transform import fit, gsd_of

# Reject scales no picture of the Earth has (1 mm to 100 km per pixel).
_GSD_RANGE = (0.001, 100_000.0)


def _image(session: Session, source_id: int) -> Source:
    source = session.get(Source, source_id)
    if source is None:
        raise NotFoundError(f"no source {source_id}")
    if source.kind != "image":
        raise GeorefError(f"source {source_id} is a {source.kind}, not an image")
    return source


def _centre(source: Source) -> tuple[float, float]:
    meta = source.meta or {}
    return float(meta.get("width") or 0) / 2, float(meta.get("height") or 0) / 2


def with_scale(g: Georeference, source: Source) -> Georeference:
    """``g`` with its GSD measured at the image centre (when it has coordinates)."""
    if not g.located:
        return g
    assert g.crs is not None
    assert g.transform is not None
    return replace(g, gsd=gsd_of(g.crs, g.transform, *_centre(source)))


def store(session: Session, source: Source, g: Georeference, made_by_id: int) -> Georeference:
    """Write (or replace) ``source``'s georeference in ``session``, without an audit event.

    The caller records the event (the import's own, or ``GeorefService``'s).
    """
    g = with_scale(g, source)
    row = session.get(GeorefRow, source.id)
    if row is None:
        row = GeorefRow(source_id=source.id)
        session.add(row)
    row.origin = g.origin
    row.crs = g.crs
    row.transform = list(g.transform) if g.transform else None
    row.gsd = g.gsd
    row.residual = g.residual
    row.control_points = [[p.x, p.y, p.lat, p.lon] for p in g.points] or None
    row.captured = g.capture.captured
    row.sensor = g.capture.sensor
    row.provider = g.capture.provider
    row.made_by_id = made_by_id
    row.made_at = g.made_at or utc_now()
    session.flush()
    return g


class GeorefService:
    """Sets and removes georeferences of one library's images, audited."""

    def __init__(self, library: Library) -> None:
        self.library = library

    def _save(self, session: Session, source: Source, g: Georeference, how: str) -> Georeference:
        lib = self.library
        lib.require_writable()
        previous = georeference_of(session, source.id)
        g = replace(g, capture=previous.capture if previous else g.capture)
        g = store(session, source, replace(g, made_at=utc_now()), lib.reviewer_id(session))
        saved = georeference_of(session, source.id)
        assert saved is not None
        lib.record(
            session,
            "source.georeference",
            "source",
            source.id,
            {"how": how, "georeference": as_json(replace(saved, made_by="", made_at=""))},
        )
        return saved

    def by_points(
        self,
        session: Session,
        source_id: int,
        points: Sequence[ControlPoint],
        crs: str | None = None,
    ) -> Georeference:
        """Fit a transform through control points (2: similarity; 3 or more: affine).

        Args:
            crs: the CRS to store the transform in; by default the UTM zone of the
                points' centre (metric, so the two-point similarity keeps shapes).

        Raises:
            GeorefError: too few, coincident or collinear points, or an unknown CRS.
        """
        source = _image(session, source_id)
        if len(points) < 2:
            raise GeorefError(f"a georeference needs at least 2 control points, not {len(points)}")
        if crs is None:
            lon = sum(p.lon for p in points) / len(points)
            lat = sum(p.lat for p in points) / len(points)
            crs = utm_for(lon, lat)
        crs = parse_crs(crs)
        transform, residual = fit(points, crs)
        g = Georeference("hand", crs, transform, residual=residual, points=tuple(points))
        return self._save(session, source, g, f"{len(points)} control points")

    def by_gsd(self, session: Session, source_id: int, gsd: float) -> Georeference:
        """A scale alone ('0.5 m per pixel'): measurements without coordinates.

        Raises:
            GeorefError: the scale is not a positive number of plausible size.
        """
        source = _image(session, source_id)
        low, high = _GSD_RANGE
        if not low <= gsd <= high:
            raise GeorefError(f"a ground sample distance is {low} to {high:,.0f} metres, not {gsd}")
        return self._save(session, source, Georeference("gsd", gsd=gsd), f"{gsd} m per pixel")

    def by_crs(self, session: Session, source_id: int, crs: str) -> Georeference:
        """Give the CRS of a stored transform that came without one (a world file, no .prj).

        Raises:
            GeorefError: the source has no transform to give a CRS to.
        """
        source = _image(session, source_id)
        current = georeference_of(session, source_id)
        if current is None or current.transform is None:
            raise GeorefError(f"source {source_id} has no transform to give a CRS to")
        g = replace(current, crs=parse_crs(crs))
        return self._save(session, source, g, "CRS given")

    def from_file(
        self, session: Session, source_id: int, path: Path, crs: str | None = None
    ) -> Georeference:
        """Read a world file (or a GeoTIFF's tags) for a source already imported.

        Raises:
            GeorefError: the file is unreadable, malformed or names an unknown CRS.
        """
        source = _image(session, source_id)
        if path.suffix.lower() in (".tif", ".tiff"):
            g = read_geotiff(path)
            if g is None:
                raise GeorefError(f"{path.name} has no GeoTIFF tags")
            if crs is not None:
                g = replace(g, crs=parse_crs(crs))
        else:
            g = read_world_file(path, crs)
        return self._save(session, source, g, f"read from {path.name}")

    def remove(self, session: Session, source_id: int) -> bool:
        """Remove the source's georeference; False when it had none."""
        self.library.require_writable()
        _image(session, source_id)
        row = session.get(GeorefRow, source_id)
        if row is None:
            return False
        session.delete(row)
        session.flush()
        self.library.record(session, "source.georeference_remove", "source", source_id, {})
        return True


def read_on_import(
    picture: str | None, blob: Path, media_type: str
) -> tuple[Georeference | None, str | None]:
    """What an image being imported says about its place, and why not when it is unusable.

    Args:
        picture: Where the reviewer's file was (sidecars are looked for beside it).
        blob: The stored copy.
        media_type: Its detected type.

    Returns:
        (the georeference or None, a one-line problem or None). An unusable
        georeference never fails the import: the picture is still evidence.
    """
    try:
        return read_beside(Path(picture) if picture else blob, blob, media_type), None
    except GeorefError as exc:
        return None, exc.message
    except OSError as exc:
        return None, f"cannot look for a world file: {exc.strerror or type(exc).__name__}"
