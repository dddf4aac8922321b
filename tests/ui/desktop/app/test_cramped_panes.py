"""Cramped panes (issue 14): the PDF toolbar's » menu offers what did not fit, the
page strip can be hidden (and stays hidden), library rows are compact, and one
click on a search hit shows its source in the Inspector."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests import samples
from tests.ui.desktop.app.conftest import next_window
from tests.ui.desktop.app.test_main_window import _ids, _title_of
from tests.ui.desktop.conftest import wait_idle
from ui.desktop.app.main_window import MainWindow
from ui.desktop.viewers.pdf.pdf_view import PdfView
from workstation.core.library import Library


def test_the_overflow_menu_offers_the_hidden_controls(qtbot: Any, tmp_path: Path) -> None:
    view = PdfView(samples.make_pdf(tmp_path, pages=2))
    qtbot.addWidget(view)
    view.resize(800, 400)
    view.show()
    qtbot.waitUntil(view.is_loaded)
    toolbar = view.toolbar
    assert toolbar.hidden_widgets() == []
    view.resize(190, 400)  # a pane split three ways on a laptop
    qtbot.waitUntil(lambda: toolbar.find_button in toolbar.hidden_widgets())
    button = toolbar.overflow_button()
    assert button is not None
    assert button.isVisible()
    menu = button.menu()
    assert menu is not None
    menu.aboutToShow.emit()  # as when the » is clicked
    texts = [action.text() for action in menu.actions()]
    assert "Find" in texts  # it was empty before: Qt cannot show widgets in a menu
    assert "Zoom" in texts
    find = next(action for action in menu.actions() if action.text() == "Find")
    find.trigger()
    assert view.find_bar.isVisible()


def test_the_page_strip_hides_and_stays_hidden(
    window: MainWindow, qtbot: Any, filled: Library, tmp_path: Path
) -> None:
    report = next(sid for sid in _ids(window) if _title_of(window, sid) == "Panel report")
    window.open_source(report)
    wait_idle(qtbot, window.controller)
    viewer = window.documents.current.viewer
    assert viewer.strip.isVisible()
    assert viewer.strip.width() <= 110  # narrower than before (136 px)
    window.page_strip_action.trigger()
    assert not viewer.strip.isVisible()
    window.close()

    # The next window (same settings) opens PDFs without it.
    again = next_window(qtbot, filled, tmp_path)
    assert not again.page_strip_action.isChecked()
    again.open_source(report)
    wait_idle(qtbot, again.controller)
    assert not again.documents.current.viewer.strip.isVisible()
    again.close()


def test_library_rows_are_compact_unless_thumbnails_are_asked_for(
    window: MainWindow,
) -> None:
    table = window.library_panel.table
    compact = table.verticalHeader().defaultSectionSize()
    assert compact <= table.fontMetrics().height() + 8  # was 46 px
    window.list_thumbnails_action.trigger()
    assert table.verticalHeader().defaultSectionSize() >= 40
    assert window.settings.list_thumbnails
    window.list_thumbnails_action.trigger()
    assert table.verticalHeader().defaultSectionSize() == compact


def test_one_click_on_a_search_hit_shows_its_source_in_the_inspector(
    window: MainWindow, qtbot: Any
) -> None:
    memo = next(sid for sid in _ids(window) if _title_of(window, sid) == "Memo on Rajin")
    panel = window.search_panel
    panel.box.setText("Containers")
    panel.run_query()
    qtbot.waitUntil(lambda: panel.hits.count() > 0, timeout=10_000)
    window.left_tabs.setCurrentWidget(panel)
    QApplication.processEvents()
    rect = panel.hits.visualItemRect(panel.hits.item(0))
    qtbot.mouseClick(panel.hits.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.inspector.source_id == memo
    assert window.documents.current.source_id is None  # one click shows, it does not open
