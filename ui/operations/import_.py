"""Import files and folders from the window: a worker, a progress dialog
with Cancel, and a summary that lists the files that failed and why."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from ui.controller import LibraryController
from ui.workers import Task
from workstation.ingest import ImportReport, ImportService, import_error_summary
from workstation.progress import Progress


def run_import(
    controller: LibraryController,
    paths: Sequence[str | Path],
    parent: QWidget | None,
    *,
    case: str | None = None,
    on_done: Callable[[ImportReport], None] | None = None,
    show_summary: bool = True,
) -> Task:
    """Start importing ``paths`` on the write thread; returns the running task."""
    dialog = QProgressDialog("Preparing import…", "Cancel", 0, 0, parent)
    dialog.setWindowTitle("Importing")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(400)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumWidth(460)

    def work(task: Task) -> ImportReport:
        def progress(p: Progress) -> None:
            name = Path(p.current).name if p.current else ""
            task.report(p.done, p.total, name)

        service = ImportService(controller.library)
        return service.import_paths(
            [str(p) for p in paths], case=case, progress=progress, cancel=task.cancel
        )

    def on_progress(done: int, total: int, name: str) -> None:
        dialog.setMaximum(total)
        dialog.setValue(done)
        dialog.setLabelText(f"Importing {done} of {total}\n{name}")

    def finished(result: Any) -> None:
        dialog.close()
        dialog.deleteLater()
        report: ImportReport = result
        controller.notify_sources_changed()
        if show_summary:
            _summary(parent, report)
        if on_done is not None:
            on_done(report)

    def failed(message: str) -> None:
        dialog.close()
        dialog.deleteLater()
        controller.errorOccurred.emit(f"Import stopped: {message}")
        controller.notify_sources_changed()

    task = controller.run(
        work,
        write=True,
        label="importing",
        on_done=finished,
        on_error=failed,
        on_progress=on_progress,
        with_task=True,
    )
    dialog.canceled.connect(task.cancel.cancel)
    return task


def _summary(parent: QWidget | None, report: ImportReport) -> None:
    failed = [r for r in report.results if r.status == "failed"]
    text = import_error_summary(report) + "."
    box = QMessageBox(parent)
    box.setWindowTitle("Import finished" if not report.cancelled else "Import cancelled")
    box.setIcon(QMessageBox.Icon.Warning if failed else QMessageBox.Icon.Information)
    box.setText(text)
    if failed:
        box.setInformativeText(f"{len(failed)} file(s) could not be imported; see details.")
        box.setDetailedText("\n".join(f"{Path(r.path).name}: {r.error}" for r in failed))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
