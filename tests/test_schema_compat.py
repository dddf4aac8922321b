"""Data compatibility across releases (issue 15): an older library opens in this
version (migrated, after a backup), and a library from a newer version is
refused with one line and left untouched, as an older install on a laptop meets it.

A newer release is stood in for by a schema head this version does not know;
an older one by downgrading a library to the first schema head.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from db.engine import make_engine
from db.migrate import downgrade, head_revision
from tests.conftest import run_cli, run_cli_subprocess


def _records(path: Path) -> str:
    # What the database holds (SQLite may rewrite its file header on open: WAL).
    with sqlite3.connect(path) as raw:
        dump = "\n".join(raw.iterdump())
    return hashlib.sha256(dump.encode()).hexdigest()


def test_a_library_from_an_older_schema_opens_migrated_and_checks(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    (tmp_path / "memo.txt").write_text("Containers stacked at pier 3 of Rajin.\n")
    assert run_cli("--library", str(lib), "init").returncode == 0
    assert run_cli("--library", str(lib), "import", str(tmp_path / "memo.txt")).returncode == 0
    engine = make_engine(lib / "library.sqlite", writer=True)
    downgrade(engine, "0001")
    engine.dispose()

    found = run_cli_subprocess("--library", str(lib), "search", "pier")
    assert found.returncode == 0, found.stderr
    assert "(source 1, p. 1, text)" in found.stdout
    assert (lib / "library.sqlite.schema-0001.bak").is_file()
    with sqlite3.connect(lib / "library.sqlite") as raw:
        assert raw.execute("select version_num from alembic_version").fetchone()[0] == (
            head_revision()
        )
    checked = run_cli("--library", str(lib), "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_library_from_a_newer_version_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    assert run_cli("--library", str(lib), "init").returncode == 0
    with sqlite3.connect(lib / "library.sqlite") as raw:
        raw.execute("update alembic_version set version_num = '0099_from_a_later_release'")
    before = _records(lib / "library.sqlite")

    done = run_cli_subprocess("--library", str(lib), "list")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        "workstation: this library was written by a newer version of Evidence Workstation "
        f"(schema 0099_from_a_later_release, this version knows up to {head_revision()}); "
        "upgrade the program to open it\n"
    )
    assert _records(lib / "library.sqlite") == before
    assert not list(lib.glob("library.sqlite.schema-*.bak"))

    read_only = run_cli("--library", str(lib), "--read-only", "list")
    assert read_only.returncode == 1
    assert read_only.stderr.count("\n") == 1
    assert "has schema 0099_from_a_later_release" in read_only.stderr
