"""A library: one folder holding the database, the originals and caches.

``library.sqlite`` (the records), ``blobs/`` (originals, content-addressed,
read-only) and ``derived/`` (thumbnails, search index: regenerable). The
Library object owns the engines and hands out one session per operation;
writes go through ``writer()``, which takes SQLite's write lock up front.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from db.engine import make_engine, make_sessionmaker
from db.migrate import MigrationReport, SchemaTooNew, head_revision, upgrade
from db.models import LibraryInfo, Reviewer
from workstation.core import audit
from workstation.core.blobs import BlobStore
from workstation.core.dates import utc_now
from workstation.core.errors import LibraryClosedError, LibraryError, SchemaTooNewError
from workstation.taxonomy.interchange import seed_taxonomy

if TYPE_CHECKING:
    from db.search_index import SearchIndex

DB_NAME = "library.sqlite"


def is_library(path: Path) -> bool:
    """Whether ``path`` is a library folder."""
    return (path / DB_NAME).is_file()


class Library:
    """An open library. Close it when done; ``close()`` is idempotent."""

    def __init__(self, root: Path, reviewer: str) -> None:
        self.root = root
        self.reviewer = reviewer
        self.db_path = root / DB_NAME
        self.blobs = BlobStore(root / "blobs")
        self.derived = root / "derived"
        self._writer_engine = make_engine(self.db_path, writer=True)
        self._reader_engine = make_engine(self.db_path, writer=False)
        self._write_sessions = make_sessionmaker(self._writer_engine)
        self._read_sessions = make_sessionmaker(self._reader_engine)
        self._reviewer_id: int | None = None
        self._index: SearchIndex | None = None
        self._index_lock = threading.Lock()
        self._closed = False
        self.migration: MigrationReport | None = None

    # --- opening -----------------------------------------------------------

    @classmethod
    def open(cls, root: Path, *, reviewer: str, create: bool = False) -> Library:
        """Open the library at ``root``, migrating an older one.

        Args:
            root: the library folder.
            reviewer: the name recorded on every change made through it.
            create: make a new library when ``root`` holds none.

        Raises:
            LibraryError: no library there (and not asked to create one), or
                the folder cannot be used.
            SchemaTooNewError: written by a newer version of the program.
        """
        root = Path(root).expanduser().absolute()
        if root.exists() and not root.is_dir():
            raise LibraryError(f"{root} is a file, not a library folder")
        if not is_library(root):
            if not create:
                raise LibraryError(
                    f"no library at {root} (create one with 'workstation init --library {root}')"
                )
            if root.is_dir() and any(p.name not in {"blobs", "derived"} for p in root.iterdir()):
                raise LibraryError(
                    f"{root} is not empty and holds no library; choose another folder"
                )
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LibraryError(f"cannot create library folder {root}: {exc.strerror}") from exc
        if not os.access(root, os.W_OK):
            raise LibraryError(f"library folder {root} is not writable")
        lib = cls(root, reviewer)
        try:
            lib._prepare()
        except BaseException:
            lib.close()
            raise
        return lib

    def _prepare(self) -> None:
        self.blobs.ensure()
        self.derived.mkdir(exist_ok=True)
        try:
            self.migration = upgrade(self._writer_engine, self.db_path)
        except SchemaTooNew as exc:
            raise SchemaTooNewError(
                f"this library was written by a newer version of Evidence Workstation "
                f"(schema {exc.args[0]}, this version knows up to {head_revision()}); "
                "upgrade the program to open it"
            ) from exc
        except OperationalError as exc:
            raise LibraryError(f"cannot open {self.db_path}: {exc.orig}") from exc
        with self.writer() as session:
            self._ensure_library_record(session)
            # A library made before the taxonomy existed gets it on open; the
            # seed is a no-op once any category exists.
            seed_taxonomy(self, session)

    def _ensure_library_record(self, session: Session) -> None:
        """Record the library's id on creation, or the migration just made."""
        if session.get(LibraryInfo, "library_id") is None:
            library_id = str(uuid.uuid4())
            session.add(LibraryInfo(key="library_id", value=library_id))
            session.add(LibraryInfo(key="created_at", value=utc_now()))
            self.record(session, "library.create", "library", library_id, {"path": str(self.root)})
        elif self.migration and self.migration.before != self.migration.after:
            self.record(
                session,
                "library.migrate",
                "library",
                None,
                {
                    "from": self.migration.before,
                    "to": self.migration.after,
                    "backup": self.migration.backup.name if self.migration.backup else None,
                },
            )

    # --- sessions ----------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise LibraryClosedError(f"library {self.root} is closed")

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only session (a consistent snapshot while it lasts)."""
        self._check_open()
        session = self._read_sessions()
        try:
            yield session
        finally:
            # close() ends the transaction without expiring loaded objects,
            # so results stay readable after the block.
            session.close()

    @contextmanager
    def writer(self) -> Iterator[Session]:
        """A write transaction: commits on success, rolls back on any error."""
        self._check_open()
        session = self._write_sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    # --- reviewer and audit -----------------------------------------------

    def reviewer_id(self, session: Session) -> int:
        """The current reviewer's row id, adding the reviewer on first use."""
        if self._reviewer_id is not None:
            return self._reviewer_id
        found = session.scalar(select(Reviewer.id).where(Reviewer.name == self.reviewer))
        if found is None:
            row = Reviewer(name=self.reviewer, created_at=utc_now())
            session.add(row)
            session.flush()
            self.record(session, "reviewer.add", "reviewer", row.id, {"name": self.reviewer})
            found = row.id
        self._reviewer_id = found
        return found

    def record(
        self,
        session: Session,
        action: str,
        object_type: str,
        object_id: str | int | None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Append an audit event for a change made in ``session``."""
        audit.record(
            session,
            actor=self.reviewer,
            action=action,
            object_type=object_type,
            object_id=object_id,
            details=details,
        )

    # --- caches ------------------------------------------------------------

    @property
    def search_index(self) -> SearchIndex:
        """The full-text index (a regenerable cache under ``derived/``)."""
        self._check_open()
        with self._index_lock:
            if self._index is None:
                # Loaded on first use: a command that never searches or imports
                # saves ~19 ms (tantivy, the index, the query parser) of ~260 ms.
                from db.search_index import (  # lazy: tantivy, ~9 ms, first use only
                    SearchIndex,
                    SearchIndexError,
                )

                try:
                    index = SearchIndex(self.derived / "search-index")
                except SearchIndexError as exc:
                    raise LibraryError(f"cannot open the search index: {exc}") from exc
                try:
                    self._catch_up_index(index)
                except BaseException:
                    index.close()
                    raise
                self._index = index
            return self._index

    def _catch_up_index(self, index: SearchIndex) -> None:
        """Index what a killed import committed but never indexed.

        The index is a cache fed after each commit; sources still marked
        ``indexed = 0`` (or all of them, when the index had to be recreated)
        are indexed again from the pages table.
        """
        from workstation.search.service import SearchService  # lazy: ~10 ms, first use only

        with self.writer() as session:
            SearchService(session, index).reindex_pending()

    def thumbnail_path(self, sha256: str, media_type: str) -> Path:
        """Where the thumbnail of a blob is cached."""
        ext = "png" if media_type == "image/png" else "jpg"
        return self.derived / "thumbs" / sha256[:2] / f"{sha256}.{ext}"

    # --- closing -----------------------------------------------------------

    def close(self) -> None:
        """Release the database and index; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self._index is not None:
            self._index.close()
            self._index = None
        self._writer_engine.dispose()
        self._reader_engine.dispose()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["DB_NAME", "Library", "LibraryError", "is_library"]
