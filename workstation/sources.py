"""Looking up and listing sources."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from db.models import Annotation, Case, CaseSource, Reviewer, Source, SourceRelation
from workstation.errors import AmbiguousError, NotFoundError

_HEX = re.compile(r"^[0-9a-f]{4,64}$")


def resolve_source(session: Session, ref: str) -> Source:
    """A source by id (``12``) or by a unique SHA-256 prefix (4+ hex digits).

    Raises:
        NotFoundError: nothing matches.
        AmbiguousError: the prefix matches several sources.
    """
    ref = ref.strip().lower()
    if ref.isdigit() and len(ref) < 12:
        found = session.get(Source, int(ref))
        if found is not None:
            return found
        if not _HEX.match(ref):
            raise NotFoundError(f"no source {ref}")
    if not _HEX.match(ref):
        raise NotFoundError(f"no source {ref!r} (give a source id or a SHA-256 prefix)")
    matches = list(session.scalars(select(Source).where(Source.sha256.like(f"{ref}%")).limit(3)))
    if not matches:
        raise NotFoundError(f"no source {ref}")
    if len(matches) > 1:
        raise AmbiguousError(f"{ref} matches several sources; give more of the SHA-256")
    return matches[0]


@dataclass(frozen=True)
class SourceRow:
    """One line of the source list."""

    source_id: int
    sha256: str
    kind: str
    title: str | None
    pages: int
    published: str | None
    original_filename: str
    imported_at: str
    grade: str | None

    def as_json(self) -> dict[str, Any]:
        """The shape ``list --json`` prints."""
        return {
            "source_id": self.source_id,
            "sha256": self.sha256,
            "kind": self.kind,
            "title": self.title,
            "pages": self.pages,
            "published": self.published,
            "filename": self.original_filename,
            "imported_at": self.imported_at,
            "grade": self.grade,
        }


def grade_of(source: Source) -> str | None:
    """Admiralty grade such as ``B2``, or None when ungraded."""
    if source.reliability is None and source.credibility is None:
        return None
    return f"{source.reliability or 'F'}{source.credibility or 6}"


def list_sources(
    session: Session,
    *,
    kind: str | None = None,
    case: str | None = None,
    text: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[SourceRow]:
    """Sources in import order, optionally filtered."""
    stmt = select(Source).order_by(Source.id)
    if kind:
        stmt = stmt.where(Source.kind == kind)
    if case:
        stmt = (
            stmt.join(CaseSource, CaseSource.source_id == Source.id)
            .join(Case, Case.id == CaseSource.case_id)
            .where(Case.name == case)
        )
    if text:
        like = f"%{text}%"
        stmt = stmt.where(or_(Source.title.like(like), Source.original_filename.like(like)))
    if limit is not None:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return [
        SourceRow(
            s.id,
            s.sha256,
            s.kind,
            s.title,
            s.page_count,
            s.published,
            s.original_filename,
            s.imported_at,
            grade_of(s),
        )
        for s in session.scalars(stmt)
    ]


def count_sources(session: Session) -> int:
    """How many sources the library holds."""
    return session.scalar(select(func.count(Source.id))) or 0


def describe_source(session: Session, source: Source) -> dict[str, Any]:
    """Everything ``show`` prints about one source."""
    reviewer = session.get(Reviewer, source.imported_by_id)
    cases = list(
        session.scalars(
            select(Case.name)
            .join(CaseSource, CaseSource.case_id == Case.id)
            .where(CaseSource.source_id == source.id)
            .order_by(Case.name)
        )
    )
    parents = [
        {"source_id": r.parent_id, "name": r.name, "relation": r.relation}
        for r in session.scalars(select(SourceRelation).where(SourceRelation.child_id == source.id))
    ]
    children = [
        {"source_id": r.child_id, "name": r.name, "relation": r.relation}
        for r in session.scalars(
            select(SourceRelation).where(SourceRelation.parent_id == source.id)
        )
    ]
    annotations = session.scalar(
        select(func.count(Annotation.id)).where(
            Annotation.source_id == source.id, Annotation.deleted_at.is_(None)
        )
    )
    return {
        "source_id": source.id,
        "uuid": source.uuid,
        "sha256": source.sha256,
        "size": source.size,
        "media_type": source.media_type,
        "kind": source.kind,
        "title": source.title,
        "author": source.author,
        "publisher": source.publisher,
        "published": source.published,
        "url": source.url,
        "language": source.language,
        "grade": grade_of(source),
        "pages": source.page_count,
        "original_filename": source.original_filename,
        "original_path": source.original_path,
        "imported_at": source.imported_at,
        "imported_by": reviewer.name if reviewer else None,
        "cases": cases,
        "flags": list(source.flags or []),
        "metadata": dict(source.meta or {}),
        "attached_to": parents,
        "attachments": children,
        "annotations": annotations or 0,
    }
