"""Finding edits that can be taken back: each change of a finding's content or evidence,
made through the findings service, leaves a step in the desktop's undo history (the one
annotations use), and undo or redo makes the opposite change through the service again,
so it is audited like any edit.

Review steps (submit, confirm, reject, reopen) are not edits: they are never undone
(reopen reverses a decision, on the record). An undone edit of a confirmed finding
restores its content; the finding stays in review, as the edit left it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Annotation, FindingAnnotation
from workstation.annotations.service import AnnotationHistory
from workstation.findings.service import Content, FindingService

Snapshot = dict[str, Any]
Roles = dict[str, str | None]  # annotation uuid -> its role, None: not linked


def content_of(service: FindingService, session: Session, ref: str) -> Snapshot:
    """What ``update`` can set, as it stands (the service's own snapshot, in the words
    ``update`` takes: '' for a cleared field)."""
    snap = service._snapshot(session, service.resolve(session, ref))
    period_from, period_to = snap["period"]
    return {
        "title": snap["title"],
        "claim": snap["claim"] or "",
        "category": snap["category"] or "",
        "entities": list(snap["entities"]),
        "places": list(snap["places"]),
        "period_from": period_from or "",
        "period_to": period_to or "",
        "case": snap["case"] or "",
        "confidence_term": snap["confidence"] or "",
    }


def roles_of(
    service: FindingService, session: Session, ref: str, annotations: Sequence[str]
) -> Roles:
    """The role each annotation has in the finding (None where it is not evidence)."""
    row = service.resolve(session, ref)
    found: dict[str, str] = {
        uuid: role
        for uuid, role in session.execute(
            select(Annotation.uuid, FindingAnnotation.role)
            .join(FindingAnnotation, FindingAnnotation.annotation_id == Annotation.id)
            .where(FindingAnnotation.finding_id == row.id, Annotation.uuid.in_(annotations))
        )
    }
    return {a: found.get(a) for a in annotations}


@dataclass(frozen=True)
class FindingStep:
    """One finding edit as the undo history keeps it: the state before and after.

    Attributes:
        uuid: the finding.
        what: ``content`` (``before``/``after`` are snapshots from ``content_of``) or
            ``evidence`` (they map annotation uuids to roles, None: not linked).
    """

    service: FindingService = field(compare=False, repr=False)
    uuid: str
    what: str
    before: dict[str, Any]
    after: dict[str, Any]
    kind: str = "finding"

    def apply(self, session: Session, *, undo: bool) -> None:
        """Put the finding back as it was before (``undo``) or after the edit."""
        target = self.before if undo else self.after
        if self.what == "content":
            _set_content(self.service, session, self.uuid, target)
        else:
            _set_roles(self.service, session, self.uuid, target)


def _set_content(service: FindingService, session: Session, ref: str, to: Snapshot) -> None:
    content: Content = {
        "claim": to["claim"],
        "category": to["category"],
        "entities": to["entities"],
        "places": to["places"],
        "period_from": to["period_from"],
        "period_to": to["period_to"],
        "case": to["case"],
        "confidence_term": to["confidence_term"],
    }
    service.update(session, ref, title=to["title"], **content)


def _set_roles(service: FindingService, session: Session, ref: str, to: Roles) -> None:
    now = roles_of(service, session, ref, list(to))
    gone = [a for a, role in to.items() if role is None and now[a] is not None]
    if gone:
        service.remove_evidence(session, ref, gone)
    for role in sorted({r for r in to.values() if r is not None}):
        marks = [a for a, r in to.items() if r == role and now[a] != role]
        if marks:
            service.add_evidence(session, ref, marks, role)


def edit(
    history: AnnotationHistory,
    service: FindingService,
    session: Session,
    ref: str,
    *,
    title: str | None = None,
    **content: Any,
) -> str:
    """``FindingService.update``, undoable; returns the finding's uuid."""
    uuid = service.resolve(session, ref).uuid
    before = content_of(service, session, uuid)
    service.update(session, uuid, title=title, **content)
    after = content_of(service, session, uuid)
    if after != before:
        history.record(FindingStep(service, uuid, "content", before, after))
    return uuid


def link(
    history: AnnotationHistory,
    service: FindingService,
    session: Session,
    ref: str,
    annotations: Sequence[str],
    role: str = "supports",
) -> str:
    """``FindingService.add_evidence`` (a new link or a new role), undoable; returns the
    finding's uuid."""
    uuid = service.resolve(session, ref).uuid
    marks = list(dict.fromkeys(a.strip() for a in annotations))
    before = roles_of(service, session, uuid, marks)
    service.add_evidence(session, uuid, marks, role)
    changed = [a for a in marks if before[a] != role]
    if changed:
        history.record(
            FindingStep(
                service,
                uuid,
                "evidence",
                {a: before[a] for a in changed},
                dict.fromkeys(changed, role),
            )
        )
    return uuid


def unlink(
    history: AnnotationHistory,
    service: FindingService,
    session: Session,
    ref: str,
    annotations: Sequence[str],
) -> str:
    """``FindingService.remove_evidence``, undoable (undo links each back with its
    role); returns the finding's uuid."""
    uuid = service.resolve(session, ref).uuid
    marks = list(dict.fromkeys(a.strip() for a in annotations))
    before = roles_of(service, session, uuid, marks)
    service.remove_evidence(session, uuid, marks)
    history.record(FindingStep(service, uuid, "evidence", dict(before), dict.fromkeys(marks)))
    return uuid
