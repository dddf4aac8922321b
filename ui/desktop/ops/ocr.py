"""OCR from the window. In the import: after the files are in, the pages without text of
the PDFs and pictures it brought are read, by the library's OCR setting (as ``import`` does
on the command line), in the same worker, with the same progress dialog and Cancel. And
File > Run OCR on Selected Sources (``run_ocr``), whatever that setting.

The import stands whatever OCR meets (a model missing, a file it cannot read, Cancel):
the summary says so in one sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from ui.desktop.app.controller import LibraryController
from ui.desktop.ops.progress import run_with_progress, show_summary
from ui.desktop.ops.workers import Task
from workstation.core.library import Library
from workstation.core.progress import CancelToken, Progress
from workstation.ocr.batch import after_import, ocr_sources
from workstation.sources.ingest import ImportReport

OCR_STEP = "Reading text (OCR)"
"""How OCR's progress lines start; the import's dialog shows them as they are."""
NOTHING_READ = "No page needed OCR."


def read_imported(
    library: Library,
    report: ImportReport,
    tell: Callable[[int, int, str], None],
    cancel: CancelToken,
    *,
    workers: int | None = None,
) -> str:
    """OCR what ``report`` imported, where the library's OCR mode is auto; on the
    import's worker thread.

    Args:
        library: The open library.
        report: The import's report.
        tell: ``Task.report``: (pages done, pages, line) for the progress dialog.
        cancel: The import's CancelToken, checked between pages.
        workers: Reader processes (default: one a core).

    Returns:
        A sentence for the import's summary ("" when OCR had nothing to do).
    """
    if report.cancelled:
        return ""
    wanted = after_import(library, report.results)
    said = read_sources(library, wanted, tell, cancel, workers=workers) if wanted else ""
    return "" if said == NOTHING_READ else said  # born-digital files: nothing to say


def read_sources(
    library: Library,
    source_ids: list[int],
    tell: Callable[[int, int, str], None],
    cancel: CancelToken,
    *,
    workers: int | None = None,
) -> str:
    """OCR these sources (workstation.ocr.batch) on a worker thread; a sentence for a
    summary: pages read, cancelled, a model missing, sources OCR cannot read."""

    def progress(number: int, p: Progress) -> None:
        of = f", file {number} of {len(source_ids)}" if len(source_ids) > 1 else ""
        tell(p.done, p.total, f"{OCR_STEP}{of}: {p.done} of {p.total} pages")

    outcome = ocr_sources(library, source_ids, progress, cancel, workers=workers)
    if outcome.missing is not None:
        return f"Not read by OCR: {outcome.missing}"
    read, pages = outcome.read, outcome.pages
    if outcome.cancelled:
        done = f" ({pages} pages of {read} file(s) were read and kept)" if read else ""
        return f"OCR was cancelled{done}; File > Run OCR on Selected Sources reads the rest."
    said = f"OCR read {pages} page(s) of {read} file(s)." if read else NOTHING_READ
    if outcome.unreadable:
        said += " OCR could not read " + "; ".join(
            f"source {i}: {message}" for i, message in outcome.unreadable
        )
        said += "."
    return said


def run_ocr(
    controller: LibraryController,
    source_ids: list[int],
    parent: QWidget | None,
    on_done: Callable[[str], None] | None = None,
) -> Task:
    """File > Run OCR on Selected Sources: read them in the background with a progress
    dialog and Cancel; the summary box says what was read."""

    def finished(said: Any) -> None:
        controller.notify_sources_changed()  # page texts changed: lists, search, marks
        _tell(parent, "OCR finished", str(said))
        if on_done is not None:
            on_done(str(said))

    def failed(message: str) -> None:
        controller.notify_sources_changed()
        _tell(parent, "OCR stopped", message)
        if on_done is not None:
            on_done(message)

    return run_with_progress(
        controller,
        lambda task: read_sources(controller.library, source_ids, task.report, task.cancel),
        parent,
        title="Reading text (OCR)",
        busy="reading text (OCR)",
        describe=lambda _done, _total, line: line,
        on_done=finished,
        on_error=failed,
    )


def _tell(parent: QWidget | None, title: str, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=parent)
    show_summary(box)
