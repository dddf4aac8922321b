"""Corrections to right-of-reply records: a letter's addressee, dates, reference or
document, and a reply's date, text, document or summary, checked as ``ReplyService``
checks new ones and audited with the record before and after (``finding.letter.edit``,
``finding.reply.edit``). The desktop's Replies tab edits through these.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Finding, FindingLetter, FindingReply
from workstation.core.errors import NotFoundError
from workstation.core.library import Library
from workstation.findings.policy import FindingError
from workstation.findings.replies import ADDRESSEE_KINDS, MAX_TEXT, ReplyService, day
from workstation.sources.lookup import resolve_source

_KEEP: Any = object()  # a field left out stays as it is


def _text(value: str | None, what: str) -> str | None:
    cleaned = (value or "").strip()
    if len(cleaned) > MAX_TEXT:
        raise FindingError(f"{what} is at most {MAX_TEXT:,} characters")
    return cleaned or None


def _letter_record(letter: FindingLetter) -> dict[str, Any]:
    return {
        "to": letter.addressee,
        "kind": letter.addressee_kind,
        "sent": letter.sent_on,
        "deadline": letter.deadline,
        "reference": letter.reference,
        "source_id": letter.source_id,
    }


def _reply_record(reply: FindingReply) -> dict[str, Any]:
    return {
        "date": reply.received_on,
        "text": reply.text,
        "source_id": reply.source_id,
        "summary": reply.summary,
    }


def _finding_uuid(session: Session, finding_id: int) -> str:
    finding = session.get(Finding, finding_id)
    assert finding is not None  # letters and replies are deleted with their finding
    return finding.uuid


def edit_letter(
    library: Library,
    session: Session,
    letter_ref: str,
    *,
    addressee: str = _KEEP,
    sent: str = _KEEP,
    deadline: str | None = _KEEP,
    reference: str | None = _KEEP,
    letter_source: str | None = _KEEP,
    addressee_kind: str | None = _KEEP,
) -> FindingLetter:
    """Correct a letter (a field left out stays; None or '' clears an optional one)."""
    letter = ReplyService(library).resolve_letter(session, letter_ref)
    before = _letter_record(letter)
    if addressee is not _KEEP:
        to = _text(addressee, "an addressee")
        if to is None:
            raise FindingError("a letter needs an addressee")
        letter.addressee = to
    if addressee_kind is not _KEEP:
        if addressee_kind and addressee_kind not in ADDRESSEE_KINDS:
            raise FindingError(
                f"an addressee is a {', '.join(ADDRESSEE_KINDS)}, not {addressee_kind!r}"
            )
        letter.addressee_kind = addressee_kind or None
    if sent is not _KEEP:
        letter.sent_on = day(sent, "the sent date").isoformat()
    if deadline is not _KEEP:
        letter.deadline = day(deadline, "the deadline").isoformat() if deadline else None
    if reference is not _KEEP:
        letter.reference = _text(reference, "a reference")
    if letter_source is not _KEEP:
        letter.source_id = resolve_source(session, letter_source).id if letter_source else None
    sent_on = date.fromisoformat(letter.sent_on)
    if letter.deadline and date.fromisoformat(letter.deadline) < sent_on:
        raise FindingError(
            f"the deadline ({letter.deadline}) is before the letter was sent ({sent_on})"
        )
    first = session.scalar(
        select(FindingReply.received_on)
        .where(FindingReply.letter_id == letter.id)
        .order_by(FindingReply.received_on)
        .limit(1)
    )
    if first is not None and date.fromisoformat(first) < sent_on:
        raise FindingError(f"a reply is dated {first}, before the letter was sent ({sent_on})")
    after = _letter_record(letter)
    if after != before:
        session.flush()
        library.record(
            session,
            "finding.letter.edit",
            "finding",
            _finding_uuid(session, letter.finding_id),
            {"letter": letter.uuid, "before": before, "after": after, "reviewer": library.reviewer},
        )
    return letter


def edit_reply(
    library: Library,
    session: Session,
    reply_uuid: str,
    *,
    received: str = _KEEP,
    text: str | None = _KEEP,
    document: str | None = _KEEP,
    summary: str | None = _KEEP,
) -> FindingReply:
    """Correct a reply (a field left out stays); it stays its text or a document, one."""
    reply = session.scalar(select(FindingReply).where(FindingReply.uuid == reply_uuid.strip()))
    if reply is None:
        raise NotFoundError(f"no reply {reply_uuid.strip()}")
    before = _reply_record(reply)
    if received is not _KEEP:
        reply.received_on = day(received, "the reply date").isoformat()
    if text is not _KEEP:
        reply.text = _text(text, "a reply's text")
    if document is not _KEEP:
        reply.source_id = resolve_source(session, document).id if document else None
    if summary is not _KEEP:
        reply.summary = _text(summary, "a summary")
    if (reply.text is None) == (reply.source_id is None):
        raise FindingError("a reply is its text or a document, one")
    letter = session.get(FindingLetter, reply.letter_id)
    assert letter is not None
    if reply.received_on < letter.sent_on:
        raise FindingError(
            f"the reply date ({reply.received_on}) is before the letter was sent ({letter.sent_on})"
        )
    after = _reply_record(reply)
    if after != before:
        session.flush()
        library.record(
            session,
            "finding.reply.edit",
            "finding",
            _finding_uuid(session, reply.finding_id),
            {
                "letter": letter.uuid,
                "reply": reply.uuid,
                "before": before,
                "after": after,
                "reviewer": library.reviewer,
            },
        )
    return reply
