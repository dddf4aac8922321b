"""What the app shows of issue 12's promises, on real libraries and bundles: the export
preview says how many other occurrences of a redacted passage go from which source, and
the summary after File > Import Bundle lists the conflicts a bundle was not allowed to
settle."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db.models import Source
from tests import samples
from ui.desktop.app.controller import LibraryController
from ui.desktop.bundles.export_dialog import ExportDialog
from ui.desktop.ops.import_bundle import import_bundle
from workstation.annotations.service import AnnotationService, find_quote
from workstation.bundles.export import BundleExporter, ExportOptions
from workstation.bundles.plan import ExportScope, plan_export
from workstation.bundles.profiles import Profile, save_profile
from workstation.core.library import Library
from workstation.sources.ingest import ImportService

NAME = "Kim Chol-su"


def _library(path: Path, files: Path, reviewer: str) -> Library:
    lib = Library.open(path, reviewer=reviewer, create=True)
    ImportService(lib).import_paths([files])
    return lib


def _mark(lib: Library, filename: str, **kw: object) -> str:
    with lib.writer() as session:
        source = session.scalar(select(Source).where(Source.original_filename == filename))
        assert source is not None
        made = AnnotationService(lib).create(
            session, source.id, find_quote(session, source, NAME), **kw
        )
    return made.uuid


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    samples.make_pdf(folder, pages=1, texts=[f"Informant {NAME} saw shells."], name="report.pdf")
    samples.make_pdf(
        folder, pages=2, texts=["Annex.", f"Statement of {NAME} at Rajin."], name="annex.pdf"
    )
    return folder


@pytest.fixture
def controller(files: Path, tmp_path: Path) -> Iterator[LibraryController]:
    lib = _library(tmp_path / "ours", files, "alice")
    _mark(lib, "report.pdf", redact=True)
    with lib.writer() as session:
        save_profile(lib, session, Profile("partner", "RESTRICTED"))
    ctl = LibraryController(lib)
    yield ctl
    ctl.shutdown()
    lib.close()


def test_the_preview_says_which_other_occurrences_go(
    qtbot: QtBot, controller: LibraryController
) -> None:
    dialog = ExportDialog(controller)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.previewed, timeout=10_000):
        dialog.show()
    qtbot.waitUntil(lambda: dialog.plan is not None and controller.idle, timeout=10_000)
    tree = dialog.preview
    headers = [tree.headerItem().text(c) for c in range(tree.columnCount())]
    column = headers.index("Also removed")
    rows = {
        tree.topLevelItem(i).toolTip(0).split("\n")[0]: tree.topLevelItem(i)
        for i in range(tree.topLevelItemCount())
    }
    annex = rows["annex.pdf"]
    assert annex.text(1) == "redacted derivative"  # it holds the name, unmarked
    assert annex.text(column) == "1"
    assert "1 on page 2" in annex.toolTip(column)
    assert rows["report.pdf"].text(column) == "—"
    assert "1 other occurrence(s) of redacted passages removed" in dialog.summary_label.text()
    dialog.close()


def test_the_import_summary_lists_the_conflicts(
    qtbot: QtBot, controller: LibraryController, files: Path, tmp_path: Path
) -> None:
    library = controller.library
    uuid = _mark(library, "annex.pdf", redact=True, note="ours")
    theirs = _library(tmp_path / "theirs", files, "partner")
    try:
        _mark(theirs, "annex.pdf", note="theirs", annotation_uuid=uuid)
        bundle = tmp_path / "bundle.zip"
        BundleExporter(theirs).export(plan_export(theirs, ExportScope()), ExportOptions(out=bundle))
    finally:
        theirs.close()

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, answer)
            return
        next(b for b in box.buttons() if b.text() == "&Merge Anyway").click()

    QTimer.singleShot(50, answer)
    import_bundle(controller, None, bundle)

    def summary() -> QMessageBox | None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QMessageBox) and w.isVisible() and w.windowTitle() == "Bundle merged":
                return w
        return None

    qtbot.waitUntil(lambda: summary() is not None, timeout=60_000)
    box = summary()
    assert box is not None
    assert "1 conflict(s)" in box.informativeText()
    assert box.icon() == QMessageBox.Icon.Warning
    assert f"annotation {uuid}: made in this library" in box.detailedText()
    box.close()
    with library.reader() as session:
        kept = AnnotationService(library).get(session, uuid)
    assert (kept.redact, kept.note) == (True, "ours")
