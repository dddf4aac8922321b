"""Two processes on one library: an import waits for the search index, never fails (issue 12).

Real processes only: the index's writer lock is a file lock between processes,
which one process cannot fake for itself.
"""

from __future__ import annotations

import json
import selectors
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import func, select

from db.models import Source
from tests.conftest import ROOT, cli_environment, run_cli, run_cli_subprocess
from workstation.core.library import Library

HANG_GUARD_S = 120.0
"""Only against a hang; nothing here asserts on how long anything takes."""

_HOLDER = """
import sys
from db.search_index import SearchIndex
index = SearchIndex(sys.argv[1])
assert index.acquire_writer(wait=False)
print("holding", flush=True)
sys.stdin.readline()
index.rollback()
index.close()
"""


def _line_from(stream: IO[str], wanted: str) -> str:
    """Read lines until one contains ``wanted``; fail at end of stream (or a hang)."""
    selector = selectors.DefaultSelector()
    selector.register(stream, selectors.EVENT_READ)
    deadline = time.monotonic() + HANG_GUARD_S
    seen = []
    while time.monotonic() < deadline:
        if not selector.select(timeout=1.0):
            continue
        line = stream.readline()
        if not line:
            raise AssertionError(f"stream ended before {wanted!r}; read {seen}")
        seen.append(line)
        if wanted in line:
            return line
    raise AssertionError(f"no {wanted!r} in {HANG_GUARD_S} s; read {seen}")


def _popen(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_environment(None),
        cwd=ROOT,
    )


def _indexed(library: Path) -> tuple[int, int]:
    with Library.open(library, reviewer="test") as lib, lib.reader() as session:
        total = session.scalar(select(func.count(Source.id))) or 0
        indexed = session.scalar(select(func.count(Source.id)).where(Source.indexed)) or 0
    return int(total), int(indexed)


def test_import_waits_for_another_process_holding_the_index(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    note = tmp_path / "note.txt"
    note.write_text("Lighters alongside at Vostochny.\n", encoding="utf-8")
    assert run_cli("init", "--library", str(library)).returncode == 0

    holder = _popen("-c", _HOLDER, str(library / "derived" / "search-index"))
    importer: subprocess.Popen[str] | None = None
    try:
        assert holder.stdout is not None
        assert holder.stdin is not None
        _line_from(holder.stdout, "holding")
        importer = _popen("-m", "ui.cli", "import", "--library", str(library), str(note))
        assert importer.stderr is not None
        waiting = _line_from(importer.stderr, "waiting for another workstation process")
        assert waiting.startswith("workstation: waiting for another workstation process")
        assert importer.poll() is None  # it waits; it has not failed
        holder.stdin.write("\n")
        holder.stdin.flush()
        out, err = importer.communicate(timeout=HANG_GUARD_S)
    finally:
        for process in (holder, importer):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    assert importer.returncode == 0, err
    assert out.splitlines() == [
        f"imported        1  {note}",
        "1 imported, 0 duplicate, 0 failed",
    ]
    assert _indexed(library) == (1, 1)
    found = run_cli("search", "--library", str(library), "--json", "Vostochny")
    assert json.loads(found.stdout)["total"] == 1


@pytest.mark.slow
def test_two_imports_at_once_both_finish_with_every_verdict(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    # A fresh library: neither process finds a search index, both make one at once.
    assert run_cli_subprocess("init", "--library", str(library)).returncode == 0
    folders = {}
    for word in ("alpha", "bravo"):
        folder = tmp_path / word
        folder.mkdir()
        for n in range(150):
            (folder / f"{word}-{n:03d}.txt").write_text(
                f"{word} note {n}: a vessel seen at Nampo.\n", encoding="utf-8"
            )
        folders[word] = folder
    processes = {
        word: _popen("-m", "ui.cli", "import", "--library", str(library), str(folder))
        for word, folder in folders.items()
    }
    try:
        done = {word: p.communicate(timeout=HANG_GUARD_S * 3) for word, p in processes.items()}
    finally:
        for p in processes.values():
            if p.poll() is None:
                p.kill()
                p.wait()
    for word, (out, err) in done.items():
        assert processes[word].returncode == 0, (err, out)
        verdicts = [line for line in out.splitlines() if line.startswith("imported ")]
        assert len(verdicts) == 150, out
        assert out.splitlines()[-1] == "150 imported, 0 duplicate, 0 failed"
        assert "internal error" not in err
    assert _indexed(library) == (300, 300)
    for word in folders:
        found = run_cli("search", "--library", str(library), "--json", word)
        assert json.loads(found.stdout)["total"] == 150
