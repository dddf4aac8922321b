"""run_cli runs the CLI in this interpreter: it sees what a fresh process would, leaves nothing."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
from rich.console import Console

from tests import samples
from tests.conftest import ROOT, cli_process, run_cli


def _state() -> tuple[object, ...]:
    return (
        dict(os.environ),
        os.getcwd(),
        signal.getsignal(signal.SIGINT),
        sys.stdin,
        sys.stdout,
        sys.stderr,
        list(sys.argv),
    )


def test_run_cli_leaves_the_interpreter_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKSTATION_LIBRARY", str(tmp_path / "not-for-the-cli"))
    before = _state()
    lib = str(tmp_path / "lib")
    samples.make_text(tmp_path / "in", name="a.txt", text="Nampo")
    assert run_cli("init", "--library", lib).returncode == 0
    # import installs its own Ctrl+C handler while it runs.
    assert run_cli("--library", lib, "import", str(tmp_path / "in")).returncode == 0
    assert run_cli("--library", lib, "search").returncode == 2  # argparse's SystemExit
    assert _state() == before
    assert not (tmp_path / "not-for-the-cli").exists()


def test_cli_process_restores_what_a_command_changes() -> None:
    before = _state()
    with cli_process(["demo"], env={"EXTRA": "1"}) as (out, err):
        assert os.getcwd() == str(ROOT)
        assert os.environ["EXTRA"] == "1"
        assert os.environ["WORKSTATION_REVIEWER"] == "cli-tester"
        assert sys.argv == ["workstation", "demo"]
        assert not sys.stdin.isatty()
        assert sys.stdin.read() == ""
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        os.environ["LEFT_BEHIND"] = "1"
    assert _state() == before


def test_rich_stderr_console_writes_into_the_capture() -> None:
    with cli_process(["x"], input_text="line\n") as (out, err):
        assert sys.stdin.read() == "line\n"
        Console(stderr=True).print("progress and problems")
        Console().print("the answer")
    out.seek(0)
    err.seek(0)
    assert out.read() == "the answer\n"
    assert err.read() == "progress and problems\n"
