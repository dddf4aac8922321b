"""Fixtures of the main-window tests: a library with one source of each kind,
and a window on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from tests import samples
from tests.ui.desktop.conftest import wait_idle
from ui.desktop.app.controller import LibraryController
from ui.desktop.app.main_window import MainWindow
from workstation.core.library import Library
from workstation.sources.ingest import ImportService


@pytest.fixture
def filled(library: Library, tmp_path: Path) -> Library:
    folder = tmp_path / "evidence"
    samples.make_pdf(
        folder,
        pages=3,
        name="report.pdf",
        title="Panel report",
        texts=["Summary page.", "The tanker SKY VENUS met AMBER TIDE off Nampo.", "Annex."],
    )
    samples.make_article_html(folder)
    samples.make_text(
        folder, name="memo.txt", text="Memo on Rajin\nContainers stacked at pier 3 of Rajin."
    )
    samples.make_jpeg(folder)
    ImportService(library).import_paths([folder])
    return library


@pytest.fixture
def window(qtbot: object, filled: Library, tmp_path: Path) -> Iterator[MainWindow]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    controller = LibraryController(filled)
    win = MainWindow(controller, settings=settings)
    qtbot.addWidget(win)  # type: ignore[attr-defined]
    win.show()
    wait_idle(qtbot, controller)
    yield win
    win.close()


def next_window(qtbot: object, filled: Library, tmp_path: Path) -> MainWindow:
    """A second window on the library and settings of ``window`` (after it closed,
    which closed its library): what the next start of the app sees."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    again = MainWindow(
        LibraryController(Library.open(filled.root, reviewer="alice")), settings=settings
    )
    qtbot.addWidget(again)  # type: ignore[attr-defined]
    again.show()
    return again
