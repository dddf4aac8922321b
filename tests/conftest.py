"""Shared fixtures: real library folders, real files, the CLI in process or as a subprocess."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import signal
import subprocess
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from ui.cli.main import main as cli_main
from workstation.core.library import Library

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent

CLI_THREAD_GRACE_S = 10.0
"""How long a thread the CLI started may take to end once the command returned."""


@pytest.fixture
def library_path(tmp_path: Path) -> Path:
    """Where a test's library lives (not created yet)."""
    return tmp_path / "lib"


@pytest.fixture
def library(library_path: Path) -> Iterator[Library]:
    """A fresh, open library with reviewer 'alice'."""
    lib = Library.open(library_path, reviewer="alice", create=True)
    yield lib
    lib.close()


def cli_environment(env: Mapping[str, str] | None) -> dict[str, str]:
    """The environment ``workstation`` runs with in tests: ours, less WORKSTATION_*, plus env."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSTATION_")}
    full_env["WORKSTATION_REVIEWER"] = "cli-tester"
    full_env["PYTHONIOENCODING"] = "utf-8"
    if env:
        full_env.update(env)
    return full_env


def _set_environ(wanted: Mapping[str, str]) -> None:
    for key in [k for k in os.environ if k not in wanted]:
        del os.environ[key]
    for key, value in wanted.items():
        if os.environ.get(key) != value:
            os.environ[key] = value


def _signal_handlers() -> dict[signal.Signals, object]:
    handlers: dict[signal.Signals, object] = {}
    for signum in signal.valid_signals():
        with contextlib.suppress(OSError, ValueError):
            handlers[signal.Signals(signum)] = signal.getsignal(signum)
    return handlers


def _stream(data: bytes = b"", *, errors: str = "strict") -> io.TextIOWrapper:
    # A pipe's stream: UTF-8 (PYTHONIOENCODING), not a terminal, with a .buffer.
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors=errors, write_through=True)


def _text(stream: io.TextIOWrapper) -> str:
    # Read back as subprocess.run(text=True) decodes a pipe: universal newlines.
    stream.seek(0)
    return stream.read()


@contextlib.contextmanager
def cli_process(
    argv: Sequence[str], *, input_text: str | None = None, env: Mapping[str, str] | None = None
) -> Iterator[tuple[io.TextIOWrapper, io.TextIOWrapper]]:
    """This interpreter as a fresh ``workstation ARGV`` process would be, and back afterwards.

    Swaps in stdin (input_text, never a terminal), stdout and stderr (yielded),
    argv, the environment (``cli_environment``) and the working folder (ROOT);
    restores them, signal handlers, the root logger and the warning filters on
    the way out, and fails if a thread the command started outlives it.
    """
    saved_streams = (sys.stdin, sys.stdout, sys.stderr)
    saved_argv = sys.argv
    saved_environ = dict(os.environ)
    saved_cwd = os.getcwd()
    saved_handlers = _signal_handlers()
    saved_logging = (logging.root.level, list(logging.root.handlers))
    threads_before = set(threading.enumerate())
    out, err = _stream(), _stream(errors="backslashreplace")
    try:
        with warnings.catch_warnings():
            _set_environ(cli_environment(env))
            os.chdir(ROOT)
            sys.argv = ["workstation", *argv]
            sys.stdin = _stream((input_text or "").encode("utf-8"))
            sys.stdout, sys.stderr = out, err
            yield out, err
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        sys.argv = saved_argv
        _set_environ(saved_environ)
        os.chdir(saved_cwd)
        for signum, handler in _signal_handlers().items():
            saved = saved_handlers.get(signum)
            if handler != saved and saved is not None:  # None: not set from Python
                signal.signal(signum, saved)  # type: ignore[arg-type]
        logging.root.setLevel(saved_logging[0])
        logging.root.handlers[:] = saved_logging[1]
    # A fresh process would wait for these at exit; here they would leak into the next test.
    left = [t for t in set(threading.enumerate()) - threads_before if not t.daemon]
    for thread in left:
        thread.join(CLI_THREAD_GRACE_S)
    running = [t.name for t in left if t.is_alive()]
    assert not running, f"workstation {' '.join(argv)} left threads running: {running}"


def run_cli(
    *args: str,
    input_text: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run ``workstation ARGS`` in this interpreter, as the console script would.

    About a second faster a call than ``run_cli_subprocess``, which the smoke
    tests keep for what only a real process shows. ``timeout`` is accepted for
    the same signature and not enforced here.
    """
    with cli_process(args, input_text=input_text, env=env) as (out, err):
        try:
            code = cli_main(list(args))
        except SystemExit as done:  # argparse: --help, usage errors
            code = _exit_code(done)
    return subprocess.CompletedProcess(["workstation", *args], code, _text(out), _text(err))


def _exit_code(done: SystemExit) -> int:
    # As the interpreter turns SystemExit into an exit status.
    if done.code is None:
        return 0
    if isinstance(done.code, int):
        return done.code
    sys.stderr.write(f"{done.code}\n")
    return 1


def run_cli_subprocess(
    *args: str,
    input_text: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run ``workstation ARGS`` in a fresh interpreter, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        input=input_text,
        capture_output=True,
        text=True,
        env=cli_environment(env),
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )


CliRunner = Callable[..., subprocess.CompletedProcess[str]]
"""The shape of run_cli and run_cli_subprocess."""


@pytest.fixture
def cli() -> object:
    """The run_cli function, as a fixture."""
    return run_cli
