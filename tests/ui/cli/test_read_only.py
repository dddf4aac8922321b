"""A library on a read-only medium opens read-only (issue 12).

Forensic copies are examined on write-blocked disks. The honest test is a real
read-only mount: each one runs in a private mount namespace (``unshare -m``),
where the library folder is bind-mounted read-only, so even root gets EROFS
(permission bits would not stop root, which the tests run as). Where the
machine does not allow that, those tests skip and the ``--read-only`` tests
below still run every command against a library opened read-only.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from db.engine import make_engine
from db.migrate import HEAD, downgrade
from tests import samples
from tests.conftest import ROOT, cli_environment, run_cli, run_cli_subprocess
from workstation.core.library import Library
from workstation.sources.ingest import ImportService

REFUSED = "cannot be changed: it is on a read-only medium (it can be listed, searched and checked)"

# Runs inside the private mount namespace: mounts, then runs each command as a user
# would (a fresh interpreter) and prints what each did as JSON.
_DRIVER = r"""
import json, subprocess, sys
source, mount, commands = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
subprocess.run(["mount", "--bind", source, mount], check=True)
subprocess.run(["mount", "-o", "remount,bind,ro", mount], check=True)
out = []
for args in commands:
    done = subprocess.run(
        [sys.executable, "-m", "ui.cli", *[a.replace("{LIB}", mount) for a in args]],
        capture_output=True, text=True, input="",
    )
    out.append({"args": args, "rc": done.returncode, "out": done.stdout, "err": done.stderr})
print(json.dumps(out))
"""


@functools.cache
def _read_only_mounts() -> str | None:
    """Why read-only bind mounts cannot be made here (None: they can)."""
    if sys.platform != "linux" or shutil.which("unshare") is None:
        return "needs Linux with unshare(1)"
    probe = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c",
         "d=$(mktemp -d) && mount --bind \"$d\" \"$d\" && mount -o remount,bind,ro \"$d\" "
         "&& ! touch \"$d/x\" 2>/dev/null"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return None if probe.returncode == 0 else f"no read-only bind mount here: {probe.stderr}"


def _on_read_only_medium(
    library: Path, mount: Path, *commands: list[str]
) -> list[dict[str, object]]:
    reason = _read_only_mounts()
    if reason is not None:
        pytest.skip(reason)
    mount.mkdir(exist_ok=True)
    done = subprocess.run(
        ["unshare", "-m", "--propagation", "private", sys.executable, "-c", _DRIVER,
         str(library), str(mount), json.dumps(commands)],
        capture_output=True, text=True, env=cli_environment(None), cwd=ROOT, check=False,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    results: list[dict[str, object]] = json.loads(done.stdout)
    return results


# SQLite's side files: a reader of a WAL database on a writable disk makes them (empty
# journal, shared-memory index) and, read-only, cannot remove them. Not library content.
_SQLITE_SIDE_FILES = {"library.sqlite-wal", "library.sqlite-shm"}


def _state(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file under ``folder`` with its mode and content hash (SQLite's side files
    only when they hold something)."""
    return {
        str(p.relative_to(folder)): (p.stat().st_mode, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
        and not (p.name in _SQLITE_SIDE_FILES and p.name.endswith("-shm"))
        and not (p.name in _SQLITE_SIDE_FILES and p.stat().st_size == 0)
    }


@pytest.fixture
def evidence(tmp_path: Path) -> tuple[Path, Path]:
    """A library with a PDF, a text and an annotation, and a bundle exported from it."""
    library = tmp_path / "lib"
    assert run_cli("init", "--library", str(library)).returncode == 0
    pdf = samples.make_pdf(tmp_path / "in", texts=["Tanker alongside at Nampo."], title="Report")
    note = samples.make_text(tmp_path / "in", text="Coal loaded at Vostochny.\n")
    assert run_cli("import", "--library", str(library), str(pdf), str(note)).returncode == 0
    marked = run_cli("annotate", "--library", str(library), "1", "--quote", "Nampo")
    assert marked.returncode == 0, marked.stderr
    bundle = tmp_path / "bundle.zip"
    assert run_cli("export", "--library", str(library), "--out", str(bundle)).returncode == 0
    return library, bundle


READING = [
    ["list", "--library", "{LIB}", "--json"],
    ["show", "--library", "{LIB}", "1"],
    ["search", "--library", "{LIB}", "--json", "Nampo"],
    ["check", "--library", "{LIB}"],
    ["audit", "verify", "--library", "{LIB}"],
    ["annotations", "--library", "{LIB}"],
]
WRITING = [
    ["import", "--library", "{LIB}", "{NOTE}"],
    ["annotate", "--library", "{LIB}", "2", "--quote", "Vostochny"],
    ["entities", "add", "vessel", "Example Star", "--library", "{LIB}"],
    ["unlock", "1", "--library", "{LIB}", "--password-file", "{NOTE}"],
    ["export", "--library", "{LIB}", "--out", "{OUT}"],
]


def _inputs(tmp_path: Path) -> tuple[Path, Path]:
    """A file the writing commands try to import, and where an export would go."""
    return samples.make_text(tmp_path / "more", text="Another note.\n"), tmp_path / "second.zip"


def _fill(commands: list[list[str]], **values: str) -> list[list[str]]:
    filled = []
    for args in commands:
        line = []
        for arg in args:
            for key, value in values.items():
                arg = arg.replace("{" + key + "}", value)
            line.append(arg)
        filled.append(line)
    return filled


@pytest.mark.slow
def test_write_blocked_library_reads_and_refuses_changes(
    evidence: tuple[Path, Path], tmp_path: Path
) -> None:
    library, bundle = evidence
    before = _state(library)
    note, out = _inputs(tmp_path)
    verify = [["verify", "--library", "{LIB}", str(bundle)]]
    results = _on_read_only_medium(
        library,
        tmp_path / "mnt",
        *_fill(READING + verify + WRITING, NOTE=str(note), OUT=str(out)),
    )
    reads, verified, writes = (
        results[: len(READING)],
        results[len(READING)],
        results[-len(WRITING) :],
    )
    for done in reads:
        assert done["rc"] == 0, done
        assert done["err"] == "", done
    listed = json.loads(str(reads[0]["out"]))
    assert [row["filename"] for row in listed] == ["sample.pdf", "notes.txt"]
    assert json.loads(str(reads[2]["out"]))["total"] == 1
    assert "library is consistent" in str(reads[3]["out"])
    assert str(reads[4]["out"]).startswith("audit trail verified")
    assert verified["rc"] == 4, verified  # valid, not signed
    assert str(verified["out"]).startswith("valid:")
    for done in writes:
        assert done["rc"] == 1, done
        err = str(done["err"])
        assert err.count("\n") == 1, done
        assert err.startswith("workstation: the library at "), done
        assert err.rstrip().endswith(REFUSED), done
    assert not out.exists()
    assert _state(library) == before  # not a byte changed, not a file added


def test_unclean_copy_with_a_journal_is_read_whole(tmp_path: Path) -> None:
    # A copy taken while the library was open: the last import is only in the -wal file.
    library = tmp_path / "lib"
    lib = Library.open(library, reviewer="alice", create=True)
    try:
        ImportService(lib).import_paths([samples.make_text(tmp_path / "in", text="Late note.\n")])
        copy = tmp_path / "copy"
        shutil.copytree(library, copy)
    finally:
        lib.close()
    assert (copy / "library.sqlite-wal").stat().st_size > 0
    [listed] = _on_read_only_medium(
        copy, tmp_path / "mnt", ["list", "--library", "{LIB}", "--json"]
    )
    assert listed["rc"] == 0, listed
    assert [row["filename"] for row in json.loads(str(listed["out"]))] == ["notes.txt"]


def test_read_only_flag_reads_everything_and_changes_nothing(
    evidence: tuple[Path, Path], tmp_path: Path
) -> None:
    library, bundle = evidence
    before = _state(library)
    note, out = _inputs(tmp_path)
    for args in _fill(READING, LIB=str(library)):
        done = run_cli(*args, "--read-only")
        assert done.returncode == 0, (args, done.stderr)
    assert json.loads(run_cli("search", "--library", str(library), "--read-only", "--json",
                              "Vostochny").stdout)["total"] == 1  # fmt: skip
    verified = run_cli("verify", "--library", str(library), "--read-only", str(bundle))
    assert verified.returncode == 4, verified.stderr
    for args in _fill(WRITING, LIB=str(library), NOTE=str(note), OUT=str(out)):
        done = run_cli(*args, "--read-only")
        assert done.returncode == 1, args
        assert done.stderr == (
            f"workstation: the library at {library} cannot be changed: it was opened "
            "read-only (it can be listed, searched and checked)\n"
        ), args
    assert not out.exists()
    assert _state(library) == before


def test_read_only_library_that_needs_an_upgrade_says_so(library_path: Path) -> None:
    Library.open(library_path, reviewer="alice", create=True).close()
    engine = make_engine(library_path / "library.sqlite", writer=True)
    downgrade(engine, "0003")
    engine.dispose()
    done = run_cli_subprocess("list", "--library", str(library_path), "--read-only")
    assert done.returncode == 1
    assert done.stderr == (
        f"workstation: the library at {library_path} has schema 0003, and this version needs "
        f"{HEAD}: upgrading it means writing, and it was opened read-only; "
        "open a writable copy to upgrade it\n"
    )
    assert os.path.exists(library_path / "library.sqlite")


def test_no_library_cannot_be_opened_read_only(tmp_path: Path) -> None:
    done = run_cli("list", "--library", str(tmp_path / "none"), "--read-only")
    assert done.returncode == 1
    assert "no library at" in done.stderr
    assert not (tmp_path / "none").exists()
