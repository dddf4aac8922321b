"""Correcting letters and replies on a real library: the status follows the corrected
dates, each correction is an audit event bound to the finding, and a bad correction is
refused with one line and changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from db.models import FindingLetter, FindingReply
from workstation.core.audit import iter_events
from workstation.core.check import check_library
from workstation.core.errors import NotFoundError
from workstation.core.library import Library
from workstation.findings.policy import FindingError
from workstation.findings.replies import ReplyService, reply_status
from workstation.findings.reply_edits import edit_letter, edit_reply
from workstation.findings.service import FindingService

TODAY = date(2026, 4, 10)


@pytest.fixture
def letter(library: Library) -> tuple[str, str]:
    """F-0001 with a letter sent 2026-03-03, due 2026-04-03: the finding and the letter."""
    with library.writer() as session:
        row = FindingService(library).create(session, title="Amber Tide transfer")
        sent = ReplyService(library).add_letter(
            session, row, addressee="Company A", sent="2026-03-03", deadline="2026-04-03"
        )
        return row.uuid, sent.uuid


def _label(library: Library, finding: str) -> str:
    with library.reader() as session:
        return reply_status(session, FindingService(library).resolve(session, finding), TODAY).label


def test_a_later_deadline_turns_overdue_into_awaiting(
    library: Library, letter: tuple[str, str]
) -> None:
    finding, uuid = letter
    assert _label(library, finding) == "no reply by deadline (7 days overdue)"
    with library.writer() as session:
        edit_letter(library, session, uuid, deadline="2026-05-03", reference="S/AC.49/OC.12")
    assert _label(library, finding) == "awaiting reply"
    with library.reader() as session:
        row = session.scalars(select(FindingLetter)).one()
        assert (row.addressee, row.deadline, row.reference) == (
            "Company A",  # left out: kept
            "2026-05-03",
            "S/AC.49/OC.12",
        )
        edits = [e for e in iter_events(session) if e.action == "finding.letter.edit"]
    assert [e.object_id for e in edits] == [finding]
    assert check_library(library).audit.ok


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sent": "3 March"}, "is not a date"),
        ({"deadline": "2026-03-01"}, "before the letter was sent"),
        ({"addressee": "  "}, "needs an addressee"),
        ({"addressee_kind": "ship"}, "not 'ship'"),
    ],
)
def test_a_bad_letter_correction_changes_nothing(
    library: Library, letter: tuple[str, str], change: dict[str, str], message: str
) -> None:
    finding, uuid = letter
    with pytest.raises(FindingError, match=message), library.writer() as session:
        edit_letter(library, session, uuid, **change)
    with library.reader() as session:
        row = session.scalars(select(FindingLetter)).one()
        assert (row.addressee, row.sent_on, row.deadline) == (
            "Company A",
            "2026-03-03",
            "2026-04-03",
        )
        assert not [e for e in iter_events(session) if e.action == "finding.letter.edit"]


def test_a_reply_is_corrected_and_stays_text_or_document(
    library: Library, letter: tuple[str, str]
) -> None:
    finding, uuid = letter
    with library.writer() as session:
        reply = ReplyService(library).record_reply(
            session, uuid, received="2026-04-01", text="We deny it."
        )
        reply_uuid = reply.uuid
    assert _label(library, finding) == "replied"
    with library.writer() as session:
        edit_reply(library, session, reply_uuid, received="2026-04-02", summary="Denies it")
    with pytest.raises(FindingError, match="text or a document"), library.writer() as session:
        edit_reply(library, session, reply_uuid, text="")
    with pytest.raises(FindingError, match="before the letter"), library.writer() as session:
        edit_reply(library, session, reply_uuid, received="2026-03-01")
    with pytest.raises(NotFoundError), library.writer() as session:
        edit_reply(library, session, "no-such-reply")
    with library.reader() as session:
        row = session.scalars(select(FindingReply)).one()
        got = (row.received_on, row.text, row.summary)
    assert got == ("2026-04-02", "We deny it.", "Denies it")
    # A letter cannot be dated after its reply.
    with pytest.raises(FindingError, match="before the letter was sent"), library.writer() as s:
        edit_letter(library, s, uuid, sent="2026-04-05", deadline="")
