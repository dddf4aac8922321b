"""The demo library opens with two findings made through the services: one confirmed by
a second reviewer on two independent sources, one in review awaiting a reply; and
``check`` finds the library consistent."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import run_cli
from workstation.core.check import check_library
from workstation.core.library import Library
from workstation.demo.findings import COMPANY, SECOND_REVIEWER
from workstation.findings.replies import reply_status, today_utc
from workstation.findings.service import FindingService


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "lib"
    result = run_cli("--reviewer", "Reviewer A (demo)", "demo", "--library", str(root), "--no-gui")
    assert result.returncode == 0, result.stderr
    assert "finding F-0001 [confirmed]" in result.stdout
    assert (
        "2 independent of 2 sources, confirmed by Reviewer B (demo), signature valid"
        in result.stdout
    )
    assert "finding F-0002 [in_review]" in result.stdout
    assert "awaiting reply" in result.stdout
    return root


def test_the_demo_has_a_confirmed_finding_on_two_independent_sources(demo: Path) -> None:
    with Library.open(demo, reviewer="someone") as lib, lib.reader() as session:
        info = FindingService(lib).show(session, "F-0001")
    assert info.status == "confirmed"
    assert info.author == "Reviewer A (demo)"
    assert info.confirmed_by == SECOND_REVIEWER
    assert (info.independent, info.sources) == (2, 2)
    assert info.override_reason is None
    assert info.policy["shortfall"] is None
    assert [s.action for s in info.review] == ["submit", "confirm"]
    assert info.signature == "signature valid"  # B's public key is kept, trusted


def test_the_demo_has_a_finding_in_review_awaiting_a_reply(demo: Path) -> None:
    with Library.open(demo, reviewer="someone") as lib, lib.reader() as session:
        service = FindingService(lib)
        info = service.show(session, "F-0002")
        row = service.resolve(session, "F-0002")
        now = reply_status(session, row, today_utc())
        later = reply_status(session, row, today_utc() + timedelta(days=90))
    assert info.status == "in_review"
    (letter,) = now.letters
    assert (letter.addressee, letter.addressee_kind) == (COMPANY, "company")
    assert letter.deadline is not None
    assert date.fromisoformat(letter.deadline) > today_utc()
    assert now.status == "awaiting reply"
    assert later.status == "no reply by deadline"


def test_the_demo_is_consistent_and_running_it_again_adds_nothing(demo: Path) -> None:
    again = run_cli("demo", "--library", str(demo), "--no-gui")
    assert again.returncode == 0, again.stderr
    assert "finding F-" not in again.stdout
    with Library.open(demo, reviewer="someone") as lib:
        report = check_library(lib)
        assert report.ok, report
        with lib.reader() as session:
            assert [f.number for f in FindingService(lib).list(session)] == ["F-0001", "F-0002"]
