"""A library: one folder holding the database, the originals and caches.

``library.sqlite`` (the records), ``blobs/`` (originals, content-addressed,
read-only) and ``derived/`` (thumbnails, search index: regenerable). The
Library object owns the engines and hands out one session per operation;
writes go through ``writer()``, which takes SQLite's write lock up front.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from db.engine import make_engine, make_sessionmaker
from db.migrate import (
    HEAD,
    MigrationReport,
    SchemaTooNew,
    current_revision,
    head_revision,
    upgrade,
)
from db.models import LibraryInfo, Reviewer
from workstation.core import audit
from workstation.core.blobs import BlobStore
from workstation.core.dates import utc_now
from workstation.core.errors import (
    LibraryClosedError,
    LibraryError,
    ReadOnlyLibraryError,
    SchemaTooNewError,
)
from workstation.core.medium import read_only_reason
from workstation.core.private import create_private_file, private_mkdir, secure_library
from workstation.core.witness import WITNESS_NAME
from workstation.taxonomy.interchange import seed_taxonomy

if TYPE_CHECKING:
    from db.search_index import SearchIndex

DB_NAME = "library.sqlite"


# Made again by SQLite (or appended to) while a library is used: tightened on every open.
_PRIVATE_TOP_LEVEL = (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", "blobs", "derived")


def is_library(path: Path) -> bool:
    """Whether ``path`` is a library folder."""
    return (path / DB_NAME).is_file()


def _has_journal(db_path: Path) -> bool:
    """Whether a non-empty ``-wal`` file lies beside the database (an unclean close)."""
    wal = db_path.with_name(db_path.name + "-wal")
    try:
        return wal.stat().st_size > 0
    except OSError:
        return False


class Library:
    """An open library. Close it when done; ``close()`` is idempotent."""

    def __init__(
        self, root: Path, reviewer: str, *, read_only: str | None = None, immutable: bool = False
    ) -> None:
        self.root = root
        self.reviewer = reviewer
        self.db_path = root / DB_NAME
        self.blobs = BlobStore(root / "blobs")
        self.derived = root / "derived"
        self.read_only = read_only
        """Why nothing may be changed (a read-only medium, ``--read-only``), or None."""
        ro = read_only is not None
        self._writer_engine = make_engine(
            self.db_path, writer=True, read_only=ro, immutable=immutable
        )
        self._reader_engine = make_engine(
            self.db_path, writer=False, read_only=ro, immutable=immutable
        )
        self._write_sessions = make_sessionmaker(self._writer_engine)
        self._read_sessions = make_sessionmaker(self._reader_engine)
        self.witness_path = root / WITNESS_NAME
        # Every write transaction binds the states it leaves to the audit trail.
        audit.install(self._write_sessions, actor=reviewer, witness=self.witness_path)
        self._reviewer_id: int | None = None
        self._index: SearchIndex | None = None
        self._index_lock = threading.Lock()
        self._closed = False
        self.migration: MigrationReport | None = None

    # --- opening -----------------------------------------------------------

    @classmethod
    def open(
        cls,
        root: Path,
        *,
        reviewer: str,
        create: bool = False,
        read_only: bool | None = None,
    ) -> Library:
        """Open the library at ``root``, migrating an older one.

        A library that cannot be written (a write-blocked disk, a folder
        without write permission) opens read-only: it can be read, searched
        and checked, and every change is refused with the reason
        (``ReadOnlyLibraryError``). A writable one is made private to the user
        (``private.secure_library``).

        Args:
            root: the library folder.
            reviewer: the name recorded on every change made through it.
            create: make a new library when ``root`` holds none.
            read_only: True opens read-only even where writing is possible
                (an examiner's guarantee); None decides by trying to write.

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
        db_path = root / DB_NAME
        reason: str | None = None
        immutable = False
        if is_library(root):
            probed = read_only_reason(root, db_path)
            reason = probed or ("it was opened read-only" if read_only else None)
            # Nothing can change a write-blocked database, so SQLite may skip its
            # locks and -shm file, which it could not create there; not when an
            # unclean close left a -wal beside it: its pages are part of the data.
            immutable = probed is not None and not _has_journal(db_path)
        else:
            if read_only:
                raise LibraryError(f"no library at {root} to open read-only")
            try:
                root.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LibraryError(f"cannot create library folder {root}: {exc.strerror}") from exc
            cannot = read_only_reason(root, db_path)
            if cannot is not None:
                raise LibraryError(f"cannot create a library in {root}: {cannot}")
            secure_library(root)
            create_private_file(db_path)  # SQLite's -wal and -shm copy its mode
        if reason is None:
            secure_library(root, _PRIVATE_TOP_LEVEL)
        lib = cls(root, reviewer, read_only=reason, immutable=immutable)
        try:
            lib._prepare()
        except BaseException:
            lib.close()
            raise
        return lib

    def _prepare(self) -> None:
        if self.read_only is not None:
            self._check_readable()
            return
        self.blobs.ensure()
        private_mkdir(self.derived)
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

    def _check_readable(self) -> None:
        """A read-only library must already be what this version reads: no migration."""
        try:
            found = current_revision(self._reader_engine)
        except OperationalError as exc:
            raise LibraryError(f"cannot read {self.db_path}: {exc.orig}") from exc
        if found != HEAD:
            raise LibraryError(
                f"the library at {self.root} has schema {found}, and this version needs "
                f"{HEAD}: upgrading it means writing, and {self.read_only}; "
                "open a writable copy to upgrade it"
            )

    def require_writable(self) -> None:
        """Raise ReadOnlyLibraryError (one line, with the reason) when nothing may change."""
        if self.read_only is not None:
            raise ReadOnlyLibraryError(
                f"the library at {self.root} cannot be changed: {self.read_only} "
                "(it can be listed, searched and checked)"
            )

    def _ensure_library_record(self, session: Session) -> None:
        """Record the library's id on creation, or the migration just made."""
        if session.get(LibraryInfo, "library_id") is None:
            library_id = str(uuid.uuid4())
            session.add(LibraryInfo(key="library_id", value=library_id))
            session.add(LibraryInfo(key="created_at", value=utc_now()))
            self.record(session, "library.create", "library", library_id, {"path": str(self.root)})
            audit.ensure_binding(session, self.record, new_library=True)
            return
        if self.migration and self.migration.before != self.migration.after:
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
        # A library from before state binding gets a baseline of what it holds now.
        audit.ensure_binding(
            session, self.record, new_library=False, witnessed=self.witness_path.exists()
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
        self.require_writable()
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
            # Not cached: the transaction may still roll back and take the row with it.
            return row.id
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
                    # Read-only: tantivy cannot open a folder it may not lock, so
                    # the index is built in memory from the pages table.
                    index = SearchIndex(
                        self.derived / "search-index", in_memory=self.read_only is not None
                    )
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
        are indexed again from the pages table. When another process holds
        the index's writer lock it is importing, and indexes its own: opening
        does not wait for it.
        """
        from workstation.search.service import SearchService  # lazy: ~10 ms, first use only

        if self.read_only is not None:
            with self.reader() as session:
                SearchService(session, index).fill_from_pages()
            return
        with self.writer() as session:
            SearchService(session, index).reindex_pending(wait=False)

    def index_pending(
        self,
        source_ids: Collection[int] | None = None,
        *,
        wait: bool = True,
        on_wait: Callable[[], None] | None = None,
    ) -> int:
        """Index what was committed but not yet indexed (an unlock, an import's deferred).

        Args:
            source_ids: only these sources (an import's own); None: all pending.
            wait: wait for another process holding the index's writer lock,
                as long as it takes; False: index only if it is free now.
            on_wait: told once when a wait starts to show.

        Returns:
            How many sources were indexed.
        """
        from workstation.search.service import SearchService  # lazy: ~10 ms, first use only

        index = self.search_index
        with self.writer() as session:
            return SearchService(session, index).reindex_pending(
                wait=wait, on_wait=on_wait, source_ids=source_ids
            )

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
