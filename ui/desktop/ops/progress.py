"""One shape for long operations: a worker on a pool thread, a modal progress
dialog with Cancel, and callbacks on the GUI thread when it ends; and the
summary box they end with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from ui.desktop.app.controller import LibraryController
from ui.desktop.ops.workers import Task


def run_with_progress(
    controller: LibraryController,
    work: Callable[[Task], Any],
    parent: QWidget | None,
    *,
    title: str,
    busy: str,
    describe: Callable[[int, int, str], str],
    on_done: Callable[[Any], None],
    on_error: Callable[[str], None],
    write: bool = True,
) -> Task:
    """Run ``work(task)`` with a progress dialog; returns the task.

    Args:
        controller: the open library's controller.
        work: the operation; reports with ``task.report`` and checks ``task.cancel``.
        parent: the dialog's parent window.
        title: the dialog's title.
        busy: what the status bar says while it runs.
        describe: the dialog's text for (done, total, current item).
        on_done: called with the result after the dialog closes.
        on_error: called with the one-line message after the dialog closes.
        write: on the write pool (the default) or, for work that only reads the
            library, on the read pool.
    """
    dialog = QProgressDialog("Preparing…", "Cancel", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(400)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumWidth(460)
    # Qt shows the dialog on a later move if its estimate says so, else after ~4 s:
    # one long step (a large PDF redacted) would run that long with nothing on screen.
    ended: list[bool] = []
    QTimer.singleShot(dialog.minimumDuration(), dialog, lambda: None if ended else dialog.show())

    def on_progress(done: int, total: int, name: str) -> None:
        dialog.setMaximum(total)
        dialog.setValue(done)
        # A 200-character title must not widen the dialog past the screen.
        name = dialog.fontMetrics().elidedText(name, Qt.TextElideMode.ElideMiddle, 560)
        dialog.setLabelText(describe(done, total, name))

    def close() -> None:
        ended.append(True)
        dialog.blockSignals(True)  # closing is not Cancel
        dialog.close()
        dialog.deleteLater()

    def finished(result: Any) -> None:
        close()
        on_done(result)

    def failed(message: str) -> None:
        close()
        on_error(message)

    task = controller.run(
        work,
        write=write,
        label=busy,
        on_done=finished,
        on_error=failed,
        on_progress=on_progress,
        with_task=True,
    )
    dialog.canceled.connect(task.cancel.cancel)
    return task


def roomy(box: QMessageBox) -> QMessageBox:
    """Room for the lines of a bundle's summary (a message box wraps them narrowly)."""
    box.setStyleSheet(
        "QLabel#qt_msgbox_label, QLabel#qt_msgbox_informativelabel { min-width: 30em; }"
    )
    return box


def show_summary(box: QMessageBox) -> None:
    """Show a box without blocking; deleted when closed.

    A box without a parent window is owned by nothing on the C++ side: hold it
    until it is closed, or Python collects it before the reviewer sees it.
    """
    roomy(box)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _summary_boxes.append(box)
    box.finished.connect(lambda _result: _summary_boxes.remove(box))
    box.open()


_summary_boxes: list[QMessageBox] = []
