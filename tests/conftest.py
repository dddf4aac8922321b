"""Shared fixtures: real library folders, real files, the CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def library_path(tmp_path: Path) -> Path:
    """Where a test's library lives (not created yet)."""
    return tmp_path / "lib"


@pytest.fixture
def library(library_path: Path) -> Iterator[object]:
    """A fresh, open library with reviewer 'alice'."""
    from workstation.core.library import Library

    lib = Library.open(library_path, reviewer="alice", create=True)
    yield lib
    lib.close()


def run_cli(
    *args: str,
    input_text: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run ``workstation ARGS`` in a fresh interpreter, as a user would."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSTATION_")}
    full_env["WORKSTATION_REVIEWER"] = "cli-tester"
    full_env["PYTHONIOENCODING"] = "utf-8"
    if env:
        full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        input=input_text,
        capture_output=True,
        text=True,
        env=full_env,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def cli() -> object:
    """The run_cli function, as a fixture."""
    return run_cli
