"""Run work off the GUI thread and hear back on it.

``Task`` wraps a plain callable in a QRunnable; its signals are delivered on
the GUI thread (queued connections), so slots may touch widgets. With
``with_task=True`` the callable gets the Task first, for ``task.report(done,
total, text)`` progress and the ``task.cancel`` token to check between steps.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from workstation.core.errors import WorkstationError
from workstation.core.progress import CancelToken

_QT_INT_MAX = 2**31 - 1


class TaskSignals(QObject):
    """Signals of a Task.

    Signals:
        progress(int, int, str): steps done, steps in all, what is being done.
        finished(object): the callable's return value.
        failed(str): a one-line message for the reviewer.
    """

    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)


class Task(QRunnable):
    """A callable run on a pool thread, reporting through TaskSignals."""

    def __init__(
        self, fn: Callable[..., Any], *args: Any, with_task: bool = False, **kwargs: Any
    ) -> None:
        super().__init__()
        self.fn = fn
        self.with_task = with_task
        self.args = args
        self.kwargs = kwargs
        self.signals = TaskSignals()
        self.cancel = CancelToken()
        self.setAutoDelete(False)

    def report(self, done: int, total: int, text: str = "") -> None:
        """Progress from the worker thread (thread-safe: a queued signal).

        Qt's int is 32 bits and progress dialogs take no more: counts of bytes
        past 2 GiB are scaled down together, keeping their ratio.
        """
        if total > _QT_INT_MAX or done > _QT_INT_MAX:
            scale = max(total, done) // _QT_INT_MAX + 1
            done, total = done // scale, total // scale
        self.signals.progress.emit(done, total, text)

    def run(self) -> None:  # noqa: D102 - Qt override
        try:
            if self.with_task:
                result = self.fn(self, *self.args, **self.kwargs)
            else:
                result = self.fn(*self.args, **self.kwargs)
        except WorkstationError as exc:
            self.signals.failed.emit(exc.message)
        except Exception as exc:
            traceback.print_exc()
            self.signals.failed.emit(f"unexpected error: {type(exc).__name__}: {exc}")
        else:
            self.signals.finished.emit(result)


def start(task: Task, pool: QThreadPool | None = None) -> Task:
    """Queue ``task`` on ``pool`` (default: the global pool)."""
    (pool or QThreadPool.globalInstance()).start(task)
    return task
