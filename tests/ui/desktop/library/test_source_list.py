"""Library list thumbnails: a tall page and a wide photo take the same square."""

from __future__ import annotations

from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot


def test_thumbnails_take_a_square_so_titles_line_up(qtbot: QtBot) -> None:
    from PySide6.QtGui import QImage

    from ui.desktop.library.source_list_model import THUMB_PX, _square

    tall = QImage(60, 120, QImage.Format.Format_RGB32)
    tall.fill(QColor("#ffffff"))
    squared = _square(tall)
    assert (squared.width(), squared.height()) == (THUMB_PX, THUMB_PX)
    assert squared.pixelColor(0, THUMB_PX // 2).alpha() == 0  # clear beside a tall page
    assert squared.pixelColor(THUMB_PX // 2, THUMB_PX // 2).alpha() == 255


def test_a_row_read_before_an_edit_does_not_come_back_stale(
    qtbot: QtBot, library: object, tmp_path: object
) -> None:
    from pathlib import Path

    from tests import samples
    from tests.ui.desktop.conftest import wait_idle
    from ui.desktop.app.controller import LibraryController
    from ui.desktop.library.source_list_model import SourceListModel
    from workstation.core.library import Library
    from workstation.sources.ingest import ImportService
    from workstation.sources.lookup import update_source

    assert isinstance(library, Library)
    folder = Path(str(tmp_path)) / "evidence"
    samples.make_text(folder, name="memo.txt", text="Old title\nbody")
    ImportService(library).import_paths([folder])
    controller = LibraryController(library)
    try:
        model = SourceListModel(controller)
        wait_idle(qtbot, controller)
        sid = model.source_id_at(0)
        assert model.item(0) is None  # not read yet: its block is asked for
        controller.read_pool.waitForDone()  # read; the rows wait in the event queue
        with library.writer() as session:
            update_source(library, session, sid, title="New title")
        model.invalidate(sid)  # the edit's notice comes before the old rows
        qtbot.waitUntil(lambda: (item := model.item(0)) is not None and item.title == "New title")
    finally:
        controller.shutdown()
