"""Merging a bundle's findings: by UUID, with provenance, under the bundle merge's rule.

A finding is new, the same, an allowed update (its local version came from the
same signer and was not changed here since), or a conflict, like any record a
bundle brings (``import_``). One more step is allowed, so that air-gapped
reviewers can review across laptops: **review progress**. A finding whose
content, evidence and entities are exactly the local ones may gain the review
steps, comments, letters and replies the sender added (and the status they
lead to), when

- the bundle is signed by a key trusted here,
- every review step here is also in the bundle (nothing here is undone),
- the sender's steps keep four eyes (no author confirms or rejects their own), and
- a signed confirmation verifies against the local content and evidence.

So A's finding, confirmed in B's library and sent back, arrives confirmed by B
with B's signature checked; an edit in either library since still makes a
conflict the reviewer resolves.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

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
    FindingLetter,
    FindingReply,
    FindingReview,
    Reviewer,
)
from workstation.bundles.plan import finding_json
from workstation.core.dates import utc_now
from workstation.core.library import Library
from workstation.core.state import KINDS, compute
from workstation.findings.policy import next_number, number_label
from workstation.findings.signatures import check_carried, standing_check, take_signature
from workstation.keys.keyring import KeyService

Outcome = Literal["added", "updated", "unchanged", "conflict"]

#: The status each review action leaves a finding in.
_LEADS_TO = {
    "submit": "in_review",
    "return": "in_review",
    "confirm": "confirmed",
    "reject": "rejected",
    "reopen": "draft",
}


class MergeLedger(Protocol):
    """What the bundle merge shares with the findings part: provenance and the rule."""

    library: Library

    @property
    def signer(self) -> str | None: ...

    @property
    def trusted(self) -> bool: ...

    @property
    def sent_at(self) -> str: ...

    def provenance(self, session: Session, kind: str, key: str, action: str) -> None: ...

    def remember(self, kind: str, key: str, state: str, sent_at: str) -> None: ...

    def why_not_update(
        self, session: Session, kind: str, key: str, local_state: str, sent_at: str
    ) -> str | None: ...

    def reviewer(self, session: Session, name: str) -> int: ...


class FindingMerger:
    """Merges the findings of one bundle into one open transaction."""

    def __init__(self, ledger: MergeLedger) -> None:
        self.ledger = ledger
        self.library = ledger.library

    def merge(
        self,
        session: Session,
        item: dict[str, Any],
        by_sha: dict[str, int],
        entity_ids: dict[str, int],
        case_row: Case | None,
    ) -> tuple[Outcome, str | None]:
        """Merge one finding of ``case.json``; returns what happened and, for a
        conflict, why."""
        uuid = str(item["uuid"])
        row = session.scalar(select(Finding).where(Finding.uuid == uuid))
        links = self._finding_links(session, item, entity_ids)
        if row is None:
            self._add(session, item, links, by_sha, case_row)
            return "added", None
        here_entities = set(
            session.scalars(
                select(FindingEntity.entity_id).where(FindingEntity.finding_id == row.id)
            )
        )
        here = finding_json(session, row)
        if here_entities == links[1] and _same_finding(here, item):
            return "unchanged", None
        reason = self.ledger.why_not_update(
            session, "finding", uuid, _finding_state(session, uuid), self.ledger.sent_at
        )
        if (
            reason is not None
            and self.ledger.signer is not None
            and self.ledger.trusted
            and here_entities == links[1]
            and _same_content(here, item)
        ):
            # A trusted sender, the same content and evidence: perhaps they reviewed it.
            refusal = self._why_not_progress(session, row, here, item)
            if refusal is not None:
                return "conflict", refusal
            reason = None
        if reason is not None:
            return "conflict", reason
        self._apply_finding(session, row, item, links, by_sha)
        self._finding_done(session, row, "updated", item)
        return "updated", None

    def standing(self, session: Session, uuid: str) -> dict[str, str | None]:
        """The merged finding as it stands here: number, status, who confirmed it and
        the check of that confirmation's signature (None when unsigned)."""
        row = session.scalar(select(Finding).where(Finding.uuid == uuid))
        assert row is not None
        check = standing_check(session, row, keys=KeyService(self.library))
        by = session.get(Reviewer, row.confirmed_by_id) if row.confirmed_by_id else None
        return {
            "uuid": row.uuid,
            "number": number_label(row.number),
            "status": row.status,
            "confirmed_by": by.name if by is not None else None,
            "signature": check.label if check is not None else None,
        }

    def _add(
        self,
        session: Session,
        item: dict[str, Any],
        links: tuple[dict[int, str], set[int]],
        by_sha: dict[str, int],
        case_row: Case | None,
    ) -> None:
        row = Finding(
            uuid=str(item["uuid"]),
            title=str(item["title"]),
            status=str(item["status"]),
            created_by_id=self.ledger.reviewer(session, str(item.get("author") or "unknown")),
            created_at=str(item.get("created") or utc_now()),
            modified_at=str(item.get("modified") or utc_now()),
            case_id=case_row.id if case_row is not None else None,
        )
        raw = item.get("number")
        wanted = int(raw) if raw is not None else None
        taken = wanted is None or session.scalar(select(Finding.id).where(Finding.number == wanted))
        if taken:
            highest = session.scalar(select(func.max(Finding.number))) or 0
            row.number = next_number(session, highest)
        else:
            row.number = wanted
        session.add(row)
        session.flush()
        self._apply_finding(session, row, item, links, by_sha)
        if taken and wanted is not None:
            # No column for it: a review step says which number the sender gave it.
            session.add(
                FindingReview(
                    finding_id=row.id,
                    action="import",
                    reviewer_id=self.library.reviewer_id(session),
                    at=utc_now(),
                    reason=f"{EXTERNAL_NUMBER} {number_label(wanted)} in the sender's "
                    f"library; {number_label(wanted)} is taken here",
                )
            )
        self._finding_done(session, row, "added", item)

    def _why_not_progress(
        self, session: Session, row: Finding, here: dict[str, Any], item: dict[str, Any]
    ) -> str | None:
        """Why the trusted sender's version of a finding with the local content and
        evidence is not review progress this library may take (module docstring), or None."""
        mine = {_step_key(r) for r in here["review"]}
        theirs = [r for r in item.get("review") or [] if isinstance(r, dict)]
        if not mine <= {_step_key(r) for r in theirs}:
            return "review steps were taken here that the bundle does not have"
        new = [r for r in theirs if _step_key(r) not in mine]
        author = here.get("author")
        for r in new:
            if r.get("action") in ("confirm", "reject") and r.get("reviewer") == author:
                return f"four eyes: the author ({author}) cannot {r.get('action')} it"
        steps = [r for r in theirs if r.get("action") in _LEADS_TO]
        if steps and _LEADS_TO[str(steps[-1]["action"])] != item.get("status"):
            return f"its status ({item.get('status')}) does not follow from its review steps"
        keys = KeyService(self.library)
        # A confirmation signs its override reason too: check against the sender's.
        override, row.override_reason = row.override_reason, item.get("override_reason")
        try:
            for r in new:
                if r.get("signature") is None:
                    continue
                check = check_carried(
                    session,
                    row,
                    r["signature"],
                    action=str(r.get("action")),
                    at=str(r.get("at")),
                    reviewer=str(r.get("reviewer")),
                    keys=keys,
                )
                if check.state != "valid":
                    return f"the {r.get('action')} by {r.get('reviewer')}: {check.label}"
        finally:
            row.override_reason = override
        return None

    def _finding_links(
        self, session: Session, item: dict[str, Any], entity_ids: dict[str, int]
    ) -> tuple[dict[int, str], set[int]]:
        """The incoming evidence (local annotation id -> role) and entities (local ids)
        that exist here; the rest did not travel."""
        evidence: dict[int, str] = {}
        for ev in item.get("evidence") or []:
            found = session.scalar(
                select(Annotation.id).where(
                    Annotation.uuid == str(ev["annotation"]), Annotation.deleted_at.is_(None)
                )
            )
            if found is not None:
                evidence[found] = str(ev["role"])
        entities: set[int] = set()
        for ent in item.get("entities") or []:
            local = entity_ids.get(ent) or session.scalar(
                select(Entity.id).where(Entity.uuid == ent)
            )
            if local is not None:
                entities.add(local)
        return evidence, entities

    def _apply_finding(
        self,
        session: Session,
        row: Finding,
        item: dict[str, Any],
        links: tuple[dict[int, str], set[int]],
        by_sha: dict[str, int],
    ) -> None:
        """Take the bundle's content, evidence and entities, and add the review steps,
        comments, letters and replies not here yet."""
        code = item.get("category")
        period = item.get("period") or {}
        row.title = str(item["title"])
        row.claim = item.get("claim")
        row.category_id = (
            session.scalar(select(Category.id).where(Category.code == code)) if code else None
        )
        row.places = [str(p) for p in item.get("places") or []] or None
        row.period_from, row.period_to = period.get("from"), period.get("to")
        row.confidence = item.get("confidence")
        row.status = str(item["status"])
        by = (item.get("confirmed_by"), item.get("rejected_by"))
        row.confirmed_by_id = self.ledger.reviewer(session, by[0]) if by[0] else None
        row.rejected_by_id = self.ledger.reviewer(session, by[1]) if by[1] else None
        row.override_reason = item.get("override_reason")
        row.modified_at = str(item.get("modified") or row.modified_at)
        evidence, entities = links
        session.execute(delete(FindingAnnotation).where(FindingAnnotation.finding_id == row.id))
        session.execute(delete(FindingEntity).where(FindingEntity.finding_id == row.id))
        session.flush()
        for annotation_id, role in evidence.items():
            session.add(
                FindingAnnotation(finding_id=row.id, annotation_id=annotation_id, role=role)
            )
        for entity_id in sorted(entities):
            session.add(FindingEntity(finding_id=row.id, entity_id=entity_id))
        here = finding_json(session, row)
        steps = {_step_key(r) for r in here["review"]}
        for r in item.get("review") or []:
            if _step_key(r) not in steps:
                step = FindingReview(
                    finding_id=row.id,
                    action=str(r["action"])[:16],
                    reviewer_id=self.ledger.reviewer(session, str(r["reviewer"])),
                    at=str(r["at"]),
                    reason=r.get("reason"),
                )
                take_signature(step, r.get("signature"))
                session.add(step)
        said = {_comment_key(c) for c in here["comments"]}
        for c in item.get("comments") or []:
            if _comment_key(c) not in said:
                session.add(
                    FindingComment(
                        finding_id=row.id,
                        author_id=self.ledger.reviewer(session, str(c["author"])),
                        at=str(c["at"]),
                        text=str(c["text"]),
                    )
                )
        session.flush()
        for lt in item.get("letters") or []:
            letter = session.scalar(select(FindingLetter).where(FindingLetter.uuid == lt["uuid"]))
            if letter is None:
                kind = lt.get("addressee_kind")
                letter = FindingLetter(
                    uuid=str(lt["uuid"]),
                    finding_id=row.id,
                    addressee=str(lt["addressee"]),
                    addressee_kind=kind if kind in ("state", "company", "person") else None,
                    sent_on=str(lt["sent_on"]),
                    deadline=lt.get("deadline"),
                    reference=lt.get("reference"),
                    source_id=by_sha.get(str(lt.get("document") or "")),
                    created_by_id=self.ledger.reviewer(
                        session, str(lt.get("created_by") or "unknown")
                    ),
                    created_at=str(lt.get("created_at") or utc_now()),
                )
                session.add(letter)
                session.flush()
            elif letter.finding_id != row.id:
                continue  # another finding's letter here: not moved
            for rp in lt.get("replies") or []:
                if session.scalar(select(FindingReply.id).where(FindingReply.uuid == rp["uuid"])):
                    continue
                source_id = by_sha.get(str(rp.get("document") or ""))
                text = rp.get("text")
                if text is None and source_id is None:
                    text = REPLY_DOCUMENT_WITHHELD
                session.add(
                    FindingReply(
                        uuid=str(rp["uuid"]),
                        finding_id=row.id,
                        letter_id=letter.id,
                        received_on=str(rp["received_on"]),
                        text=text,
                        source_id=source_id,
                        summary=rp.get("summary"),
                        recorded_by_id=self.ledger.reviewer(
                            session, str(rp.get("recorded_by") or "unknown")
                        ),
                        recorded_at=str(rp.get("recorded_at") or utc_now()),
                    )
                )
        session.flush()

    def _finding_done(
        self, session: Session, row: Finding, action: str, item: dict[str, Any]
    ) -> None:
        self.library.record(
            session,
            f"finding.import.{action}",
            "finding",
            row.uuid,
            {
                "number": number_label(row.number),
                "external_number": item.get("number"),
                "status": row.status,
                "bundle_signer": self.ledger.signer,
            },
        )
        self.ledger.provenance(session, "finding", row.uuid, action)
        self.ledger.remember(
            "finding", row.uuid, _finding_state(session, row.uuid), self.ledger.sent_at
        )


#: How a renumbered finding's review step names the number the sender gave it.
EXTERNAL_NUMBER = "external_number"
#: A reply whose document did not travel (the schema needs a text or a document).
REPLY_DOCUMENT_WITHHELD = "[the reply is a document that did not travel with the bundle]"
_FINDING_CONTENT = (
    "title",
    "claim",
    "category",
    "places",
    "period",
    "confidence",
    "status",
    "confirmed_by",
    "rejected_by",
    "override_reason",
)


#: What review changes; the rest of ``_FINDING_CONTENT`` is what the finding says.
_REVIEW_STATE = ("status", "confirmed_by", "rejected_by", "override_reason")


def _step_key(r: dict[str, Any]) -> tuple[Any, ...]:
    return (r.get("action"), r.get("reviewer"), r.get("at"), r.get("reason"))


def _comment_key(c: dict[str, Any]) -> tuple[Any, ...]:
    return (c.get("author"), c.get("at"), c.get("text"))


def _same_content(here: dict[str, Any], item: dict[str, Any]) -> bool:
    """Whether the bundle's finding says what the local one says, with the same
    evidence (its review state aside)."""
    content = all(
        (here.get(k) or None) == (item.get(k) or None)
        for k in _FINDING_CONTENT
        if k not in _REVIEW_STATE and k != "period"
    )
    period = here["period"] == {
        "from": (item.get("period") or {}).get("from"),
        "to": (item.get("period") or {}).get("to"),
    }
    evidence = {e["annotation"]: e["role"] for e in here["evidence"]} == {
        str(e["annotation"]): str(e["role"]) for e in item.get("evidence") or []
    }
    return content and period and evidence


def _same_finding(here: dict[str, Any], item: dict[str, Any]) -> bool:
    """Whether the bundle's finding says nothing the local one does not (its number and
    local review steps aside)."""
    content = all(
        (here.get(k) or None) == (item.get(k) or None) for k in _FINDING_CONTENT if k != "period"
    )
    period = here["period"] == {
        "from": (item.get("period") or {}).get("from"),
        "to": (item.get("period") or {}).get("to"),
    }
    evidence = {e["annotation"]: e["role"] for e in here["evidence"]} == {
        str(e["annotation"]): str(e["role"]) for e in item.get("evidence") or []
    }
    steps = {_step_key(r) for r in here["review"]} >= {
        _step_key(r) for r in item.get("review") or []
    }
    said = {_comment_key(c) for c in here["comments"]} >= {
        _comment_key(c) for c in item.get("comments") or []
    }
    letters = {lt["uuid"] for lt in here["letters"]} >= {
        lt["uuid"] for lt in item.get("letters") or []
    }
    replies = {r["uuid"] for lt in here["letters"] for r in lt["replies"]} >= {
        r["uuid"] for lt in item.get("letters") or [] for r in lt.get("replies") or []
    }
    return content and period and evidence and steps and said and letters and replies


def _finding_state(session: Session, uuid: str) -> str:
    """The finding's audited state digest, to tell later whether it was changed here."""
    return compute(session, KINDS["finding"], keys=[uuid])[uuid]
