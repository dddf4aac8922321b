"""The audit chain catches edited, removed, inserted and reordered rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from workstation.core.audit import verify_chain
from workstation.core.library import Library


def _add_events(lib: Library, n: int) -> None:
    for i in range(n):
        with lib.writer() as session:
            lib.record(session, "test.event", "thing", i, {"n": i, "text": "Раджин 라진"})


def _verify(lib: Library) -> tuple[bool, int | None, str | None]:
    with lib.reader() as session:
        report = verify_chain(session)
    return report.ok, report.broken_seq, report.reason


def _sql(lib: Library, statement: str) -> None:
    with sqlite3.connect(lib.db_path) as raw:
        raw.execute(statement)


def test_intact_chain_verifies(library: Library) -> None:
    _add_events(library, 5)
    ok, broken, _ = _verify(library)
    assert ok
    assert broken is None


def test_every_change_is_in_the_same_transaction(library: Library) -> None:
    """A change that fails rolls its audit event back with it."""
    with library.reader() as session:
        before = verify_chain(session).events

    def failing_change() -> None:
        with library.writer() as session:
            library.record(session, "test.event", "thing", 1)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        failing_change()
    with library.reader() as session:
        report = verify_chain(session)
    assert report.ok
    assert report.events == before


@pytest.mark.parametrize(
    ("statement", "expected_seq"),
    [
        ("update audit_events set details = '{\"n\":99}' where seq = 4", 4),
        ("update audit_events set actor = 'mallory' where seq = 3", 3),
        ("delete from audit_events where seq = 4", 4),
        ("delete from audit_events where seq = (select max(seq) from audit_events)", None),
        ("update audit_events set at = '2020-01-01T00:00:00.000000Z' where seq = 2", 2),
    ],
)
def test_tampering_is_detected(library: Library, statement: str, expected_seq: int | None) -> None:
    _add_events(library, 5)
    _sql(library, statement)
    ok, broken, reason = _verify(library)
    assert not ok
    assert reason
    if expected_seq is not None:
        assert broken == expected_seq


def test_reordering_is_detected(library: Library) -> None:
    _add_events(library, 5)
    with sqlite3.connect(library.db_path) as raw:
        raw.execute("update audit_events set seq = -1 where seq = 3")
        raw.execute("update audit_events set seq = 3 where seq = 4")
        raw.execute("update audit_events set seq = 4 where seq = -1")
    ok, broken, _ = _verify(library)
    assert not ok
    assert broken == 3


def test_cli_audit_verify_names_the_broken_event(library: Library, cli: object) -> None:
    _add_events(library, 3)
    root = str(library.root)
    library.close()
    good = cli("--library", root, "audit", "verify")  # type: ignore[operator]
    assert good.returncode == 0, good.stderr
    assert "chain intact" in good.stdout
    with sqlite3.connect(Path(root) / "library.sqlite") as raw:
        raw.execute("update audit_events set object_id = 'x' where seq = 2")
    bad = cli("--library", root, "audit", "verify", "--json")  # type: ignore[operator]
    assert bad.returncode == 1
    import json

    payload = json.loads(bad.stdout)
    assert payload["ok"] is False
    assert payload["broken_event"] == 2
