"""First start and discoverability (issue 14): the last session comes back, an
empty library shows a start page, Cancel on the reviewer prompt explains, and
Help lists the keys from the menus themselves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox, QTextBrowser

from tests.ui.desktop.app.conftest import next_window
from tests.ui.desktop.app.test_main_window import _ids, _title_of
from tests.ui.desktop.conftest import wait_idle
from ui.desktop.app.app import NO_REVIEWER, reviewer_or_explain
from ui.desktop.app.controller import LibraryController
from ui.desktop.app.help import menu_shortcuts, shortcuts_html
from ui.desktop.app.main_window import MainWindow
from ui.desktop.app.settings import Settings
from workstation.core.library import Library


def test_the_last_session_comes_back(
    window: MainWindow, qtbot: Any, filled: Library, tmp_path: Path
) -> None:
    ids = _ids(window)
    report = next(sid for sid in ids if _title_of(window, sid) == "Panel report")
    memo = next(sid for sid in ids if _title_of(window, sid) == "Memo on Rajin")
    window.open_source(report)
    window.split_h_action.trigger()
    window.open_source(memo)
    wait_idle(qtbot, window.controller)
    window.close()

    again = next_window(qtbot, filled, tmp_path)
    again.restore_session()
    wait_idle(qtbot, again.controller)
    panes = again.documents.panes()
    assert [pane.source_id for pane in panes] == [report, memo]
    # In the same places: the report on the left, as it was.
    assert (
        panes[0].mapTo(again, panes[0].rect().topLeft()).x()
        < panes[1].mapTo(again, panes[1].rect().topLeft()).x()
    )
    again.close()


def test_an_empty_library_shows_a_start_page(qtbot: Any, library: Library, tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    opened: list[Path] = []
    window = MainWindow(
        LibraryController(library),
        settings=settings,
        open_library=lambda path, create: opened.append(path),
    )
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, window.controller)
    panel = window.library_panel
    qtbot.waitUntil(lambda: panel.showing_start_page)
    page = panel.start_page
    assert page.import_button.isVisible()
    assert page.demo_button.isVisible()
    assert str(library.root) in page.where.text()  # where the library lives
    # Open the Demo Library builds it, then asks to open it.
    window.open_demo(tmp_path / "demo")
    qtbot.waitUntil(lambda: opened == [tmp_path / "demo"], timeout=60_000)
    assert (tmp_path / "demo").is_dir()
    window.close()


@pytest.mark.qt_log_ignore("does not support raise")
def test_cancel_on_who_is_reviewing_explains(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WORKSTATION_REVIEWER", raising=False)
    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    shown: list[str] = []

    def answer() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QInputDialog) and widget.isVisible():
                widget.reject()  # Cancel
            elif isinstance(widget, QMessageBox) and widget.isVisible():
                shown.append(widget.text())
                widget.accept()
                return
        QTimer.singleShot(20, answer)

    QTimer.singleShot(20, answer)
    assert reviewer_or_explain(settings, None) is None
    assert shown == [NO_REVIEWER]
    assert "audit trail" in shown[0]


def test_help_lists_the_keys_from_the_menus(window: MainWindow) -> None:
    rows = {(name, keys) for _path, name, keys in menu_shortcuts(window)}
    assert ("Link Entities", "Ctrl+K") in rows
    assert ("Edit Note", "Ctrl+Shift+N") in rows
    assert ("Rectangle", "R") in rows
    assert ("Polygon", "P") in rows
    assert ("Count Markers", "C") in rows
    names = {name for _path, name, _keys in menu_shortcuts(window)}
    assert "Redact Mark on Export" not in names  # no key; but it is in the Annotate menu:
    annotate = next(a.menu() for a in window.menuBar().actions() if "Annotate" in a.text())
    assert any("Redact Mark on Export" in a.text().replace("&", "") for a in annotate.actions())
    window.shortcuts_action.trigger()
    dialog = next(w for w in window.findChildren(QTextBrowser) if w.isVisible())
    assert "Ctrl+K" in dialog.toPlainText()
    assert "Ctrl+K" in shortcuts_html(window)
    dialog.window().close()


def test_the_last_session_keeps_each_panes_zoom(
    window: MainWindow, qtbot: Any, filled: Library, tmp_path: Path
) -> None:
    """A PDF at 150 % on page 2 beside a photo at 200 % come back so; a fitted page
    comes back fitted."""
    from ui.desktop.viewers.image.image_view import ImageView
    from ui.desktop.viewers.pdf.page_layout import ZoomMode
    from ui.desktop.viewers.pdf.pdf_view import PdfView

    ids = _ids(window)
    report = next(sid for sid in ids if _title_of(window, sid) == "Panel report")
    model = window.library_panel.model
    photo = next(sid for sid in ids if model.item(model.row_of(sid)).kind == "image")  # type: ignore[arg-type, union-attr]
    window.open_source(report)
    window.split_h_action.trigger()
    window.open_source(photo)
    wait_idle(qtbot, window.controller)
    left, right = window.documents.panes()
    pdf, image = left.viewer.view, right.viewer.view
    assert isinstance(pdf, PdfView)
    assert isinstance(image, ImageView)
    qtbot.waitUntil(pdf.is_loaded)
    qtbot.waitUntil(lambda: image.pyramid is not None)
    pdf.set_zoom(1.5)
    pdf.go_to_page(2)
    qtbot.waitUntil(lambda: pdf.current_page == 2)
    image.set_zoom(2.0)
    window.close()

    again = next_window(qtbot, filled, tmp_path)
    again.restore_session()
    wait_idle(qtbot, again.controller)
    left, right = again.documents.panes()
    assert [left.source_id, right.source_id] == [report, photo]
    pdf, image = left.viewer.view, right.viewer.view
    assert isinstance(pdf, PdfView)
    assert isinstance(image, ImageView)
    qtbot.waitUntil(lambda: pdf.is_loaded() and image.pyramid is not None)
    assert pdf.zoom_mode is ZoomMode.CUSTOM
    assert abs(pdf.zoom - 1.5) < 1e-3
    qtbot.waitUntil(lambda: pdf.current_page == 2)
    assert abs(image.zoom - 2.0) < 1e-3
    assert not image.is_fitted
    # Fitting comes back as fitting (not as the zoom it happened to give).
    pdf.set_zoom_mode(ZoomMode.FIT_PAGE)
    again.close()
    third = next_window(qtbot, filled, tmp_path)
    third.restore_session()
    wait_idle(qtbot, third.controller)
    pdf = third.documents.panes()[0].viewer.view
    assert isinstance(pdf, PdfView)
    qtbot.waitUntil(pdf.is_loaded)
    assert pdf.zoom_mode is ZoomMode.FIT_PAGE
    third.close()
