"""Signed confirmations: an Ed25519 signature over what a reviewer confirmed.

When the confirming reviewer has a signing key, the confirmation step carries a
signature over a small canonical JSON statement:

    {"v": 1, "kind": "...finding-confirmation", "finding": UUID, "action": "confirm",
     "reviewer": NAME, "at": TIME, "key": FINGERPRINT,
     "content": SHA-256 of the finding's content (title, claim, measure, entities,
                places, period, confidence) and the override reason,
     "evidence": [{"annotation": UUID, "role": ROLE, "source": SHA-256 of the source,
                   "anchor": SHA-256 of page, quote and region}, ... by annotation]}

The statement names the content by digest, not by text: it travels in bundles,
whose strings are scrubbed of redacted passages, and a signed text cannot be
scrubbed. A partner recomputes the digests from the finding as it arrived, so
"signature valid" always means both "this key signed it" and "what you see is
what was signed"; where redaction withheld a piece of evidence, the check says so.

Canonical JSON: keys sorted, no whitespace, UTF-8, no floats at top level. For
these statements (strings, integers, a list of flat objects) that is exactly
RFC 8785 (JCS) output, so it is written here in two lines rather than taken from
a dependency; region geometry is hashed, never put in the statement as numbers.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    Annotation,
    Category,
    Entity,
    Finding,
    FindingAnnotation,
    FindingEntity,
    FindingReview,
    Reviewer,
    Source,
)
from workstation.keys.keyring import (
    KeyringError,
    KeyService,
    Signer,
    Trust,
    fingerprint_of,
    load_public_key,
    short_fingerprint,
    verify_signature,
)

KIND = "evidence-workstation/finding-confirmation"
VERSION = 1

State = Literal["valid", "changed", "invalid"]


def canonical(value: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8 (RFC 8785 for strings, integers and lists)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _digest(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def entity_uuids_of(session: Session, finding_id: int) -> list[str]:
    """The UUIDs of the entities a finding names, sorted."""
    return list(
        session.scalars(
            select(Entity.uuid)
            .join(FindingEntity, FindingEntity.entity_id == Entity.id)
            .where(FindingEntity.finding_id == finding_id)
            .order_by(Entity.uuid)
        )
    )


def content_digest(session: Session, row: Finding) -> str:
    """SHA-256 of what the finding says (its case and number aside: both are local)."""
    category = session.get(Category, row.category_id) if row.category_id else None
    entities = entity_uuids_of(session, row.id)
    return _digest(
        {
            "title": row.title,
            "claim": row.claim,
            "category": category.code if category else None,
            "entities": list(entities),
            "places": list(row.places or []),
            "period": [row.period_from, row.period_to],
            "confidence": row.confidence,
            "override_reason": row.override_reason,
        }
    )


def evidence_digests(session: Session, row: Finding) -> list[dict[str, str]]:
    """Each piece of evidence as the statement lists it, by annotation UUID."""
    rows = session.execute(
        select(Annotation, FindingAnnotation.role, Source.sha256)
        .join(FindingAnnotation, FindingAnnotation.annotation_id == Annotation.id)
        .join(Source, Source.id == Annotation.source_id)
        .where(FindingAnnotation.finding_id == row.id)
        .order_by(Annotation.uuid)
    ).all()
    return [
        {
            "annotation": mark.uuid,
            "role": role,
            "source": sha256,
            "anchor": _digest({"page": mark.page, "exact": mark.exact, "region": mark.geometry}),
        }
        for mark, role, sha256 in rows
    ]


def statement(
    session: Session, row: Finding, *, reviewer: str, at: str, key: str
) -> dict[str, Any]:
    """What a confirmation of ``row`` as it stands now signs."""
    return {
        "v": VERSION,
        "kind": KIND,
        "finding": row.uuid,
        "action": "confirm",
        "reviewer": reviewer,
        "at": at,
        "key": key,
        "content": content_digest(session, row),
        "evidence": evidence_digests(session, row),
    }


def sign_step(session: Session, row: Finding, step: FindingReview, signer: Signer) -> None:
    """Sign the confirmation ``step`` of ``row`` (flushed, with its reviewer and time)."""
    reviewer = session.get(Reviewer, step.reviewer_id)
    payload = canonical(
        statement(
            session,
            row,
            reviewer=reviewer.name if reviewer else "?",
            at=step.at,
            key=signer.fingerprint,
        )
    )
    step.key_fingerprint = signer.fingerprint
    step.public_key = signer.public_pem.decode("ascii")
    step.payload = payload.decode("utf-8")
    step.signature = base64.b64encode(signer.sign(payload)).decode("ascii")
    session.flush()


@dataclass(frozen=True)
class SignatureCheck:
    """What a signed review step's signature says.

    Attributes:
        state: ``valid`` (the key signed this statement and the finding still says it),
            ``changed`` (the key signed it, but the finding's content or evidence
            differs now), ``invalid`` (the signature, key or statement does not hold).
        trust: the key in this library's keyring: ``trusted`` (own or trusted),
            ``known`` (imported, not trusted) or ``unknown``.
        fingerprint: the signing key.
        reason: for ``changed`` and ``invalid``, one line saying what.
    """

    state: State
    trust: Trust
    fingerprint: str | None
    reason: str | None = None

    @property
    def label(self) -> str:
        """For people: 'signature valid' (+ the key's trust when not trusted)."""
        if self.state == "invalid":
            return f"signature INVALID: {self.reason}"
        if self.state == "changed":
            text = f"signature valid for the finding as confirmed; since then {self.reason}"
        else:
            text = "signature valid"
        if self.trust != "trusted" and self.fingerprint:
            text += f" (key {short_fingerprint(self.fingerprint)} is not trusted here)"
        return text

    def as_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "trust": self.trust,
            "key": self.fingerprint,
            "reason": self.reason,
            "label": self.label,
        }


def _invalid(trust: Trust, fingerprint: str | None, reason: str) -> SignatureCheck:
    return SignatureCheck("invalid", trust, fingerprint, reason)


def check_step(
    session: Session, row: Finding, step: FindingReview, *, keys: KeyService | None = None
) -> SignatureCheck | None:
    """Check a review step's signature against its key and ``row`` as it stands now.

    Returns None for an unsigned step. ``keys``: the library's keyring, for trust
    (without it every key counts as unknown).
    """
    if step.signature is None and step.payload is None and step.public_key is None:
        return None
    reviewer = session.get(Reviewer, step.reviewer_id)
    carried = {
        "key": step.key_fingerprint,
        "public_key": step.public_key,
        "payload": step.payload,
        "value": step.signature,
    }
    return check_carried(
        session,
        row,
        carried,
        action=step.action,
        at=step.at,
        reviewer=reviewer.name if reviewer else None,
        keys=keys,
    )


def standing_check(
    session: Session, row: Finding, *, keys: KeyService | None = None
) -> SignatureCheck | None:
    """The check of the confirmation that stands (the last one, while the finding is
    confirmed); None when there is none or it is unsigned."""
    if row.status != "confirmed":
        return None
    step = session.scalar(
        select(FindingReview)
        .where(FindingReview.finding_id == row.id, FindingReview.action == "confirm")
        .order_by(FindingReview.id.desc())
        .limit(1)
    )
    return check_step(session, row, step, keys=keys) if step is not None else None


def check_carried(
    session: Session,
    row: Finding,
    carried: dict[str, Any],
    *,
    action: str,
    at: str,
    reviewer: str | None,
    keys: KeyService | None = None,
) -> SignatureCheck:
    """Check a signature (as ``signature_json`` writes it) made on the step
    (``action``, ``at``, ``reviewer``) of ``row``, against ``row`` as it stands now."""
    stated = carried.get("key")
    stated = stated if isinstance(stated, str) else None
    pem, payload_text, value = (carried.get(k) for k in ("public_key", "payload", "value"))
    if not (
        isinstance(pem, str) and pem and isinstance(payload_text, str) and payload_text
    ) or not (isinstance(value, str) and value):
        return _invalid("unknown", stated, "the signature is incomplete")
    try:
        key = load_public_key(pem)
        raw = base64.b64decode(value, validate=True)
    except (KeyringError, binascii.Error, ValueError):
        return _invalid("unknown", stated, "the stored key or signature cannot be read")
    fingerprint = fingerprint_of(key)
    trust: Trust = keys.trust_of(session, fingerprint) if keys is not None else "unknown"
    payload = payload_text.encode("utf-8")
    if stated != fingerprint or not verify_signature(pem.encode(), raw, payload):
        return _invalid(trust, fingerprint, "it does not match the statement or its key")
    try:
        signed = json.loads(payload)
    except ValueError:
        return _invalid(trust, fingerprint, "the signed statement is not JSON")
    if (
        not isinstance(signed, dict)
        or signed.get("kind") != KIND
        or signed.get("finding") != row.uuid
        or signed.get("action") != action
        or signed.get("at") != at
        or signed.get("reviewer") != reviewer
        or signed.get("key") != fingerprint
    ):
        return _invalid(trust, fingerprint, "it was made for another finding, step or reviewer")
    changed = differences(signed, content_digest(session, row), evidence_digests(session, row))
    if changed:
        return SignatureCheck("changed", trust, fingerprint, changed)
    return SignatureCheck("valid", trust, fingerprint)


def differences(signed: dict[str, Any], content: str, evidence: list[dict[str, str]]) -> str | None:
    """What differs between a signed statement and the finding now, in words, or None."""
    said: list[str] = []
    if signed.get("content") != content:
        said.append("its content changed")
    then = {e.get("annotation"): e for e in signed.get("evidence") or [] if isinstance(e, dict)}
    now = {e["annotation"]: e for e in evidence}
    gone = [a for a in then if a not in now]
    new = [a for a in now if a not in then]
    moved = [a for a in then if a in now and then[a] != now[a]]
    if new:
        said.append(f"{len(new)} piece(s) of evidence were added")
    if gone:
        said.append(f"{len(gone)} piece(s) of evidence are missing here (removed or withheld)")
    if moved:
        said.append(f"{len(moved)} piece(s) of evidence changed role, source or anchor")
    return "; ".join(said) or None


def signature_json(step: FindingReview) -> dict[str, Any] | None:
    """A signed step's signature as ``case.json`` carries it (None when unsigned)."""
    if step.signature is None:
        return None
    return {
        "key": step.key_fingerprint,
        "public_key": step.public_key,
        "payload": step.payload,
        "value": step.signature,
    }


def take_signature(step: FindingReview, carried: Any) -> None:
    """Store a signature that came in a bundle on ``step`` as it was carried (checked
    when shown: a bad one is reported, never silently dropped)."""
    if not isinstance(carried, dict):
        return
    step.key_fingerprint = _text(carried.get("key"), 64)
    step.public_key = _text(carried.get("public_key"), 4096)
    step.payload = _text(carried.get("payload"), 1_000_000)
    step.signature = _text(carried.get("value"), 88)


def _text(value: Any, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) else None


__all__ = [
    "KIND",
    "SignatureCheck",
    "canonical",
    "check_carried",
    "check_step",
    "content_digest",
    "entity_uuids_of",
    "differences",
    "evidence_digests",
    "sign_step",
    "signature_json",
    "standing_check",
    "statement",
    "take_signature",
]
