"""Reads the findings tests make with queries of their own, not through the service."""

from __future__ import annotations

from sqlalchemy import select

from db.models import Annotation, Finding, FindingAnnotation
from workstation.core.library import Library


def evidence_roles(library: Library, finding: str) -> dict[str, str]:
    """Annotation uuid -> role of each piece of evidence of ``finding``, as stored."""
    with library.reader() as session:
        rows = session.execute(
            select(Annotation.uuid, FindingAnnotation.role)
            .join(FindingAnnotation, FindingAnnotation.annotation_id == Annotation.id)
            .join(Finding, Finding.id == FindingAnnotation.finding_id)
            .where(Finding.uuid == finding)
        )
        return {uuid: role for uuid, role in rows}
