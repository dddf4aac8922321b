"""Engine and session set-up for the library database.

SQLite is opened in WAL mode with ``synchronous=FULL`` and foreign keys on
for every connection. Writers begin with ``BEGIN IMMEDIATE`` so they take
SQLite's single write lock up front and never fail half-way through a
transaction on a lock upgrade; readers begin a plain deferred transaction.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

BUSY_TIMEOUT_MS = 30_000


_WRITABLE_PRAGMAS = ("journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON")
# No journal-mode change on a read-only connection: it would be a write.
_READ_ONLY_PRAGMAS = ("foreign_keys = ON", "query_only = ON")


def _connect_listener(pragmas: tuple[str, ...]) -> Any:
    def on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        assert isinstance(dbapi_connection, sqlite3.Connection)
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own
        # transaction handling would defer it and ignore IMMEDIATE).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        for pragma in pragmas:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    return on_connect


def make_engine(
    path: Path, *, writer: bool, read_only: bool = False, immutable: bool = False
) -> Engine:
    """Create an engine on the SQLite file at ``path``.

    Args:
        path: the database file.
        writer: begin transactions with ``BEGIN IMMEDIATE`` (for the one
            serialized writer) instead of a deferred ``BEGIN``.
        read_only: open with ``mode=ro``: SQLite refuses every write.
        immutable: also promise SQLite that nothing changes the file (a
            write-blocked medium), so it needs no lock or ``-shm`` file there;
            only right when no ``-wal`` file is beside the database.
    """
    # Pool connections move between threads (desktop workers), one at a time.
    url = f"sqlite:///{path}"
    if read_only:
        url = f"sqlite:///file:{quote(str(path))}?mode=ro&uri=true"
        url += "&immutable=1" if immutable else ""
    engine = create_engine(url, future=True, connect_args={"check_same_thread": False})
    pragmas = _READ_ONLY_PRAGMAS if read_only else _WRITABLE_PRAGMAS
    event.listen(engine, "connect", _connect_listener(pragmas))
    begin_sql = "BEGIN IMMEDIATE" if writer and not read_only else "BEGIN"

    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin_sql)

    event.listen(engine, "begin", _on_begin)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Any]:
    """Session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False, future=True)
