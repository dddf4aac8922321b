"""Bring a library database to the schema this program knows.

Opening an older library migrates it after a backup copy; opening one
written by a newer program refuses, naming both schema revisions.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

if TYPE_CHECKING:
    from alembic.config import Config

# The newest revision in migrations/versions (a test keeps the two equal).
# Knowing it without loading Alembic keeps opening an up-to-date library fast.
HEAD = "0012"


class SchemaTooNew(Exception):
    """The database carries a revision this program does not know."""


@dataclass(frozen=True)
class MigrationReport:
    """What open() did to the schema."""

    before: str | None
    after: str
    backup: Path | None


def _config() -> Config:
    from alembic.config import Config  # lazy: Alembic, ~100 ms; see HEAD

    cfg = Config()
    cfg.set_main_option("script_location", str(files("db") / "migrations"))
    return cfg


def head_revision() -> str:
    """The newest schema revision this program knows (read from the scripts)."""
    from alembic.script import ScriptDirectory  # lazy: Alembic, ~100 ms; see HEAD

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision stamped in the database, or None for an empty one."""
    with engine.connect() as conn:
        try:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        except OperationalError:
            return None
    return str(rows[0][0]) if rows else None


def backup_database(db_path: Path, label: str) -> Path:
    """Copy the database with SQLite's online backup API (WAL-safe)."""
    target = db_path.with_name(f"{db_path.name}.{label}.bak")
    n = 1
    while target.exists():
        n += 1
        target = db_path.with_name(f"{db_path.name}.{label}-{n}.bak")
    src = sqlite3.connect(db_path)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


def upgrade(engine: Engine, db_path: Path, target: str = "head") -> MigrationReport:
    """Upgrade the database to ``target``, backing up a non-empty older one.

    Raises:
        SchemaTooNew: the database was written by a newer program.
    """
    if target == "head" and current_revision(engine) == HEAD:
        return MigrationReport(HEAD, HEAD, None)
    from alembic import command  # lazy: Alembic, ~100 ms; see HEAD
    from alembic.script import ScriptDirectory  # lazy: Alembic, ~100 ms; see HEAD

    script = ScriptDirectory.from_config(_config())
    head = script.get_current_head()
    assert head is not None
    before = current_revision(engine)
    if before is not None:
        known = {rev.revision for rev in script.walk_revisions()}
        if before not in known:
            raise SchemaTooNew(before)
    wanted = head if target == "head" else target
    if before == wanted:
        return MigrationReport(before, wanted, None)
    backup = backup_database(db_path, f"schema-{before}") if before is not None else None
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
    return MigrationReport(before, wanted, backup)


def downgrade(engine: Engine, target: str) -> None:
    """Downgrade (used by tests that make an older library)."""
    from alembic import command  # lazy: Alembic, ~100 ms; see HEAD

    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, target)
