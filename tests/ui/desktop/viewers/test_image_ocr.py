"""A scanned page as an image file, imported and OCRed through the services, in the real
main window: its OCR words are a text layer over the picture (drag to select, Ctrl+C,
mark, find, search hits lit) and low-confidence words can be tinted (View menu)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QGuiApplication, QImage
from pytestqt.qtbot import QtBot

from tests.scans import ScanLook, make_scanned_image
from tests.ui.desktop.conftest import wait_idle
from tests.ui.desktop.viewers.ocr_support import (
    boxes_close,
    inspector_facts,
    lower_confidence,
    page_words,
    tooltip,
    word,
)
from tests.workstation.ocr.support import needs_models
from ui.desktop.app.controller import LibraryController
from ui.desktop.app.help import menu_shortcuts
from ui.desktop.app.main_window import MainWindow
from ui.desktop.viewers.frames import ImageSourceView
from workstation.annotations.anchors import TextAnchor
from workstation.annotations.queries import AnnotationFilter
from workstation.annotations.service import AnnotationService, find_quote
from workstation.core.library import Library
from workstation.ocr.layers import OcrService, passage_boxes
from workstation.ocr.viewing import LOW_CONFIDENCE, ocr_origin
from workstation.sources.ingest import ImportService
from workstation.sources.lookup import get_source

pytestmark = needs_models

LINES = [
    "Bill of lading for the voyage to Nampo.",
    "The tanker SKY VENUS met AMBER TIDE",
    "off Nampo on 12 March 2024.",
]
CLEAN = ScanLook(skew=0.0, blur=0.3, speckle=0.0, jpeg_quality=None, photocopy=False)


@pytest.fixture
def photo(library: Library, tmp_path: Path) -> int:
    """A PNG of a scanned page, imported and OCRed (layer accepted)."""
    path = make_scanned_image(tmp_path / "in", LINES, "eng", dpi=200, look=CLEAN)
    (result,) = ImportService(library).import_paths([path]).results
    assert result.source_id is not None
    with OcrService(library, workers=1) as ocr:
        summary = ocr.run(result.source_id, "eng", force=True)
    assert summary is not None
    assert summary.accepted
    return result.source_id


def _open(window: MainWindow, qtbot: QtBot, source_id: int) -> ImageSourceView:
    window.open_source(source_id)
    wait_idle(qtbot, window.controller)
    viewer = window.documents.current.viewer
    assert isinstance(viewer, ImageSourceView)
    qtbot.waitUntil(lambda: viewer.view.pyramid is not None, timeout=10_000)
    qtbot.waitUntil(lambda: viewer.text_layer.has_text, timeout=10_000)
    return viewer


def _at(viewer: ImageSourceView, x: float, y: float) -> QPoint:
    return viewer.view.image_to_view(QPointF(x, y)).toPoint()


def _drag(qtbot: QtBot, viewer: ImageSourceView, a: QPoint, b: QPoint) -> None:
    viewport = viewer.view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(viewport, pos=QPoint((a.x() + b.x()) // 2, a.y()))
    qtbot.mouseMove(viewport, pos=b)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=b)


def test_dragging_over_an_images_ocr_words_selects_copies_and_marks_them(
    window: MainWindow, qtbot: QtBot, library: Library, photo: int
) -> None:
    words = page_words(library, photo, 1)
    amber, tide = word(words, "AMBER"), word(words, "TIDE")
    viewer = _open(window, qtbot, photo)
    middle = (amber[2] + amber[4]) / 2
    viewer.view.set_zoom(0.5)  # the drag must select, not pan the picture
    viewer.view.centerOn(QPointF(amber[1], middle))
    before = viewer.view.visible_image_rect()
    _drag(qtbot, viewer, _at(viewer, amber[1] + 2, middle), _at(viewer, tide[3] - 2, middle))
    assert viewer.view.visible_image_rect() == before

    assert viewer.selected_text() == "AMBER TIDE"
    assert viewer.selection() == (1, amber[6], amber[6] + len("AMBER TIDE"))

    # Ctrl+C in the pane copies the selected OCR text.
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(viewer.view.viewport(), Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "AMBER TIDE"

    window.mark_selection("maritime")
    qtbot.waitUntil(lambda: window.documents.current.marks_count == 1, timeout=10_000)
    with library.reader() as session:
        (mark,) = AnnotationService(library).find(session, AnnotationFilter(source_id=photo))
    assert isinstance(mark.anchor, TextAnchor)
    assert (mark.anchor.page, mark.anchor.exact) == (1, "AMBER TIDE")
    # The mark is drawn where the words are: its highlight boxes are the words' boxes.
    qtbot.waitUntil(lambda: bool(viewer.text_layer._spans), timeout=10_000)
    (_brush, start, end) = viewer.text_layer._spans[0]
    drawn = [
        (r.left(), r.top(), r.right(), r.bottom()) for r in viewer.text_layer.boxes(start, end)
    ]
    assert boxes_close(drawn, list(passage_boxes(words, start, end)))


def test_a_drag_away_from_the_text_still_pans(window: MainWindow, qtbot: QtBot, photo: int) -> None:
    viewer = _open(window, qtbot, photo)
    viewer.view.set_zoom(1.0)
    before = viewer.view.visible_image_rect()
    # The bottom of the page is blank paper.
    height = viewer.view.pyramid.full_size[1] if viewer.view.pyramid else 0
    a = _at(viewer, 400, height - 300)
    if not viewer.view.viewport().rect().contains(a):
        viewer.view.centerOn(QPointF(400, height - 300))
        before = viewer.view.visible_image_rect()
        a = _at(viewer, 400, height - 300)
    _drag(qtbot, viewer, a, a + QPoint(-80, -60))
    assert viewer.selection() is None
    assert viewer.view.visible_image_rect() != before


def test_a_search_hit_on_an_image_opens_it_with_the_words_lit(
    window: MainWindow, qtbot: QtBot, library: Library, photo: int
) -> None:
    words = page_words(library, photo, 1)
    sky, venus = word(words, "SKY"), word(words, "VENUS")
    window.open_hit(photo, 1, "sky venus")  # asked before the picture and its text are in
    wait_idle(qtbot, window.controller)
    viewer = window.documents.current.viewer
    assert isinstance(viewer, ImageSourceView)
    qtbot.waitUntil(lambda: viewer.text_layer.mark is not None, timeout=10_000)
    start, end = viewer.text_layer.mark or (0, 0)
    assert viewer.text_layer.layout is not None
    assert viewer.text_layer.layout.text[start:end] == "SKY VENUS"
    (box,) = viewer.text_layer.boxes(start, end)
    assert (box.left(), box.right()) == (pytest.approx(sky[1]), pytest.approx(venus[3]))
    # In view, and zoomed in enough to read.
    assert viewer.view.visible_image_rect().contains(box)
    assert box.height() * viewer.view.transform().m11() >= 15


def test_find_in_an_image_finds_its_ocr_text(window: MainWindow, qtbot: QtBot, photo: int) -> None:
    viewer = _open(window, qtbot, photo)
    window.documents.current.show_find()
    bar = window.documents.current.find_bar
    assert bar.isVisible()
    bar.edit.setText("nampo")
    bar._enter()
    assert bar.count.text() == "1 of 2"
    assert viewer.match_count == 2
    bar.next()
    assert bar.count.text() == "2 of 2"
    start, end = viewer.text_layer.hits[viewer.text_layer.hit_index]
    assert viewer.text_layer.layout is not None
    assert viewer.text_layer.layout.text[start:end] == "Nampo"


def test_low_confidence_words_are_tinted_with_their_score_when_asked(
    window: MainWindow, qtbot: QtBot, library: Library, photo: int, tmp_path: Path
) -> None:
    lower_confidence(library, photo, 1, "AMBER", 42.0)
    amber = word(page_words(library, photo, 1), "AMBER")
    viewer = _open(window, qtbot, photo)
    view = viewer.view
    assert not window.low_confidence_action.isChecked()  # off by default
    middle = QPointF((amber[1] + amber[3]) / 2, (amber[2] + amber[4]) / 2)
    assert tooltip(view.viewport(), view.image_to_view(middle)) == ""
    plain = view.viewport().grab().toImage()

    window.low_confidence_action.trigger()
    assert viewer.text_layer.low_visible
    tinted = view.viewport().grab().toImage()
    assert viewer.text_layer.painted_words == 1
    # Hovering the word shows its score.
    assert "“AMBER” with confidence 42 %" in tooltip(view.viewport(), view.image_to_view(middle))
    # The word's paper turned pink; the picture elsewhere did not change.
    on = view.image_to_view(QPointF(amber[1] + 1, amber[2] + 1)).toPoint()
    off = view.image_to_view(QPointF(amber[1] - 200, amber[2] - 150)).toPoint()
    assert _rgb(plain, on) != _rgb(tinted, on)
    red, green, _blue = _rgb(tinted, on)
    assert red > green + 40
    assert _rgb(plain, off) == _rgb(tinted, off)

    # Remembered: the next window starts with it on, and its viewers tint.
    assert window.settings.low_confidence_words
    window.settings.sync()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    again = MainWindow(LibraryController(library), settings=settings)
    qtbot.addWidget(again)
    assert again.low_confidence_action.isChecked()
    again.close()


def _rgb(image: QImage, at: QPoint) -> tuple[int, int, int]:
    colour = image.pixelColor(at * image.devicePixelRatio())
    return colour.red(), colour.green(), colour.blue()


def test_the_low_confidence_shortcut_is_its_own(window: MainWindow) -> None:
    keys = [k for _path, _name, ks in menu_shortcuts(window) for k in ks.split(", ")]
    assert ("Low-Confidence OCR Words", "Ctrl+Alt+C") in {
        (name, k) for _path, name, k in menu_shortcuts(window)
    }
    assert keys.count("Ctrl+Alt+C") == 1  # (Undo and Redo are in two menus, on purpose)
    assert LOW_CONFIDENCE == 60.0


def test_the_inspector_says_an_images_text_is_ocr_with_engine_and_confidence(
    window: MainWindow, qtbot: QtBot, library: Library, photo: int
) -> None:
    with library.reader() as session:
        origin = ocr_origin(session, photo)
    assert origin is not None
    assert origin.mean_confidence is not None
    window.open_source(photo)
    wait_idle(qtbot, window.controller)
    qtbot.waitUntil(lambda: "Text" in inspector_facts(window), timeout=10_000)
    assert inspector_facts(window)["Text"] == (
        f"OCR: {origin.engine}, eng; mean confidence {origin.mean_confidence:.0f} %"
    )


def test_double_click_selects_a_word_and_shift_click_extends(
    window: MainWindow, qtbot: QtBot, library: Library, photo: int
) -> None:
    words = page_words(library, photo, 1)
    sky, venus, tide = word(words, "SKY"), word(words, "VENUS"), word(words, "TIDE")
    viewer = _open(window, qtbot, photo)
    viewport = viewer.view.viewport()
    middle = (venus[2] + venus[4]) / 2
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=_at(viewer, venus[1] + 4, middle))
    assert viewer.selected_text() == "VENUS"
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=_at(viewer, sky[1] + 1, middle))
    qtbot.mouseClick(
        viewport,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ShiftModifier,
        _at(viewer, tide[3] - 1, (tide[2] + tide[4]) / 2),
    )
    assert viewer.selected_text() == "SKY VENUS met AMBER TIDE"


def test_a_selection_dragged_past_the_edge_scrolls_the_picture(
    window: MainWindow, qtbot: QtBot, library: Library, photo: int
) -> None:
    words = page_words(library, photo, 1)
    bill, nampo = word(words, "Bill"), words[-1]
    viewer = _open(window, qtbot, photo)
    view, viewport = viewer.view, viewer.view.viewport()
    view.set_zoom(3.0)
    view.centerOn(QPointF(bill[1], bill[2]))
    before = view.visible_image_rect()
    start = _at(viewer, bill[1] + 2, (bill[2] + bill[4]) / 2)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    # Past the bottom edge and held there: the picture keeps scrolling after the mouse.
    qtbot.mouseMove(viewport, pos=QPoint(start.x(), viewport.height() + 40))
    qtbot.waitUntil(lambda: view.visible_image_rect().bottom() > nampo[4] + 10, timeout=10_000)
    qtbot.mouseMove(viewport, pos=_at(viewer, nampo[3] - 1, (nampo[2] + nampo[4]) / 2))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton)
    assert view.visible_image_rect().top() > before.top()
    assert viewer.selected_text().startswith("Bill of lading")
    assert viewer.selected_text().endswith("2024.")


def test_opening_a_mark_on_an_images_text_goes_to_its_words(
    window: MainWindow, qtbot: QtBot, library: Library, photo: int
) -> None:
    with library.writer() as session:
        source = get_source(session, photo)
        anchor = find_quote(session, source, "12 March 2024")
        mark = AnnotationService(library).create(session, photo, anchor, categories=["maritime"])
    window.open_annotation(mark.uuid, 1)  # from the marks list, the picture not open yet
    wait_idle(qtbot, window.controller)
    viewer = window.documents.current.viewer
    assert isinstance(viewer, ImageSourceView)
    qtbot.waitUntil(lambda: viewer.text_layer.mark is not None, timeout=10_000)
    assert viewer.text_layer.mark == (anchor.start, anchor.end)
    box = viewer.text_layer.union(anchor.start, anchor.end)
    assert viewer.view.visible_image_rect().contains(box)
