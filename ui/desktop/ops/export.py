"""Export a bundle from the window: the export dialog, then a worker with a
progress dialog and Cancel, then a summary of what was written."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from ui.desktop.app.controller import LibraryController
from ui.desktop.app.settings import Settings
from ui.desktop.bundles.export_dialog import ExportDialog
from ui.desktop.ops.progress import run_with_progress, show_summary
from ui.desktop.ops.workers import Task
from workstation.bundles.export import BundleExporter, ExportOptions, ExportResult
from workstation.bundles.plan import ExportPlan
from workstation.core.progress import Progress


def run_export(
    controller: LibraryController,
    plan: ExportPlan,
    options: ExportOptions,
    parent: QWidget | None,
    *,
    on_done: Callable[[ExportResult], None] | None = None,
    show_summary: bool = True,
) -> Task:
    """Write the bundle on a worker (the library is not changed but for the audit event)."""
    library = controller.library

    def work(task: Task) -> ExportResult:
        def progress(p: Progress) -> None:
            task.report(p.done, p.total, p.current or "")

        return BundleExporter(library).export(plan, options, progress=progress, cancel=task.cancel)

    def finished(result: ExportResult) -> None:
        def recorded(_: None) -> None:
            if show_summary:
                _summary(parent, result)
            if on_done is not None:
                on_done(result)

        # The audit trail says what left the library, in a transaction of its own.
        controller.write(
            lambda session: library.record(
                session, "bundle.export", "bundle", result.bundle_id, result.as_json()
            ),
            recorded,
        )

    running: list[Task] = []

    def failed(message: str) -> None:
        if running and running[0].cancel.cancelled:
            # Cancel pressed: the exporter's staging has removed what it began.
            if show_summary:
                _cancelled(parent, options)
            return
        controller.errorOccurred.emit(f"Export stopped: {message}")

    task = run_with_progress(
        controller,
        work,
        parent,
        title="Exporting",
        busy="exporting",
        describe=lambda done, total, name: f"Writing {done} of {total}\n{name}",
        on_done=finished,
        on_error=failed,
    )
    running.append(task)
    return task


def export_from_dialog(
    controller: LibraryController,
    parent: QWidget | None,
    selected: Sequence[int] = (),
    *,
    case: str | None = None,
    settings: Settings | None = None,
) -> None:
    """File > Export Bundle; ``selected`` are the sources selected in the library list,
    ``case`` the case it shows (the scope starts with them)."""

    dialog = ExportDialog(controller, parent, selected, case=case, settings=settings)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.plan is None:
        return
    run_export(controller, dialog.plan, dialog.options(), parent)


def _cancelled(parent: QWidget | None, options: ExportOptions) -> None:
    box = QMessageBox(parent)
    box.setWindowTitle("Export cancelled")
    box.setIcon(QMessageBox.Icon.Information)
    box.setText("Export cancelled; nothing was written.")
    box.setInformativeText(f"{options.out.name} was not written; the export left no files behind.")
    show_summary(box)


def _summary(parent: QWidget | None, result: ExportResult) -> None:
    box = QMessageBox(parent)
    box.setWindowTitle("Bundle written")
    box.setIcon(QMessageBox.Icon.Information)
    box.setText(f"Wrote {result.path.name}")
    lines = [
        f"{result.sources} source(s), {result.redacted_sources} redacted",
        f"{result.annotations} annotation(s), {result.withheld} withheld",
        f"{result.files} file(s), {result.payload_bytes:,} bytes",
        *(
            [
                f"{sum(o.count for o in result.occurrences)} other occurrence(s) of "
                "redacted passages removed"
            ]
            if result.occurrences
            else []
        ),
        "signed by " + result.signed_by[:16] if result.signed_by else "not signed",
        f"encrypted for {len(result.encrypted_for)} recipient(s)"
        if result.encrypted_for
        else "not encrypted",
    ]
    box.setInformativeText("\n".join(lines))
    details = [
        *(f"{o.title}: {o.describe()}" for o in result.occurrences),
        *result.warnings,
    ]
    if details:
        box.setDetailedText("\n".join(details))
    show_summary(box)
