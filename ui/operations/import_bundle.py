"""File > Import Bundle: verify first, show what the bundle holds and who
signed it, and merge only when the reviewer says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ui.controller import LibraryController
from ui.operations.progress import run_with_progress
from ui.workers import Task
from workstation.bundle_import import (
    TRUST_WORDS,
    BundleMerger,
    MergeSummary,
    OpenedBundle,
    open_bundle,
)
from workstation.crypt import is_age_file
from workstation.progress import Progress


def describe(opened: OpenedBundle) -> str:
    """A few lines a reviewer reads before merging."""
    s = opened.summary()
    lines = [
        f"Marking: {s['marking'] or 'none'}",
        f"From: {s['organisation'] or 'not stated'}",
        f"Checksums: all {len(opened.case.get('sources') or [])} source file(s) and the "
        "dossier match the manifests",
        f"Signature: {TRUST_WORDS.get(opened.trust, opened.trust)}"
        + (f" ({opened.signer_fingerprint[:16]}…)" if opened.signer_fingerprint else ""),
        f"{s['sources']} source(s) ({s['redacted_sources']} redacted), "
        f"{s['annotations']} annotation(s), {s['entities']} entit(ies), "
        f"{s['categories']} categor(ies)",
    ]
    return "\n".join(lines)


def import_bundle(
    controller: LibraryController, parent: QWidget | None, path: Path | None = None
) -> None:
    """Choose a bundle, open and verify it off the GUI thread, ask, then merge."""
    if path is None:
        chosen, _ = QFileDialog.getOpenFileName(
            parent, "Import bundle", "", "Bundles (*.zip *.age bagit.txt);;All files (*)"
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.name == "bagit.txt":
            path = path.parent
    identity: Path | None = None
    if path.is_file() and is_age_file(path):
        key, _ = QFileDialog.getOpenFileName(parent, "Your age identity (key file)", "")
        if not key:
            return
        identity = Path(key)
    library = controller.library

    def opened_done(result: Any) -> None:
        opened: OpenedBundle = result
        box = QMessageBox(parent)
        box.setWindowTitle("Import bundle")
        box.setText(f"{path.name} is a valid bundle.")
        box.setInformativeText(describe(opened))
        trusted = opened.trust == "trusted"
        box.setIcon(QMessageBox.Icon.Question if trusted else QMessageBox.Icon.Warning)
        merge = box.addButton(
            "Merge" if trusted else "Merge Anyway", QMessageBox.ButtonRole.AcceptRole
        )
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is not merge:
            opened.close()
            return
        controller.run(
            lambda: _merge(library, opened, not trusted),
            write=True,
            label="merging bundle",
            on_done=lambda summary: _merged(controller, parent, summary),
            on_error=lambda message: controller.errorOccurred.emit(f"Bundle not merged: {message}"),
        )

    def check(task: Task) -> OpenedBundle:
        def progress(p: Progress) -> None:
            task.report(p.done, p.total, p.current or "")

        return open_bundle(library, path, identity=identity, cancel=task.cancel, progress=progress)

    run_with_progress(
        controller,
        check,
        parent,
        title="Checking bundle",
        busy="checking bundle",
        describe=lambda done, total, step: f"{step.capitalize()}\n{done * 100 // max(total, 1)} %",
        on_done=opened_done,
        on_error=lambda message: controller.errorOccurred.emit(f"Bundle refused: {message}"),
        write=False,
    )


def _merge(library: Any, opened: OpenedBundle, accept_untrusted: bool) -> MergeSummary:
    try:
        return BundleMerger(library).merge(opened, accept_untrusted=accept_untrusted)
    finally:
        opened.close()


def _merged(controller: LibraryController, parent: QWidget | None, summary: MergeSummary) -> None:
    controller.notify_sources_changed()
    box = QMessageBox(parent)
    box.setWindowTitle("Bundle merged")
    box.setIcon(QMessageBox.Icon.Information)
    if summary.already_imported:
        box.setText(
            f"This bundle was imported on {summary.already_imported[:10]}; nothing changed."
        )
    else:
        box.setText("Bundle merged.")
        box.setInformativeText(
            f"Sources: {summary.sources_added} added, {summary.sources_present} already here\n"
            f"Annotations: {summary.annotations_added} added, {summary.annotations_updated} "
            f"new version(s), {summary.annotations_unchanged} unchanged\n"
            f"Entities: {summary.entities_added} added, {summary.entities_matched} matched\n"
            f"Categories added: {', '.join(summary.categories_added) or 'none'}"
        )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    # A box without a parent window is owned by nothing on the C++ side: hold it
    # until it is closed, or Python collects it before the reviewer sees it.
    _summary_boxes.append(box)
    box.finished.connect(lambda _result: _summary_boxes.remove(box))
    box.open()


_summary_boxes: list[QMessageBox] = []
