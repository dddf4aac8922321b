"""Declared relations between sources: one derived from another, or both from one origin.

A reviewer declares them (``sources relate``); independence.py counts the related sources
as one. Stored as ``source_relations`` rows (parent: the origin or the other source,
child: the derived one), so they are part of the child source's audited state.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from db.models import Source, SourceRelation
from workstation.core.errors import NotFoundError
from workstation.core.library import Library
from workstation.findings.policy import FindingError

Relation = Literal["derived_from", "same_origin"]


def relate_sources(
    library: Library,
    session: Session,
    source_id: int,
    other_id: int,
    relation: Relation,
    *,
    remove: bool = False,
) -> bool:
    """Declare (or with ``remove``, withdraw) that ``source_id`` is derived from, or of the
    same origin as, ``other_id``. Returns whether anything changed (audited when it did)."""
    if relation not in ("derived_from", "same_origin"):
        raise FindingError(f"a relation is derived_from or same_origin, not {relation!r}")
    if source_id == other_id:
        raise FindingError("a source cannot be related to itself")
    for sid in (source_id, other_id):
        if session.get(Source, sid) is None:
            raise NotFoundError(f"no source {sid}")
    keys = [(other_id, source_id, relation)]
    if relation == "same_origin":  # symmetric: either direction counts as declared
        keys.append((source_id, other_id, relation))
    existing = [row for key in keys if (row := session.get(SourceRelation, key)) is not None]
    if remove:
        if not existing:
            return False
        for row in existing:
            session.delete(row)
            session.flush()
            library.record(
                session,
                "source.unrelate",
                "source",
                row.child_id,
                {"relation": relation, "other": row.parent_id},
            )
        return True
    if existing:
        return False
    session.add(SourceRelation(parent_id=other_id, child_id=source_id, relation=relation))
    session.flush()
    library.record(
        session, "source.relate", "source", source_id, {"relation": relation, "other": other_id}
    )
    return True
