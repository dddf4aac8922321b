"""Right of reply: the letters sent to a state, company or person about a finding, the
replies received, and where each finding stands.

A finding's reply status is ``not sent`` (no letter), ``awaiting reply`` (a letter with
no reply whose deadline has not passed, or that has none), ``no reply by deadline`` (the
deadline passed with no reply: shown with the days overdue) or ``replied`` (every letter
has a reply; a reply after the deadline says how late). "Today" is a parameter, so the
status of a date is the same on every machine and in every test. Letters and replies
are part of the finding's audited state; each change is an audit event.
"""

from __future__ import annotations

import re
import uuid as uuidlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Finding, FindingLetter, FindingReply, Reviewer
from workstation.core.dates import utc_now
from workstation.core.errors import AmbiguousError, NotFoundError
from workstation.core.library import Library
from workstation.findings.policy import FindingError
from workstation.sources.lookup import resolve_source

Status = Literal["not sent", "awaiting reply", "no reply by deadline", "replied"]
STATUSES: tuple[Status, ...] = ("not sent", "awaiting reply", "no reply by deadline", "replied")
ADDRESSEE_KINDS = ("state", "company", "person")
MAX_TEXT = 20_000
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UUID_PREFIX = re.compile(r"^[0-9a-f-]{4,36}$")


def today_utc() -> date:
    """Today's date in UTC: the default "today" of a reply status."""
    return datetime.now(UTC).date()


def day(value: str, what: str) -> date:
    """A full date (YYYY-MM-DD): letters and replies are dated to the day."""
    text = value.strip()
    try:
        if not _DAY.match(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise FindingError(f"{what} {value!r} is not a date; use YYYY-MM-DD") from None


def _clean(text: str | None, what: str) -> str | None:
    if text is None:
        return None
    cleaned = text.strip()
    if len(cleaned) > MAX_TEXT:
        raise FindingError(f"{what} is at most {MAX_TEXT:,} characters")
    return cleaned or None


@dataclass(frozen=True)
class ReplyView:
    """One reply received."""

    uuid: str
    date: str
    text: str | None
    source_id: int | None
    summary: str | None
    late_days: int  # days after the letter's deadline (0: in time or no deadline)


@dataclass(frozen=True)
class LetterView:
    """One letter with its replies and its own status."""

    id: int
    uuid: str
    addressee: str
    addressee_kind: str | None
    sent: str
    deadline: str | None
    reference: str | None
    letter_source_id: int | None
    sent_by: str
    status: Status
    overdue_days: int  # days past the deadline with no reply (0 otherwise)
    replies: list[ReplyView]


@dataclass(frozen=True)
class ReplyStatus:
    """Where a finding stands on right of reply, on a given day."""

    status: Status
    overdue_days: int  # the most overdue unanswered letter
    letters: list[LetterView]

    @property
    def label(self) -> str:
        """The status as a list shows it: 'no reply by deadline (5 days overdue)'."""
        if self.status == "no reply by deadline":
            unit = "day" if self.overdue_days == 1 else "days"
            return f"{self.status} ({self.overdue_days} {unit} overdue)"
        return self.status

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values, with ``label``."""
        return {**asdict(self), "label": self.label}


def _letter_status(
    letter: FindingLetter, replies: Sequence[FindingReply], today: date
) -> tuple[Status, int]:
    if replies:
        return "replied", 0
    if letter.deadline is not None and today > date.fromisoformat(letter.deadline):
        return "no reply by deadline", (today - date.fromisoformat(letter.deadline)).days
    return "awaiting reply", 0


def _overall(letters: Sequence[LetterView]) -> tuple[Status, int]:
    if not letters:
        return "not sent", 0
    states = {letter.status for letter in letters}
    overdue = max(letter.overdue_days for letter in letters)
    for status in ("awaiting reply", "no reply by deadline"):
        if status in states:
            return status, overdue
    return "replied", 0


class ReplyService:
    """Letters and replies of one library's findings."""

    def __init__(self, library: Library) -> None:
        self.library = library

    def resolve_letter(self, session: Session, ref: str) -> FindingLetter:
        """A letter by id (``3``) or unique UUID prefix (4+ characters).

        Raises:
            NotFoundError: nothing matches.
            AmbiguousError: the prefix matches several letters.
        """
        text = ref.strip().lower()
        if text.isdigit() and len(text) < 12:
            found = session.get(FindingLetter, int(text))
            if found is not None:
                return found
            if len(text) < 4:
                raise NotFoundError(f"no letter {text}")
        if not _UUID_PREFIX.match(text):
            raise NotFoundError(f"no letter {ref!r} (give its id or a UUID prefix)")
        rows = list(
            session.scalars(
                select(FindingLetter).where(FindingLetter.uuid.like(f"{text}%")).limit(2)
            )
        )
        if not rows:
            raise NotFoundError(f"no letter {ref.strip()}")
        if len(rows) > 1:
            raise AmbiguousError(f"{ref.strip()} matches several letters; give more of the UUID")
        return rows[0]

    def add_letter(
        self,
        session: Session,
        finding: Finding,
        *,
        addressee: str,
        sent: str,
        deadline: str | None = None,
        reference: str | None = None,
        letter_source: str | None = None,
        addressee_kind: str | None = None,
    ) -> FindingLetter:
        """Record a letter sent about a finding (``FindingService.resolve`` finds it);
        audited as ``finding.letter``."""
        row = finding
        to = _clean(addressee, "an addressee")
        if to is None:
            raise FindingError("a letter needs an addressee (--to)")
        if addressee_kind is not None and addressee_kind not in ADDRESSEE_KINDS:
            raise FindingError(
                f"an addressee is a {', '.join(ADDRESSEE_KINDS)}, not {addressee_kind!r}"
            )
        sent_on = day(sent, "the sent date")
        due = day(deadline, "the deadline") if deadline is not None else None
        if due is not None and due < sent_on:
            raise FindingError(f"the deadline ({due}) is before the letter was sent ({sent_on})")
        source_id = resolve_source(session, letter_source).id if letter_source else None
        letter = FindingLetter(
            uuid=str(uuidlib.uuid4()),
            finding_id=row.id,
            addressee=to,
            addressee_kind=addressee_kind,
            sent_on=sent_on.isoformat(),
            deadline=due.isoformat() if due else None,
            reference=_clean(reference, "a reference"),
            source_id=source_id,
            created_by_id=self.library.reviewer_id(session),
            created_at=utc_now(),
        )
        session.add(letter)
        session.flush()
        self.library.record(
            session,
            "finding.letter",
            "finding",
            row.uuid,
            {
                "letter": letter.uuid,
                "to": letter.addressee,
                "kind": letter.addressee_kind,
                "sent": letter.sent_on,
                "deadline": letter.deadline,
                "reference": letter.reference,
                "source_id": letter.source_id,
                "reviewer": self.library.reviewer,
            },
        )
        return letter

    def record_reply(
        self,
        session: Session,
        letter_ref: str,
        *,
        received: str,
        text: str | None = None,
        document: str | None = None,
        summary: str | None = None,
    ) -> FindingReply:
        """Record a reply to a letter: its text or the document as a source (audited as
        ``finding.reply``)."""
        letter = self.resolve_letter(session, letter_ref)
        body = _clean(text, "a reply's text")
        if (body is None) == (document is None):
            raise FindingError("a reply is its text (--text) or a document (--document), one")
        received_on = day(received, "the reply date")
        sent_on = date.fromisoformat(letter.sent_on)
        if received_on < sent_on:
            raise FindingError(
                f"the reply date ({received_on}) is before the letter was sent ({sent_on})"
            )
        source_id = resolve_source(session, document).id if document else None
        reply = FindingReply(
            uuid=str(uuidlib.uuid4()),
            finding_id=letter.finding_id,
            letter_id=letter.id,
            received_on=received_on.isoformat(),
            text=body,
            source_id=source_id,
            summary=_clean(summary, "a summary"),
            recorded_by_id=self.library.reviewer_id(session),
            recorded_at=utc_now(),
        )
        session.add(reply)
        session.flush()
        finding = session.get(Finding, letter.finding_id)
        assert finding is not None
        self.library.record(
            session,
            "finding.reply",
            "finding",
            finding.uuid,
            {
                "letter": letter.uuid,
                "reply": reply.uuid,
                "date": reply.received_on,
                "source_id": reply.source_id,
                "summary": reply.summary,
                "reviewer": self.library.reviewer,
            },
        )
        return reply


def reply_statuses(
    session: Session, finding_ids: Sequence[int], today: date
) -> dict[int, ReplyStatus]:
    """The reply status of several findings at once (``finding list``)."""
    ids = list(finding_ids)
    letters: dict[int, list[FindingLetter]] = {i: [] for i in ids}
    replies: dict[int, list[FindingReply]] = {}
    names = {r.id: r.name for r in session.scalars(select(Reviewer))}
    for letter in session.scalars(
        select(FindingLetter)
        .where(FindingLetter.finding_id.in_(ids))
        .order_by(FindingLetter.sent_on, FindingLetter.id)
    ):
        letters[letter.finding_id].append(letter)
    for reply in session.scalars(
        select(FindingReply)
        .where(FindingReply.finding_id.in_(ids))
        .order_by(FindingReply.received_on, FindingReply.id)
    ):
        replies.setdefault(reply.letter_id, []).append(reply)
    out: dict[int, ReplyStatus] = {}
    for finding_id, rows in letters.items():
        views = []
        for letter in rows:
            got = replies.get(letter.id, [])
            status, overdue = _letter_status(letter, got, today)
            due = date.fromisoformat(letter.deadline) if letter.deadline else None
            views.append(
                LetterView(
                    id=letter.id,
                    uuid=letter.uuid,
                    addressee=letter.addressee,
                    addressee_kind=letter.addressee_kind,
                    sent=letter.sent_on,
                    deadline=letter.deadline,
                    reference=letter.reference,
                    letter_source_id=letter.source_id,
                    sent_by=names.get(letter.created_by_id, "?"),
                    status=status,
                    overdue_days=overdue,
                    replies=[
                        ReplyView(
                            uuid=r.uuid,
                            date=r.received_on,
                            text=r.text,
                            source_id=r.source_id,
                            summary=r.summary,
                            late_days=max(0, (date.fromisoformat(r.received_on) - due).days)
                            if due
                            else 0,
                        )
                        for r in got
                    ],
                )
            )
        status, overdue = _overall(views)
        out[finding_id] = ReplyStatus(status, overdue, views)
    return out


def reply_status(session: Session, finding: Finding, today: date) -> ReplyStatus:
    """One finding's letters, replies and status on ``today``."""
    return reply_statuses(session, [finding.id], today)[finding.id]
