"""The migrations build exactly the schema the models describe, and
opening older or newer libraries behaves as promised."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from db.engine import make_engine
from db.migrate import current_revision, downgrade, head_revision, upgrade
from db.models import Base
from workstation.core.errors import LibraryError, SchemaTooNewError
from workstation.core.library import Library


def test_migrations_match_models(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    engine = make_engine(db, writer=True)
    upgrade(engine, db)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert current_revision(engine) == head_revision()


def test_head_constant_matches_the_scripts() -> None:
    from db.migrate import HEAD

    assert head_revision() == HEAD


def test_pragmas_on_every_connection(library: Library) -> None:
    with library.reader() as session:
        conn = session.connection()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_older_library_is_backed_up_and_migrated(library_path: Path) -> None:
    lib = Library.open(library_path, reviewer="alice", create=True)
    lib.close()
    engine = make_engine(library_path / "library.sqlite", writer=True)
    downgrade(engine, "0001")
    engine.dispose()
    with sqlite3.connect(library_path / "library.sqlite") as raw:
        tables = {r[0] for r in raw.execute("select name from sqlite_master where type='table'")}
    assert "annotations" not in tables

    lib = Library.open(library_path, reviewer="alice")
    try:
        assert lib.migration is not None
        assert lib.migration.before == "0001"
        assert lib.migration.after == head_revision()
        backup = lib.migration.backup
        assert backup is not None
        assert backup.exists()
        with sqlite3.connect(backup) as raw:
            version = raw.execute("select version_num from alembic_version").fetchone()[0]
        assert version == "0001"
        with lib.reader() as session:
            from workstation.core.audit import iter_events

            actions = [e.action for e in iter_events(session)]
        # The review tables came back empty, so the taxonomy is seeded again.
        assert actions[:2] == ["taxonomy.seed", "library.migrate"]
    finally:
        lib.close()


def test_newer_library_is_refused(library_path: Path) -> None:
    Library.open(library_path, reviewer="alice", create=True).close()
    with sqlite3.connect(library_path / "library.sqlite") as raw:
        raw.execute("update alembic_version set version_num = '9999_future'")
    with pytest.raises(SchemaTooNewError, match="newer version") as info:
        Library.open(library_path, reviewer="alice")
    assert "9999_future" in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_library_is_not_created_unless_asked(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match="no library at"):
        Library.open(tmp_path / "nowhere", reviewer="alice")
    assert not (tmp_path / "nowhere").exists()


def test_non_empty_foreign_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(LibraryError, match="not empty"):
        Library.open(tmp_path, reviewer="alice", create=True)


def test_file_instead_of_folder_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "afile"
    target.write_text("x")
    with pytest.raises(LibraryError, match="is a file"):
        Library.open(target, reviewer="alice", create=True)
