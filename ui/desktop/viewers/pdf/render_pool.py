"""The thread pools the viewers render on, the one render call they share, and the
jobs a PdfView runs there.

The pools live as long as the application and keep each task alive until its result
reaches the GUI thread, so a viewer can be deleted in the middle of a render.
"""

from __future__ import annotations

import atexit
import contextlib
from typing import NamedTuple

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThreadPool
from PySide6.QtGui import QImage

from ui.desktop.ops.workers import Task
from workstation.core.errors import WorkstationError
from workstation.sources.pages import PdfDocument


class _TaskKeeper(QObject):
    """Holds every started Task until its result has reached the GUI thread.

    A Task (a QRunnable whose signals object Python owns) must outlive its run(), even when
    the widget that started it is deleted mid-render.
    """

    def __init__(self, parent: QObject | None) -> None:
        super().__init__(parent)
        self.tasks: dict[int, Task] = {}
        self.pools: dict[str, QThreadPool] = {}

    def keep(self, task: Task) -> None:
        self.tasks[id(task.signals)] = task
        task.signals.finished.connect(self._release)
        task.signals.failed.connect(self._release)

    def forget(self, task: Task) -> None:
        self.tasks.pop(id(task.signals), None)

    def _release(self, *_result: object) -> None:
        self.tasks.pop(id(self.sender()), None)


_keeper: _TaskKeeper | None = None


def _the_keeper() -> _TaskKeeper:
    global _keeper
    if _keeper is None:
        app = QCoreApplication.instance()
        _keeper = _TaskKeeper(app)
        if app is not None:
            app.aboutToQuit.connect(_finish_jobs)
        atexit.register(_finish_jobs)  # scripts and tests that never run app.exec()
    return _keeper


def _finish_jobs() -> None:
    """Drop queued jobs and wait for running ones, before Python starts tearing down."""
    if _keeper is None or not shiboken6.isValid(_keeper):
        return
    for pool in _keeper.pools.values():
        pool.clear()
        pool.waitForDone()


def viewer_pool(name: str, threads: int) -> QThreadPool:
    """A thread pool shared by every viewer, living as long as the application.

    Shared and never owned by a widget: deleting a viewer must not wait for, or pull the
    rug from under, a render in progress. MuPDF calls hold the GIL, so more threads than
    this would queue on it rather than run in parallel.

    Args:
        name: Which pool ("pages", "thumbnails").
        threads: Its thread count, set when it is first made.
    """
    keeper = _the_keeper()
    pool = keeper.pools.get(name)
    if pool is None:
        pool = QThreadPool(keeper)
        pool.setObjectName(f"viewer-{name}")
        pool.setMaxThreadCount(threads)
        keeper.pools[name] = pool
    return pool


def start_task(pool: QThreadPool, task: Task, priority: int = 0) -> Task:
    """Queue ``task`` on ``pool``, keeping it alive until its result is delivered.

    Call on the GUI thread.
    """
    _the_keeper().keep(task)
    pool.start(task, priority)
    return task


def unqueue_task(pool: QThreadPool, task: Task) -> bool:
    """Take ``task`` off ``pool`` if it has not started; True when it was taken."""
    if pool.tryTake(task):
        _the_keeper().forget(task)
        return True
    return False


def render_to_image(
    document: PdfDocument, page: int, scale: float, dpr: float, max_pixels: int
) -> tuple[QImage, bytes]:
    """Render a page into a QImage on the calling thread (pool threads call this).

    Args:
        document: The open document.
        page: 1-based page number.
        scale: Device pixels per point.
        dpr: Device pixel ratio to tag the image with.
        max_pixels: Render cap for this page.

    Returns:
        The image and the bytes it reads (keep both alive together).

    Raises:
        WorkstationError: The page cannot be rendered or the document is closed.
    """
    rendered = document.render(page, scale, max_pixels)
    image = QImage(
        rendered.samples,
        rendered.width,
        rendered.height,
        rendered.stride,
        QImage.Format.Format_RGB888,
    )
    image.setDevicePixelRatio(dpr)
    return image, rendered.samples


class RenderedPage(NamedTuple):
    """What a page's render job hands back to the GUI thread."""

    page: int
    scale: float
    image: QImage | None
    samples: bytes
    error: str | None


def render_page_job(
    document: PdfDocument, page: int, scale: float, dpr: float, max_pixels: int
) -> RenderedPage:
    """Pool-thread job: the page's pixels."""
    try:
        image, samples = render_to_image(document, page, scale, dpr, max_pixels)
    except WorkstationError as exc:
        return RenderedPage(page, scale, None, b"", exc.message)
    return RenderedPage(page, scale, image, samples, None)


def read_text_job(document: PdfDocument, page: int) -> int:
    """Pool-thread job: a page's characters and their boxes, read into the document's cache."""
    with contextlib.suppress(WorkstationError):
        document.page_text(page)
    return page
