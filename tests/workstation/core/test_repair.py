"""Repair never deletes evidence: blobs no record claims go to quarantine/ with a note,
a damaged original is replaced by importing the good file again, and what an
interrupted import leaves is a note that the next import sweeps."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

from sqlalchemy import select

from db.models import AuditEvent
from tests import samples
from tests.conftest import run_cli, run_cli_subprocess
from workstation.core.check import (
    LEFTOVER_STALE_AFTER,
    QUARANTINE,
    SWEEP_EVERY,
    SWEPT_MARKER,
    check_library,
)
from workstation.core.library import Library
from workstation.sources.ingest import ImportService

LEFTOVER = "ab" + "0" * 62


def _import(lib: Library, folder: Path, text: str) -> tuple[Path, str]:
    original = samples.make_text(folder, name="memo.txt", text=text)
    (result,) = ImportService(lib).import_paths([original]).results
    assert result.sha256 is not None
    return original, result.sha256


def _damage(lib: Library, sha: str, data: bytes = b"overwritten") -> Path:
    blob = lib.blobs.path_for(sha)
    blob.chmod(0o644)
    blob.write_bytes(data)
    return blob


def _leftover(lib: Library, sha: str = LEFTOVER, age: float = 0.0) -> Path:
    """A blob stored by an import that was killed before its commit."""
    path = lib.blobs.path_for(sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"stored, never committed")
    if age:
        then = time.time() - age
        os.utime(path, (then, then))
    return path


def test_reimporting_the_original_repairs_a_damaged_blob(library: Library, tmp_path: Path) -> None:
    original, sha = _import(library, tmp_path / "in", "Tanker at Nampo, 4 May.")
    blob = _damage(library, sha)
    report = check_library(library)
    assert report.corrupt == [sha]
    assert f"blob {sha} no longer matches its hash (import the original file again" in (
        "\n".join(report.problems())
    )
    root = str(library.root)
    library.close()
    result = run_cli_subprocess("--library", root, "import", str(original), "--json")
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert (row["status"], row["repaired"]) == ("duplicate", True)
    assert blob.read_bytes() == original.read_bytes()
    (kept,) = (Path(root) / QUARANTINE).glob(f"{sha}.damaged-*")
    assert kept.read_bytes() == b"overwritten"  # the damage is kept for whoever investigates
    with Library.open(Path(root), reviewer="alice") as lib:
        with lib.reader() as session:
            repair = session.scalars(
                select(AuditEvent).where(AuditEvent.action == "source.blob_repair")
            ).one()
        assert json.loads(repair.details)["sha256"] == sha
        assert check_library(lib).ok
        again = ImportService(lib).import_paths([original]).results[0]
    assert (again.status, again.repaired) == ("duplicate", False)


def test_an_undamaged_duplicate_is_left_alone(library: Library, tmp_path: Path) -> None:
    original, sha = _import(library, tmp_path / "in", "Containers at Rajin.")
    before = library.blobs.path_for(sha).stat().st_ino
    result = ImportService(library).import_paths([original]).results[0]
    assert (result.status, result.repaired) == ("duplicate", False)
    assert library.blobs.path_for(sha).stat().st_ino == before
    assert not (library.root / QUARANTINE).exists()


def test_a_leftover_is_a_note_and_repair_quarantines_it(library: Library) -> None:
    path = _leftover(library)
    (library.blobs.tmp / "in-killed.part").write_bytes(b"half a copy")
    report = check_library(library)
    assert report.ok, report.problems()
    assert any(f"blob {LEFTOVER} belongs to no record" in n for n in report.notes())
    assert any("in-killed.part" in n for n in report.notes())
    repaired = check_library(library, repair=True)
    assert not path.exists()
    moved = library.root / QUARANTINE / LEFTOVER
    assert moved.read_bytes() == b"stored, never committed"
    note = moved.with_name(LEFTOVER + ".txt").read_text()
    assert "no source record and no audit event" in note
    assert f"SHA-256 {LEFTOVER}" in note
    assert any("moved blob" in line for line in repaired.repaired)
    after = check_library(library)
    assert after.ok
    assert after.notes() == []


def test_a_leftover_as_a_subprocess_check_exits_0(library: Library) -> None:
    _leftover(library)
    root = str(library.root)
    library.close()
    result = run_cli_subprocess("--library", root, "check")
    assert result.returncode == 0, result.stdout
    assert f"note: blob {LEFTOVER} belongs to no record" in result.stdout
    assert "library is consistent" in result.stdout


def test_a_blob_whose_record_was_removed_is_a_problem_and_is_quarantined(
    library: Library, tmp_path: Path
) -> None:
    _, sha = _import(library, tmp_path / "in", "Vessel renamed at Vanino.")
    root = library.root
    library.close()
    with sqlite3.connect(root / "library.sqlite") as raw:
        raw.execute("delete from pages")
        raw.execute("delete from case_sources")
        raw.execute("delete from sources")
    raw.close()
    bad = run_cli("--library", str(root), "check", "--json")
    assert bad.returncode == 1
    problems = json.loads(bad.stdout)["problems"]
    assert any(p.startswith(f"blob {sha} was imported (audit event ") for p in problems)
    assert any("source 1 is gone, but no audit event records its deletion" in p for p in problems)
    repaired = run_cli("--library", str(root), "check", "--repair")
    assert repaired.returncode == 1  # the record is still gone: that stays a problem
    assert (root / QUARANTINE / sha).is_file()  # the bytes were moved, never deleted
    assert "the record was removed outside the program" in (
        (root / QUARANTINE / f"{sha}.txt").read_text()
    )


def test_the_next_import_sweeps_old_leftovers_only(library: Library, tmp_path: Path) -> None:
    old = _leftover(library, LEFTOVER, age=LEFTOVER_STALE_AFTER + 60)
    young_sha = "cd" + "0" * 62
    young = _leftover(library, young_sha)  # another process's import, in flight
    stale_part = library.blobs.tmp / "in-old.part"
    stale_part.write_bytes(b"half")
    then = time.time() - LEFTOVER_STALE_AFTER - 60
    os.utime(stale_part, (then, then))
    _import(library, tmp_path / "in", "Next morning's report.")
    assert not old.exists()
    assert (library.root / QUARANTINE / LEFTOVER).is_file()
    assert young.is_file()
    assert not stale_part.exists()
    with library.reader() as session:
        sweep = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "library.sweep")
        ).one()
    assert any(LEFTOVER in line for line in json.loads(sweep.details)["actions"])
    # Imports look again only every SWEEP_EVERY seconds: a listing of the store each time
    # would cost every small import.
    later = _leftover(library, "ef" + "0" * 62, age=LEFTOVER_STALE_AFTER + 60)
    _import(library, tmp_path / "again", "Another report.")
    assert later.is_file()
    marker = library.derived / SWEPT_MARKER
    then = time.time() - SWEEP_EVERY - 1
    os.utime(marker, (then, then))
    _import(library, tmp_path / "third", "A third report.")
    assert not later.exists()
