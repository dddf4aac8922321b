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
