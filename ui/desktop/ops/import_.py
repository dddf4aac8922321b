"""Import files and folders from the window: a worker, a progress dialog
with Cancel, and a summary that lists the files that failed and why."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from ui.desktop.app.controller import LibraryController
from ui.desktop.ops.ocr import OCR_STEP, read_imported
from ui.desktop.ops.progress import run_with_progress
from ui.desktop.ops.workers import Task
from workstation.core.progress import Progress
from workstation.sources.ingest import ImportReport, ImportService, import_error_summary


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

    def work(task: Task) -> tuple[ImportReport, str]:
        def progress(p: Progress) -> None:
            name = Path(p.current).name if p.current else ""
            task.report(p.done, p.total, name)

        service = ImportService(controller.library)
        report = service.import_paths(
            [str(p) for p in paths], case=case, progress=progress, cancel=task.cancel
        )
        # Pages without text are read now, by the library's OCR setting (as the CLI does).
        return report, read_imported(controller.library, report, task.report, task.cancel)

    def finished(result: Any) -> None:
        report: ImportReport = result[0]
        controller.notify_sources_changed()
        if show_summary:
            _summary(parent, report, result[1])
        if on_done is not None:
            on_done(report)

    def failed(message: str) -> None:
        controller.errorOccurred.emit(f"Import stopped: {message}")
        controller.notify_sources_changed()

    return run_with_progress(
        controller,
        work,
        parent,
        title="Importing",
        busy="importing",
        describe=lambda done, total, name: (
            name if name.startswith(OCR_STEP) else f"Importing {done} of {total}\n{name}"
        ),
        on_done=finished,
        on_error=failed,
    )


def _summary(parent: QWidget | None, report: ImportReport, ocr: str = "") -> None:
    failed = [r for r in report.results if r.status == "failed"]
    text = import_error_summary(report) + "." + (f"\n{ocr}" if ocr else "")
    box = QMessageBox(parent)
    box.setWindowTitle("Import finished" if not report.cancelled else "Import cancelled")
    box.setIcon(QMessageBox.Icon.Warning if failed else QMessageBox.Icon.Information)
    box.setText(text)
    if failed:
        box.setInformativeText(f"{len(failed)} file(s) could not be imported; see details.")
        box.setDetailedText("\n".join(f"{Path(r.path).name}: {r.error}" for r in failed))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
