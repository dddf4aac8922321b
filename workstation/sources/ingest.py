"""Import of files and folders into a library.

Per file: detect the type by content, copy the bytes into the blob store
while hashing them, extract text and metadata from the stored copy, then
write the source, its pages, case membership and the audit event in one
transaction. The search index (a cache) is fed after the commit and caught
up on the next open if the process dies first. One bad file is reported
and skipped; it never stops the batch and never leaves half a record.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from db.models import Page, Source, SourceRelation
from db.search_index import SearchIndexError
from workstation.core.blobs import StoredBlob
from workstation.core.check import sweep_leftovers
from workstation.core.dates import utc_now
from workstation.core.errors import (
    BadInputError,
    EncryptedInputError,
    LibraryError,
    WorkstationError,
)
from workstation.core.library import Library
from workstation.core.printable import storable_name
from workstation.core.private import private_mkdir
from workstation.core.progress import CancelToken, Progress, ProgressCallback
from workstation.geo.sidecars import is_sidecar
from workstation.sources.cases import add_to_case, clean_case_name, ensure_case
from workstation.sources.extract import Extracted, Limits, detect, extract, locked_pdf
from workstation.sources.extract.model import short_reason
from workstation.sources.flags import FLAG_NAME_NOT_UTF8
from workstation.sources.imagery import build_pyramid_for_import
from workstation.sources.signatures import sign_on_import

Status = Literal["imported", "duplicate", "failed"]

INDEX_COMMIT_EVERY_SOURCES = 500
INDEX_COMMIT_EVERY_SECONDS = 10.0


@dataclass
class ImportResult:
    """What happened to one file."""

    path: str
    status: Status
    source_id: int | None = None
    sha256: str | None = None
    error: str | None = None
    kind: str | None = None
    title: str | None = None
    flags: list[str] = field(default_factory=list)
    parent_id: int | None = None
    repaired: bool = False  # a duplicate whose damaged stored copy this file replaced

    def as_json(self) -> dict[str, object]:
        """The shape ``import --json`` prints."""
        return {
            "path": self.path,
            "status": self.status,
            "source_id": self.source_id,
            "sha256": self.sha256,
            "error": self.error,
            "kind": self.kind,
            "title": self.title,
            "flags": self.flags,
            "parent_id": self.parent_id,
            "repaired": self.repaired,
        }


@dataclass
class ImportReport:
    """The outcome of a batch."""

    results: list[ImportResult] = field(default_factory=list)
    cancelled: bool = False

    def count(self, status: Status) -> int:
        """How many files ended with ``status``."""
        return sum(1 for r in self.results if r.status == status)


def iter_files(paths: Sequence[Path], *, exclude: Path | None = None) -> Iterator[Path]:
    """Files named directly, and every file below named folders.

    Inside folders, hidden entries (dot files such as ``.DS_Store``),
    symbolic links, a picture's world file and .prj (read into the picture's
    georeference) and the ``exclude`` folder (the library itself, should a
    reviewer import a folder that contains it) are skipped; named paths are
    taken as given.
    """
    skip = exclude.resolve() if exclude is not None else None
    for path in paths:
        if path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path):
                base = Path(dirpath)
                dirnames[:] = sorted(
                    d
                    for d in dirnames
                    if not d.startswith(".") and (skip is None or (base / d).resolve() != skip)
                )
                for name in sorted(filenames):
                    child = base / name
                    if name.startswith(".") or child.is_symlink():
                        continue
                    if is_sidecar(child, filenames):
                        continue  # read into its picture's georeference on import
                    yield child
        else:
            yield path


def content_date(extracted: Extracted) -> str | None:
    """The date the content speaks from, for sorting and date filters.

    An article's or e-mail's own date; else an image's capture time; else a
    PDF's creation date. Reviewers can correct it later; the raw values stay
    in the metadata.
    """
    if extracted.published:
        return extracted.published
    for key in ("captured", "created"):
        value = extracted.metadata.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _describe_os_error(exc: OSError) -> str:
    return exc.strerror.lower() if exc.strerror else type(exc).__name__


class ImportService:
    """Imports files into one library; one instance per batch is fine."""

    def __init__(
        self,
        library: Library,
        *,
        limits: Limits | None = None,
        on_index_wait: Callable[[], None] | None = None,
    ) -> None:
        """Prepare a batch.

        Args:
            library: the library to import into.
            limits: ceilings for hostile or absurd files.
            on_index_wait: called once if the batch's end has to wait for
                another process to finish with the search index (the command
                line says so on stderr).

        Raises:
            ReadOnlyLibraryError: the library cannot be changed (nothing is tried).
        """
        library.require_writable()
        self.library = library
        self.limits = limits or Limits()
        self.on_index_wait = on_index_wait
        self._pending_index: list[int] = []  # in this process's uncommitted index changes
        self._deferred_index: list[int] = []  # committed while another process held the index
        self._last_index_commit = time.monotonic()

    # --- the batch ---------------------------------------------------------

    def import_paths(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        case: str | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> ImportReport:
        """Import files and folders (recursively).

        Args:
            paths: files or folders.
            case: name of a case to put every imported (or duplicate) source in;
                created if missing.
            progress: called after each file with the file's result.
            cancel: checked between files; a cancelled batch keeps what it
                committed and reports ``cancelled``.
        """
        case_name = clean_case_name(case) if case is not None else None
        files = list(iter_files([Path(p) for p in paths], exclude=self.library.root))
        report = ImportReport()
        total = len(files)
        if progress:
            progress(Progress(0, total, None))
        try:
            for n, path in enumerate(files, start=1):
                if cancel is not None and cancel.cancelled:
                    report.cancelled = True
                    break
                for result in self._import_file(path, case_name):
                    report.results.append(result)
                    if progress:
                        progress(Progress(n, total, str(path), result))
                self._maybe_commit_index()
        except BaseException:
            # Never wait for the index on the way out of a failure; what is not
            # indexed stays pending and the next open of the index catches up.
            with contextlib.suppress(Exception):
                self.flush_index(wait=False)
            raise
        self.flush_index()
        # What earlier, interrupted imports left is moved to quarantine/ (never deleted).
        sweep_leftovers(self.library)
        return report

    # --- one file ----------------------------------------------------------

    def _import_file(self, path: Path, case_name: str | None) -> list[ImportResult]:
        """One file's verdicts; whatever goes wrong with it, the batch goes on."""
        try:
            return self._import_one(path, case_name)
        except (WorkstationError, SAIntegrityError, SearchIndexError):
            raise  # the library itself is in trouble (closed, read-only, index): stop
        except Exception as exc:  # one file's surprise must not end the batch
            reason = f"unexpected error: {short_reason(exc)}"
            return [ImportResult(str(path), "failed", error=reason)]

    def _import_one(self, path: Path, case_name: str | None) -> list[ImportResult]:
        shown = str(path)
        try:
            if path.is_symlink() and not path.exists():
                raise BadInputError("broken symbolic link")
            if not path.exists():
                raise BadInputError("no such file")
            if not path.is_file():
                raise BadInputError("not a regular file")
            media_type = detect(path)
            stored = self.library.blobs.put_file(path)
        except BadInputError as exc:
            return [ImportResult(shown, "failed", error=exc.message)]
        except OSError as exc:
            return [ImportResult(shown, "failed", error=_describe_os_error(exc))]
        filename, raw_name = storable_name(path.name)
        original_path, raw_path = storable_name(str(path.absolute()))
        return self._import_stored(
            stored,
            media_type,
            shown=shown,
            filename=filename,
            original_path=original_path,
            case_name=case_name,
            parent=None,
            raw_names={"original_filename_hex": raw_name, "original_path_hex": raw_path},
        )

    def _import_stored(
        self,
        stored: StoredBlob,
        media_type: str,
        *,
        shown: str,
        filename: str,
        original_path: str | None,
        case_name: str | None,
        parent: tuple[int, str] | None,
        raw_names: dict[str, str | None] | None = None,
    ) -> list[ImportResult]:
        lib = self.library
        existing = self._existing(stored.sha256)
        if existing is not None:
            self._link_existing(existing, case_name, parent)
            if stored.repaired:
                self._record_repair(existing[0], stored.sha256, shown)
            return [
                ImportResult(
                    shown,
                    "duplicate",
                    source_id=existing[0],
                    sha256=stored.sha256,
                    kind=existing[1],
                    title=existing[2],
                    parent_id=parent[0] if parent else None,
                    repaired=stored.repaired,
                )
            ]
        try:
            extracted = self._extract(stored, media_type)
        except BadInputError as exc:
            self._discard(stored)
            return [ImportResult(shown, "failed", sha256=stored.sha256, error=exc.message)]
        except MemoryError:
            self._discard(stored)
            return [ImportResult(shown, "failed", sha256=stored.sha256, error="out of memory")]
        except BaseException:
            self._discard(stored)
            raise
        _record_raw_names(extracted, raw_names)

        thumb = self._write_thumbnail(stored.sha256, extracted)
        # Large images get their viewer pyramid now (seconds) rather than on
        # first open; it never fails the import (the viewer rebuilds it).
        build_pyramid_for_import(
            lib.derived, stored.path, stored.sha256, extracted.kind, extracted.metadata
        )
        try:
            source_id = self._commit_source(
                stored, extracted, filename, original_path, thumb, case_name, parent
            )
        except SAIntegrityError:
            # Another process committed the same bytes a moment ago.
            again = self._existing(stored.sha256)
            if again is None:
                self._discard(stored)
                raise
            return [ImportResult(shown, "duplicate", source_id=again[0], sha256=stored.sha256)]
        except BaseException:
            self._discard(stored)  # no record refers to it: leave no orphan
            raise
        self._index_source(source_id, extracted)
        results = [
            ImportResult(
                shown,
                "imported",
                source_id=source_id,
                sha256=stored.sha256,
                kind=extracted.kind,
                title=extracted.title,
                flags=list(extracted.flags),
                parent_id=parent[0] if parent else None,
            )
        ]
        for attachment in extracted.attachments:
            results.extend(
                self._import_attachment(
                    attachment.filename, attachment.data, shown, source_id, case_name
                )
            )
        return results

    def _import_attachment(
        self, name: str, data: bytes, parent_shown: str, parent_id: int, case_name: str | None
    ) -> list[ImportResult]:
        shown = f"{parent_shown}#{name}"
        try:
            stored = self.library.blobs.put_bytes(data)
        except OSError as exc:
            return [
                ImportResult(shown, "failed", error=_describe_os_error(exc), parent_id=parent_id)
            ]
        try:
            media_type = detect(stored.path)
        except BadInputError as exc:
            self._discard(stored)
            return [
                ImportResult(
                    shown, "failed", sha256=stored.sha256, error=exc.message, parent_id=parent_id
                )
            ]
        return self._import_stored(
            stored,
            media_type,
            shown=shown,
            filename=name,
            original_path=None,
            case_name=case_name,
            parent=(parent_id, name),
        )

    # --- pieces ------------------------------------------------------------

    def _existing(self, sha256: str) -> tuple[int, str, str | None] | None:
        with self.library.reader() as session:
            row = session.execute(
                select(Source.id, Source.kind, Source.title).where(Source.sha256 == sha256)
            ).first()
        return None if row is None else (row[0], row[1], row[2])

    def _link_existing(
        self,
        existing: tuple[int, str, str | None],
        case_name: str | None,
        parent: tuple[int, str] | None,
    ) -> None:
        if case_name is None and parent is None:
            return
        lib = self.library
        with lib.writer() as session:
            if case_name is not None:
                add_to_case(lib, session, ensure_case(lib, session, case_name), existing[0])
            if parent is not None and parent[0] != existing[0]:
                key = (parent[0], existing[0], "attachment")
                if session.get(SourceRelation, key) is None:
                    session.add(
                        SourceRelation(
                            parent_id=parent[0],
                            child_id=existing[0],
                            relation="attachment",
                            name=parent[1],
                        )
                    )
                    lib.record(
                        session,
                        "source.link",
                        "source",
                        existing[0],
                        {"parent_id": parent[0], "relation": "attachment", "name": parent[1]},
                    )

    def _record_repair(self, source_id: int, sha256: str, shown: str) -> None:
        """The stored original was damaged and this file's bytes replaced it."""
        with self.library.writer() as session:
            self.library.record(
                session,
                "source.blob_repair",
                "source",
                source_id,
                {"sha256": sha256, "from": shown, "damaged_copy": "quarantine/"},
            )

    def _extract(self, stored: StoredBlob, media_type: str) -> Extracted:
        """Extract a stored file; a PDF that needs a password is kept, flagged ``locked``."""
        try:
            return extract(stored.path, media_type, self.limits)
        except EncryptedInputError as exc:
            if media_type != "application/pdf":
                raise
            return locked_pdf(stored.path, media_type, exc.message)

    def _discard(self, stored: StoredBlob) -> None:
        """Remove a blob this import wrote when its file turned out unusable."""
        if stored.created and self._existing(stored.sha256) is None:
            self.library.blobs.remove(stored.sha256)

    def _write_thumbnail(self, sha256: str, extracted: Extracted) -> str | None:
        return write_thumbnail(self.library, sha256, extracted)

    def _commit_source(
        self,
        stored: StoredBlob,
        extracted: Extracted,
        filename: str,
        original_path: str | None,
        thumb: str | None,
        case_name: str | None,
        parent: tuple[int, str] | None,
    ) -> int:
        lib = self.library
        with lib.writer() as session:
            source = self.add_source(
                session, stored, extracted, filename, original_path, thumb, parent
            )
            if case_name is not None:
                add_to_case(lib, session, ensure_case(lib, session, case_name), source.id)
            return source.id

    def add_source(
        self,
        session: Session,
        stored: StoredBlob,
        extracted: Extracted,
        filename: str,
        original_path: str | None,
        thumb: str | None,
        parent: tuple[int, str] | None = None,
    ) -> Source:
        """Add the record of a stored, extracted file in ``session`` (audited).

        The caller owns the transaction (a bundle merge adds many in one) and
        feeds the search index after it commits (``index_sources``).
        """
        lib = self.library
        georef = None
        if extracted.kind == "image":
            from workstation.geo.service import read_on_import  # lazy: pyproj, for pictures only

            georef, problem = read_on_import(original_path, stored.path, extracted.media_type)
            if problem is not None:
                extracted.metadata["georeference_problem"] = problem
        source = Source(
            uuid=str(uuid.uuid4()),
            sha256=stored.sha256,
            size=stored.size,
            media_type=extracted.media_type,
            kind=extracted.kind,
            original_filename=filename,
            original_path=original_path,
            title=extracted.title,
            author=extracted.author,
            publisher=extracted.publisher,
            published=content_date(extracted),
            url=extracted.url,
            language=extracted.language,
            page_count=len(extracted.pages),
            meta=extracted.metadata,
            flags=list(extracted.flags),
            thumbnail=thumb,
            imported_at=utc_now(),
            imported_by_id=lib.reviewer_id(session),
            indexed=False,
        )
        session.add(source)
        session.flush()
        if extracted.pages:
            session.execute(
                insert(Page),
                [
                    {"source_id": source.id, "number": p.number, "text": p.text}
                    for p in extracted.pages
                ],
            )
        sign_on_import(session, source.id, [p.text for p in extracted.pages])
        if parent is not None:
            session.add(
                SourceRelation(
                    parent_id=parent[0],
                    child_id=source.id,
                    relation="attachment",
                    name=parent[1],
                )
            )
        if georef is not None:
            from workstation.geo.service import store  # lazy: pyproj, for pictures only

            store(session, source, georef, source.imported_by_id)
        lib.record(
            session,
            "source.import",
            "source",
            source.id,
            {
                "sha256": stored.sha256,
                "size": stored.size,
                "media_type": extracted.media_type,
                "filename": filename,
                "pages": len(extracted.pages),
                "flags": list(extracted.flags),
                "parent_id": parent[0] if parent else None,
            },
        )
        return source

    def prepare_file(self, path: Path) -> tuple[StoredBlob, Extracted, str | None]:
        """Store and extract one file without adding its record (for ``add_source``).

        Raises:
            BadInputError: the file cannot be imported (the blob this call
                wrote is removed again).
        """
        media_type = detect(path)
        stored = self.library.blobs.put_file(path)
        try:
            extracted = self._extract(stored, media_type)
        except BaseException:
            self._discard(stored)
            raise
        thumb = self._write_thumbnail(stored.sha256, extracted)
        build_pyramid_for_import(
            self.library.derived, stored.path, stored.sha256, extracted.kind, extracted.metadata
        )
        return stored, extracted, thumb

    def discard(self, stored: StoredBlob) -> None:
        """Remove a blob ``prepare_file`` wrote when its record was never committed."""
        self._discard(stored)

    def index_sources(self, added: Iterable[tuple[int, Extracted]]) -> None:
        """Feed the search index with sources committed by ``add_source``."""
        for source_id, extracted in added:
            self._index_source(source_id, extracted)
        self.flush_index()

    # --- the search index --------------------------------------------------
    #
    # Two processes may import into one library. Tantivy has one writer lock: a
    # source committed while another process holds it is deferred (its verdict
    # is reported all the same) and indexed from the pages table later in the
    # batch, or at its end, where the batch waits for the lock, saying so once.

    def _index_source(self, source_id: int, extracted: Extracted) -> None:
        index = self.library.search_index
        try:
            if index.acquire_writer(wait=False):
                index.add_source(
                    source_id, extracted.kind, ((p.number, p.text) for p in extracted.pages)
                )
                self._pending_index.append(source_id)
                return
        except SearchIndexError:
            pass  # committed all the same; indexed from its pages later
        self._deferred_index.append(source_id)

    def _maybe_commit_index(self) -> None:
        due = time.monotonic() - self._last_index_commit > INDEX_COMMIT_EVERY_SECONDS
        hand_over = bool(self._pending_index) and (
            len(self._pending_index) >= INDEX_COMMIT_EVERY_SOURCES
            or self.library.search_index.writer_requested()  # another process waits for it
        )
        if hand_over or (due and (self._pending_index or self._deferred_index)):
            self.flush_index(wait=False)

    def flush_index(self, *, wait: bool = True) -> None:
        """Commit the index and mark what it now holds as indexed.

        Args:
            wait: also index the sources deferred while another process held
                the index, waiting for it as long as it takes (``on_index_wait``
                is told once); False indexes them only if the index is free now.
        """
        if self._pending_index:
            ids = self._pending_index
            self._pending_index = []
            try:
                self.library.search_index.commit()
            except SearchIndexError as exc:
                # The sources stay committed and marked not indexed: the next
                # open of the index catches them up.
                raise LibraryError(f"search index not updated: {exc}") from exc
            with self.library.writer() as session:
                session.execute(update(Source).where(Source.id.in_(ids)).values(indexed=True))
            self._last_index_commit = time.monotonic()
        if self._deferred_index:
            self._index_deferred(wait)

    def _index_deferred(self, wait: bool) -> None:
        deferred = self._deferred_index
        self.library.index_pending(deferred, wait=wait, on_wait=self.on_index_wait)
        with self.library.reader() as session:
            self._deferred_index = list(
                session.scalars(
                    select(Source.id).where(Source.id.in_(deferred), Source.indexed.is_(False))
                )
            )
        self._last_index_commit = time.monotonic()


def write_thumbnail(library: Library, sha256: str, extracted: Extracted) -> str | None:
    """Cache an extracted thumbnail; its path relative to the library, None when there is none.

    A thumbnail is a convenience: a failure to write it is not an error.
    """
    if not extracted.thumbnail:
        return None
    target = library.thumbnail_path(sha256, extracted.thumbnail_type or "image/jpeg")
    try:
        private_mkdir(target.parent)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")  # 0600
    except OSError:
        return None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(extracted.thumbnail)
        os.replace(tmp, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return None
    return str(target.relative_to(library.root))


def _record_raw_names(extracted: Extracted, raw_names: dict[str, str | None] | None) -> None:
    """Keep the exact bytes of a file name that is not UTF-8 (stored with ``\\xNN`` escapes)."""
    kept = {key: value for key, value in (raw_names or {}).items() if value is not None}
    if kept:
        extracted.metadata.update(kept)
        if FLAG_NAME_NOT_UTF8 not in extracted.flags:
            extracted.flags.append(FLAG_NAME_NOT_UTF8)


def import_error_summary(report: ImportReport) -> str:
    """One line: how many were imported, duplicate, failed."""
    return (
        f"{report.count('imported')} imported, {report.count('duplicate')} duplicate, "
        f"{report.count('failed')} failed" + (" (cancelled)" if report.cancelled else "")
    )


__all__ = [
    "ImportReport",
    "ImportResult",
    "ImportService",
    "WorkstationError",
    "import_error_summary",
    "iter_files",
    "write_thumbnail",
]
