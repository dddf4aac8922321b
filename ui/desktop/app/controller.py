"""The open library as the desktop app sees it, and the only place the app opens sessions.

Owns the Library, a single-thread pool for writes (SQLite has one writer)
and a pool for reads, and polls cheaply for sources added by another
process (the CLI importing while the app is open). Widgets never open a
database session: they hand ``query`` a read or ``write`` a change, both run
on the pools with a session of their own, and get plain data back on the GUI
thread; a write announces what it changed once, as ``changed(Changes)``
(Anki's ``QueryOp``/``CollectionOp``).

Signals:
    changed(Changes): an operation here (or another process) changed records.
    sourcesChanged(): the set of sources changed (import here or elsewhere).
    sourceEdited(int): one source's record changed.
    busyChanged(str): text for the status bar ('' when idle).
    errorOccurred(str): a one-line message to show the reviewer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal
from sqlalchemy.orm import Session

from ui.desktop.ops.changes import SOURCE_SET, Changes
from ui.desktop.ops.workers import Task, start
from workstation.core.library import Library
from workstation.sources.lookup import change_marker

T = TypeVar("T")

POLL_MS = 2000


class LibraryController(QObject):
    """One per window; see the module docstring for its signals."""

    changed = Signal(object)
    sourcesChanged = Signal()
    sourceEdited = Signal(int)
    busyChanged = Signal(str)
    errorOccurred = Signal(str)

    def __init__(self, library: Library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.write_pool = QThreadPool(self)
        self.write_pool.setMaxThreadCount(1)
        self.read_pool = QThreadPool(self)
        self.read_pool.setMaxThreadCount(2)
        self._tasks: set[Task] = set()
        self._busy: dict[int, str] = {}
        self._marker: object = None
        self._polling = False
        self._closed = False
        self.query(change_marker, self._set_marker)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._check_for_changes)
        self._poll.start()

    # --- running work ------------------------------------------------------

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        write: bool = False,
        label: str = "",
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
        with_task: bool = False,
    ) -> Task:
        """Run ``fn(*args)`` on the write or read pool; callbacks run on the GUI thread.

        With ``with_task`` the callable gets the Task first (progress, cancel).
        """
        task = Task(fn, *args, with_task=with_task)
        self._tasks.add(task)
        key = id(task)
        if label:
            self._busy[key] = label
            self.busyChanged.emit(self._busy_text())

        def finish() -> None:
            self._tasks.discard(task)
            if self._busy.pop(key, None) is not None:
                self.busyChanged.emit(self._busy_text())

        def done(result: Any) -> None:
            finish()
            if self._closed:
                return  # the window that asked has gone (its widgets may be deleted)
            if on_done is not None:
                on_done(result)

        def failed(message: str) -> None:
            finish()
            if self._closed:
                return  # work cut short by closing the library is no news
            if on_error is not None:
                on_error(message)
            else:
                self.errorOccurred.emit(message)

        task.signals.finished.connect(done)
        task.signals.failed.connect(failed)
        if on_progress is not None:
            task.signals.progress.connect(on_progress)
        start(task, self.write_pool if write else self.read_pool)
        return task

    def query(
        self,
        read: Callable[[Session], T],
        on_done: Callable[[T], None] | None = None,
        *,
        on_error: Callable[[str], None] | None = None,
        label: str = "",
    ) -> Task:
        """Run ``read(session)`` on the read pool; ``on_done(result)`` on the GUI thread.

        ``read`` should return plain data (dataclasses, tuples), never ORM rows:
        the session is closed by the time the result reaches a widget.
        """
        library = self.library

        def run() -> T:
            with library.reader() as session:
                return read(session)

        return self.run(run, label=label, on_done=on_done, on_error=on_error)

    def write(
        self,
        change: Callable[[Session], T],
        on_done: Callable[[T], None] | None = None,
        *,
        changes: Changes | Callable[[T], Changes] | None = None,
        on_error: Callable[[str], None] | None = None,
        label: str = "",
    ) -> Task:
        """Run ``change(session)`` in one write transaction on the write pool.

        Committed, ``on_done(result)`` runs on the GUI thread, then ``changed``
        announces ``changes`` (or ``changes(result)``) once. A failure rolls
        the transaction back and reaches ``on_error`` (else ``errorOccurred``).
        """
        library = self.library

        def run() -> T:
            with library.writer() as session:
                return change(session)

        def done(result: T) -> None:
            if on_done is not None:
                on_done(result)
            notice = changes(result) if callable(changes) else changes
            if notice:
                self.announce(notice)

        return self.run(run, write=True, label=label, on_done=done, on_error=on_error)

    def announce(self, changes: Changes) -> None:
        """Tell every subscriber what changed (also the older per-kind signals)."""
        self.changed.emit(changes)
        if changes.source_set:
            self.sourcesChanged.emit()
        for source_id in sorted(changes.sources):
            self.sourceEdited.emit(source_id)

    @property
    def idle(self) -> bool:
        """No operation is queued or running (tests wait for this)."""
        return not self._tasks

    def warm_up(self) -> None:
        """Load the import pipeline's native modules in the background.

        Loading an extension module (MuPDF, libvips, lxml) holds the GIL for
        100+ ms; doing it once, soon after start-up, keeps that stall out of
        the reviewer's first import or first PDF.
        """

        def load() -> None:
            # lazy: both loaded here, off the GUI thread, once the window shows
            import workstation.sources.imagery  # lazy: warm-up  # noqa: F401
            import workstation.sources.ingest  # lazy: warm-up  # noqa: F401

        self.run(load)

    def _busy_text(self) -> str:
        return " · ".join(self._busy.values())

    # --- noticing changes ----------------------------------------------------

    def _set_marker(self, marker: object) -> None:
        self._marker = marker

    def _check_for_changes(self) -> None:
        if self._polling or self._closed:
            return  # the last look has not come back yet
        self._polling = True

        def seen(marker: object) -> None:
            self._polling = False
            known, self._marker = self._marker, marker
            if known is not None and marker != known:
                self.announce(SOURCE_SET)

        def missed(message: str) -> None:
            self._polling = False  # a busy database is tried again at the next tick

        self.query(change_marker, seen, on_error=missed)

    def notify_sources_changed(self) -> None:
        """Say that this process changed the sources (skips the next poll hit)."""

        def seen(marker: object) -> None:
            self._marker = marker
            self.announce(SOURCE_SET)

        self.query(change_marker, seen)

    def shutdown(self) -> None:
        """Stop polling, cancel and wait for running work, close the library."""
        self._closed = True
        self._poll.stop()
        for task in list(self._tasks):
            task.cancel.cancel()
        self.write_pool.waitForDone(30_000)
        self.read_pool.waitForDone(30_000)
        self.library.close()
