"""File > Import Bundle: verify first, show what the bundle holds and who
signed it, and merge only when the reviewer says so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ui.desktop.app.controller import LibraryController
from ui.desktop.app.settings import Settings
from ui.desktop.ops.progress import roomy, run_with_progress, show_summary
from ui.desktop.ops.workers import Task
from workstation.bundles.age import is_age_file
from workstation.bundles.import_ import (
    TRUST_WORDS,
    BundleMerger,
    MergeSummary,
    OpenedBundle,
    open_bundle,
)
from workstation.bundles.verify import BundleVerdict
from workstation.bundles.verify import verify_bundle as check_bundle
from workstation.core.progress import CancelToken, Progress, ProgressCallback


def describe(opened: OpenedBundle) -> str:
    """A few lines a reviewer reads before merging."""
    s = opened.summary()
    lines = [
        f"Marking: {s['marking'] or 'none'}",
        f"From: {s['organisation'] or 'not stated'}",
        f"Checksums: every file matches the bundle's manifests "
        f"({len(opened.case.get('sources') or [])} source file(s) and the report)",
        f"Signature: {TRUST_WORDS.get(opened.trust, opened.trust)}"
        + (f" ({opened.signer_fingerprint[:16]}…)" if opened.signer_fingerprint else ""),
        "Holds: "
        + ", ".join(
            [
                _count(s["sources"], "source") + f" ({s['redacted_sources']} redacted)",
                _count(s["annotations"], "annotation"),
                _count(s["entities"], "entity", "entities"),
                _count(s["categories"], "category", "categories"),
            ]
        ),
    ]
    return "\n".join(lines)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def choose_bundle(
    parent: QWidget | None,
    title: str,
    path: Path | None = None,
    settings: Settings | None = None,
) -> tuple[Path, Path | None] | None:
    """The bundle (a zip, an .age file, or a bag folder by its bagit.txt) and, for an
    .age bundle, the reviewer's age identity; None when the reviewer cancels.

    The dialogs start where bundles and keys were last chosen (``settings``), else
    in the home folder, never in the program's working directory.
    """
    settings = settings or Settings()
    if path is None:
        chosen, _ = QFileDialog.getOpenFileName(
            parent,
            title,
            settings.folder("bundles"),
            "Bundles (*.zip *.age bagit.txt);;All files (*)",
        )
        if not chosen:
            return None
        settings.remember_folder("bundles", Path(chosen).parent)
        path = Path(chosen)
        if path.name == "bagit.txt":
            path = path.parent
    identity: Path | None = None
    if path.is_file() and is_age_file(path):
        key, _ = QFileDialog.getOpenFileName(
            parent, "Your age identity (key file)", settings.folder("keys")
        )
        if not key:
            return None
        settings.remember_folder("keys", key)
        identity = Path(key)
    return path, identity


FAILURES_SHOWN = 3


def failure_text(verdict: BundleVerdict) -> str:
    """The main line of a failed verify: the bundle, and what failed (the first
    problems themselves, not only under Show Details)."""
    problems = list(verdict.problems) or ["a check failed"]
    shown = "\n".join(f"• {p}" for p in problems[:FAILURES_SHOWN])
    more = len(problems) - FAILURES_SHOWN
    extra = f"\n… and {more} more (Show Details…)" if more > 0 else ""
    return f"{verdict.path.name} is NOT valid: do not rely on it.\n{shown}{extra}"


def verify_bundle(
    controller: LibraryController,
    parent: QWidget | None,
    path: Path | None = None,
    identity: Path | None = None,
    settings: Settings | None = None,
) -> None:
    """File > Verify Bundle: check a bundle without importing it, and say what was found."""
    if path is None or (identity is None and path.is_file() and is_age_file(path)):
        chosen = choose_bundle(parent, "Verify bundle", path, settings)
        if chosen is None:
            return
        path, identity = chosen
    library = controller.library

    def checked(result: Any) -> None:
        verdict: BundleVerdict = result
        box = QMessageBox(parent)
        box.setWindowTitle("Verify bundle")
        if verdict.valid:
            box.setIcon(
                QMessageBox.Icon.Information
                if verdict.trust == "trusted"
                else QMessageBox.Icon.Warning
            )
            box.setText(
                f"{verdict.path.name} is intact: every file matches its checksum."
                + ("" if verdict.trust == "trusted" else " Who made it is not confirmed.")
            )
        else:
            box.setIcon(QMessageBox.Icon.Critical)
            box.setText(failure_text(verdict))
            box.setDetailedText("\n".join(verdict.problems))
        signer = f" {verdict.signer[:16]}…" if verdict.signer else ""
        who = f" ({verdict.signer_name})" if verdict.signer_name else ""
        trust = TRUST_WORDS.get(verdict.trust, verdict.trust)
        if not verdict.valid and verdict.signature == "good":
            # The signature is over the manifests; the files no longer match them.
            trust = f"the manifests are {trust}, but the files do not match them"
        box.setInformativeText(
            f"{verdict.files} file(s), {verdict.bytes:,} bytes"
            + (", every checksum matches" if verdict.valid else "")
            + f"\nSignature: {trust}{signer}{who}"
            + ("\nThe signature is BAD." if verdict.signature == "bad" else "")
        )
        show_summary(box)

    _check_in_background(
        controller,
        parent,
        lambda cancel, progress: check_bundle(
            path, identity=identity, library=library, cancel=cancel, progress=progress
        ),
        title="Verifying bundle",
        on_done=checked,
        refused="Not verified",
    )


def _check_in_background(
    controller: LibraryController,
    parent: QWidget | None,
    work: Callable[[CancelToken, ProgressCallback], Any],
    *,
    title: str,
    on_done: Callable[[Any], None],
    refused: str,
) -> None:
    """Run a check of a bundle on the read pool with a progress dialog and Cancel."""

    def check(task: Task) -> Any:
        def progress(p: Progress) -> None:
            task.report(p.done, p.total, p.current or "")

        return work(task.cancel, progress)

    run_with_progress(
        controller,
        check,
        parent,
        title=title,
        busy=title.lower(),
        describe=lambda done, total, step: (
            f"{(step or 'checking').capitalize()}\n{done * 100 // max(total, 1)} %"
        ),
        on_done=on_done,
        on_error=lambda message: controller.errorOccurred.emit(f"{refused}: {message}"),
        write=False,
    )


def import_bundle(
    controller: LibraryController,
    parent: QWidget | None,
    path: Path | None = None,
    settings: Settings | None = None,
) -> None:
    """Choose a bundle, open and verify it off the GUI thread, ask, then merge."""
    chosen = choose_bundle(parent, "Import bundle", path, settings)
    if chosen is None:
        return
    path, identity = chosen
    library = controller.library

    def opened_done(result: Any) -> None:
        opened: OpenedBundle = result
        box = QMessageBox(parent)
        box.setWindowTitle("Import bundle")
        trusted = opened.trust == "trusted"
        if trusted:
            box.setText(f"{path.name}: intact, and signed by a key you trust. Merge it?")
        else:
            who = TRUST_WORDS.get(opened.trust, opened.trust)
            why = (
                "nothing shows who made it"
                if opened.trust == "unsigned"
                else "you have not confirmed who holds that key"
            )
            box.setText(
                f"{path.name}: the files are intact, but it is {who}: {why}. "
                "Merge only if you know where it came from."
            )
        box.setInformativeText(describe(opened))
        box.setIcon(QMessageBox.Icon.Question if trusted else QMessageBox.Icon.Warning)
        merge = box.addButton(
            "&Merge" if trusted else "&Merge Anyway", QMessageBox.ButtonRole.AcceptRole
        )
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        # Enter by habit must not merge what nobody vouches for.
        box.setDefaultButton(merge if trusted else cancel)
        roomy(box).exec()
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

    _check_in_background(
        controller,
        parent,
        lambda cancel, progress: open_bundle(
            library, path, identity=identity, cancel=cancel, progress=progress
        ),
        title="Checking bundle",
        on_done=opened_done,
        refused="Bundle refused",
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
            f"Entities: {summary.entities_added} added, {summary.entities_updated} updated, "
            f"{summary.entities_matched} matched\n"
            f"Findings: {summary.findings_added} added, {summary.findings_updated} updated, "
            f"{summary.findings_unchanged} unchanged\n"
            + "".join(f"  {line}\n" for line in summary.finding_lines())
            + f"Categories added: {', '.join(summary.categories_added) or 'none'}"
            + (
                f"\n\n{len(summary.conflicts)} conflict(s): the bundle would have changed "
                "records it did not create; yours were kept (Show Details)."
                if summary.conflicts
                else ""
            )
        )
        if summary.conflicts:
            box.setIcon(QMessageBox.Icon.Warning)
            box.setDetailedText("\n".join(summary.conflict_lines()))
    show_summary(box)
