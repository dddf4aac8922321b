"""A scanned PDF, imported and OCRed through the services, in the real main window: its
OCR words are the page's text layer (drag to select, mark, search hits highlighted)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from tests.samples import make_pdf
from tests.scans import ScanLook, make_scanned_pdf
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
from ui.desktop.app.main_window import MainWindow
from ui.desktop.library.inspector import ocr_line
from ui.desktop.viewers.frames import PdfSourceView
from ui.desktop.viewers.pdf.pdf_view import PdfView
from workstation.annotations.anchors import TextAnchor
from workstation.annotations.queries import AnnotationFilter
from workstation.annotations.service import AnnotationService
from workstation.core.library import Library
from workstation.ocr.layers import OcrService, passage_boxes
from workstation.ocr.viewing import OcrOrigin, ocr_origin
from workstation.sources.ingest import ImportService

pytestmark = needs_models

PAGES = [
    ["Summary of the inspection report.", "Vessels seen at Nampo in 2024.", "Annex A lists them."],
    ["The tanker SKY VENUS met AMBER TIDE", "off Nampo on 12 March 2024."],
]
CLEAN = ScanLook(skew=0.0, blur=0.3, speckle=0.0, jpeg_quality=None, photocopy=False)


@pytest.fixture
def scanned(library: Library, tmp_path: Path) -> int:
    """A two-page scan with no text layer, imported and OCRed (layer accepted)."""
    path = make_scanned_pdf(tmp_path / "in", PAGES, "eng", dpi=200, look=CLEAN)
    (result,) = ImportService(library).import_paths([path]).results
    assert result.source_id is not None
    with OcrService(library, workers=1) as ocr:
        summary = ocr.run(result.source_id, "eng")
    assert summary is not None
    assert summary.accepted
    return result.source_id


def _open(window: MainWindow, qtbot: QtBot, source_id: int) -> PdfView:
    window.open_source(source_id)
    wait_idle(qtbot, window.controller)
    viewer = window.documents.current.viewer
    assert isinstance(viewer, PdfSourceView)
    qtbot.waitUntil(viewer.view.is_loaded, timeout=10_000)
    return viewer.view


def _drag(
    qtbot: QtBot, view: PdfView, page: int, start: tuple[float, float], end: tuple[float, float]
) -> None:
    viewport = view.viewport()
    a = view.page_to_viewport(page, *start).toPoint()
    b = view.page_to_viewport(page, *end).toPoint()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(viewport, pos=QPoint((a.x() + b.x()) // 2, a.y()))
    qtbot.mouseMove(viewport, pos=b)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=b)


def test_dragging_over_a_scanned_page_selects_its_ocr_words_and_marks_them(
    window: MainWindow, qtbot: QtBot, library: Library, scanned: int
) -> None:
    words = page_words(library, scanned, 2)
    amber, tide = word(words, "AMBER"), word(words, "TIDE")
    view = _open(window, qtbot, scanned)
    view.go_to_page(2)
    assert view.document is not None
    assert view.document.has_text_layer(2)
    middle = (amber[2] + amber[4]) / 2
    _drag(qtbot, view, 2, (amber[1] + 0.5, middle), (tide[3] - 0.5, middle))

    assert view.selected_text() == "AMBER TIDE"
    page, start, end = view.selection() or (0, 0, 0)
    assert (page, start) == (2, amber[6])

    window.mark_selection("maritime")
    qtbot.waitUntil(lambda: window.documents.current.marks_count == 1, timeout=10_000)
    with library.reader() as session:
        (mark,) = AnnotationService(library).find(session, AnnotationFilter(source_id=scanned))
    assert isinstance(mark.anchor, TextAnchor)
    assert (mark.anchor.page, mark.anchor.exact) == (2, "AMBER TIDE")
    # The mark is drawn where the words are: its highlight is the words' boxes.
    assert 2 in view._note_spans
    drawn = view.document.page_text(2).rects(start, end)
    assert boxes_close(drawn, list(passage_boxes(words, start, end)))
    assert drawn[0][0] == pytest.approx(amber[1])
    assert drawn[0][2] == pytest.approx(tide[3])


def test_ctrl_c_copies_the_selected_ocr_text(
    window: MainWindow, qtbot: QtBot, library: Library, scanned: int
) -> None:
    words = page_words(library, scanned, 2)
    sky, venus = word(words, "SKY"), word(words, "VENUS")
    view = _open(window, qtbot, scanned)
    view.set_zoom(1.5)  # a word's last letter a few pixels wide: the drag can end on it
    view.go_to_page(2)
    middle = (sky[2] + sky[4]) / 2
    _drag(qtbot, view, 2, (sky[1] + 0.5, middle), (venus[3] - 0.5, middle))
    assert view.selected_text() == "SKY VENUS"
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(view.viewport(), Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "SKY VENUS"


def test_low_confidence_words_on_a_scanned_page_are_tinted_with_their_score(
    window: MainWindow, qtbot: QtBot, library: Library, scanned: int
) -> None:
    lower_confidence(library, scanned, 2, "TIDE", 37.0)
    tide = word(page_words(library, scanned, 2), "TIDE")
    view = _open(window, qtbot, scanned)
    view.go_to_page(2)
    qtbot.waitUntil(lambda: view.is_page_rendered(2), timeout=10_000)
    at = view.page_to_viewport(2, (tide[1] + tide[3]) / 2, (tide[2] + tide[4]) / 2)
    corner = view.page_to_viewport(2, tide[1] + 0.5, tide[2] + 0.5).toPoint()
    assert not view.low_confidence_visible  # off by default
    assert tooltip(view.viewport(), at) == ""
    plain = view.viewport().grab().toImage()

    window.low_confidence_action.trigger()
    assert view.low_confidence_visible
    assert "“TIDE” with confidence 37 %" in tooltip(view.viewport(), at)
    tinted = view.viewport().grab().toImage()
    before = plain.pixelColor(corner * plain.devicePixelRatio())
    after = tinted.pixelColor(corner * tinted.devicePixelRatio())
    assert before != after
    assert after.red() > after.green() + 40
    window.low_confidence_action.trigger()
    assert not view.low_confidence_visible
    assert not window.settings.low_confidence_words


def test_a_search_hit_on_ocr_text_opens_the_page_with_the_words_highlighted(
    window: MainWindow, qtbot: QtBot, library: Library, scanned: int
) -> None:
    words = page_words(library, scanned, 2)
    venus = word(words, "VENUS")
    window.open_hit(scanned, 2, "sky venus")  # asked before the document is open
    wait_idle(qtbot, window.controller)
    viewer = window.documents.current.viewer
    assert isinstance(viewer, PdfSourceView)
    view = viewer.view
    qtbot.waitUntil(lambda: view._mark is not None, timeout=10_000)
    page, start, end = view._mark or (0, 0, 0)
    assert view.current_page == 2
    assert page == 2
    assert view.document is not None
    assert view.document.text(2)[start:end] == "SKY VENUS"
    rects = view.document.page_text(2).rects(start, end)
    assert boxes_close(rects, list(passage_boxes(words, start, end)))
    assert rects[0][2] == pytest.approx(venus[3])


def test_find_in_page_finds_ocr_text(window: MainWindow, qtbot: QtBot, scanned: int) -> None:
    view = _open(window, qtbot, scanned)
    view.find("sky venus")
    qtbot.waitUntil(lambda: view.hit_count == 1, timeout=10_000)
    assert view.current_page == 2


def test_the_inspector_says_which_pages_are_ocr_text_with_engine_and_confidence(
    window: MainWindow, qtbot: QtBot, library: Library, scanned: int, tmp_path: Path
) -> None:
    with library.reader() as session:
        origin = ocr_origin(session, scanned)
    assert origin is not None
    assert origin.mean_confidence is not None
    window.open_source(scanned)
    wait_idle(qtbot, window.controller)
    qtbot.waitUntil(lambda: "Text" in inspector_facts(window), timeout=10_000)
    line = inspector_facts(window)["Text"]
    assert line == (
        f"OCR on pages 1, 2: {origin.engine}, eng; mean confidence {origin.mean_confidence:.0f} %"
    )
    assert origin.engine.startswith("tesseract 5.")
    # A born-digital PDF's text is its own: no such line.
    (digital,) = ImportService(library).import_paths([make_pdf(tmp_path / "d", pages=1)]).results
    assert digital.source_id is not None
    window.open_source(digital.source_id)
    wait_idle(qtbot, window.controller)
    qtbot.waitUntil(lambda: window.inspector.heading.text() == "Sample report")
    assert "Text" not in inspector_facts(window)


@pytest.mark.parametrize(
    ("origin", "line"),
    [
        (
            OcrOrigin("tesseract 5.5.4", "auto", ("kor", "eng"), 87.6, (1, 2, 3, 5)),
            "OCR on pages 1–3, 5: tesseract 5.5.4, kor+eng (detected); mean confidence 88 %",
        ),
        (
            OcrOrigin("tesseract 5.5.4", "rus", ("rus",), None, (4,)),
            "OCR on page 4: tesseract 5.5.4, rus; no words read",
        ),
        (None, ""),
    ],
)
def test_the_inspector_ocr_line(origin: OcrOrigin | None, line: str) -> None:
    assert ocr_line(origin) == line


def test_text_layers_arriving_after_the_view_is_gone_do_nothing(
    qtbot: QtBot, library: Library, scanned: int
) -> None:
    from shiboken6 import delete

    from workstation.ocr.viewing import ocr_page_texts
    from workstation.sources.lookup import get_source

    with library.reader() as session:
        layers = ocr_page_texts(session, scanned)
        path = library.blobs.path_for(get_source(session, scanned).sha256)
    view = PdfView(path)
    view.hold_until_text_layers()
    qtbot.waitUntil(lambda: view._held is not None, timeout=10_000)  # opened, held back
    view.close_document()
    view.set_text_layers(layers)  # the read comes back after the pane closed
    assert view.document is None
    delete(view)
    # And after an open view itself is gone (its C++ side deleted, no close event).
    shown = PdfView(path)
    qtbot.waitUntil(shown.is_loaded, timeout=10_000)
    document = shown.document
    assert document is not None
    delete(shown)
    shown.set_text_layers(layers)
    assert not document.has_text_layer(2)
    document.close()
