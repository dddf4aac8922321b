"""``reply`` from the command line: a letter, its reply, the status in ``reply list``,
``finding show`` and ``finding list`` (with --json), and refusals in one line, each
class of bad input once as a subprocess."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from db.engine import make_engine
from db.migrate import downgrade
from tests import samples
from tests.conftest import run_cli, run_cli_subprocess


def _ok(*args: str) -> str:
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("workstation: ")
    return lines[0]


@pytest.fixture
def lib(tmp_path: Path) -> str:
    """A library with one draft finding, F-0001."""
    path = str(tmp_path / "lib")
    _ok("init", "--library", path)
    _ok("--library", path, "finding", "create", "--title", "Amber Tide transfer")
    return path


def _letter(path: str, *extra: str) -> dict[str, object]:
    out = _ok(
        "--library", path, "reply", "add", "F-0001", "--to", "DPRK", "--kind", "state",
        "--sent", "2026-03-03", "--reference", "PE/OC.12", "--json", *extra,
    )  # fmt: skip
    result: dict[str, object] = json.loads(out)
    return result


def test_a_letter_and_its_reply_through_the_statuses(lib: str) -> None:
    letter = _letter(lib, "--deadline", "2026-04-03")
    assert (letter["finding"], letter["deadline"]) == ("F-0001", "2026-04-03")
    listed = json.loads(
        _ok("--library", lib, "reply", "list", "F-1", "--today", "2026-03-10", "--json")
    )
    assert listed["status"] == "awaiting reply"
    late = _ok("--library", lib, "reply", "list", "F-1", "--today", "2026-04-05")
    assert late.splitlines()[0] == "right of reply: no reply by deadline (2 days overdue)"
    assert "to DPRK (state)" in late
    assert "ref PE/OC.12" in late
    plain = _ok(
        "--library", lib, "reply", "received", str(letter["uuid"])[:8], "--date", "2026-04-07",
        "--text", "The allegation is baseless.", "--summary", "Denies it.",
    )  # fmt: skip
    assert plain.startswith("reply ")
    listed = json.loads(_ok("--library", lib, "reply", "list", "F-0001", "--json"))
    assert listed["status"] == "replied"
    (reply,) = listed["letters"][0]["replies"]
    assert (reply["date"], reply["late_days"], reply["summary"]) == ("2026-04-07", 4, "Denies it.")
    shown = json.loads(_ok("--library", lib, "finding", "show", "F-0001", "--json"))
    assert shown["reply_status"] == "replied"
    assert shown["replies"][0]["addressee"] == "DPRK"
    assert "right of reply  replied" in _ok("--library", lib, "finding", "show", "F-0001")
    (summary,) = json.loads(_ok("--library", lib, "finding", "list", "--json"))
    assert summary["reply_status"] == "replied"
    assert _ok("--library", lib, "finding", "list").rstrip().endswith("[replied]")


def test_reply_received_by_letter_id_with_a_document(lib: str, tmp_path: Path) -> None:
    samples.make_text(tmp_path / "in", text="Note verbale: we reject the allegation.")
    (row,) = json.loads(_ok("--library", lib, "import", str(tmp_path / "in"), "--json"))
    letter = _letter(lib, "--letter", str(row["source_id"]))
    got = json.loads(
        _ok(
            "--library", lib, "reply", "received", str(letter["id"]), "--date", "2026-03-09",
            "--document", str(row["source_id"]), "--json",
        )
    )  # fmt: skip
    assert (got["letter"], got["date"]) == (letter["id"], "2026-03-09")
    assert "[awaiting reply]" not in _ok("--library", lib, "finding", "list")


def test_a_finding_without_letters_lists_as_not_sent(lib: str) -> None:
    assert json.loads(_ok("--library", lib, "reply", "list", "F-0001", "--json"))["status"] == (
        "not sent"
    )
    assert _ok("--library", lib, "finding", "list").rstrip().endswith("[not sent]")


def test_a_bad_date_is_one_line_as_a_subprocess(lib: str) -> None:
    line = _one_line(
        run_cli_subprocess(
            "--library", lib, "reply", "add", "F-0001", "--to", "DPRK", "--sent", "3 March"
        )
    )
    assert "is not a date; use YYYY-MM-DD" in line
    assert json.loads(_ok("--library", lib, "reply", "list", "F-0001", "--json"))["letters"] == []


def test_an_unknown_letter_is_one_line_as_a_subprocess(lib: str) -> None:
    line = _one_line(
        run_cli_subprocess(
            "--library", lib, "reply", "received", "7", "--date", "2026-03-09", "--text", "x"
        )
    )
    assert line == "workstation: no letter 7"


def test_a_reply_before_the_letter_is_one_line_as_a_subprocess(lib: str) -> None:
    letter = _letter(lib, "--deadline", "2026-04-03")
    line = _one_line(
        run_cli_subprocess(
            "--library", lib, "reply", "received", str(letter["id"]), "--date", "2026-03-01",
            "--text", "x",
        )
    )  # fmt: skip
    assert "before the letter was sent" in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("reply", "add", "F-0009", "--to", "DPRK", "--sent", "2026-03-03"), "no finding F-0009"),
        (
            (
                "reply",
                "add",
                "F-0001",
                "--to",
                "DPRK",
                "--sent",
                "2026-03-03",
                "--deadline",
                "2026-03-01",
            ),
            "the deadline (2026-03-01) is before the letter was sent (2026-03-03)",
        ),
        (("reply", "add", "F-0001", "--to", " ", "--sent", "2026-03-03"), "needs an addressee"),
        (
            ("reply", "add", "F-0001", "--to", "DPRK", "--sent", "2026-03-03", "--letter", "77"),
            "no source 77",
        ),
        (("reply", "list", "F-0001", "--today", "soon"), "is not a date"),
    ],
)
def test_refusals_are_one_line(lib: str, args: tuple[str, ...], message: str) -> None:
    assert message in _one_line(run_cli("--library", lib, *args))
    assert json.loads(_ok("--library", lib, "reply", "list", "F-0001", "--json"))["letters"] == []


def test_received_needs_text_or_document(lib: str) -> None:
    _letter(lib)
    result = run_cli("--library", lib, "reply", "received", "1", "--date", "2026-03-09")
    assert result.returncode == 2
    assert "--text TEXT or its --document SOURCE" in result.stderr


def test_a_library_made_before_replies_migrates_and_takes_letters(lib: str) -> None:
    engine = make_engine(Path(lib) / "library.sqlite", writer=True)
    downgrade(engine, "0005")
    engine.dispose()
    _ok("--library", lib, "finding", "submit", "F-0001")
    letter = _letter(lib, "--deadline", "2026-04-03")
    _ok(
        "--library",
        lib,
        "reply",
        "received",
        str(letter["id"]),
        "--date",
        "2026-03-09",
        "--text",
        "No.",
    )
    assert json.loads(_ok("--library", lib, "reply", "list", "F-0001", "--json"))["status"] == (
        "replied"
    )
    assert json.loads(_ok("--library", lib, "check", "--json"))["ok"] is True
    log = json.loads(_ok("--library", lib, "audit", "log", "--json", "--limit", "500"))
    assert {"library.migrate", "finding.letter", "finding.reply"} <= {e["action"] for e in log}
