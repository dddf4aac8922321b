"""Start the desktop app: QApplication, appearance, the first library."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox

from ui.desktop.app.controller import LibraryController
from ui.desktop.app.main_window import MainWindow
from ui.desktop.app.settings import Settings
from workstation.core.config import REVIEWER_ENV, resolve_reviewer
from workstation.core.errors import WorkstationError
from workstation.core.library import Library

ORG = "EvidenceWorkstation"
APP = "Evidence Workstation"


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with names (for QSettings) and the Fusion style.

    Fusion follows the system's light or dark colour scheme in Qt 6.5+.
    """
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    QCoreApplication.setOrganizationName(ORG)
    QCoreApplication.setApplicationName(APP)
    # Workers (import, rendering, search) are Python threads; a shorter GIL
    # switch interval than the default 5 ms lets the GUI thread back in
    # sooner, which keeps drawing and input smooth while they run.
    sys.setswitchinterval(0.001)
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setStyle("Fusion")
    app.setApplicationDisplayName(APP)
    return app


def ask_reviewer(settings: Settings, given: str | None) -> str | None:
    """The reviewer's name: given (--reviewer or $WORKSTATION_REVIEWER),
    remembered, or asked once on first start."""

    given = given or os.environ.get(REVIEWER_ENV, "").strip() or None
    if given:
        return given
    if settings.reviewer:
        return settings.reviewer

    name, ok = QInputDialog.getText(
        None,
        "Who is reviewing?",
        "Your name is recorded on every change you make (audit trail):",
        QLineEdit.EchoMode.Normal,
        resolve_reviewer(None),
    )
    if not ok or not name.strip():
        return None
    settings.reviewer = name
    return name.strip()


NO_REVIEWER = (
    "Evidence Workstation records who made every change (the audit trail), so it "
    "needs your name before it opens a library.\n\n"
    "Start it again and enter your name, or give it on the command line: "
    'workstation --reviewer "Your Name" gui, or set WORKSTATION_REVIEWER.'
)


def reviewer_or_explain(settings: Settings, given: str | None) -> str | None:
    """The reviewer's name (``ask_reviewer``); when the reviewer cancels, say why
    the app cannot start without one instead of quitting silently."""
    name = ask_reviewer(settings, given)
    if name is None:
        sys.stderr.write(
            "workstation: no reviewer name given (the audit trail needs one); "
            "use --reviewer or WORKSTATION_REVIEWER\n"
        )
        QMessageBox.information(None, "No reviewer name", NO_REVIEWER)
    return name


class AppShell:
    """Keeps the current window; File > Open Library swaps it."""

    def __init__(self, reviewer: str, settings: Settings) -> None:
        self.reviewer = reviewer
        self.settings = settings
        self.window: MainWindow | None = None

    def open(self, path: Path, create: bool = False) -> MainWindow:
        library = Library.open(path, reviewer=self.reviewer, create=create)
        controller = LibraryController(library)
        window = MainWindow(controller, settings=self.settings, open_library=self.open)
        window.remember_library(library.root)
        old = self.window
        self.window = window
        window.show()
        if old is not None:
            old.close()
        QTimer.singleShot(500, controller.warm_up)
        return window


def run_gui(
    library_path: Path, *, reviewer: str | None, create: bool, show: Sequence[int] = ()
) -> int:
    """Open the app on a library, with ``show`` sources side by side; the exit code."""
    app = make_application()
    settings = Settings()
    name = reviewer_or_explain(settings, reviewer)
    if name is None:
        return 1
    shell = AppShell(name, settings)
    try:
        window = shell.open(library_path, create)
    except WorkstationError as exc:
        QMessageBox.critical(None, APP, exc.message)
        return 1
    for n, source_id in enumerate(show):
        if n:
            window.documents.split(Qt.Orientation.Horizontal)
        window.open_source(source_id)
    if not show:
        window.restore_session()  # where the reviewer left off
    return int(app.exec())
