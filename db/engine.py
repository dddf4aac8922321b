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

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

BUSY_TIMEOUT_MS = 30_000


def _on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    assert isinstance(dbapi_connection, sqlite3.Connection)
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own
    # transaction handling would defer it and ignore IMMEDIATE).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def make_engine(path: Path, *, writer: bool) -> Engine:
    """Create an engine on the SQLite file at ``path``.

    Args:
        path: the database file.
        writer: begin transactions with ``BEGIN IMMEDIATE`` (for the one
            serialized writer) instead of a deferred ``BEGIN``.
    """
    # Pool connections move between threads (desktop workers), one at a time.
    engine = create_engine(
        f"sqlite:///{path}", future=True, connect_args={"check_same_thread": False}
    )
    event.listen(engine, "connect", _on_connect)
    begin_sql = "BEGIN IMMEDIATE" if writer else "BEGIN"

    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin_sql)

    event.listen(engine, "begin", _on_begin)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Any]:
    """Session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False, future=True)
