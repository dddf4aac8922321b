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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from db.models import Page, Source, SourceRelation
from db.search_index import SearchIndexError
from workstation.core.blobs import StoredBlob
from workstation.core.dates import utc_now
from workstation.core.errors import BadInputError, LibraryError, WorkstationError
from workstation.core.library import Library
from workstation.core.progress import CancelToken, Progress, ProgressCallback
from workstation.sources.cases import add_to_case, clean_case_name, ensure_case
from workstation.sources.extract import Extracted, Limits, detect, extract
from workstation.sources.imagery import build_pyramid_for_import

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
    symbolic links and the ``exclude`` folder (the library itself, should a
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

    def __init__(self, library: Library, *, limits: Limits | None = None) -> None:
        self.library = library
        self.limits = limits or Limits()
        self._pending_index: list[int] = []
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
        finally:
            self.flush_index()
        return report

    # --- one file ----------------------------------------------------------

    def _import_file(self, path: Path, case_name: str | None) -> list[ImportResult]:
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
        return self._import_stored(
            stored,
            media_type,
            shown=shown,
            filename=path.name,
            original_path=str(path.absolute()),
            case_name=case_name,
            parent=None,
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
    ) -> list[ImportResult]:
        lib = self.library
        existing = self._existing(stored.sha256)
        if existing is not None:
            self._link_existing(existing, case_name, parent)
            return [
                ImportResult(
                    shown,
                    "duplicate",
                    source_id=existing[0],
                    sha256=stored.sha256,
                    kind=existing[1],
                    title=existing[2],
                    parent_id=parent[0] if parent else None,
                )
            ]
        try:
            extracted = extract(stored.path, media_type, self.limits)
        except BadInputError as exc:
            self._discard(stored)
            return [ImportResult(shown, "failed", sha256=stored.sha256, error=exc.message)]
        except MemoryError:
            self._discard(stored)
            return [ImportResult(shown, "failed", sha256=stored.sha256, error="out of memory")]

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
                raise
            return [ImportResult(shown, "duplicate", source_id=again[0], sha256=stored.sha256)]
        lib.search_index.add_source(
            source_id, extracted.kind, ((p.number, p.text) for p in extracted.pages)
        )
        self._pending_index.append(source_id)
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

    def _discard(self, stored: StoredBlob) -> None:
        """Remove a blob this import wrote when its file turned out unusable."""
        if stored.created and self._existing(stored.sha256) is None:
            self.library.blobs.remove(stored.sha256)

    def _write_thumbnail(self, sha256: str, extracted: Extracted) -> str | None:
        if not extracted.thumbnail:
            return None
        target = self.library.thumbnail_path(sha256, extracted.thumbnail_type or "image/jpeg")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(extracted.thumbnail)
            os.replace(tmp, target)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            return None
        return str(target.relative_to(self.library.root))

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
        if parent is not None:
            session.add(
                SourceRelation(
                    parent_id=parent[0],
                    child_id=source.id,
                    relation="attachment",
                    name=parent[1],
                )
            )
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
            extracted = extract(stored.path, media_type, self.limits)
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
            self.library.search_index.add_source(
                source_id, extracted.kind, ((p.number, p.text) for p in extracted.pages)
            )
            self._pending_index.append(source_id)
        self.flush_index()

    # --- the search index --------------------------------------------------

    def _maybe_commit_index(self) -> None:
        if len(self._pending_index) >= INDEX_COMMIT_EVERY_SOURCES or (
            self._pending_index
            and time.monotonic() - self._last_index_commit > INDEX_COMMIT_EVERY_SECONDS
        ):
            self.flush_index()

    def flush_index(self) -> None:
        """Commit the index and mark what it now holds as indexed."""
        if not self._pending_index:
            return
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
]
