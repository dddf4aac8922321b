"""The library panel on a real library: a narrow dock keeps room for titles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests import samples
from tests.ui.desktop.conftest import wait_idle
from ui.desktop.app.controller import LibraryController
from ui.desktop.library.library_panel import NARROW_LIST_PX, OPTIONAL_COLUMNS, LibraryPanel
from workstation.core.library import Library
from workstation.sources.ingest import ImportService


@pytest.fixture
def panel(qtbot: QtBot, library: Library, tmp_path: Path) -> Iterator[LibraryPanel]:
    folder = tmp_path / "evidence"
    samples.make_text(folder, name="memo.txt", text="A memo with a long title line\nbody")
    ImportService(library).import_paths([folder])
    controller = LibraryController(library)
    widget = LibraryPanel(controller)
    qtbot.addWidget(widget)
    widget.show()
    wait_idle(qtbot, controller)
    yield widget
    controller.shutdown()


def test_a_narrow_list_hides_grade_and_pages_so_titles_keep_room(
    panel: LibraryPanel, qtbot: QtBot
) -> None:
    table = panel.table
    panel.resize(NARROW_LIST_PX + 300, 400)
    qtbot.waitUntil(lambda: table.viewport().width() >= NARROW_LIST_PX)
    assert not any(table.isColumnHidden(c) for c in OPTIONAL_COLUMNS)
    panel.resize(300, 400)  # a laptop's dock
    qtbot.waitUntil(lambda: all(table.isColumnHidden(c) for c in OPTIONAL_COLUMNS))
    assert table.columnWidth(0) > table.viewport().width() // 3  # the title column
    panel.resize(NARROW_LIST_PX + 300, 400)
    qtbot.waitUntil(lambda: not any(table.isColumnHidden(c) for c in OPTIONAL_COLUMNS))
