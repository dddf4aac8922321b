"""The open library as the desktop app sees it.

Owns the Library, a single-thread pool for writes (SQLite has one writer)
and a pool for reads, and polls cheaply for sources added by another
process (the CLI importing while the app is open).

Signals:
    sourcesChanged(): the set of sources changed (import here or elsewhere).
    sourceEdited(int): one source's record changed.
    busyChanged(str): text for the status bar ('' when idle).
    errorOccurred(str): a one-line message to show the reviewer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from ui.desktop.ops.workers import Task, start
from workstation.core.library import Library
from workstation.sources.lookup import change_marker

POLL_MS = 2000


class LibraryController(QObject):
    """One per window; see the module docstring for its signals."""

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
        with library.reader() as session:
            self._marker = change_marker(session)
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
            if on_done is not None:
                on_done(result)

        def failed(message: str) -> None:
            finish()
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

    def warm_up(self) -> None:
        """Load the import pipeline's native modules in the background.

        Loading an extension module (MuPDF, libvips, lxml) holds the GIL for
        100+ ms; doing it once, soon after start-up, keeps that stall out of
        the reviewer's first import or first PDF.
        """

        def load() -> None:
            import workstation.sources.imagery
            import workstation.sources.ingest  # noqa: F401

        self.run(load)

    def _busy_text(self) -> str:
        return " · ".join(self._busy.values())

    # --- noticing changes ----------------------------------------------------

    def _check_for_changes(self) -> None:
        try:
            with self.library.reader() as session:
                marker = change_marker(session)
        except Exception:  # a busy database is tried again at the next tick
            return
        if marker != self._marker:
            self._marker = marker
            self.sourcesChanged.emit()

    def notify_sources_changed(self) -> None:
        """Say that this process changed the sources (skips the next poll hit)."""
        with self.library.reader() as session:
            self._marker = change_marker(session)
        self.sourcesChanged.emit()

    def shutdown(self) -> None:
        """Stop polling, cancel and wait for running work, close the library."""
        self._poll.stop()
        for task in list(self._tasks):
            task.cancel.cancel()
        self.write_pool.waitForDone(30_000)
        self.read_pool.waitForDone(30_000)
        self.library.close()
