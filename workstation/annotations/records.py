"""Stored annotation rows <-> plain ``AnnotationData``.

The one place that knows how an anchor is spread over the row's columns; the
service, the batched list queries and the entity register all read rows
through it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    Annotation,
    AnnotationCategory,
    AnnotationEntity,
    Category,
    Entity,
    Reviewer,
    Source,
)
from workstation.annotations.anchors import (
    Anchor,
    AnnotationData,
    PageAnchor,
    RegionAnchor,
    TextAnchor,
)
from workstation.geo.model import Georeference
from workstation.geo.records import georeferences_of


def anchor_of(row: Annotation) -> Anchor:
    """The anchor a stored annotation row holds."""
    if row.anchor_kind == "text":
        assert row.page is not None
        assert row.start is not None
        assert row.end is not None
        return TextAnchor(
            row.page, row.start, row.end, row.exact or "", row.prefix or "", row.suffix or ""
        )
    if row.anchor_kind == "region":
        geo = row.geometry or {}
        points = tuple((float(p[0]), float(p[1])) for p in geo.get("points", []))
        return RegionAnchor(geo.get("shape", "rect"), points, row.page)
    assert row.page is not None
    return PageAnchor(row.page)


def store_anchor(row: Annotation, anchor: Anchor) -> None:
    """Write ``anchor`` into the row's columns, clearing those of other kinds."""
    row.start = row.end = None
    row.exact = row.prefix = row.suffix = None
    row.geometry = None
    if isinstance(anchor, TextAnchor):
        row.anchor_kind = "text"
        row.page, row.start, row.end = anchor.page, anchor.start, anchor.end
        row.exact, row.prefix, row.suffix = anchor.exact, anchor.prefix, anchor.suffix
    elif isinstance(anchor, RegionAnchor):
        row.anchor_kind = "region"
        row.page = anchor.page
        row.geometry = {"shape": anchor.shape, "points": [list(p) for p in anchor.points]}
    else:
        row.anchor_kind = "page"
        row.page = anchor.page


def on_picture(anchor: Anchor) -> bool:
    """Whether the anchor is a region on an image (not a PDF page): one that may have a place."""
    return isinstance(anchor, RegionAnchor) and anchor.page is None


def geo_of(
    georefs: dict[int, Georeference], source_id: int, anchor: Anchor
) -> dict[str, Any] | None:
    """The mark's GeoJSON geometry in WGS84 when its image is georeferenced, else None."""
    g = georefs.get(source_id)
    if g is None or not g.located or not isinstance(anchor, RegionAnchor) or not on_picture(anchor):
        return None
    from workstation.geo.places import region_geometry  # lazy: pyproj, for georeferenced images

    return region_geometry(g, anchor.shape, anchor.points)


def to_data(session: Session, row: Annotation) -> AnnotationData:
    """The plain data of a stored annotation."""
    source = session.get(Source, row.source_id)
    author = session.get(Reviewer, row.author_id)
    assert source is not None
    codes = list(
        session.scalars(
            select(Category.code)
            .join(AnnotationCategory, AnnotationCategory.category_id == Category.id)
            .where(AnnotationCategory.annotation_id == row.id)
            .order_by(Category.code)
        )
    )
    entities = list(
        session.scalars(
            select(Entity.uuid)
            .join(AnnotationEntity, AnnotationEntity.entity_id == Entity.id)
            .where(AnnotationEntity.annotation_id == row.id)
            .order_by(Entity.uuid)
        )
    )
    anchor = anchor_of(row)
    georefs = georeferences_of(session, [row.source_id]) if on_picture(anchor) else {}
    return AnnotationData(
        uuid=row.uuid,
        source_sha256=source.sha256,
        source_media_type=source.media_type,
        anchor=anchor,
        categories=codes,
        note=row.note,
        redact=row.redact,
        author=author.name if author else "",
        created=row.created_at,
        modified=row.modified_at,
        entities=entities,
        geo=geo_of(georefs, row.source_id, anchor),
    )
