"""A layout nothing can break: long titles, saved states that no longer fit,
Reset Layout, and a small laptop screen (issue 14)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import QApplication, QMenu
from sqlalchemy import select

from db.models import Source
from tests import samples
from tests.conftest import ROOT
from tests.ui.desktop.conftest import wait_idle
from ui.desktop.app.controller import LibraryController
from ui.desktop.app.layout import DOCK_MAX_SHARE, layout_is_sane
from ui.desktop.app.main_window import MainWindow
from ui.desktop.app.settings import Settings
from workstation.core.library import Library
from workstation.sources.ingest import ImportService
from workstation.sources.lookup import update_source

LONG_TITLE = (
    "Satellite imagery reviewed by the panel shows that the bulk carrier anchored off "
    "Nampo for eleven days in March while two lighters shuttled between it and the coal "
    "terminal at the northern pier during the night, as the annex to this report sets out "
    "in detail with the dates of every visit"
)


def _long_titled(library: Library, tmp_path: Path) -> tuple[int, int]:
    """A text source with a 300-character title and a PDF, for two panes."""
    folder = tmp_path / "evidence"
    samples.make_text(folder, name="long.txt", text="Short line\n\nBody.\n")
    samples.make_pdf(folder, pages=2, name="report.pdf", title="Panel report")
    ImportService(library).import_paths([folder])
    with library.writer() as session:
        ids = {
            name: sid for sid, name in session.execute(select(Source.id, Source.original_filename))
        }
        update_source(library, session, ids["long.txt"], title=LONG_TITLE)
    return ids["long.txt"], ids["report.pdf"]


@pytest.fixture
def ini(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def _window(qtbot: Any, library: Library, ini: QSettings, *, again: bool = False) -> MainWindow:
    if again:  # the last window closed the library with its controller
        library = Library.open(library.root, reviewer="alice")
    win = MainWindow(LibraryController(library), settings=ini)
    qtbot.addWidget(win)
    win.show()
    wait_idle(qtbot, win.controller)
    QApplication.processEvents()
    return win


@pytest.fixture
def window(qtbot: Any, library: Library, ini: QSettings) -> Iterator[MainWindow]:
    win = _window(qtbot, library, ini)
    yield win
    win.close()


def test_a_300_character_title_never_widens_the_window(
    window: MainWindow, library: Library, tmp_path: Path, qtbot: Any
) -> None:
    text_id, pdf_id = _long_titled(library, tmp_path)
    area = window.screen().availableGeometry()
    window.open_source(text_id)
    window.documents.split(Qt.Orientation.Horizontal)
    window.open_source(pdf_id)
    wait_idle(qtbot, window.controller)
    QApplication.processEvents()
    first = next(pane for pane in window.documents.panes() if pane.source_id == text_id)
    assert first.title.text() == LONG_TITLE  # the whole title is there, shown shortened
    assert first.title.shown_text().endswith("…")
    assert LONG_TITLE in first.title.toolTip()
    assert window.minimumSizeHint().width() <= area.width()
    assert window.frameGeometry().width() <= area.width()
    assert window.inspector_dock.isVisible()
    dock = window.inspector_dock.geometry()
    assert dock.right() <= window.width()  # on screen, not pushed past the edge
    # Closing the pane gives the room back; nothing grew on the way.
    window.documents.close_pane()
    QApplication.processEvents()
    assert window.frameGeometry().width() <= area.width()


def test_at_1024_by_768_an_open_article_fits_the_screen(library: Library, tmp_path: Path) -> None:
    """In a fresh interpreter on a 1024×768 offscreen screen (the in-process one is 800×800)."""
    text_id, pdf_id = _long_titled(library, tmp_path)
    library.close()
    config = tmp_path / "screen.json"
    config.write_text(
        '{"screens":[{"name":"laptop","x":0,"y":0,"width":1024,"height":768,'
        '"logicalDpi":96,"logicalBaseDpi":96,"dpr":1}]}'
    )
    script = f"""
from pathlib import Path
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QMenu
from sqlalchemy import select
from tests.ui.desktop.conftest import settle
from ui.desktop.app.app import make_application
from ui.desktop.app.controller import LibraryController
from ui.desktop.app.main_window import MainWindow
from workstation.core.library import Library
app = make_application()
win = MainWindow(LibraryController(Library.open(Path({str(library.root)!r}), reviewer="a")),
                 settings=QSettings({str(tmp_path / "s.ini")!r}, QSettings.Format.IniFormat))
win.show()
settle(win.controller)
win.open_source({text_id})
win.documents.split(Qt.Orientation.Horizontal)
win.open_source({pdf_id})
settle(win.controller)
area = win.screen().availableGeometry()
print(area.width(), win.frameGeometry().width(), win.minimumSizeHint().width(),
      int(win.inspector_dock.isVisible()), win.inspector_dock.geometry().right())
win.close()
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        },
        check=True,
    )
    screen, window_width, minimum, inspector, inspector_right = map(int, done.stdout.split()[-5:])
    assert screen == 1024
    assert window_width <= screen
    assert minimum <= screen
    assert inspector == 1
    assert inspector_right <= window_width


def test_a_saved_state_that_does_not_fit_is_not_kept(
    window: MainWindow, ini: QSettings, library: Library, qtbot: Any
) -> None:
    window.resizeDocks(
        [window.library_dock], [int(window.width() * 0.8)], Qt.Orientation.Horizontal
    )
    QApplication.processEvents()
    assert not layout_is_sane(window)
    window.close()
    assert Settings(ini).window_state is None  # forgotten, not saved broken


def test_a_broken_saved_state_gives_the_defaults(
    library: Library, ini: QSettings, qtbot: Any
) -> None:
    # A state saved by a window whose library dock took most of its width,
    # as the long title once left it, written straight into the settings.
    first = _window(qtbot, library, ini)
    first.resizeDocks([first.library_dock], [int(first.width() * 0.8)], Qt.Orientation.Horizontal)
    QApplication.processEvents()
    broken = first.saveState()
    first.close()
    Settings(ini).window_state = broken

    second = _window(qtbot, library, ini, again=True)
    qtbot.waitUntil(lambda: layout_is_sane(second))
    assert second.library_dock.width() <= second.width() * DOCK_MAX_SHARE
    assert second.inspector_dock.isVisible()
    second.close()

    # Garbage in the settings file: the defaults, and no error.
    Settings(ini).window_state = QByteArray(b"not a state at all")
    third = _window(qtbot, library, ini, again=True)
    qtbot.waitUntil(lambda: layout_is_sane(third))
    assert third.library_dock.isVisible()
    assert third.inspector_dock.isVisible()
    third.close()


def test_reset_layout_brings_docks_and_columns_back(window: MainWindow, qtbot: Any) -> None:
    window.inspector_dock.hide()
    window.library_dock.setFloating(True)
    table = window.library_panel.table
    table.setColumnHidden(1, True)  # Date
    table.setColumnHidden(3, True)  # Marks
    window.reset_layout_action.trigger()
    QApplication.processEvents()
    assert window.inspector_dock.isVisible()
    assert not window.library_dock.isFloating()
    assert not table.isColumnHidden(1)
    assert not table.isColumnHidden(3)
    qtbot.waitUntil(lambda: layout_is_sane(window))
    view = next(m for m in window.menuBar().findChildren(QMenu) if m.title() == "&View")
    assert window.reset_layout_action in view.actions()
