"""Counted, paged and batched annotation lists, for lists too long to read row by row.

``AnnotationService.find`` builds each annotation with ``to_data``, a few
queries per row; a list pane shows thousands (one source) to millions
(the library), so here the same list, in the same order and with the same
filter, is counted and read a block at a time with a fixed number of queries
per block.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from db.models import Annotation, AnnotationCategory, AnnotationEntity, Category, Entity, Reviewer
from db.models import Source as SourceRow
from workstation.annotations.anchors import AnnotationData
from workstation.annotations.records import anchor_of, geo_of
from workstation.geo.records import georeferences_of

# Keeps each IN (...) list well under SQLite's limit on bound parameters.
_CHUNK = 5000


@dataclass(frozen=True)
class AnnotationFilter:
    """Which annotations to list."""

    source_id: int | None = None
    category: str | None = None
    author: str | None = None
    include_deleted: bool = False


def _filtered(stmt: Select[Any], flt: AnnotationFilter) -> Select[Any]:
    """Apply ``flt`` as ``AnnotationService.find`` does (a category includes its sub-categories)."""
    if flt.source_id is not None:
        stmt = stmt.where(Annotation.source_id == flt.source_id)
    if not flt.include_deleted:
        stmt = stmt.where(Annotation.deleted_at.is_(None))
    if flt.category:
        tagged = (
            select(AnnotationCategory.annotation_id)
            .join(Category, Category.id == AnnotationCategory.category_id)
            .where((Category.code == flt.category) | Category.code.like(f"{flt.category}.%"))
        )
        stmt = stmt.where(Annotation.id.in_(tagged))
    if flt.author:
        stmt = stmt.where(
            Annotation.author_id.in_(select(Reviewer.id).where(Reviewer.name == flt.author))
        )
    return stmt


def count_annotations(session: Session, flt: AnnotationFilter | None = None) -> int:
    """How many annotations ``AnnotationService.find(session, flt)`` would return."""
    stmt = _filtered(select(func.count(Annotation.id)), flt or AnnotationFilter())
    return int(session.scalar(stmt) or 0)


def annotation_page(
    session: Session,
    flt: AnnotationFilter | None,
    offset: int = 0,
    limit: int | None = None,
    *,
    after: str | None = None,
) -> list[AnnotationData]:
    """Annotations ``offset`` to ``offset + limit`` of the list ``find`` would return.

    Args:
        session: any session.
        flt: which annotations (None: all that are not deleted).
        offset: how many to skip, from 0.
        limit: at most this many (None: all the rest).
        after: instead of ``offset``, continue just after the annotation with
            this uuid (keyset paging: as cheap deep in a million rows as at the
            start, where OFFSET walks every row it skips). An unknown uuid
            starts from the top.

    Returns:
        The same ``AnnotationData`` as ``AnnotationService.find``, in its order.
    """
    stmt = _filtered(select(Annotation), flt or AnnotationFilter()).order_by(*_ORDER)
    if after is not None:
        key = session.execute(
            select(Annotation.source_id, Annotation.page, Annotation.start, Annotation.id).where(
                Annotation.uuid == after
            )
        ).first()
        if key is not None:
            stmt = stmt.where(Annotation.source_id >= key[0], _after(*key))
    else:
        stmt = stmt.offset(max(0, offset))
    if limit is not None:
        stmt = stmt.limit(max(0, limit))
    return annotations_data(session, list(session.scalars(stmt)))


#: The list's order; ``ix_annotations_order`` holds it. SQLite sorts NULL first.
_ORDER = (Annotation.source_id, Annotation.page, Annotation.start, Annotation.id)


def _after(source_id: int, page: int | None, start: int | None, row_id: int) -> ColumnElement[bool]:
    """Rows after (source_id, page, start, id) in ``_ORDER``, NULLs first as SQLite sorts.

    Spelled out column by column: a row value comparison would be NULL, not
    true or false, wherever page or start is NULL (image regions, whole pages).
    """

    def greater(
        column: InstrumentedAttribute[int | None], value: int | None
    ) -> ColumnElement[bool]:
        return column.is_not(None) if value is None else column > value

    def equal(column: InstrumentedAttribute[int | None], value: int | None) -> ColumnElement[bool]:
        return column.is_(None) if value is None else column == value

    same_source = Annotation.source_id == source_id
    same_page = and_(same_source, equal(Annotation.page, page))
    same_start = and_(same_page, equal(Annotation.start, start))
    return or_(
        Annotation.source_id > source_id,
        and_(same_source, greater(Annotation.page, page)),
        and_(same_page, greater(Annotation.start, start)),
        and_(same_start, Annotation.id > row_id),
    )


def annotations_data(session: Session, rows: Sequence[Annotation]) -> list[AnnotationData]:
    """``to_data`` for many rows at once: five queries per block, not four per row."""
    if not rows:
        return []
    ids = [r.id for r in rows]
    codes: dict[int, list[str]] = {}
    entities: dict[int, list[str]] = {}
    for chunk in (ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)):
        for annotation_id, code in session.execute(
            select(AnnotationCategory.annotation_id, Category.code)
            .join(Category, Category.id == AnnotationCategory.category_id)
            .where(AnnotationCategory.annotation_id.in_(chunk))
        ):
            codes.setdefault(annotation_id, []).append(code)
        for annotation_id, entity in session.execute(
            select(AnnotationEntity.annotation_id, Entity.uuid)
            .join(Entity, Entity.id == AnnotationEntity.entity_id)
            .where(AnnotationEntity.annotation_id.in_(chunk))
        ):
            entities.setdefault(annotation_id, []).append(entity)
    sources = {
        sid: (sha, media)
        for sid, sha, media in session.execute(
            select(SourceRow.id, SourceRow.sha256, SourceRow.media_type).where(
                SourceRow.id.in_({r.source_id for r in rows})
            )
        )
    }
    authors = {
        rid: name
        for rid, name in session.execute(
            select(Reviewer.id, Reviewer.name).where(Reviewer.id.in_({r.author_id for r in rows}))
        )
    }
    on_pictures = {r.source_id for r in rows if r.anchor_kind == "region" and r.page is None}
    georefs = georeferences_of(session, on_pictures) if on_pictures else {}
    anchors = {row.id: anchor_of(row) for row in rows}
    return [
        AnnotationData(
            uuid=row.uuid,
            source_sha256=sources[row.source_id][0],
            source_media_type=sources[row.source_id][1],
            anchor=anchors[row.id],
            categories=sorted(codes.get(row.id, [])),
            note=row.note,
            redact=row.redact,
            author=authors.get(row.author_id, ""),
            created=row.created_at,
            modified=row.modified_at,
            entities=sorted(entities.get(row.id, [])),
            geo=geo_of(georefs, row.source_id, anchors[row.id]),
        )
        for row in rows
    ]


def source_titles(session: Session, rows: Sequence[AnnotationData]) -> dict[str, str]:
    """The title (or file name) of each source the annotations are on, by SHA-256."""
    shas = {r.source_sha256 for r in rows}
    titles: dict[str, str] = {}
    for chunk in (sorted(shas)[i : i + _CHUNK] for i in range(0, len(shas), _CHUNK)):
        for sha, title, name in session.execute(
            select(SourceRow.sha256, SourceRow.title, SourceRow.original_filename).where(
                SourceRow.sha256.in_(chunk)
            )
        ):
            titles[sha] = title or name
    return titles


def annotation_authors(session: Session, source_id: int | None = None) -> list[str]:
    """Names of reviewers with (not deleted) annotations, on one source or anywhere."""
    authors = _filtered(select(Annotation.author_id), AnnotationFilter(source_id=source_id))
    stmt = select(Reviewer.name).where(Reviewer.id.in_(authors)).order_by(Reviewer.name)
    return list(session.scalars(stmt))
