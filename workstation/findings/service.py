"""Findings: claims built on graded evidence, corroborated by independent sources and
confirmed by a second reviewer (four eyes).

Every change goes through ``FindingService`` in the caller's write transaction and is an
audit event naming the reviewer. States: ``draft -> in_review -> confirmed | rejected``;
``reopen`` (with a reason) returns to draft. Only the author submits; only another
reviewer confirms or rejects. Confirmation needs the library's policy (policy.py) met by
the supporting evidence, or an override reason, which is recorded. Changing a confirmed
finding's content or evidence returns it to ``in_review`` and says why.
"""

from __future__ import annotations

import re
import uuid as uuidlib
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from typing import Any, Literal, TypedDict, Unpack

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from db.models import (
    Annotation,
    Case,
    Category,
    Entity,
    Finding,
    FindingAnnotation,
    FindingComment,
    FindingEntity,
    FindingReview,
    Reviewer,
    Source,
)
from workstation.core.dates import utc_now
from workstation.core.errors import AmbiguousError, NotFoundError
from workstation.core.library import Library
from workstation.entities.register import get_entity
from workstation.findings.corroboration import Corroboration
from workstation.findings.details import (
    Comment,
    Evidence,
    FindingDetails,
    FindingSummary,
    Group,
    ReviewStep,
)
from workstation.findings.independence import Independence, SourceFacts
from workstation.findings.policy import (
    FindingError,
    Policy,
    confidence,
    next_number,
    number_label,
    partial_date,
    read_policy,
    write_policy,
)
from workstation.findings.replies import reply_status, reply_statuses, today_utc
from workstation.findings.signatures import (
    SignatureCheck,
    check_step,
    entity_uuids_of,
    sign_step,
)
from workstation.keys.keyring import KeyService, Signer
from workstation.sources.cases import find_case
from workstation.sources.lookup import format_grade
from workstation.sources.signatures import ensure_signatures

Role = Literal["supports", "contradicts", "context"]
ROLES: tuple[Role, ...] = ("supports", "contradicts", "context")
STATUSES = ("draft", "in_review", "confirmed", "rejected")
MAX_TEXT = 20_000
_NUMBER = re.compile(r"^F-?(\d{1,9})$", re.IGNORECASE)
_UUID_PREFIX = re.compile(r"^[0-9a-f-]{4,36}$")


class Content(TypedDict, total=False):
    """What a finding says, as create and update take it (``title`` apart)."""

    category: str  # a taxonomy code: the measure breached
    claim: str
    entities: Sequence[str]  # entity uuids
    places: Sequence[str]
    period_from: str  # 2025, 2025-05 or 2025-05-17
    period_to: str
    case: str  # a case name
    confidence_term: str  # a PHIA yardstick term


class FourEyesError(FindingError):
    """A reviewer may not take this step on their own finding (or on another's)."""


class PolicyError(FindingError):
    """The evidence does not meet the confirmation policy and no override was given."""


def _clean(text: str | None, what: str, *, required: bool = False) -> str | None:
    if text is None:
        return None
    cleaned = text.strip()
    if required and not cleaned:
        raise FindingError(f"{what} cannot be empty")
    if len(cleaned) > MAX_TEXT:
        raise FindingError(f"{what} is at most {MAX_TEXT:,} characters")
    return cleaned or None


def _reviewer_name(session: Session, reviewer_id: int | None) -> str | None:
    if reviewer_id is None:
        return None
    row = session.get(Reviewer, reviewer_id)
    return row.name if row is not None else None


class FindingService:
    """Creates, edits, reviews and shows the findings of one library."""

    def __init__(self, library: Library) -> None:
        self.library = library

    # --- lookup -----------------------------------------------------------------

    def resolve(self, session: Session, ref: str) -> Finding:
        """A finding by number (``F-0001``, ``F-1``) or by a unique UUID prefix (4+ chars).

        Raises:
            NotFoundError: nothing matches.
            AmbiguousError: the prefix matches several findings.
        """
        text = ref.strip()
        m = _NUMBER.match(text)
        if m is not None:
            row = session.scalar(select(Finding).where(Finding.number == int(m.group(1))))
            if row is None:
                raise NotFoundError(f"no finding {text.upper()}")
            return row
        if not _UUID_PREFIX.match(text.lower()):
            raise NotFoundError(f"no finding {text!r} (give F-0001 or a UUID prefix)")
        rows = list(
            session.scalars(select(Finding).where(Finding.uuid.like(f"{text.lower()}%")).limit(2))
        )
        if not rows:
            raise NotFoundError(f"no finding {text}")
        if len(rows) > 1:
            raise AmbiguousError(f"{text} matches several findings; give more of the UUID")
        return rows[0]

    # --- policy -----------------------------------------------------------------

    def policy(self, session: Session) -> Policy:
        """The library's confirmation policy."""
        return read_policy(session)

    def set_policy(self, session: Session, policy: Policy) -> None:
        """Change the confirmation policy (audited)."""
        before = read_policy(session)
        write_policy(session, policy)
        after = read_policy(session)
        if after != before:
            self.library.record(
                session,
                "findings.policy",
                "library",
                None,
                {"before": asdict(before), "after": asdict(after)},
            )

    # --- content ----------------------------------------------------------------

    def create(self, session: Session, *, title: str, **content: Unpack[Content]) -> Finding:
        """A new draft finding, numbered F-NNNN, authored by the current reviewer."""
        now = utc_now()
        highest = session.scalar(select(func.max(Finding.number))) or 0
        row = Finding(
            uuid=str(uuidlib.uuid4()),
            title=_clean(title, "a finding's title", required=True),
            status="draft",
            created_by_id=self.library.reviewer_id(session),
            created_at=now,
            modified_at=now,
        )
        row.number = next_number(session, highest)
        session.add(row)
        session.flush()
        self._apply(session, row, content)  # a refusal rolls the whole transaction back
        self.library.record(
            session,
            "finding.create",
            "finding",
            row.uuid,
            {
                "number": number_label(row.number),
                "reviewer": self.library.reviewer,
                **self._snapshot(session, row),
            },
        )
        return row

    def update(
        self, session: Session, ref: str, *, title: str | None = None, **content: Unpack[Content]
    ) -> Finding:
        """Change what is given (a field left out stays; '' clears it)."""
        row = self.resolve(session, ref)
        before = self._snapshot(session, row)
        if title is not None:
            row.title = _clean(title, "a finding's title", required=True) or row.title
        self._apply(session, row, content)
        after = self._snapshot(session, row)
        if after == before:
            return row
        changed = sorted(k for k in after if after[k] != before[k])
        row.modified_at = utc_now()
        self.library.record(
            session,
            "finding.edit",
            "finding",
            row.uuid,
            {"before": before, "after": after, "reviewer": self.library.reviewer},
        )
        self._return_if_confirmed(session, row, f"its {', '.join(changed)} changed")
        return row

    def _apply(self, session: Session, row: Finding, content: Content) -> None:
        category = content.get("category")
        if category is not None:
            row.category_id = self._category(session, category) if category.strip() else None
        if (claim := content.get("claim")) is not None:
            row.claim = _clean(claim, "a claim")
        if (places := content.get("places")) is not None:
            row.places = [p.strip() for p in places if p.strip()] or None
        for name in ("period_from", "period_to"):
            value = content.get(name)
            if isinstance(value, str):
                setattr(row, name, partial_date(value) if value.strip() else None)
        if (
            row.period_from
            and row.period_to
            and row.period_to < row.period_from[: len(row.period_to)]
        ):
            raise FindingError(
                f"the period ends ({row.period_to}) before it begins ({row.period_from})"
            )
        if (case := content.get("case")) is not None:
            row.case_id = find_case(session, case).id if case.strip() else None
        if (term := content.get("confidence_term")) is not None:
            row.confidence = confidence(term).term if term.strip() else None
        if (entities := content.get("entities")) is not None:
            self._set_entities(session, row, entities)
        session.flush()

    def _category(self, session: Session, code: str) -> int:
        found = session.scalar(select(Category).where(Category.code == code.strip()))
        if found is None:
            raise FindingError(f"no category {code!r} (see 'workstation taxonomy list')")
        if found.deprecated:
            raise FindingError(f"category {code!r} is deprecated; pick its replacement")
        return found.id

    def _set_entities(self, session: Session, row: Finding, refs: Sequence[str]) -> None:
        ids = list(dict.fromkeys(get_entity(session, r.strip()).id for r in refs))
        session.execute(delete(FindingEntity).where(FindingEntity.finding_id == row.id))
        for entity_id in ids:
            session.add(FindingEntity(finding_id=row.id, entity_id=entity_id))
        session.flush()

    def _snapshot(self, session: Session, row: Finding) -> dict[str, Any]:
        category = session.get(Category, row.category_id) if row.category_id else None
        case = session.get(Case, row.case_id) if row.case_id else None
        entities = entity_uuids_of(session, row.id)
        return {
            "title": row.title,
            "claim": row.claim,
            "category": category.code if category else None,
            "entities": list(entities),
            "places": list(row.places or []),
            "period": [row.period_from, row.period_to],
            "case": case.name if case else None,
            "confidence": row.confidence,
        }

    # --- evidence ---------------------------------------------------------------

    def add_evidence(
        self, session: Session, ref: str, annotations: Sequence[str], role: str = "supports"
    ) -> Finding:
        """Link annotations (full UUIDs) with a role; an annotation already linked takes the
        new role."""
        if role not in ROLES:
            raise FindingError(f"a role is one of {', '.join(ROLES)}, not {role!r}")
        row = self.resolve(session, ref)
        changed: list[str] = []
        sources: set[int] = set()
        for annotation_uuid in dict.fromkeys(a.strip() for a in annotations):
            mark = session.scalar(select(Annotation).where(Annotation.uuid == annotation_uuid))
            if mark is None:
                raise NotFoundError(f"no annotation {annotation_uuid}")
            if mark.deleted_at is not None:
                raise FindingError(
                    f"annotation {annotation_uuid} was deleted; it cannot be evidence"
                )
            link = session.get(FindingAnnotation, (row.id, mark.id))
            if link is None:
                session.add(FindingAnnotation(finding_id=row.id, annotation_id=mark.id, role=role))
            elif link.role != role:
                link.role = role
            else:
                continue
            changed.append(mark.uuid)
            sources.add(mark.source_id)
        ensure_signatures(session, sources)  # a long text is signed once it is evidence
        if changed:
            row.modified_at = utc_now()
            self.library.record(
                session,
                "finding.evidence.add",
                "finding",
                row.uuid,
                {"annotations": changed, "role": role, "reviewer": self.library.reviewer},
            )
            self._return_if_confirmed(session, row, "its evidence changed")
        return row

    def remove_evidence(self, session: Session, ref: str, annotations: Sequence[str]) -> Finding:
        """Unlink annotations from a finding."""
        row = self.resolve(session, ref)
        removed: list[str] = []
        for annotation_uuid in dict.fromkeys(a.strip() for a in annotations):
            mark = session.scalar(select(Annotation).where(Annotation.uuid == annotation_uuid))
            link = session.get(FindingAnnotation, (row.id, mark.id)) if mark is not None else None
            if link is None:
                raise NotFoundError(
                    f"annotation {annotation_uuid} is not evidence of {number_label(row.number)}"
                )
            session.delete(link)
            removed.append(annotation_uuid)
        if removed:
            session.flush()
            row.modified_at = utc_now()
            self.library.record(
                session,
                "finding.evidence.remove",
                "finding",
                row.uuid,
                {"annotations": removed, "reviewer": self.library.reviewer},
            )
            self._return_if_confirmed(session, row, "its evidence changed")
        return row

    def _return_if_confirmed(self, session: Session, row: Finding, why: str) -> None:
        if row.status != "confirmed":
            return
        reason = f"returned to review: {why} after it was confirmed"
        row.status = "in_review"
        row.confirmed_by_id = None
        row.override_reason = None
        self._step(session, row, "return", reason)

    # --- review -----------------------------------------------------------------

    def _step(
        self,
        session: Session,
        row: Finding,
        action: str,
        reason: str | None,
        signer: Signer | None = None,
    ) -> FindingReview:
        step = FindingReview(
            finding_id=row.id,
            action=action,
            reviewer_id=self.library.reviewer_id(session),
            at=utc_now(),
            reason=reason,
        )
        session.add(step)
        session.flush()
        details: dict[str, Any] = {
            "status": row.status,
            "reviewer": self.library.reviewer,
            "reason": reason,
        }
        if signer is not None:
            sign_step(session, row, step, signer)
            details["signed_by_key"] = signer.fingerprint
        self.library.record(session, f"finding.{action}", "finding", row.uuid, details)
        return step

    def _need(self, row: Finding, *states: str) -> None:
        if row.status not in states:
            label = number_label(row.number)
            raise FindingError(
                f"{label} is {row.status.replace('_', ' ')}; this needs it "
                f"{' or '.join(s.replace('_', ' ') for s in states)}"
            )

    def _four_eyes(self, session: Session, row: Finding, verb: str) -> None:
        if row.created_by_id == self.library.reviewer_id(session):
            raise FourEyesError(
                f"four eyes: {self.library.reviewer} wrote {number_label(row.number)}; "
                f"only another reviewer may {verb} it (give --reviewer NAME)"
            )

    def submit(self, session: Session, ref: str) -> Finding:
        """Draft -> in review; only the author submits."""
        row = self.resolve(session, ref)
        self._need(row, "draft")
        if row.created_by_id != self.library.reviewer_id(session):
            author = _reviewer_name(session, row.created_by_id)
            raise FourEyesError(f"only the author ({author}) submits {number_label(row.number)}")
        row.status = "in_review"
        self._step(session, row, "submit", None)
        return row

    def confirm(
        self,
        session: Session,
        ref: str,
        *,
        override_reason: str | None = None,
        signer: Signer | None = None,
    ) -> Finding:
        """In review -> confirmed, by a reviewer other than the author, if the policy is met
        or an override reason is given (recorded). With ``signer`` (an unlocked key of
        this library) the confirmation is signed over the finding's content and evidence
        (``signatures.py``): a later change returns the finding to review."""
        row = self.resolve(session, ref)
        self._need(row, "in_review")
        self._four_eyes(session, row, "confirm")
        override = _clean(override_reason, "an override reason")
        shortfall = self.shortfall(session, row)
        if shortfall and override is None:
            raise PolicyError(
                f"policy: {number_label(row.number)} {shortfall}; confirm with "
                "--override-reason TEXT to record why it stands anyway"
            )
        row.status = "confirmed"
        row.confirmed_by_id = self.library.reviewer_id(session)
        row.rejected_by_id = None
        row.override_reason = (
            f"{override} (policy: {shortfall})" if shortfall and override else None
        )
        self._step(session, row, "confirm", row.override_reason, signer)
        return row

    def reject(self, session: Session, ref: str, *, reason: str | None = None) -> Finding:
        """In review -> rejected, by a reviewer other than the author."""
        row = self.resolve(session, ref)
        self._need(row, "in_review")
        self._four_eyes(session, row, "reject")
        row.status = "rejected"
        row.rejected_by_id = self.library.reviewer_id(session)
        row.confirmed_by_id = None
        self._step(session, row, "reject", _clean(reason, "a reason"))
        return row

    def reopen(self, session: Session, ref: str, *, reason: str) -> Finding:
        """Back to draft, with a reason (from review, confirmed or rejected)."""
        row = self.resolve(session, ref)
        self._need(row, "in_review", "confirmed", "rejected")
        why = _clean(reason, "a reason to reopen", required=True)
        row.status = "draft"
        row.confirmed_by_id = row.rejected_by_id = None
        row.override_reason = None
        self._step(session, row, "reopen", why)
        return row

    def comment(self, session: Session, ref: str, text: str) -> FindingComment:
        """Add to the finding's discussion thread."""
        row = self.resolve(session, ref)
        body = _clean(text, "a comment", required=True)
        assert body is not None
        note = FindingComment(
            finding_id=row.id, author_id=self.library.reviewer_id(session), at=utc_now(), text=body
        )
        session.add(note)
        session.flush()
        self.library.record(
            session,
            "finding.comment",
            "finding",
            row.uuid,
            {"text": body, "reviewer": self.library.reviewer},
        )
        return note

    # --- corroboration ------------------------------------------------------------

    def _evidence(self, session: Session, row: Finding) -> list[Evidence]:
        return self._evidence_of(session, [row.id])[row.id]

    def _evidence_of(
        self, session: Session, finding_ids: Sequence[int]
    ) -> dict[int, list[Evidence]]:
        """Each finding's evidence, read in one query per 500 findings (a list reads all)."""
        out: dict[int, list[Evidence]] = {i: [] for i in finding_ids}
        ids = list(out)
        for start in range(0, len(ids), 500):
            rows = session.execute(
                select(
                    FindingAnnotation.finding_id,
                    FindingAnnotation.role,
                    Annotation.uuid,
                    Annotation.page,
                    Annotation.exact,
                    Annotation.geometry,
                    Source.id,
                    Source.sha256,
                    Source.reliability,
                    Source.credibility,
                    Source.title,
                    Source.original_filename,
                    Source.publisher,
                )
                .join(Annotation, Annotation.id == FindingAnnotation.annotation_id)
                .join(Source, Source.id == Annotation.source_id)
                .where(FindingAnnotation.finding_id.in_(ids[start : start + 500]))
                .order_by(Source.id, Annotation.page, Annotation.start, Annotation.id)
            )
            for r in rows:
                out[r.finding_id].append(
                    Evidence(
                        annotation=r.uuid,
                        source_id=r.id,
                        sha256=r.sha256,
                        role=r.role,
                        page=r.page,
                        quote=r.exact,
                        region=r.geometry,
                        grade=format_grade(r.reliability, r.credibility),
                        title=r.title or r.original_filename,
                        publisher=r.publisher,
                    )
                )
        return out

    def independence(
        self,
        session: Session,
        evidence: Sequence[Evidence],
        *,
        corroboration: Corroboration | None = None,
    ) -> Independence:
        """The independent groups of the supporting evidence's sources (from stored
        signatures; ``corroboration`` shares what was read between findings)."""
        by_id: dict[int, Evidence] = {}
        for item in evidence:
            if item.role == "supports":
                by_id.setdefault(item.source_id, item)
        facts = [SourceFacts(str(i), e.sha256, e.publisher) for i, e in by_id.items()]
        return (corroboration or Corroboration(session)).independence(facts)

    def shortfall(
        self, session: Session, row: Finding, *, found: Independence | None = None
    ) -> str | None:
        """Why the finding falls short of the policy, or None when it meets it.

        ``found``: the independence of all its supporting evidence, when already computed
        (used as is unless the policy sets a minimum grade).
        """
        policy = read_policy(session)
        if found is None or policy.min_grade is not None:
            evidence = self._evidence(session, row)
            counted = [e for e in evidence if policy.counts(e.grade)]
            found = self.independence(session, counted)
        independent = found.independent
        if independent >= policy.min_independent:
            return None
        graded = f" graded {policy.min_grade} or better" if policy.min_grade else ""
        noun = "group" if independent == 1 else "groups"
        return (
            f"rests on {independent} independent source {noun}{graded}, "
            f"{policy.min_independent} required"
        )

    # --- reading ----------------------------------------------------------------

    def show(self, session: Session, ref: str, *, today: date | None = None) -> FindingDetails:
        """The finding with its evidence, corroboration, review history, comments and
        letters and replies (their status on ``today``, by default today in UTC)."""
        row = self.resolve(session, ref)
        replies = reply_status(session, row, today or today_utc())
        evidence = self._evidence(session, row)
        found = self.independence(session, evidence)
        # Explanations name sources as a reader knows them: "Nampo article (source 3)".
        titles = {str(e.source_id): _named(e.title, e.source_id) for e in evidence}
        groups = [
            Group([int(s) for s in g.source_ids], g.explain(lambda s: titles.get(s, f"source {s}")))
            for g in found.groups
        ]
        category = session.get(Category, row.category_id) if row.category_id else None
        case = session.get(Case, row.case_id) if row.case_id else None
        entities = [
            {"uuid": e.uuid, "kind": e.kind, "name": e.name}
            for e in session.scalars(
                select(Entity)
                .join(FindingEntity, FindingEntity.entity_id == Entity.id)
                .where(FindingEntity.finding_id == row.id)
                .order_by(Entity.name)
            )
        ]
        keys = KeyService(self.library)
        review: list[ReviewStep] = []
        standing: SignatureCheck | None = None
        for r in session.scalars(
            select(FindingReview)
            .where(FindingReview.finding_id == row.id)
            .order_by(FindingReview.id)
        ):
            check = check_step(session, row, r, keys=keys)
            if r.action == "confirm":
                standing = check  # the last confirmation is the one that stands
            review.append(
                ReviewStep(
                    r.action,
                    _reviewer_name(session, r.reviewer_id) or "?",
                    r.at,
                    r.reason,
                    signed=check is not None,
                    signature=check.as_json() if check is not None else None,
                )
            )
        if row.status != "confirmed":
            standing = None
        comments = [
            Comment(_reviewer_name(session, c.author_id) or "?", c.at, c.text)
            for c in session.scalars(
                select(FindingComment)
                .where(FindingComment.finding_id == row.id)
                .order_by(FindingComment.id)
            )
        ]
        policy = read_policy(session)
        yardstick = confidence(row.confidence) if row.confidence else None
        return FindingDetails(
            uuid=row.uuid,
            number=number_label(row.number),
            title=row.title,
            claim=row.claim,
            status=row.status,
            category=category.code if category else None,
            legal_basis=category.legal_basis if category else None,
            entities=entities,
            places=list(row.places or []),
            period_from=row.period_from,
            period_to=row.period_to,
            confidence=({"term": yardstick.term, "range": yardstick.range} if yardstick else None),
            case=case.name if case else None,
            author=_reviewer_name(session, row.created_by_id) or "?",
            created=row.created_at,
            modified=row.modified_at,
            confirmed_by=_reviewer_name(session, row.confirmed_by_id),
            rejected_by=_reviewer_name(session, row.rejected_by_id),
            override_reason=row.override_reason,
            evidence=evidence,
            sources=found.sources,
            independent=found.independent,
            badge=found.badge(),
            groups=groups,
            policy={**asdict(policy), "shortfall": self.shortfall(session, row, found=found)},
            review=review,
            comments=comments,
            replies=[asdict(letter) for letter in replies.letters],
            signed=standing is not None,
            signature=standing.label if standing is not None else None,
            reply_status=replies.label,
        )

    def list(
        self,
        session: Session,
        *,
        status: str | None = None,
        case: str | None = None,
        category: str | None = None,
        today: date | None = None,
    ) -> list[FindingSummary]:
        """Findings by number, filtered by status, case and category code, with their
        reply status on ``today`` (by default today in UTC)."""
        stmt = select(Finding).order_by(Finding.number)
        if status is not None:
            if status not in STATUSES:
                raise FindingError(f"a status is one of {', '.join(STATUSES)}, not {status!r}")
            stmt = stmt.where(Finding.status == status)
        if case is not None:
            stmt = stmt.where(Finding.case_id == find_case(session, case).id)
        if category is not None:
            stmt = stmt.where(Finding.category_id == self._category(session, category))
        out: list[FindingSummary] = []
        rows = list(session.scalars(stmt))
        replies = reply_statuses(session, [r.id for r in rows], today or today_utc())
        evidence = self._evidence_of(session, [row.id for row in rows])
        shared = Corroboration(session)  # each source and pair read and compared once
        shared.load(e.source_id for items in evidence.values() for e in items)
        for row in rows:
            found = self.independence(session, evidence[row.id], corroboration=shared)
            cat = session.get(Category, row.category_id) if row.category_id else None
            case_row = session.get(Case, row.case_id) if row.case_id else None
            out.append(
                FindingSummary(
                    uuid=row.uuid,
                    number=number_label(row.number),
                    title=row.title,
                    status=row.status,
                    category=cat.code if cat else None,
                    case=case_row.name if case_row else None,
                    badge=found.badge(),
                    independent=found.independent,
                    sources=found.sources,
                    reply_status=replies[row.id].label,
                )
            )
        return out


def _named(title: str | None, source_id: int, width: int = 48) -> str:
    """A source as explanations name it: its title, cut short, and its id."""
    if not title:
        return f"source {source_id}"
    short = title if len(title) <= width else title[: width - 1].rstrip() + "…"
    return f"{short} (source {source_id})"
