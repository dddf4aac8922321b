"""Looking up and listing sources."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from db.models import (
    Annotation,
    BundleImport,
    Case,
    CaseSource,
    Page,
    Provenance,
    Reviewer,
    Source,
    SourceRelation,
)
from workstation.core.errors import AmbiguousError, NotFoundError, WorkstationError
from workstation.core.library import Library
from workstation.core.printable import printable
from workstation.geo.records import georeference_json

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


def get_source(session: Session, source_id: int) -> Source:
    """A source by its id: how the program names a source everywhere inside.

    Text references (an id typed by a person, a SHA-256 prefix) are resolved
    once, at the command line's edge, by ``resolve_source``.

    Raises:
        NotFoundError: no source has this id.
    """
    found = session.get(Source, source_id)
    if found is None:
        raise NotFoundError(f"no source {source_id}")
    return found


def source_id_for_sha256(session: Session, sha256: str) -> int:
    """The id of the source with this SHA-256 (annotations and bundles name sources so).

    Raises:
        NotFoundError: no source has these bytes.
    """
    found = session.scalar(select(Source.id).where(Source.sha256 == sha256))
    if found is None:
        raise NotFoundError(f"no source with SHA-256 {sha256}")
    return int(found)


def source_details(session: Session, source_id: int) -> dict[str, Any]:
    """``describe_source`` of the source with this id."""
    return describe_source(session, get_source(session, source_id))


_S = TypeVar("_S", bound=Select[Any])


def _filtered(stmt: _S, kind: str | None, case: str | None, text: str | None) -> _S:
    """Restrict a source query to one kind, one case (by name), a title text."""
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
    return stmt


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


def format_grade(reliability: str | None, credibility: int | None) -> str | None:
    """Admiralty grade such as ``B2``, or None when ungraded."""
    if reliability is None and credibility is None:
        return None
    return f"{reliability or 'F'}{credibility or 6}"


def grade_of(source: Source) -> str | None:
    """Admiralty grade of a source, such as ``B2``, or None when ungraded."""
    return format_grade(source.reliability, source.credibility)


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
    stmt = _filtered(select(Source).order_by(Source.id), kind, case, text)
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
    bundles = [
        {
            "bundle": bundle.external_identifier,
            "action": action,
            "signer": bundle.signer_fingerprint,
            "trusted": bool(bundle.signer_trusted),
            "imported_at": bundle.imported_at,
        }
        for action, bundle in session.execute(
            select(Provenance.action, BundleImport)
            .join(BundleImport, BundleImport.id == Provenance.bundle_import_id)
            .where(Provenance.object_type == "source", Provenance.object_key == source.sha256)
            .order_by(BundleImport.imported_at, BundleImport.id)
        )
    ]
    info = {
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
        "bundles": bundles,
    }
    geo = georeference_json(session, source)
    if geo is not None:
        info["georeference"] = geo
    return info


def bundle_line(bundle: dict[str, Any]) -> str:
    """One of ``describe_source``'s bundles for people: 'came in bundle 017dc89f on
    2026-12-03, signed by a trusted key 9f8e7d6c5b4a…'."""
    how = "came in" if bundle["action"] == "added" else "also in"
    ident = str(bundle["bundle"] or "").removeprefix("urn:uuid:")
    name = f"bundle {ident[:8]}" if ident else "a bundle"
    when = str(bundle["imported_at"] or "")[:10]
    if bundle["signer"]:
        trust = "a trusted key" if bundle["trusted"] else "a key NOT trusted"
        signed = f", signed by {trust} {str(bundle['signer'])[:12]}…"
    else:
        signed = ", unsigned"
    return f"{how} {name} on {when}{signed}"


# --- for list views: ids first, rows on demand ------------------------------

SORT_KEYS = {
    "imported": Source.id,
    "title": func.lower(func.coalesce(Source.title, Source.original_filename)),
    "published": Source.published,
    "kind": Source.kind,
    "grade": Source.reliability,
}


def source_ids(
    session: Session,
    *,
    kind: str | None = None,
    case: str | None = None,
    text: str | None = None,
    sort: str = "imported",
    descending: bool = False,
) -> list[int]:
    """The ids of the sources that pass the filters, in display order.

    A list view holds only these ints (100,000 of them is under a megabyte)
    and fetches rows for what is on screen with ``rows_for``.
    """
    key = SORT_KEYS.get(sort)
    if key is None:
        raise ValueError(f"unknown sort key {sort!r}; known: {', '.join(SORT_KEYS)}")
    order = [key.desc(), Source.id.desc()] if descending else [key.asc(), Source.id.asc()]
    stmt = _filtered(select(Source.id).order_by(*order), kind, case, text)
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class SourceListItem:
    """What a row of the library list shows (``title`` already ``printable``)."""

    source_id: int
    kind: str
    title: str
    published: str | None
    grade: str | None
    pages: int
    annotations: int
    thumbnail: str | None
    flags: tuple[str, ...]
    sha256: str
    pixels: tuple[int, int] | None = None  # an image's width and height

    @property
    def extent(self) -> str:
        """How much there is: '13 p.' for a document, '1200 × 800 px' for an image."""
        if self.pixels is not None:
            return f"{self.pixels[0]} × {self.pixels[1]} px"
        return f"{self.pages} p." if self.pages else ""


def rows_for(session: Session, ids: list[int]) -> dict[int, SourceListItem]:
    """List rows for the given ids (one query for rows, one for counts)."""
    if not ids:
        return {}
    counts = dict(
        session.execute(
            select(Annotation.source_id, func.count(Annotation.id))
            .where(Annotation.source_id.in_(ids), Annotation.deleted_at.is_(None))
            .group_by(Annotation.source_id)
        ).all()
    )
    out: dict[int, SourceListItem] = {}
    # Plain columns, not ORM objects: the metadata JSON is not needed here and
    # a list view asks for blocks of rows while it paints.
    rows = session.execute(
        select(
            Source.id,
            Source.kind,
            Source.title,
            Source.original_filename,
            Source.published,
            Source.reliability,
            Source.credibility,
            Source.page_count,
            Source.thumbnail,
            Source.flags,
            Source.sha256,
            func.json_extract(Source.meta, "$.width").label("width"),
            func.json_extract(Source.meta, "$.height").label("height"),
        ).where(Source.id.in_(ids))
    )
    for r in rows:
        grade = format_grade(r.reliability, r.credibility)
        out[r.id] = SourceListItem(
            source_id=r.id,
            kind=r.kind,
            title=printable(r.title or r.original_filename),  # never a hidden character
            published=r.published,
            grade=grade,
            pages=r.page_count,
            annotations=int(counts.get(r.id, 0)),
            thumbnail=r.thumbnail,
            flags=tuple(r.flags or ()),
            sha256=r.sha256,
            pixels=(int(r.width), int(r.height))
            if r.kind == "image" and isinstance(r.width, int) and isinstance(r.height, int)
            else None,
        )
    return out


def library_stats(session: Session) -> dict[str, int]:
    """Counts and bytes for the status bar."""
    total, size, pages = session.execute(
        select(
            func.count(Source.id),
            func.coalesce(func.sum(Source.size), 0),
            func.coalesce(func.sum(Source.page_count), 0),
        )
    ).one()
    return {"sources": int(total), "bytes": int(size), "pages": int(pages)}


def change_marker(session: Session) -> tuple[int, int]:
    """(count, max id) of sources: cheap to poll for imports by other processes."""
    count, top = session.execute(
        select(func.count(Source.id), func.coalesce(func.max(Source.id), 0))
    ).one()
    return int(count), int(top)


def page_text(session: Session, source_id: int, number: int = 1) -> str:
    """The stored text of one page ('' when the page has no text).

    The one reader of page text: marks, viewers, entity suggestions and bundle
    merges all read it here.

    Raises:
        NotFoundError: the source has no such page.
    """
    row = session.execute(
        select(Page.id, Page.text).where(Page.source_id == source_id, Page.number == number)
    ).first()
    if row is None:
        raise NotFoundError(f"source {source_id} has no page {number}")
    return row.text or ""


# --- editing -----------------------------------------------------------------

_GRADE = re.compile(r"^([A-F])([1-6])$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?)?)?)?$")


def _real_date(value: str) -> bool:
    """Whether ``value`` has the accepted shape and names a day that exists
    (2025-13-45 has the shape but no such day)."""
    if not _DATE.match(value):
        return False
    try:
        if len(value) == 4:
            date(int(value), 1, 1)
        elif len(value) == 7:
            date(int(value[:4]), int(value[5:7]), 1)
        elif len(value) == 10:
            date.fromisoformat(value)
        else:
            datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        return False
    return True


def update_source(
    library: Library,
    session: Session,
    source_id: int,
    *,
    title: str | None = None,
    published: str | None = None,
    grade: str | None = None,
    publisher: str | None = None,
) -> Source:
    """Edit what a reviewer may correct (title, date, grade, publisher), audited.

    ``None`` leaves a field alone; an empty string clears it. The original
    bytes never change; only the record does.

    Raises:
        NotFoundError: no such source.
        WorkstationError: a malformed date or grade.
    """
    source = session.get(Source, source_id)
    if source is None:
        raise NotFoundError(f"no source {source_id}")
    changes: dict[str, Any] = {}
    if title is not None:
        new_title = " ".join(title.split()) or None
        if new_title != source.title:
            changes["title"] = [source.title, new_title]
            source.title = new_title
    if published is not None:
        value = published.strip() or None
        if value is not None and not _real_date(value):
            raise WorkstationError(
                f"{published!r} is not a date; use YYYY, YYYY-MM, YYYY-MM-DD or ISO 8601"
            )
        if value != source.published:
            changes["published"] = [source.published, value]
            source.published = value
    if grade is not None:
        cleaned = grade.strip().upper()
        if cleaned:
            m = _GRADE.match(cleaned)
            if m is None:
                raise WorkstationError(
                    f"{grade!r} is not an Admiralty grade; use A-F and 1-6, e.g. B2"
                )
            reliability, credibility = m.group(1), int(m.group(2))
        else:
            reliability, credibility = None, None
        if (reliability, credibility) != (source.reliability, source.credibility):
            changes["grade"] = [grade_of(source), cleaned or None]
            source.reliability, source.credibility = reliability, credibility
    if publisher is not None:
        new_publisher = " ".join(publisher.split()) or None
        if new_publisher != source.publisher:
            changes["publisher"] = [source.publisher, new_publisher]
            source.publisher = new_publisher
    if changes:
        library.record(session, "source.edit", "source", source.id, changes)
    return source
