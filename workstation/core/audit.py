"""The tamper-evident audit trail.

Every change appends one event in the same transaction as the change. Each
event's hash covers its own fields and the previous event's hash, and the
library keeps the head (last sequence number and hash) beside the chain, so
an edited, removed, inserted or reordered row breaks verification.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AuditEvent, LibraryInfo
from workstation.core.dates import utc_now

GENESIS = "0" * 64
HEAD_KEY = "audit_head"


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the form that gets hashed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(
    *,
    seq: int,
    at: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | None,
    details: str,
    prev_hash: str,
) -> str:
    """SHA-256 over the canonical form of an event's fields."""
    body = canonical_json(
        {
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "details": details,
            "prev": prev_hash,
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _read_head(session: Session) -> tuple[int, str]:
    row = session.get(LibraryInfo, HEAD_KEY)
    if row is None:
        return 0, GENESIS
    seq_text, _, digest = row.value.partition(":")
    return int(seq_text), digest


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event to the chain inside the caller's (write) transaction.

    The caller's transaction must hold the write lock (``BEGIN IMMEDIATE``),
    which serializes appends across processes.
    """
    last_seq, prev = _read_head(session)
    seq = last_seq + 1
    at = utc_now()
    oid = None if object_id is None else str(object_id)
    details_text = canonical_json(details or {})
    digest = event_hash(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=oid,
        details=details_text,
        prev_hash=prev,
    )
    event = AuditEvent(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=oid,
        details=details_text,
        prev_hash=prev,
        hash=digest,
    )
    session.add(event)
    session.merge(LibraryInfo(key=HEAD_KEY, value=f"{seq}:{digest}"))
    return event


class AuditRecorder(Protocol):
    """Whatever appends audit events for the current reviewer (a ``Library``).

    Services that need nothing else of the library take this, so the library
    can call them (it seeds the taxonomy on open) without importing itself back.
    """

    def record(
        self,
        session: Session,
        action: str,
        object_type: str,
        object_id: str | int | None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Append an audit event for a change made in ``session``."""


@dataclass(frozen=True)
class ChainReport:
    """Outcome of verifying the chain."""

    events: int
    ok: bool
    broken_seq: int | None = None
    reason: str | None = None


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash in order; name the first event that disagrees."""
    expected_seq = 1
    prev = GENESIS
    count = 0
    rows: Iterator[AuditEvent] = iter(
        session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).yield_per(2000)
    )
    for ev in rows:
        count += 1
        if ev.seq != expected_seq:
            return ChainReport(
                count, False, expected_seq, f"event {expected_seq} is missing (next is {ev.seq})"
            )
        if ev.prev_hash != prev:
            return ChainReport(
                count, False, ev.seq, f"event {ev.seq} does not follow event {ev.seq - 1}"
            )
        recomputed = event_hash(
            seq=ev.seq,
            at=ev.at,
            actor=ev.actor,
            action=ev.action,
            object_type=ev.object_type,
            object_id=ev.object_id,
            details=ev.details,
            prev_hash=ev.prev_hash,
        )
        if recomputed != ev.hash:
            return ChainReport(count, False, ev.seq, f"event {ev.seq} was altered")
        prev = ev.hash
        expected_seq += 1
    head_seq, head_hash = _read_head(session)
    if head_seq != count:
        first_bad = min(head_seq, count) + 1
        return ChainReport(
            count,
            False,
            first_bad,
            f"the chain ends at event {count} but the library recorded {head_seq} events",
        )
    if head_hash != prev:
        return ChainReport(count, False, count, f"event {count} differs from the recorded head")
    return ChainReport(count, True)


def iter_events(session: Session, *, limit: int | None = None) -> list[AuditEvent]:
    """Most recent events first."""
    stmt = select(AuditEvent).order_by(AuditEvent.seq.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))
