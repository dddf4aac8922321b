"""The desktop app starts on the demo library, opens its sources and closes with no network use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from tests.conftest import run_cli
from tests.network_guard import inet_sockets_open, no_network
from tests.ui.desktop.conftest import wait_idle
from ui.desktop.app.controller import LibraryController
from ui.desktop.app.main_window import MainWindow
from workstation.core.library import Library
from workstation.sources.lookup import list_sources


def test_gui_start_on_the_demo_library_opens_no_socket(qtbot: Any, tmp_path: Path) -> None:
    lib_path = tmp_path / "lib"
    with no_network() as seen:
        assert run_cli("--library", str(lib_path), "demo", "--no-gui").returncode == 0
        library = Library.open(lib_path, reviewer="alice")
        with library.reader() as session:
            rows = list_sources(session)
        controller = LibraryController(library)
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(controller, settings=settings)
        qtbot.addWidget(window)
        window.show()
        controller.warm_up()
        # As `workstation demo` opens it: the report beside the satellite image.
        window.open_source(next(r.source_id for r in rows if r.kind == "pdf"))
        window.documents.split(Qt.Orientation.Horizontal)
        window.open_source(next(r.source_id for r in rows if r.kind == "image"))
        wait_idle(qtbot, controller)
        qtbot.wait(200)
        QApplication.processEvents()
        held = inet_sockets_open()
        window.close()
        QApplication.processEvents()
    assert seen == [], f"network use during the GUI start: {seen}"
    assert held == [], f"sockets open during the GUI start: {held}"
