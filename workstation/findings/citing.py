"""The findings that cite one mark: what the Inspector shows under the current mark."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Annotation, Finding, FindingAnnotation
from workstation.findings.policy import number_label


@dataclass(frozen=True)
class CitingFinding:
    """A finding that cites a mark.

    Attributes:
        number: 'F-0001'.
        title: The finding's title.
        status: 'draft', 'in_review', 'confirmed' or 'rejected'.
        role: How it cites the mark: 'supports', 'contradicts' or 'context'.
        uuid: The finding's UUID.
    """

    number: str
    title: str
    status: str
    role: str
    uuid: str


def findings_citing(session: Session, annotation_uuid: str) -> list[CitingFinding]:
    """The findings that cite the annotation, by number (none for an unknown uuid)."""
    rows = session.execute(
        select(Finding.number, Finding.title, Finding.status, FindingAnnotation.role, Finding.uuid)
        .join(FindingAnnotation, FindingAnnotation.finding_id == Finding.id)
        .join(Annotation, Annotation.id == FindingAnnotation.annotation_id)
        .where(Annotation.uuid == annotation_uuid)
        .order_by(Finding.number, Finding.id)
    )
    return [
        CitingFinding(number_label(number), title, status, role, uuid)
        for number, title, status, role, uuid in rows
    ]
