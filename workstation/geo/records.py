"""Stored georeferences read back as plain data, without loading PROJ.

Listing annotations asks every source for its georeference; most have none, and
this module answers that with one query and no pyproj import (130 ms).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Georeference as GeorefRow
from db.models import Reviewer, Source
from workstation.geo.model import Capture, ControlPoint, Georeference


def georeference_of(session: Session, source_id: int) -> Georeference | None:
    """The source's georeference, or None."""
    return georeferences_of(session, [source_id]).get(source_id)


def georeferences_of(session: Session, source_ids: Iterable[int]) -> dict[int, Georeference]:
    """The georeferences of many sources at once (those that have one), by source id."""
    ids = sorted(set(source_ids))
    found: dict[int, Georeference] = {}
    for i in range(0, len(ids), 5000):
        stmt = (
            select(GeorefRow, Reviewer.name)
            .join(Reviewer, Reviewer.id == GeorefRow.made_by_id)
            .where(GeorefRow.source_id.in_(ids[i : i + 5000]))
        )
        for row, name in session.execute(stmt):
            found[row.source_id] = _data(row, name)
    return found


def _data(row: GeorefRow, made_by: str) -> Georeference:
    t = row.transform
    return Georeference(
        origin=row.origin,  # type: ignore[arg-type]  # the CHECK constraint holds it
        crs=row.crs,
        transform=(t[0], t[1], t[2], t[3], t[4], t[5]) if t else None,
        gsd=row.gsd,
        residual=row.residual,
        points=tuple(ControlPoint(*p) for p in row.control_points or ()),
        capture=Capture(row.captured, row.sensor, row.provider),
        made_by=made_by,
        made_at=row.made_at,
    )


def as_json(g: Georeference) -> dict[str, Any]:
    """The georeference as plain JSON (for ``show --json``, case.json and the audit trail)."""
    out: dict[str, Any] = {
        "origin": g.origin,
        "crs": g.crs,
        "transform": list(g.transform) if g.transform else None,
        "gsd_metres": g.gsd,
        "residual_metres": g.residual,
    }
    if g.points:
        out["control_points"] = [[p.x, p.y, p.lat, p.lon] for p in g.points]
    for name in ("captured", "sensor", "provider"):
        value = getattr(g.capture, name)
        if value is not None:
            out[name] = value
    if g.made_by:
        out["made_by"] = g.made_by
    if g.made_at:
        out["made_at"] = g.made_at
    return out


def georeference_json(session: Session, source: Source) -> dict[str, Any] | None:
    """An image's georeference as JSON with its footprint (``show --json``, ``case.json``).

    ``footprint`` is the outline of the whole picture as a GeoJSON Polygon in
    WGS84, when the picture has coordinates. None for sources without one.
    """
    g = georeference_of(session, source.id) if source.kind == "image" else None
    if g is None:
        return None
    out = as_json(g)
    meta = source.meta or {}
    width, height = float(meta.get("width") or 0), float(meta.get("height") or 0)
    if g.located and width and height:
        from workstation.geo.places import region_geometry  # lazy: pyproj, georeferenced only

        corners = ((0.0, 0.0), (width, 0.0), (width, height), (0.0, height))
        out["footprint"] = region_geometry(g, "polygon", corners)
    return out


def from_json(doc: dict[str, Any]) -> Georeference:
    """A georeference back from ``as_json`` (what a viewer gets in ``show``'s details)."""
    t = doc.get("transform")
    return Georeference(
        origin=doc["origin"],
        crs=doc.get("crs"),
        transform=(t[0], t[1], t[2], t[3], t[4], t[5]) if t else None,
        gsd=doc.get("gsd_metres"),
        residual=doc.get("residual_metres"),
        points=tuple(ControlPoint(*p) for p in doc.get("control_points") or ()),
        capture=Capture(doc.get("captured"), doc.get("sensor"), doc.get("provider")),
        made_by=doc.get("made_by", ""),
        made_at=doc.get("made_at", ""),
    )
