"""Cases: named lines of inquiry that group sources."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Case, CaseSource
from workstation.core.dates import utc_now
from workstation.core.errors import NotFoundError, WorkstationError
from workstation.core.library import Library

MAX_CASE_NAME = 200


def clean_case_name(name: str) -> str:
    """Trim a case name and refuse empty or over-long ones."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise WorkstationError("a case name cannot be empty")
    if len(cleaned) > MAX_CASE_NAME:
        raise WorkstationError(f"a case name is at most {MAX_CASE_NAME} characters")
    return cleaned


def find_case(session: Session, name: str) -> Case:
    """The case called ``name``."""
    case = session.scalar(select(Case).where(Case.name == clean_case_name(name)))
    if case is None:
        raise NotFoundError(f"no case called {name!r}")
    return case


def ensure_case(library: Library, session: Session, name: str) -> Case:
    """The case called ``name``, created (and audited) when missing."""
    cleaned = clean_case_name(name)
    case = session.scalar(select(Case).where(Case.name == cleaned))
    if case is not None:
        return case
    case = Case(
        uuid=str(uuid.uuid4()),
        name=cleaned,
        created_at=utc_now(),
        created_by_id=library.reviewer_id(session),
    )
    session.add(case)
    session.flush()
    library.record(session, "case.create", "case", case.uuid, {"name": cleaned})
    return case


def add_to_case(library: Library, session: Session, case: Case, source_id: int) -> bool:
    """Put a source in a case; False when it was already there."""
    if session.get(CaseSource, (case.id, source_id)) is not None:
        return False
    session.add(
        CaseSource(
            case_id=case.id,
            source_id=source_id,
            added_at=utc_now(),
            added_by_id=library.reviewer_id(session),
        )
    )
    library.record(
        session, "case.add_source", "case", case.uuid, {"source_id": source_id, "case": case.name}
    )
    return True


def list_cases(session: Session) -> list[tuple[Case, int]]:
    """Every case with its number of sources, by name."""
    rows = session.execute(
        select(Case, func.count(CaseSource.source_id))
        .outerjoin(CaseSource, CaseSource.case_id == Case.id)
        .group_by(Case.id)
        .order_by(Case.name)
    ).all()
    return [(case, count) for case, count in rows]
