"""A real main window on the test library, and opening an imported picture in it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from tests.ui.desktop.conftest import wait_idle
from ui.desktop.app.controller import LibraryController
from ui.desktop.app.main_window import MainWindow
from ui.desktop.viewers.frames import ImageSourceView
from workstation.core.library import Library
from workstation.sources.ingest import ImportService


@pytest.fixture
def window(qtbot: QtBot, library: Library, tmp_path: Path) -> Iterator[MainWindow]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(LibraryController(library), settings=settings)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    wait_idle(qtbot, win.controller)
    yield win
    win.close()


def open_picture(window: MainWindow, qtbot: QtBot, library: Library, path: Path) -> ImageSourceView:
    """Import ``path``, open it in the current pane and wait for its pyramid."""
    sid = ImportService(library).import_paths([path]).results[0].source_id
    assert sid is not None
    window.open_source(sid)
    wait_idle(qtbot, window.controller)
    viewer = window.documents.current.viewer
    assert isinstance(viewer, ImageSourceView)
    qtbot.waitUntil(lambda: viewer.view.pyramid is not None, timeout=10_000)
    return viewer
