"""Titles and sizes in the window (issue 14): the reader shows a title once (a text
titled by its first line does not repeat it as a heading), and the library list
gives an image's pixel size, not "0 p."."""

from __future__ import annotations

from typing import Any

from tests.ui.desktop.app.test_main_window import _ids, _title_of
from tests.ui.desktop.conftest import wait_idle
from ui.desktop.app.main_window import MainWindow
from ui.desktop.viewers.article.article_view import ArticleView, title_opens


def _shown_text(window: MainWindow, qtbot: Any, source_id: int) -> str:
    window.open_source(source_id)
    wait_idle(qtbot, window.controller)
    viewer = window.documents.current.viewer
    assert isinstance(viewer, ArticleView)
    return viewer.browser.toPlainText()


def test_a_title_from_the_first_line_is_shown_once(window: MainWindow, qtbot: Any) -> None:
    memo = next(sid for sid in _ids(window) if _title_of(window, sid) == "Memo on Rajin")
    assert _shown_text(window, qtbot, memo).count("Memo on Rajin") == 1


def test_title_opens() -> None:
    assert title_opens("Memo on Rajin", "Memo on Rajin\nContainers")
    assert title_opens("Port visits at Nampo", "# Port visits  at Nampo\n\nObserved")
    assert title_opens("Satellite imagery shows…", "Satellite imagery shows the carrier")
    assert not title_opens("Panel report", "Summary page.")
    assert not title_opens("", "Anything")


def test_an_image_is_listed_by_its_pixel_size(window: MainWindow) -> None:
    from PySide6.QtCore import Qt

    model = window.library_panel.model
    image = next(sid for sid in _ids(window) if _title_of(window, sid).endswith(".jpg"))
    row = model.row_of(image)
    assert row is not None
    assert model.data(model.index(row, 4)) == "64×48"  # the Pages column
    tip = model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole)
    assert "64 × 48 px" in tip
    assert "0 p." not in tip
