"""PdfView and PageStrip on real PDFs, offscreen: pages, zoom, find, selection, copy, thumbnails."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QWheelEvent
from PySide6.QtWidgets import QApplication, QHBoxLayout, QWidget

from tests.samples import KOREAN, RUSSIAN, make_garbage_pdf, make_pdf
from ui.desktop.viewers.pdf.page_layout import MARGIN, PIXELS_PER_POINT, ZoomMode
from ui.desktop.viewers.pdf.page_strip import PageStrip
from ui.desktop.viewers.pdf.pdf_view import PdfView
from workstation.sources.pages import CharBox, PageText

REPORT = (
    "The tanker was photographed alongside the oil pier at Nampo on 3 March.\n"
    "Satellite imagery shows the vessel with its transponder switched off.\n"
    "The tanker sailed north."
)
PAGES = [REPORT, "No ship here.", KOREAN * 3, "Another tanker sighting.", RUSSIAN]


@pytest.fixture
def report(tmp_path: Path) -> Path:
    return make_pdf(tmp_path, texts=PAGES, name="report.pdf")


@pytest.fixture
def view(qtbot, report: Path) -> PdfView:
    shown = PdfView(report)
    qtbot.addWidget(shown)
    shown.resize(800, 600)
    shown.show()
    qtbot.waitUntil(shown.is_loaded)
    qtbot.waitUntil(lambda: shown.is_page_rendered(shown.current_page))
    return shown


def _box(layout: PageText, offset: int) -> CharBox:
    return next(c for c in layout.chars if c.offset == offset)


def _point(view: PdfView, page: int, x: float, y: float) -> QPoint:
    return view.page_to_viewport(page, x, y).toPoint()


def _drag(qtbot, view: PdfView, start: QPoint, end: QPoint) -> None:
    viewport = view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, pos=QPoint((start.x() + end.x()) // 2, start.y()))
    qtbot.mouseMove(viewport, pos=end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)


def _wheel(view: PdfView, delta: int, modifiers: Qt.KeyboardModifier) -> None:
    viewport = view.viewport()
    position = QPointF(viewport.width() / 2, viewport.height() / 2)
    event = QWheelEvent(
        position,
        QPointF(viewport.mapToGlobal(position.toPoint())),
        QPoint(0, 0),
        QPoint(0, delta),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewport, event)


# --- pages -----------------------------------------------------------------------------------


def test_opens_and_draws_the_first_page(view: PdfView) -> None:
    assert view.page_count == 5
    assert view.current_page == 1
    assert view.zoom_mode is ZoomMode.FIT_WIDTH
    picture = view.viewport().grab().toImage()
    page = view.page_rect(1)
    paper = picture.pixelColor(int(page.left()) + 5, int(page.top()) + 5)
    background = picture.pixelColor(3, 3)
    assert paper.lightness() > 240
    assert background.lightness() < 120
    layout = view.document.page_text(1)
    t = _box(layout, 0)  # the 'T' of 'The': ink where the glyph is
    ink = [
        picture.pixelColor(_point(view, 1, x, (t.y0 + t.y1) / 2)).lightness()
        for x in (t.x0 + 0.5 * i for i in range(int((t.x1 - t.x0) * 2)))
    ]
    assert min(ink) < 100


def test_go_to_page(qtbot, view: PdfView) -> None:
    with qtbot.waitSignal(view.pageChanged) as changed:
        view.go_to_page(4)
    assert changed.args == [4]
    assert view.current_page == 4
    assert -MARGIN <= view.page_rect(4).top() <= MARGIN
    assert view.toolbar.page_box.value() == 4
    qtbot.waitUntil(lambda: view.is_page_rendered(4))
    view.go_to_page(99)
    assert view.current_page == 5
    view.toolbar.page_box.setValue(2)
    assert view.current_page == 2


def test_go_to_page_before_the_document_is_open(qtbot, report: Path) -> None:
    shown = PdfView(report)
    qtbot.addWidget(shown)
    shown.resize(600, 500)
    shown.show()
    shown.go_to_page(3)
    qtbot.waitUntil(shown.is_loaded)
    assert shown.current_page == 3
    qtbot.waitUntil(lambda: shown.is_page_rendered(3))


def test_placeholders_first_then_pages(qtbot, view: PdfView) -> None:
    view.set_zoom(3.0)
    assert not view.is_page_rendered(view.current_page)  # the view never waited for it
    qtbot.waitUntil(lambda: view.is_page_rendered(view.current_page))


def test_zoom_modes(qtbot, view: PdfView) -> None:
    viewport = view.viewport()
    view.set_zoom_mode(ZoomMode.FIT_WIDTH)
    assert view.page_rect(1).width() == pytest.approx(viewport.width() - 2 * MARGIN, abs=2)
    view.set_zoom_mode(ZoomMode.FIT_PAGE)
    rect = view.page_rect(view.current_page)
    assert rect.height() <= viewport.height()
    assert rect.width() <= viewport.width()
    with qtbot.waitSignal(view.zoomChanged) as changed:
        view.set_zoom(2.0)
    assert changed.args == [2.0]
    assert view.zoom_mode is ZoomMode.CUSTOM
    assert view.page_rect(1).width() == math.ceil(595 * 2 * PIXELS_PER_POINT - 0.001)
    view.zoom_in()
    assert view.zoom == 2.5
    view.zoom_out()
    view.zoom_out()
    assert view.zoom == 1.75
    view.reset_zoom()
    assert view.zoom == 1.0
    view.set_zoom(50)
    assert view.zoom == 4.0
    view.toolbar.zoom_box.setEditText("150%")
    view.toolbar._zoom_typed()
    assert view.zoom == 1.5


def test_zoom_keeps_the_page_in_view(qtbot, view: PdfView) -> None:
    view.go_to_page(3)
    view.set_zoom(2.0)
    assert view.current_page == 3
    view.set_zoom(0.5)
    assert view.current_page == 3


def test_ctrl_wheel_zooms_plain_wheel_scrolls(view: PdfView) -> None:
    view.set_zoom(1.0)
    _wheel(view, 120, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == pytest.approx(1.2)
    _wheel(view, -240, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == pytest.approx(1.2 / 1.44)
    bar = view._area.verticalScrollBar()
    before = bar.value()
    _wheel(view, -120, Qt.KeyboardModifier.NoModifier)
    assert view.zoom == pytest.approx(1.2 / 1.44)
    assert bar.value() > before


def test_keyboard_zoom(qtbot, view: PdfView) -> None:
    view.set_zoom(1.0)
    view.viewport().setFocus()
    target = view._area
    qtbot.keyClick(target, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == 1.1
    qtbot.keyClick(target, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(target, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == 0.9
    qtbot.keyClick(target, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == 1.0
    qtbot.keyClick(target, Qt.Key.Key_End)
    assert view.current_page == 5
    qtbot.keyClick(target, Qt.Key.Key_Home)
    assert view.current_page == 1


def test_renders_for_a_zoom_left_behind_are_dropped(qtbot, view: PdfView) -> None:
    view.set_zoom(1.5)
    view._schedule()  # queue renders at 150 % now, as a paint would
    stale = view._scale_key()
    view.set_zoom(1.0)
    current = view._scale_key()
    qtbot.waitUntil(lambda: view.is_page_rendered(view.current_page))
    view._pool.waitForDone()
    QApplication.processEvents()
    assert all(scale != stale for _, scale in view.cache._entries)
    assert (view.current_page, current) in view.cache


def test_page_cache_is_bounded_by_bytes(qtbot, report: Path) -> None:
    shown = PdfView(report, cache_bytes=3_000_000)
    qtbot.addWidget(shown)
    shown.resize(600, 400)
    shown.show()
    qtbot.waitUntil(shown.is_loaded)
    shown.set_zoom(1.0)
    for number in range(1, 6):
        shown.go_to_page(number)
        qtbot.waitUntil(lambda n=number: shown.is_page_rendered(n))
        page = 794 * 1123 * 3
        assert shown.cache.nbytes <= max(3_000_000, page)
    assert len(shown.cache) < 5


# --- find ------------------------------------------------------------------------------------


def test_find_next_and_previous(qtbot, view: PdfView) -> None:
    with qtbot.waitSignal(view.findChanged):
        view.find("TANKER")
    qtbot.waitUntil(lambda: not view.find_running)
    assert view.hit_count == 3
    assert [hit[0] for hit in view.hits()] == [1, 1, 4]
    assert view.current_hit == 1
    view.find_next()
    assert view.current_hit == 2
    view.find_next()
    assert view.current_hit == 3
    assert view.current_page == 4
    view.find_next()
    assert view.current_hit == 1
    assert view.current_page == 1
    view.find_previous()
    assert view.current_hit == 3
    view.clear_find()
    assert view.hit_count == 0
    assert view.current_hit == 0


def test_find_starts_from_the_current_page(qtbot, view: PdfView) -> None:
    view.go_to_page(3)
    view.find("tanker")
    qtbot.waitUntil(lambda: not view.find_running)
    assert view.hit_count == 3
    assert view.current_hit == 3  # the first hit at or after page 3, numbered in page order
    assert view.current_page == 4


def test_find_highlights_are_drawn(qtbot, view: PdfView) -> None:
    view.find("tanker")
    qtbot.waitUntil(lambda: not view.find_running)
    qtbot.waitUntil(lambda: view.document.cached_page_text(1) is not None)
    layout = view.document.page_text(1)
    _, start, end = view.hits()[1]  # not the current hit: plain highlight colour
    x0, y0, x1, y1 = layout.rects(start, end)[0]
    view.viewport().repaint()
    picture = view.viewport().grab().toImage()
    colour = picture.pixelColor(_point(view, 1, x0 + 0.5, y0 + 0.5))
    assert colour.red() > 200
    assert colour.blue() < 170  # yellow on white paper


def test_find_bar(qtbot, view: PdfView) -> None:
    bar = view.find_bar
    assert not bar.isVisible()
    view.show_find_bar()
    assert bar.isVisible()
    qtbot.keyClicks(bar.edit, "tanker")
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bar.status.text() == "1 of 3")
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert bar.status.text() == "2 of 3"
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert bar.status.text() == "1 of 3"
    qtbot.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    assert view.hit_count == 0


def test_ctrl_f_opens_the_find_bar_with_the_selection(qtbot, view: PdfView) -> None:
    layout = view.document.page_text(1)
    start = layout.text.index("Nampo")
    view.set_selection(1, start, start + 5)
    view.viewport().setFocus()
    qtbot.keyClick(view._area, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert view.find_bar.isVisible()
    assert view.find_bar.edit.text() == "Nampo"


def test_no_matches(qtbot, view: PdfView) -> None:
    view.show_find_bar()
    qtbot.keyClicks(view.find_bar.edit, "submarine")
    qtbot.keyClick(view.find_bar.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.find_bar.status.text() == "No matches")
    view.find_next()  # nothing to go to: no error
    assert view.current_hit == 0


def test_show_hit(view: PdfView) -> None:
    assert view.show_hit(4, "another   TANKER")
    assert view.current_page == 4
    assert view._mark is not None
    assert view._mark[0] == 4
    assert not view.show_hit(2, "not on this page")
    assert view.current_page == 2


# --- selection -------------------------------------------------------------------------------


def test_drag_selects_characters(qtbot, view: PdfView) -> None:
    layout = view.document.page_text(1)
    start = layout.text.index("photographed")
    first, last = _box(layout, start), _box(layout, start + len("photographed") - 1)
    middle = (first.y0 + first.y1) / 2
    with qtbot.waitSignal(view.selectionChanged):
        _drag(
            qtbot,
            view,
            _point(view, 1, first.x0 + 0.3, middle),
            _point(view, 1, last.x1 - 0.3, middle),
        )
    assert view.selected_text() == "photographed"
    assert view.selection() == (1, start, start + len("photographed"))


def test_drag_across_lines_gives_the_stored_text(qtbot, view: PdfView) -> None:
    layout = view.document.page_text(1)
    start = layout.text.index("Nampo")
    end = layout.text.index("imagery") + len("imagery")
    first, last = _box(layout, start), _box(layout, end - 1)
    _drag(
        qtbot,
        view,
        _point(view, 1, first.x0 + 0.3, (first.y0 + first.y1) / 2),
        _point(view, 1, last.x1 - 0.3, (last.y0 + last.y1) / 2),
    )
    assert view.selected_text() == "Nampo on 3 March.\nSatellite imagery"
    assert view.selection() == (1, start, end)


def test_drag_selects_korean(qtbot, view: PdfView) -> None:
    view.go_to_page(3)
    qtbot.waitUntil(lambda: view.is_page_rendered(3))
    layout = view.document.page_text(3)
    word = KOREAN.split()[1]
    start = layout.text.index(word)
    first, last = _box(layout, start), _box(layout, start + len(word) - 1)
    middle = (first.y0 + first.y1) / 2
    _drag(
        qtbot,
        view,
        _point(view, 3, first.x0 + 0.3, middle),
        _point(view, 3, last.x1 - 0.3, middle),
    )
    assert view.selected_text() == word
    assert view.selection() == (3, start, start + len(word))


def test_double_click_selects_a_word_and_ctrl_c_copies(qtbot, view: PdfView) -> None:
    layout = view.document.page_text(1)
    start = layout.text.index("transponder")
    inner = _box(layout, start + 3)
    where = _point(view, 1, (inner.x0 + inner.x1) / 2, (inner.y0 + inner.y1) / 2)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert view.selected_text() == "transponder"
    QGuiApplication.clipboard().clear()
    view.viewport().setFocus()
    qtbot.keyClick(view._area, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "transponder"


def test_click_off_the_pages_clears_the_selection(qtbot, view: PdfView) -> None:
    view.set_selection(1, 4, 10)
    assert view.selected_text() == "tanker"
    with qtbot.waitSignal(view.selectionChanged):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(2, 2))
    assert view.selection() is None
    assert view.selected_text() == ""


# --- thumbnails ------------------------------------------------------------------------------


def test_page_strip(qtbot, report: Path) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    layout = QHBoxLayout(window)
    shown = PdfView(report)
    strip = PageStrip(shown)
    layout.addWidget(strip)
    layout.addWidget(shown, 1)
    window.resize(900, 300)  # room for about two thumbnails
    window.show()
    qtbot.waitUntil(shown.is_loaded)
    model = strip.thumbnails
    # The strip starts once the viewer's first page is drawn (so as not to delay it).
    qtbot.waitUntil(lambda: model.rowCount() == 5)
    qtbot.waitUntil(lambda: model.thumbnail_ready(0))
    rows = strip.visible_rows()
    assert rows.stop <= 3
    assert not model.thumbnail_ready(4)  # never asked for: not in view
    # A click on a thumbnail goes to its page.
    strip.scrollToBottom()
    qtbot.waitUntil(lambda: model.thumbnail_ready(4))
    third = strip.visualRect(model.index(2)).center()
    qtbot.mouseClick(strip.viewport(), Qt.MouseButton.LeftButton, pos=third)
    assert shown.current_page == 3
    # The strip follows the viewer.
    shown.go_to_page(5)
    assert strip.currentIndex().row() == 4
    shown.go_to_page(1)
    assert strip.currentIndex().row() == 0


# --- errors and closing ----------------------------------------------------------------------


def test_a_pdf_that_cannot_be_opened(qtbot, tmp_path: Path) -> None:
    shown = PdfView(make_garbage_pdf(tmp_path))
    qtbot.addWidget(shown)
    with qtbot.waitSignal(shown.loadFailed) as failed:
        shown.show()
    assert "damaged PDF" in failed.args[0]
    assert shown.error == failed.args[0]
    shown.viewport().repaint()
    shown.go_to_page(2)
    shown.find("x")


def test_close_document_twice(view: PdfView) -> None:
    document = view.document
    view.close_document()
    view.close_document()
    assert document is not None
    assert document.closed
    assert view.document is None
