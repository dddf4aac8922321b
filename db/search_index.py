"""The full-text index of page text, kept in a tantivy index folder.

SQLite cannot rank 100,000 pages fast enough and its tokenizers miss CJK words
inside longer runs, so page text is also indexed here. The pages table stays the
truth: this folder is a cache that can be deleted and rebuilt at any time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import NamedTuple, Self

import tantivy

from db.search_analyzer import (
    ANALYZER,
    ANALYZER_DESCRIPTION,
    CJK_CHARACTERS,
    TOKENIZER_NAME,
    analyze,
    prepare_text,
)
from db.search_query import And, Node, Not, Or, Phrase, Prefix, Term

FORMAT_VERSION = 1
"""Bump when the schema or the analyzer changes; older folders are rebuilt."""

_MARKER_NAME = "workstation-index.json"
# A process waiting for the writer lock says so with a file of this prefix in the
# folder; a process holding the lock hands it over at its next commit and takes it
# again only once no fresh request is left (tantivy's lock is first come, first served,
# so a busy importer would otherwise keep it for its whole batch).
_WANTED_PREFIX = ".writer-wanted-"
WANTED_FRESH_SECONDS = 5.0
"""A request older than this is left by a process that died, and ignored."""
WAIT_NOTICE_SECONDS = 0.5
"""How long a wait for the writer lock goes on before ``on_wait`` is told."""
_POLL_SECONDS = 0.02
_BODY = "body"
_SOURCE_ID = "source_id"
_PAGE = "page"
_KIND = "kind"

# A prefix with at most this many completions is searched as an OR of those
# words (ranked by BM25); a more prolific one as one regex query, under which
# every page scores the same for that word (the query's other words still rank).
MAX_PREFIX_EXPANSIONS = 64
# Rust `regex::escape` escapes exactly these.
_REGEX_META = frozenset("\\.+*?()|[]{}^$#&-~")


def _fingerprint() -> str:
    description = json.dumps(
        {
            "format": FORMAT_VERSION,
            "tantivy": str(getattr(tantivy, "__version__", "")),
            "cjk": CJK_CHARACTERS,
            "analyzer": ANALYZER_DESCRIPTION,
        },
        sort_keys=True,
    )
    return hashlib.sha256(description.encode()).hexdigest()


def _build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field(
        _BODY, stored=False, tokenizer_name=TOKENIZER_NAME, index_option="position"
    )
    builder.add_unsigned_field(_SOURCE_ID, stored=True, indexed=True, fast=True)
    builder.add_unsigned_field(_PAGE, stored=True, fast=True)
    builder.add_text_field(_KIND, stored=False, tokenizer_name="raw", index_option="basic")
    return builder.build()


# --- errors ----------------------------------------------------------------


class SearchIndexError(Exception):
    """The search index folder cannot be used as asked."""


class SearchIndexBusyError(SearchIndexError):
    """Another process holds the index writer lock for too long."""


class SearchIndexClosedError(SearchIndexError):
    """The index was used after close()."""


# --- results ---------------------------------------------------------------


class IndexHit(NamedTuple):
    """One matching page, best first in a result list."""

    source_id: int
    page: int
    """1-based page number, as in the pages table."""
    score: float


# --- a lock between processes ---------------------------------------------


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` between processes (waits for it).

    Two processes opening a library whose index is missing must not both clear
    and create the folder. Where the lock file cannot be made (a read-only
    medium, where nothing is created anyway) the block runs without it.
    """
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield
        return
    try:
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
            import msvcrt  # lazy: Windows only

            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                    break
                except OSError:
                    time.sleep(_POLL_SECONDS)
            try:
                yield
            finally:
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            import fcntl  # lazy: POSIX only

            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# --- the index -------------------------------------------------------------


class SearchIndex:
    """A tantivy index of page text: one document per page.

    Open-or-create on construction. If the folder is missing, was written by
    another format version, or cannot be opened, it is recreated empty and
    ``needs_rebuild`` is True until ``clear_needs_rebuild()``: the caller must
    re-add every source first.

    Readers see the last commit. The writer (and its lock, which another
    process, e.g. the CLI, may need) is taken on the first change and released
    by ``commit()`` and ``rollback()``.

    Safe to share between threads: searches run in parallel, changes are
    serialized.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        writer_heap_bytes: int = 64_000_000,
        lock_timeout: float = 10.0,
        in_memory: bool = False,
    ) -> None:
        """Open the index in ``path``, creating or recreating it as needed.

        Args:
            path: The index folder, e.g. ``<library>/derived/search-index``. It
                must be empty, missing or hold a search index: anything else is
                refused rather than deleted.
            writer_heap_bytes: Memory the writer may buffer before it flushes a
                segment; split between its threads.
            lock_timeout: Seconds to wait for another process's writer lock.
            in_memory: Keep the index in memory and write nothing to ``path``
                (a library on a read-only medium, where tantivy cannot even
                open a folder: it takes a lock file). It starts empty, with
                ``needs_rebuild`` True.

        Raises:
            SearchIndexError: The folder holds something else or cannot be
                written.
        """
        self._path = Path(path)
        self._heap = writer_heap_bytes
        self._lock_timeout = lock_timeout
        self._schema = _build_schema()
        self._lock = threading.RLock()
        self._writer: tantivy.IndexWriter | None = None
        self._closed = False
        self._needs_rebuild = False
        self._wanted: Path | None = None
        self._in_memory = in_memory
        if in_memory:
            self._index = tantivy.Index(self._schema)
            self._index.register_tokenizer(TOKENIZER_NAME, ANALYZER)
            self._needs_rebuild = True
        else:
            with _exclusive(self._path.with_name(self._path.name + ".lock")):
                self._index = self._open_or_create()
            self._make_private()
        self._seen_meta = self._meta_stamp()

    # -- opening ------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The index folder."""
        return self._path

    @property
    def needs_rebuild(self) -> bool:
        """True if the index was (re)created and no rebuild has been confirmed."""
        return self._needs_rebuild

    def clear_needs_rebuild(self) -> None:
        """Record that the caller has queued every source for re-adding.

        Call it once the library says no source is indexed (committed), so a
        crash in between cannot leave sources marked indexed but missing here.
        """
        with self._lock:
            self._check_open()
            if not self._in_memory:
                self._write_marker(needs_rebuild=False)
            self._needs_rebuild = False

    def _open_or_create(self) -> tantivy.Index:
        marker = self._read_marker()
        if marker is not None and marker.get("fingerprint") == _fingerprint():
            try:
                index = tantivy.Index.open(str(self._path))
                index.register_tokenizer(TOKENIZER_NAME, ANALYZER)
                _ = index.searcher().num_docs  # opens every segment
            except (ValueError, OSError, RuntimeError):
                pass  # unreadable: recreate below
            else:
                self._needs_rebuild = bool(marker.get("needs_rebuild", True))
                return index
        return self._recreate()

    def _recreate(self) -> tantivy.Index:
        self._clear_folder()
        try:
            index = tantivy.Index(self._schema, path=str(self._path), reuse=False)
        except (ValueError, OSError) as error:
            raise SearchIndexError(
                f"Cannot create the search index in {self._path}: {error}"
            ) from error
        index.register_tokenizer(TOKENIZER_NAME, ANALYZER)
        self._write_marker(needs_rebuild=True)
        self._needs_rebuild = True
        return index

    def _clear_folder(self) -> None:
        try:
            self._path.mkdir(parents=True, exist_ok=True)
            entries = list(self._path.iterdir())
        except OSError as error:
            raise SearchIndexError(
                f"Cannot use {self._path} for the search index: {error}"
            ) from error
        names = {entry.name for entry in entries}
        if entries and not names & {_MARKER_NAME, "meta.json", ".managed.json"}:
            raise SearchIndexError(
                f"{self._path} holds files that are not a search index; "
                "refusing to delete them. Move them away or choose another folder."
            )
        for entry in entries:
            try:
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
            except OSError as error:
                raise SearchIndexError(f"Cannot clear the old search index: {error}") from error

    def _make_private(self) -> None:
        """Folder 0700 and files 0600 on POSIX: the index holds the evidence's words.

        Tantivy creates its files with the umask's mode; a commit adds a few.
        """
        if self._in_memory or os.name != "posix":
            return
        try:
            if self._path.stat().st_mode & 0o077:
                os.chmod(self._path, 0o700)
            with os.scandir(self._path) as entries:
                for entry in entries:
                    st = entry.stat(follow_symlinks=False)
                    if st.st_mode & 0o077 and not entry.is_symlink():
                        os.chmod(entry.path, 0o700 if entry.is_dir() else st.st_mode & 0o700)
        except OSError:
            pass  # not ours to change, or gone meanwhile: the library folder is 0700 anyway

    def _read_marker(self) -> dict[str, object] | None:
        try:
            data = json.loads((self._path / _MARKER_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _write_marker(self, *, needs_rebuild: bool) -> None:
        data = {
            "format": FORMAT_VERSION,
            "fingerprint": _fingerprint(),
            "needs_rebuild": needs_rebuild,
            "note": "Search index cache; safe to delete, it is rebuilt from the library.",
        }
        target = self._path / _MARKER_NAME
        try:
            fd, name = tempfile.mkstemp(dir=self._path, prefix=_MARKER_NAME, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(name, target)
        except OSError as error:
            raise SearchIndexError(f"Cannot write {target}: {error}") from error

    # -- writing ------------------------------------------------------------

    def add_source(self, source_id: int, kind: str, pages: Iterable[tuple[int, str]]) -> int:
        """Replace everything indexed for a source by these pages.

        Idempotent: the source's previous documents are deleted first. Nothing
        is searchable before ``commit()``.

        Args:
            source_id: ``sources.id``.
            kind: ``sources.kind`` ('pdf', 'article', ...), for the type filter.
            pages: ``(number, text)`` pairs, numbers 1-based.

        Returns:
            The number of pages added.

        Raises:
            SearchIndexBusyError: Another process keeps the writer lock.
            SearchIndexClosedError: The index is closed.
        """
        with self._lock:
            writer = self._acquire_writer()
            writer.delete_documents_by_query(self._source_query(source_id))
            added = 0
            for number, text in pages:
                doc = tantivy.Document()
                doc.add_unsigned(_SOURCE_ID, source_id)
                doc.add_unsigned(_PAGE, number)
                doc.add_text(_KIND, kind)
                doc.add_text(_BODY, prepare_text(text))
                writer.add_document(doc)
                added += 1
            return added

    def delete_source(self, source_id: int) -> None:
        """Remove a source's pages (effective at ``commit()``).

        Args:
            source_id: ``sources.id``.
        """
        with self._lock:
            self._acquire_writer().delete_documents_by_query(self._source_query(source_id))

    def _source_query(self, source_id: int) -> tantivy.Query:
        # Not delete_documents_by_term: it turns a Python int into an I64 term,
        # which never matches this unsigned field, and deletes nothing.
        return tantivy.Query.term_query(self._schema, _SOURCE_ID, source_id)

    def commit(self) -> None:
        """Make the changes durable and searchable, then release the writer lock.

        Waits for the segment merges the commit started, so the index does not
        fragment when each import commits on its own. A no-op without changes.
        """
        with self._lock:
            self._check_open()
            writer = self._writer
            if writer is None:
                return
            try:
                writer.commit()
            except ValueError as error:
                raise SearchIndexError(f"Cannot save the search index: {error}") from error
            finally:
                self._release_writer(writer)
            self._index.reload()
            self._seen_meta = self._meta_stamp()
            self._make_private()

    def rollback(self) -> None:
        """Discard changes since the last commit and release the writer lock."""
        with self._lock:
            self._check_open()
            writer = self._writer
            if writer is not None:
                try:
                    writer.rollback()
                finally:
                    self._release_writer(writer)

    @property
    def holds_writer(self) -> bool:
        """Whether this index holds the writer lock (changes since the last commit)."""
        return self._writer is not None

    def acquire_writer(self, *, wait: bool, on_wait: Callable[[], None] | None = None) -> bool:
        """Take the writer lock for the changes that follow (kept until ``commit()``).

        Args:
            wait: Wait for another process to release the lock, however long
                that takes (it does at its next commit, or when it ends); with
                False, give way at once, also to a process already waiting.
            on_wait: Called once, when a wait has gone on for
                ``WAIT_NOTICE_SECONDS`` (to tell the person at the keyboard).

        Returns:
            Whether this index now holds the writer lock.

        Raises:
            SearchIndexError: The index cannot be written at all.
            SearchIndexClosedError: The index is closed.
        """
        with self._lock:
            self._check_open()
            if self._writer is not None:
                return True
            if not wait:
                return not self.writer_requested() and self._try_writer()
        started = time.monotonic()
        told = False
        try:
            while True:
                with self._lock:
                    self._check_open()
                    if self._writer is not None or self._try_writer():
                        return True
                self._request_writer()
                if not told and time.monotonic() - started >= WAIT_NOTICE_SECONDS:
                    told = True
                    if on_wait is not None:
                        on_wait()
                time.sleep(_POLL_SECONDS)
        finally:
            self._withdraw_request()

    def writer_requested(self) -> bool:
        """Whether another process is waiting for the writer lock (a fresh request).

        A holder commits soon when this is True; a process that does not need
        the lock now leaves it to the one waiting.
        """
        if self._in_memory:
            return False
        now = time.time()
        try:
            with os.scandir(self._path) as entries:
                for entry in entries:
                    if not entry.name.startswith(_WANTED_PREFIX):
                        continue
                    if self._wanted is not None and entry.name == self._wanted.name:
                        continue
                    with contextlib.suppress(OSError):
                        if now - entry.stat().st_mtime < WANTED_FRESH_SECONDS:
                            return True
        except OSError:
            return False
        return False

    def _request_writer(self) -> None:
        # Made once, then touched about every second so it stays fresh while we wait.
        if self._in_memory:
            return
        try:
            if self._wanted is None:
                fd, name = tempfile.mkstemp(dir=self._path, prefix=_WANTED_PREFIX)
                os.close(fd)
                self._wanted = Path(name)
            elif time.time() - self._wanted.stat().st_mtime > 1.0:
                os.utime(self._wanted)
        except OSError:
            pass  # no request: we still get the lock when the holder ends

    def _withdraw_request(self) -> None:
        if self._wanted is not None:
            with contextlib.suppress(OSError):
                self._wanted.unlink()
            self._wanted = None

    def _try_writer(self) -> bool:
        try:
            self._writer = self._index.writer(self._heap)
        except ValueError as error:
            if "LockBusy" not in str(error):
                raise SearchIndexError(f"Cannot write the search index: {error}") from error
            return False
        return True

    def _acquire_writer(self) -> tantivy.IndexWriter:
        self._check_open()
        if self._writer is not None:
            return self._writer
        deadline = time.monotonic() + self._lock_timeout
        while not self._try_writer():
            if time.monotonic() >= deadline:
                raise SearchIndexBusyError(
                    f"The search index in {self._path} is being updated by another "
                    "program (another window or the command line); try again when "
                    "it has finished."
                )
            time.sleep(0.1)
        assert self._writer is not None
        return self._writer

    def _release_writer(self, writer: tantivy.IndexWriter) -> None:
        self._writer = None
        # Consumes the writer: merges finish, then its lock file is released.
        with contextlib.suppress(RuntimeError, ValueError):
            writer.wait_merging_threads()

    # -- reading ------------------------------------------------------------

    @property
    def num_pages(self) -> int:
        """How many pages the last commit holds."""
        with self._lock:
            self._check_open()
            index = self._index
        self._reload_if_changed(index)
        return index.searcher().num_docs

    def search(
        self,
        node: Node,
        *,
        limit: int = 20,
        offset: int = 0,
        source_ids: Collection[int] | None = None,
        kinds: Collection[str] | None = None,
    ) -> tuple[int, list[IndexHit]]:
        """Find the pages matching a query tree, best first (BM25).

        Args:
            node: The query; a tree of only ``Not`` nodes matches nothing useful
                and should be refused by the parser.
            limit: How many hits to return.
            offset: How many of the best hits to skip (for paging).
            source_ids: Only pages of these sources (None: all sources).
            kinds: Only pages of sources of these kinds (None: all kinds).

        Returns:
            How many pages match in all (counted exactly: with tantivy's top-k
            collector this costs next to nothing), and the hits.

        Raises:
            ValueError: A leaf of the tree has no searchable characters.
            SearchIndexClosedError: The index is closed.
        """
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must not be negative")
        with self._lock:
            self._check_open()
            index = self._index
        if (source_ids is not None and not source_ids) or (kinds is not None and not kinds):
            return 0, []
        self._reload_if_changed(index)
        searcher = index.searcher()
        query = self._compile(node, searcher)
        filters: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if source_ids is not None:
            filters.append(
                (
                    tantivy.Occur.Must,
                    tantivy.Query.term_set_query(self._schema, _SOURCE_ID, sorted(set(source_ids))),
                )
            )
        if kinds is not None:
            filters.append(
                (
                    tantivy.Occur.Must,
                    tantivy.Query.term_set_query(self._schema, _KIND, sorted(set(kinds))),
                )
            )
        if filters:
            # Filters must not change the ranking: give them no score.
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query)]
                + [(occur, tantivy.Query.const_score_query(q, 0.0)) for occur, q in filters]
            )
        result = searcher.search(query, limit=max(limit, 1), count=True, offset=offset)
        scored = result.hits[:limit] if limit else []
        addresses = [address for _, address in scored]
        source_values = searcher.fast_field_values(_SOURCE_ID, addresses) if addresses else []
        page_values = searcher.fast_field_values(_PAGE, addresses) if addresses else []
        hits = [
            IndexHit(int(sid or 0), int(page or 0), float(score))
            for (score, _), sid, page in zip(scored, source_values, page_values, strict=True)
        ]
        total = int(getattr(result, "count", None) or 0)  # missing from the stubs
        return total, hits

    def _meta_stamp(self) -> tuple[int, int, int] | None:
        if self._in_memory:
            return None
        try:
            st = (self._path / "meta.json").stat()
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _reload_if_changed(self, index: tantivy.Index) -> None:
        # tantivy's reader notices another process's commit only after a poll
        # delay; a commit replaces meta.json, so one stat() makes it immediate.
        stamp = self._meta_stamp()
        if stamp != self._seen_meta:
            with contextlib.suppress(ValueError):
                index.reload()
            self._seen_meta = stamp

    def _compile(self, node: Node, searcher: tantivy.Searcher) -> tantivy.Query:
        if isinstance(node, Term | Phrase):
            return self._words_query(node.text)
        if isinstance(node, Prefix):
            return self._prefix_query(node.text, searcher)
        if isinstance(node, And):
            clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
            for part in node.parts:
                if isinstance(part, Not):
                    clauses.append((tantivy.Occur.MustNot, self._compile(part.part, searcher)))
                else:
                    clauses.append((tantivy.Occur.Must, self._compile(part, searcher)))
            if all(occur == tantivy.Occur.MustNot for occur, _ in clauses):
                clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
            return tantivy.Query.boolean_query(clauses)
        if isinstance(node, Or):
            return tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, self._compile(part, searcher)) for part in node.parts]
            )
        if isinstance(node, Not):
            return tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, tantivy.Query.all_query()),
                    (tantivy.Occur.MustNot, self._compile(node.part, searcher)),
                ]
            )
        raise TypeError(f"not a query node: {node!r}")

    def _words_query(self, text: str) -> tantivy.Query:
        tokens = analyze(text)
        if not tokens:
            raise ValueError(f"no searchable characters in {text!r}")
        if len(tokens) == 1:
            return tantivy.Query.term_query(self._schema, _BODY, tokens[0], index_option="freq")
        return tantivy.Query.phrase_query(self._schema, _BODY, list(tokens))

    def _prefix_query(self, text: str, searcher: tantivy.Searcher) -> tantivy.Query:
        tokens = analyze(text)
        if not tokens:
            raise ValueError(f"no searchable characters in {text!r}")
        if len(tokens) > 1:
            return tantivy.Query.phrase_prefix_query(self._schema, _BODY, list(tokens))
        prefix = tokens[0]
        completions = searcher.terms_with_prefix(_BODY, prefix, limit=MAX_PREFIX_EXPANSIONS + 1)
        if not completions:
            return tantivy.Query.empty_query()
        if len(completions) <= MAX_PREFIX_EXPANSIONS:
            return tantivy.Query.boolean_query(
                [
                    (
                        tantivy.Occur.Should,
                        tantivy.Query.term_query(self._schema, _BODY, word, index_option="freq"),
                    )
                    for word, _ in completions
                ]
            )
        escaped = "".join("\\" + c if c in _REGEX_META else c for c in prefix)
        return tantivy.Query.regex_query(self._schema, _BODY, escaped + ".*")

    # -- closing ------------------------------------------------------------

    def close(self) -> None:
        """Discard uncommitted changes, release the writer and close. Idempotent."""
        with self._lock:
            if self._closed:
                return
            writer = self._writer
            if writer is not None:
                try:
                    writer.rollback()
                finally:
                    self._release_writer(writer)
            self._withdraw_request()
            self._closed = True
            del self._index

    def _check_open(self) -> None:
        if self._closed:
            raise SearchIndexClosedError(f"The search index in {self._path} is closed.")

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
