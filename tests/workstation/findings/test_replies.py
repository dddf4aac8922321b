"""Right of reply on real libraries: each status on fixed days (not sent, awaiting,
no reply by deadline with the days overdue, replied in time or late), several letters,
refusals that leave nothing written, ``finding show``/``list`` carrying the status, and
the audit trail staying bound to letters and replies."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.models import FindingLetter, FindingReply, Source
from tests import samples
from workstation.core.audit import iter_events
from workstation.core.check import check_library
from workstation.core.errors import NotFoundError
from workstation.core.library import Library
from workstation.findings.policy import FindingError
from workstation.findings.replies import ReplyService, day, reply_status
from workstation.findings.service import FindingService
from workstation.sources.ingest import ImportService

SENT = "2026-03-03"
DEADLINE = "2026-04-03"


@pytest.fixture
def finding(library: Library) -> str:
    with library.writer() as session:
        return FindingService(library).create(session, title="Amber Tide transfer").uuid


def _letter(library: Library, finding: str, **kw: str) -> str:
    args = {"addressee": "Democratic People's Republic of Korea", "sent": SENT} | kw
    with library.writer() as session:
        row = FindingService(library).resolve(session, finding)
        return ReplyService(library).add_letter(session, row, **args).uuid  # type: ignore[arg-type]


def _status(library: Library, finding: str, today: str) -> tuple[str, int, str]:
    with library.reader() as session:
        row = FindingService(library).resolve(session, finding)
        found = reply_status(session, row, day(today, "today"))
    return found.status, found.overdue_days, found.label


def _reply(library: Library, letter: str, received: str, **kw: str) -> str:
    body = kw if "text" in kw or "document" in kw else {"text": "We deny it.", **kw}
    with library.writer() as session:
        return ReplyService(library).record_reply(session, letter, received=received, **body).uuid


def test_a_finding_without_letters_is_not_sent(library: Library, finding: str) -> None:
    assert _status(library, finding, "2026-05-01") == ("not sent", 0, "not sent")


def test_awaiting_until_the_deadline_then_no_reply_with_days_overdue(
    library: Library, finding: str
) -> None:
    _letter(library, finding, deadline=DEADLINE, reference="S/AC.49/2026/PE/OC.12")
    assert _status(library, finding, SENT)[0] == "awaiting reply"
    assert _status(library, finding, DEADLINE)[0] == "awaiting reply"  # the day itself counts
    assert _status(library, finding, "2026-04-04") == (
        "no reply by deadline",
        1,
        "no reply by deadline (1 day overdue)",
    )
    assert _status(library, finding, "2026-04-13")[1:] == (
        10,
        "no reply by deadline (10 days overdue)",
    )


def test_a_letter_without_deadline_awaits_forever(library: Library, finding: str) -> None:
    _letter(library, finding)
    assert _status(library, finding, "2030-01-01") == ("awaiting reply", 0, "awaiting reply")


def test_replied_in_time_and_replied_after_the_deadline(library: Library, finding: str) -> None:
    letter = _letter(library, finding, deadline=DEADLINE)
    _reply(library, letter[:8], "2026-04-10", summary="Denies the transfer took place.")
    assert _status(library, finding, "2026-05-01") == ("replied", 0, "replied")
    with library.reader() as session:
        row = FindingService(library).resolve(session, finding)
        (view,) = reply_status(session, row, date(2026, 5, 1)).letters
    assert view.status == "replied"
    assert [(r.date, r.late_days, r.summary) for r in view.replies] == [
        ("2026-04-10", 7, "Denies the transfer took place.")
    ]


def test_a_reply_in_time_is_not_late(library: Library, finding: str) -> None:
    letter = _letter(library, finding, deadline=DEADLINE)
    _reply(library, letter, DEADLINE)
    with library.reader() as session:
        row = FindingService(library).resolve(session, finding)
        (view,) = reply_status(session, row, date(2026, 6, 1)).letters
    assert view.replies[0].late_days == 0


def test_several_letters_await_until_each_is_answered(library: Library, finding: str) -> None:
    state = _letter(library, finding, deadline=DEADLINE, addressee_kind="state")
    _letter(library, finding, addressee="Primorye Coastal Logistics LLC", deadline="2026-03-20")
    # The company's deadline passed; the state's has not: still awaiting.
    assert _status(library, finding, "2026-03-25")[0] == "awaiting reply"
    _reply(library, state, "2026-03-30")
    assert _status(library, finding, "2026-03-25")[0] == "no reply by deadline"
    assert _status(library, finding, "2026-03-25")[1] == 5


def test_a_reply_can_be_a_document(library: Library, finding: str, tmp_path: Path) -> None:
    samples.make_text(tmp_path / "in", text="Note verbale: we reject the allegation.")
    ImportService(library).import_paths([tmp_path / "in"])
    with library.reader() as session:
        source_id = session.scalar(select(Source.id))
    letter = _letter(library, finding, deadline=DEADLINE, letter_source=str(source_id))
    with library.writer() as session:
        reply = ReplyService(library).record_reply(
            session, letter, received="2026-03-20", document=str(source_id)
        )
        assert (reply.text, reply.source_id) == (None, source_id)
    with library.reader() as session:
        details = FindingService(library).show(session, finding, today=date(2026, 5, 1))
    assert details.reply_status == "replied"
    assert details.replies[0]["letter_source_id"] == source_id
    assert details.replies[0]["replies"][0]["source_id"] == source_id


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"addressee": "  "}, "a letter needs an addressee"),
        ({"sent": "2026-3-3"}, "is not a date; use YYYY-MM-DD"),
        ({"sent": "2026-02-30"}, "is not a date"),
        ({"sent": "2026-03"}, "is not a date"),
        ({"deadline": "2026-03-01"}, "the deadline (2026-03-01) is before the letter was sent"),
        ({"addressee_kind": "ship"}, "an addressee is a state, company, person"),
    ],
)
def test_a_bad_letter_is_refused_and_nothing_is_written(
    library: Library, finding: str, kw: dict[str, str], message: str
) -> None:
    with pytest.raises(FindingError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _letter(library, finding, **kw)
    with library.reader() as session:
        assert session.scalar(select(func.count(FindingLetter.id))) == 0


def test_an_unknown_letter_source_is_refused(library: Library, finding: str) -> None:
    with pytest.raises(NotFoundError, match="no source 99"):
        _letter(library, finding, letter_source="99")


@pytest.mark.parametrize(
    ("received", "kw", "error", "message"),
    [
        ("2026-03-02", {}, FindingError, r"the reply date \(2026-03-02\) is before"),
        ("yesterday", {}, FindingError, "is not a date"),
        ("2026-03-10", {"text": " "}, FindingError, "a reply is its text"),
        ("2026-03-10", {"document": "9999"}, NotFoundError, "no source"),
    ],
)
def test_a_bad_reply_is_refused_and_nothing_is_written(
    library: Library,
    finding: str,
    received: str,
    kw: dict[str, str],
    error: type[Exception],
    message: str,
) -> None:
    letter = _letter(library, finding, deadline=DEADLINE)
    with pytest.raises(error, match=message):
        _reply(library, letter, received, **kw)
    with library.reader() as session:
        assert session.scalar(select(func.count(FindingReply.id))) == 0


def test_an_unknown_letter_is_refused(library: Library, finding: str) -> None:
    with pytest.raises(NotFoundError, match="no letter 42"):
        _reply(library, "42", "2026-03-10")
    with pytest.raises(NotFoundError, match="no letter"):
        _reply(library, "zz", "2026-03-10")


def test_list_and_show_carry_the_status(library: Library, finding: str) -> None:
    with library.writer() as session:
        FindingService(library).create(session, title="Second finding")
    _letter(library, finding, deadline=DEADLINE)
    with library.reader() as session:
        service = FindingService(library)
        early = service.list(session, today=date(2026, 3, 10))
        late = service.list(session, today=date(2026, 4, 5))
        details = service.show(session, finding, today=date(2026, 4, 5))
    assert [s.reply_status for s in early] == ["awaiting reply", "not sent"]
    assert [s.reply_status for s in late] == ["no reply by deadline (2 days overdue)", "not sent"]
    assert details.reply_status == "no reply by deadline (2 days overdue)"
    (letter,) = details.to_json()["replies"]
    assert (letter["sent"], letter["deadline"], letter["status"]) == (
        SENT,
        DEADLINE,
        "no reply by deadline",
    )


def test_letters_and_replies_are_audited_and_bound(library: Library, finding: str) -> None:
    letter = _letter(library, finding, deadline=DEADLINE)
    _reply(library, letter, "2026-03-10", summary="Denied.")
    with library.reader() as session:
        actions = [(e.action, e.object_id) for e in iter_events(session)]
    assert ("finding.letter", finding) in actions
    assert ("finding.reply", finding) in actions
    assert check_library(library).audit.ok
    # An edit behind the program's back names the finding.
    library.close()
    with sqlite3.connect(library.db_path) as raw:
        raw.execute("UPDATE finding_replies SET received_on = '2026-03-01'")
    raw.close()
    reopened = Library.open(library.root, reviewer="alice")
    try:
        report = check_library(reopened)
        assert not report.audit.ok
        assert any(finding in str(p) for p in report.audit.state_problems)
    finally:
        reopened.close()
