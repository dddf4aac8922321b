"""Search queries that do not parse get one clear line, never an internal error (issue 12)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests import samples
from tests.conftest import ROOT, cli_environment, run_cli, run_cli_subprocess


@pytest.fixture
def library(tmp_path: Path) -> Path:
    path = tmp_path / "lib"
    note = samples.make_text(tmp_path / "in", text="Rajin port: two lighters alongside.\n")
    assert run_cli("init", "--library", str(path)).returncode == 0
    assert run_cli("import", "--library", str(path), str(note)).returncode == 0
    return path


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("(", "Unbalanced parenthesis: '(' without a closing ')'."),
        ("Rajin (", "Unbalanced parenthesis: '(' without a closing ')'."),
        ("NEAR(", 'NEAR(...) is not supported: search a phrase ("Rajin port") or both words '
                  "(Rajin port)."),
        (")", "Unbalanced parenthesis: ')' without a matching '('."),
    ],
)  # fmt: skip
def test_unparsable_query_is_one_line(library: Path, query: str, message: str) -> None:
    done = run_cli("search", "--library", str(library), query)
    assert done.returncode == 1
    assert done.stderr == f"workstation: {message}\n"
    assert done.stdout == ""


def test_unparsable_query_in_a_fresh_process(library: Path) -> None:
    done = run_cli_subprocess("search", "--library", str(library), "Rajin (")
    assert (done.returncode, done.stderr) == (
        1,
        "workstation: Unbalanced parenthesis: '(' without a closing ')'.\n",
    )


def test_stdin_line_that_is_not_utf8_is_reported_and_the_rest_searched(library: Path) -> None:
    queries = b"Rajin\nlighters \xff\xfe(\nRajin (\nport\n"
    done = subprocess.run(
        [sys.executable, "-m", "ui.cli", "search", "--library", str(library), "--stdin", "--json"],
        input=queries, capture_output=True, env=cli_environment(None), cwd=ROOT,
        timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr  # some queries failed, the others ran
    answers = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert [a.get("total") for a in answers] == [1, None, None, 1]
    assert answers[1] == {
        "query": "lighters \\xff\\xfe(",
        "error": "line 2 is not UTF-8 text (byte 0xff at position 10); save the queries as UTF-8",
    }
    assert answers[2]["error"] == "Unbalanced parenthesis: '(' without a closing ')'."
    assert b"internal error" not in done.stderr


def test_stdin_errors_in_text_mode_are_one_line_each(library: Path) -> None:
    done = run_cli("search", "--library", str(library), "--stdin", input_text="(\nNEAR(a)\n")
    assert done.returncode == 3
    lines = done.stderr.splitlines()
    assert lines == [
        "workstation: '(': Unbalanced parenthesis: '(' without a closing ')'.",
        "workstation: 'NEAR(a)': NEAR(...) is not supported: search a phrase (\"Rajin port\") "
        "or both words (Rajin port).",
    ]


def test_query_argument_that_is_not_utf8(library: Path) -> None:
    done = subprocess.run(
        [sys.executable.encode(), b"-m", b"ui.cli", b"search", b"--library",
         str(library).encode(), b"Rajin\xff"],
        capture_output=True, env=cli_environment(None), cwd=ROOT, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == (
        b"workstation: the query is not UTF-8 text; type it again or use --stdin\n"
    )
