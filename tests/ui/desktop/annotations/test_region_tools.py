"""Region tools in the image and PDF panes, driven with the mouse on a real library:
polygons, count markers, and moving and reshaping marks (saved through the service,
undone with Ctrl+Z)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from tests import samples
from tests.ui.desktop.conftest import wait_idle
from ui.desktop.annotations.region_geometry import rect_handles, resized, translated
from ui.desktop.annotations.region_tools import Tool
from ui.desktop.app.controller import LibraryController
from ui.desktop.app.main_window import MainWindow
from ui.desktop.viewers.frames import ImageSourceView, PdfSourceView
from workstation.annotations.anchors import AnnotationData, RegionAnchor
from workstation.annotations.queries import AnnotationFilter
from workstation.annotations.service import AnnotationService
from workstation.core.library import Library
from workstation.sources.ingest import ImportService

WIDTH, HEIGHT = 1200, 800
LEFT = Qt.MouseButton.LeftButton


def make_port(folder: Path) -> Path:
    """A port from above: sea, a pier, rows of containers and two ships."""
    picture = Image.new("RGB", (WIDTH, HEIGHT), (28, 58, 84))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 520, WIDTH, HEIGHT), fill=(120, 116, 104))  # quay
    draw.rectangle((380, 250, 470, 520), fill=(140, 136, 122))  # pier
    for row in range(3):
        for col in range(8):
            x, y = 560 + col * 70, 580 + row * 55
            colour = [(176, 64, 48), (60, 110, 160), (200, 160, 60)][(row + col) % 3]
            draw.rectangle((x, y, x + 56, y + 36), fill=colour)
    draw.polygon([(150, 300), (360, 290), (380, 320), (360, 350), (150, 345)], fill=(70, 70, 72))
    draw.polygon([(520, 380), (800, 370), (830, 405), (800, 440), (520, 430)], fill=(96, 40, 36))
    path = folder / "port.png"
    picture.save(path)
    return path


@pytest.fixture
def filled(library: Library, tmp_path: Path) -> Library:
    folder = tmp_path / "evidence"
    folder.mkdir()
    make_port(folder)
    samples.make_pdf(
        folder,
        pages=2,
        name="report.pdf",
        title="Panel report",
        texts=["Imagery of the Nampo oil pier.", "Annex: vessel list."],
    )
    ImportService(library).import_paths([folder])
    return library


@pytest.fixture
def window(qtbot: QtBot, filled: Library, tmp_path: Path) -> Iterator[MainWindow]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(LibraryController(filled), settings=settings)
    qtbot.addWidget(win)
    # The offscreen screen is 800 px and the window keeps within it: the docks step
    # aside so the pane has the room these drawings were measured in.
    win.library_dock.hide()
    win.inspector_dock.hide()
    win.show()
    qtbot.waitExposed(win)
    wait_idle(qtbot, win.controller)
    yield win
    win.close()


def _source(library: Library, kind: str) -> int:
    from db.models import Source

    with library.reader() as session:
        return int(session.query(Source.id).filter(Source.kind == kind).one()[0])


def _stored(library: Library, source_id: int) -> list[AnnotationData]:
    with library.reader() as session:
        return AnnotationService(library).find(session, AnnotationFilter(source_id=source_id))


def _open_image(window: MainWindow, qtbot: QtBot, library: Library) -> ImageSourceView:
    window.open_source(_source(library, "image"))
    wait_idle(qtbot, window.controller)
    viewer = window.documents.current.viewer
    assert isinstance(viewer, ImageSourceView)
    qtbot.waitUntil(lambda: viewer.view.pyramid is not None, timeout=10_000)
    return viewer


def _image_pane(
    window: MainWindow, qtbot: QtBot, library: Library
) -> tuple[ImageSourceView, int, Any]:
    """The image opened in the current pane: its viewer, source id and viewport."""
    viewer = _open_image(window, qtbot, library)
    return viewer, _source(library, "image"), viewer.view.viewport()


def _open_pdf(window: MainWindow, qtbot: QtBot, library: Library) -> PdfSourceView:
    window.open_source(_source(library, "pdf"))
    wait_idle(qtbot, window.controller)
    viewer = window.documents.current.viewer
    assert isinstance(viewer, PdfSourceView)
    qtbot.waitUntil(viewer.view.is_loaded, timeout=10_000)
    return viewer


def _at(viewer: Any, point: tuple[float, float], page: int | None = None) -> QPoint:
    """Where a source point is on screen (whole pixels, as a mouse gives)."""
    return viewer.view_of(page, point).toPoint()


def _source_of(viewer: Any, pos: QPoint, page: int | None = None) -> tuple[float, float]:
    where = viewer.source_on(page, QPointF(pos))
    return where.x(), where.y()


def _pick(window: MainWindow, qtbot: QtBot, text: str) -> None:
    """Choose a category in the picker that drawing opened, from the keyboard."""
    popup = window._picker
    qtbot.waitUntil(popup.isVisible)
    wait_idle(qtbot, window.controller)  # the categories are read
    qtbot.keyClicks(popup.picker.box, text)
    qtbot.keyClick(popup.picker.box, Qt.Key.Key_Return)


def _wait_marks(window: MainWindow, qtbot: QtBot, count: int) -> None:
    pane = window.documents.current
    qtbot.waitUntil(lambda: pane.marks_count == count, timeout=10_000)


def _close(
    a: tuple[float, float] | list[float], b: tuple[float, float] | list[float], tol: float
) -> bool:
    return abs(a[0] - b[0]) <= tol and abs(a[1] - b[1]) <= tol


def _drag(qtbot: QtBot, widget: Any, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(widget, LEFT, pos=start)
    middle = QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2)
    qtbot.mouseMove(widget, pos=middle)
    qtbot.mouseMove(widget, pos=end)
    qtbot.mouseRelease(widget, LEFT, pos=end)


# --- geometry ---------------------------------------------------------------------------


def test_moving_stops_at_the_edges_and_keeps_the_shape() -> None:
    square = [(10.0, 10.0), (30.0, 30.0)]
    assert translated(square, -50, 5, (100.0, 100.0)) == [(0.0, 15.0), (20.0, 35.0)]
    assert translated(square, 500, 500, (100.0, 100.0)) == [(80.0, 80.0), (100.0, 100.0)]


def test_resizing_a_corner_or_an_edge_and_flipping_over() -> None:
    box = [(10.0, 10.0), (30.0, 20.0)]
    handles = rect_handles(box)
    assert handles[2] == (30.0, 20.0)  # bottom-right
    assert handles[5] == (30.0, 15.0)  # right edge
    assert resized(box, 2, (50.0, 40.0)) == [(10.0, 10.0), (50.0, 40.0)]
    assert resized(box, 5, (60.0, 99.0)) == [(10.0, 10.0), (60.0, 20.0)]  # x only
    assert resized(box, 0, (40.0, 5.0)) == [(30.0, 5.0), (40.0, 20.0)]  # dragged past


# --- polygons ---------------------------------------------------------------------------


def test_polygon_on_an_image_in_image_pixels_at_two_zooms(
    window: MainWindow, qtbot: QtBot, filled: Library
) -> None:
    viewer, image, viewport = _image_pane(window, qtbot, filled)
    corners = [(150.0, 290.0), (380.0, 285.0), (395.0, 355.0), (150.0, 350.0)]
    expected: list[list[tuple[float, float]]] = []
    for zoom in (viewer.view.fit_zoom, viewer.view.fit_zoom * 2.5):
        viewer.view.set_zoom(zoom)
        viewer.view.centerOn(QPointF(270, 320))
        viewer.polygon_button.click()
        assert viewer.tool is Tool.POLYGON
        clicks = [_at(viewer, c) for c in corners]
        expected.append([_source_of(viewer, p) for p in clicks])
        drawn: list[RegionAnchor] = []
        viewer.regionDrawn.connect(drawn.append)
        for pos in clicks[:-1]:
            qtbot.mouseClick(viewport, LEFT, pos=pos)
        assert "3 corners" in viewer.hint.text()
        qtbot.mouseDClick(viewport, LEFT, pos=clicks[-1])  # closes the polygon
        viewer.regionDrawn.disconnect(drawn.append)
        assert len(drawn) == 1
        assert drawn[0].shape == "polygon"
        assert len(drawn[0].points) == 4  # the double-click added one corner, not two
        _pick(window, qtbot, "maritime")
        _wait_marks(window, qtbot, len(expected))
        viewer.set_tool(None)
    marks = _stored(filled, image)
    assert [m.anchor.shape for m in marks] == ["polygon", "polygon"]  # type: ignore[union-attr]
    for mark, clicked in zip(marks, expected, strict=True):
        assert mark.categories[0].startswith("maritime")
        assert mark.anchor.page is None  # type: ignore[union-attr]
        for got, want, corner in zip(mark.anchor.points, clicked, corners, strict=True):  # type: ignore[union-attr]
            assert _close(got, want, 0.02)  # what was clicked, in image pixels
            assert _close(got, corner, 1.5)  # the same place at either zoom
    assert len(viewer._mark_items) == 2


def test_polygon_on_a_pdf_page_in_points(window: MainWindow, qtbot: QtBot, filled: Library) -> None:
    viewer = _open_pdf(window, qtbot, filled)
    report = _source(filled, "pdf")
    viewport = viewer.view.viewport()
    corners = [(100.0, 200.0), (300.0, 180.0), (340.0, 320.0), (120.0, 360.0)]
    for zoom in (1.0, 2.0):
        viewer.view.set_zoom(zoom)
        viewer.view.go_to_page(1)
        viewer.polygon_button.click()
        drawn: list[RegionAnchor] = []
        viewer.regionDrawn.connect(drawn.append)
        qtbot.mouseClick(viewport, LEFT, pos=_at(viewer, corners[0], 1))
        qtbot.mouseClick(viewport, LEFT, pos=_at(viewer, corners[1], 1))
        keys = viewer.key_surfaces()[0]  # the page area, focused by the clicks
        qtbot.keyClick(keys, Qt.Key.Key_Return)  # two corners are not a polygon yet
        assert drawn == []
        assert "1 more" in viewer.hint.text()
        qtbot.mouseClick(viewport, LEFT, pos=_at(viewer, (500.0, 500.0), 1))  # a slip...
        qtbot.keyClick(keys, Qt.Key.Key_Backspace)  # ...taken back
        qtbot.mouseClick(viewport, LEFT, pos=_at(viewer, corners[2], 1))
        qtbot.mouseClick(viewport, LEFT, pos=_at(viewer, corners[3], 1))
        qtbot.keyClick(keys, Qt.Key.Key_Return)
        viewer.regionDrawn.disconnect(drawn.append)
        assert len(drawn) == 1
        window._picker.choose("arms")
        viewer.set_tool(None)
    _wait_marks(window, qtbot, 2)
    marks = _stored(filled, report)
    assert len(marks) == 2
    for mark in marks:
        anchor = mark.anchor
        assert isinstance(anchor, RegionAnchor)
        assert anchor.shape == "polygon"
        assert anchor.page == 1
        # One screen pixel is 0.75 pt at 100 % and 0.375 pt at 200 %.
        for got, want in zip(anchor.points, corners, strict=True):
            assert _close(got, want, 0.8)
    assert viewer.view._note_regions[1][0][2] == "polygon"


def test_esc_cancels_a_polygon_then_stops_the_tool(
    window: MainWindow, qtbot: QtBot, filled: Library
) -> None:
    viewer = _open_image(window, qtbot, filled)
    viewport = viewer.view.viewport()
    viewer.polygon_button.click()
    drawn: list[RegionAnchor] = []
    viewer.regionDrawn.connect(drawn.append)
    for corner in [(100.0, 100.0), (300.0, 100.0), (300.0, 300.0)]:
        qtbot.mouseClick(viewport, LEFT, pos=_at(viewer, corner))
    qtbot.keyClick(viewer.view, Qt.Key.Key_Escape)
    assert viewer.editor.draft == []
    assert viewer.tool is Tool.POLYGON  # the first Esc drops the shape only
    qtbot.keyClick(viewer.view, Qt.Key.Key_Return)
    assert drawn == []
    qtbot.keyClick(viewer.view, Qt.Key.Key_Escape)
    assert viewer.tool is None
    assert not viewer.polygon_button.isChecked()


# --- count markers -----------------------------------------------------------------------


def test_three_count_markers_on_an_image(window: MainWindow, qtbot: QtBot, filled: Library) -> None:
    viewer, image, viewport = _image_pane(window, qtbot, filled)
    viewer.points_button.click()
    assert viewer.tool is Tool.POINTS
    assert not viewer.draw_button.isChecked()
    containers = [(588.0, 598.0), (658.0, 653.0), (728.0, 708.0)]
    drawn: list[RegionAnchor] = []
    viewer.regionDrawn.connect(drawn.append)
    for n, spot in enumerate(containers, start=1):
        qtbot.mouseClick(viewport, LEFT, pos=_at(viewer, spot))
        assert viewer.hint.text().startswith(f"Count: {n} ")
    off_image = viewer.view.image_to_view(QPointF(-40, 300)).toPoint()
    if viewport.rect().contains(off_image):
        qtbot.mouseClick(viewport, LEFT, pos=off_image)  # nothing there to count
    assert len(viewer.editor.draft) == 3
    qtbot.keyClick(viewer.view, Qt.Key.Key_Return)
    assert len(drawn) == 1
    _pick(window, qtbot, "maritime")
    _wait_marks(window, qtbot, 1)
    (mark,) = _stored(filled, image)
    anchor = mark.anchor
    assert isinstance(anchor, RegionAnchor)
    assert anchor.shape == "points"
    assert len(anchor.points) == 3
    for got, want in zip(anchor.points, containers, strict=True):
        assert _close(got, want, 1.5)
    assert viewer.tool is Tool.POINTS  # ready for the next set


def test_count_markers_on_a_pdf_page_stay_on_their_page(
    window: MainWindow, qtbot: QtBot, filled: Library
) -> None:
    viewer = _open_pdf(window, qtbot, filled)
    viewport = viewer.view.viewport()
    zoom = 0.35  # both pages in view in a window kept within the 800 px screen
    viewer.view.set_zoom(zoom)
    viewer.points_button.click()
    drawn: list[RegionAnchor] = []
    viewer.regionDrawn.connect(drawn.append)
    qtbot.mouseClick(viewport, LEFT, pos=_at(viewer, (100.0, 100.0), 2))
    qtbot.mouseClick(viewport, LEFT, pos=_at(viewer, (200.0, 150.0), 2))
    qtbot.mouseClick(viewport, LEFT, pos=_at(viewer, (200.0, 150.0), 1))  # off page 2
    qtbot.mouseDClick(viewport, LEFT, pos=_at(viewer, (300.0, 200.0), 2))
    assert len(drawn) == 1
    window._picker.close()
    anchor = drawn[0]
    assert anchor.page == 2
    assert len(anchor.points) == 3
    assert _close(anchor.points[2], (300.0, 200.0), 1 / zoom)  # a screen pixel


# --- moving and reshaping -----------------------------------------------------------------


def _draw_rect(
    window: MainWindow,
    qtbot: QtBot,
    viewer: ImageSourceView,
    a: tuple[float, float],
    b: tuple[float, float],
) -> None:
    viewer.draw_button.click()
    _drag(qtbot, viewer.view.viewport(), _at(viewer, a), _at(viewer, b))
    _pick(window, qtbot, "maritime")
    viewer.set_tool(None)


def test_move_and_resize_a_rect_then_undo(
    window: MainWindow, qtbot: QtBot, filled: Library
) -> None:
    viewer, image, viewport = _image_pane(window, qtbot, filled)
    _draw_rect(window, qtbot, viewer, (400.0, 200.0), (600.0, 320.0))
    _wait_marks(window, qtbot, 1)
    (made,) = _stored(filled, image)
    original = made.anchor.points  # type: ignore[union-attr]
    assert viewer.editor.selected is None

    # A click on the mark selects it; a drag inside moves it.
    qtbot.mouseClick(viewport, LEFT, pos=_at(viewer, (500.0, 260.0)))
    assert viewer.editor.selected == made.uuid
    scale = viewer.scale(None)
    start = _at(viewer, (500.0, 260.0))
    _drag(qtbot, viewport, start, start + QPoint(100, 40))
    qtbot.waitUntil(lambda: _stored(filled, image)[0].anchor.points != original, timeout=10_000)  # type: ignore[union-attr]
    moved = _stored(filled, image)[0].anchor
    assert isinstance(moved, RegionAnchor)
    dx, dy = 100 / scale, 40 / scale
    assert _close(moved.points[0], (original[0][0] + dx, original[0][1] + dy), 0.02 + 1 / scale)
    assert _close(moved.points[1], (original[1][0] + dx, original[1][1] + dy), 0.02 + 1 / scale)
    assert viewer.editor.selected == made.uuid  # still selected after the redraw

    # At another zoom, the bottom-right handle resizes it to a point in image pixels.
    viewer.view.set_zoom(viewer.view.fit_zoom * 1.6)
    viewer.view.centerOn(QPointF(*moved.points[1]))
    corner = _at(viewer, moved.points[1])
    target = _at(viewer, (700.0, 400.0))
    want = _source_of(viewer, target)
    _drag(qtbot, viewport, corner, target)
    qtbot.waitUntil(lambda: _stored(filled, image)[0].anchor.points != moved.points, timeout=10_000)  # type: ignore[union-attr]
    sized = _stored(filled, image)[0].anchor
    assert isinstance(sized, RegionAnchor)
    assert sized.shape == "rect"
    assert _close(sized.points[0], moved.points[0], 0.02)  # the other corner stays
    assert _close(sized.points[1], want, 0.02)

    # Ctrl+Z takes back the resize, then the move.
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: _stored(filled, image)[0].anchor.points == moved.points, timeout=10_000)  # type: ignore[union-attr]
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: _stored(filled, image)[0].anchor.points == original, timeout=10_000)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: viewer.editor.regions[0].points == list(original), timeout=10_000)
    with filled.reader() as session:
        version = session.execute(text("select version from annotations")).scalar_one()
    assert version == 5  # created, moved, resized, and each undo: all on record


def test_arrow_keys_nudge_and_delete_deletes_the_selected_region(
    window: MainWindow, qtbot: QtBot, filled: Library
) -> None:
    viewer, image, viewport = _image_pane(window, qtbot, filled)
    _draw_rect(window, qtbot, viewer, (400.0, 200.0), (600.0, 320.0))
    _wait_marks(window, qtbot, 1)
    (made,) = _stored(filled, image)
    (x0, y0), (x1, y1) = made.anchor.points  # type: ignore[union-attr]
    # Without a selection the arrows are the view's (scrolling), nothing is edited.
    qtbot.keyClick(viewport, Qt.Key.Key_Right)
    assert _stored(filled, image)[0].anchor.points == made.anchor.points  # type: ignore[union-attr]

    qtbot.mouseClick(viewport, LEFT, pos=_at(viewer, (500.0, 260.0)))
    assert viewer.editor.selected == made.uuid
    qtbot.keyClick(viewport, Qt.Key.Key_Right)  # one image pixel
    want = ((x0 + 1, y0), (x1 + 1, y1))
    qtbot.waitUntil(lambda: _stored(filled, image)[0].anchor.points == want, timeout=10_000)  # type: ignore[union-attr]
    qtbot.keyClick(viewport, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)  # ten
    want = ((x0 + 1, y0 - 10), (x1 + 1, y1 - 10))
    qtbot.waitUntil(lambda: _stored(filled, image)[0].anchor.points == want, timeout=10_000)  # type: ignore[union-attr]
    assert viewer.editor.selected == made.uuid

    # Delete deletes it through the service; Ctrl+Z brings it back where it was.
    qtbot.keyClick(viewport, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: _stored(filled, image) == [], timeout=10_000)
    _wait_marks(window, qtbot, 0)
    with filled.reader() as session:
        deleted = session.execute(text("select deleted_at from annotations")).scalar_one()
    assert deleted is not None  # kept, marked deleted: the audit trail holds it
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: len(_stored(filled, image)) == 1, timeout=10_000)
    assert _stored(filled, image)[0].anchor.points == want  # type: ignore[union-attr]


def test_a_click_elsewhere_deselects_and_a_plain_click_changes_nothing(
    window: MainWindow, qtbot: QtBot, filled: Library
) -> None:
    viewer, image, viewport = _image_pane(window, qtbot, filled)
    _draw_rect(window, qtbot, viewer, (400.0, 200.0), (600.0, 320.0))
    _wait_marks(window, qtbot, 1)
    edits: list[object] = []
    viewer.regionEdited.connect(lambda *args: edits.append(args))
    qtbot.mouseClick(viewport, LEFT, pos=_at(viewer, (450.0, 250.0)))
    assert viewer.editor.selected is not None
    qtbot.mouseClick(viewport, LEFT, pos=_at(viewer, (900.0, 100.0)))
    assert viewer.editor.selected is None
    assert edits == []
    assert _stored(filled, image)[0].modified == _stored(filled, image)[0].created


def test_double_click_adds_and_removes_polygon_corners_and_count_markers(
    window: MainWindow, qtbot: QtBot, filled: Library
) -> None:
    viewer, image, viewport = _image_pane(window, qtbot, filled)
    triangle = ((200.0, 200.0), (600.0, 200.0), (400.0, 500.0))
    with filled.writer() as session:
        service = AnnotationService(filled)
        polygon = service.create(
            session, image, RegionAnchor("polygon", triangle), categories=["maritime"]
        )
        count = service.create(
            session,
            image,
            RegionAnchor("points", ((800.0, 600.0), (900.0, 600.0))),
            categories=["maritime"],
        )
    window.documents.current.reload_marks()
    _wait_marks(window, qtbot, 2)

    def points_of(uuid: str) -> tuple[tuple[float, float], ...]:
        return next(a for a in _stored(filled, image) if a.uuid == uuid).anchor.points  # type: ignore[union-attr]

    # On the top edge of the selected triangle: a fourth corner, between the first two.
    qtbot.mouseClick(viewport, LEFT, pos=_at(viewer, (400.0, 300.0)))
    assert viewer.editor.selected == polygon.uuid
    edge = _at(viewer, (400.0, 200.0))
    qtbot.mouseDClick(viewport, LEFT, pos=edge)
    qtbot.waitUntil(lambda: len(points_of(polygon.uuid)) == 4, timeout=10_000)
    wait_idle(qtbot, window.controller)  # the marks are drawn again
    added = points_of(polygon.uuid)
    assert added[0] == triangle[0]
    assert added[2] == triangle[1]
    assert _close(added[1], _source_of(viewer, edge), 0.02)
    # On a corner: it goes; a triangle keeps its three.
    qtbot.mouseDClick(viewport, LEFT, pos=_at(viewer, added[1]))
    qtbot.waitUntil(lambda: points_of(polygon.uuid) == triangle, timeout=10_000)
    wait_idle(qtbot, window.controller)  # the marks are drawn again
    qtbot.mouseDClick(viewport, LEFT, pos=_at(viewer, triangle[2]))
    assert points_of(polygon.uuid) == triangle

    # Count markers: a double-click on one removes it, inside the set adds one.
    qtbot.mouseClick(viewport, LEFT, pos=_at(viewer, (800.0, 600.0)))
    assert viewer.editor.selected == count.uuid
    qtbot.mouseDClick(viewport, LEFT, pos=_at(viewer, (850.0, 600.0)))
    qtbot.waitUntil(lambda: len(points_of(count.uuid)) == 3, timeout=10_000)
    wait_idle(qtbot, window.controller)  # the marks are drawn again
    qtbot.waitUntil(lambda: "3 counted" in viewer.hint.text(), timeout=10_000)
    qtbot.mouseDClick(viewport, LEFT, pos=_at(viewer, (900.0, 600.0)))
    qtbot.waitUntil(lambda: len(points_of(count.uuid)) == 2, timeout=10_000)
    wait_idle(qtbot, window.controller)  # the marks are drawn again
    assert points_of(count.uuid)[0] == (800.0, 600.0)
    # Each change is one undoable edit.
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: len(points_of(count.uuid)) == 3, timeout=10_000)
    wait_idle(qtbot, window.controller)  # the marks are drawn again


def test_drag_a_polygon_vertex_and_a_count_marker(
    window: MainWindow, qtbot: QtBot, filled: Library
) -> None:
    viewer, image, viewport = _image_pane(window, qtbot, filled)
    with filled.writer() as session:
        service = AnnotationService(filled)
        polygon = service.create(
            session,
            image,
            RegionAnchor("polygon", ((150.0, 290.0), (380.0, 285.0), (395.0, 355.0))),
            categories=["maritime"],
        )
        points = service.create(
            session,
            image,
            RegionAnchor("points", ((588.0, 598.0), (658.0, 653.0), (728.0, 708.0))),
            categories=["maritime"],
        )
    window.documents.current.reload_marks()
    _wait_marks(window, qtbot, 2)

    qtbot.mouseClick(viewport, LEFT, pos=_at(viewer, (300.0, 310.0)))  # inside the polygon
    assert viewer.editor.selected == polygon.uuid
    target = _at(viewer, (140.0, 200.0))
    _drag(qtbot, viewport, _at(viewer, (380.0, 285.0)), target)  # its second vertex
    want = _source_of(viewer, target)

    def polygon_now() -> RegionAnchor:
        with filled.reader() as session:
            anchor = AnnotationService(filled).get(session, polygon.uuid).anchor
        assert isinstance(anchor, RegionAnchor)
        return anchor

    qtbot.waitUntil(lambda: polygon_now().points[1] != (380.0, 285.0), timeout=10_000)
    got = polygon_now().points
    assert _close(got[1], want, 0.02)
    assert got[0] == (150.0, 290.0)
    assert got[2] == (395.0, 355.0)

    # A count marker is a handle of its own set: dragging it moves that one marker.
    second = _at(viewer, (658.0, 653.0))
    target = second + QPoint(30, -20)
    want = _source_of(viewer, target)
    _drag(qtbot, viewport, second, target)

    def points_now() -> tuple[tuple[float, float], ...]:
        with filled.reader() as session:
            anchor = AnnotationService(filled).get(session, points.uuid).anchor
        assert isinstance(anchor, RegionAnchor)
        return anchor.points

    qtbot.waitUntil(lambda: points_now()[1] != (658.0, 653.0), timeout=10_000)
    assert viewer.editor.selected == points.uuid
    assert _close(points_now()[1], want, 0.02)
    assert points_now()[0] == (588.0, 598.0)
    assert len(points_now()) == 3


def test_moving_a_region_on_a_pdf_page(window: MainWindow, qtbot: QtBot, filled: Library) -> None:
    viewer = _open_pdf(window, qtbot, filled)
    report = _source(filled, "pdf")
    viewport = viewer.view.viewport()
    with filled.writer() as session:
        made = AnnotationService(filled).create(
            session, report, RegionAnchor("rect", ((100.0, 100.0), (250.0, 180.0)), 1)
        )
    window.documents.current.reload_marks()
    _wait_marks(window, qtbot, 1)
    viewer.view.go_to_page(1)
    start = _at(viewer, (150.0, 140.0), 1)
    scale = viewer.scale(1)
    _drag(qtbot, viewport, start, start + QPoint(60, 30))

    def now() -> RegionAnchor:
        with filled.reader() as session:
            anchor = AnnotationService(filled).get(session, made.uuid).anchor
        assert isinstance(anchor, RegionAnchor)
        return anchor

    qtbot.waitUntil(lambda: now().points[0] != (100.0, 100.0), timeout=10_000)
    assert now().page == 1
    assert _close(now().points[0], (100 + 60 / scale, 100 + 30 / scale), 0.02 + 1 / scale)
    assert _close(now().points[1], (250 + 60 / scale, 180 + 30 / scale), 0.02 + 1 / scale)


def test_shortcuts_switch_tools_in_the_focused_pane(
    window: MainWindow, qtbot: QtBot, filled: Library
) -> None:
    viewer = _open_image(window, qtbot, filled)
    window.activateWindow()
    viewer.view.setFocus()
    qtbot.waitUntil(viewer.view.hasFocus)
    qtbot.keyClick(viewer.view, Qt.Key.Key_P)
    assert viewer.tool is Tool.POLYGON
    qtbot.keyClick(viewer.view, Qt.Key.Key_C)
    assert viewer.tool is Tool.POINTS
    assert not viewer.polygon_button.isChecked()
    qtbot.keyClick(viewer.view, Qt.Key.Key_R)
    assert viewer.tool is Tool.RECT
    qtbot.keyClick(viewer.view, Qt.Key.Key_R)
    assert viewer.tool is None


# --- how it looks ----------------------------------------------------------------------


def _shot(widget: Any, name: str, tmp_path: Path) -> QImage:
    """Grab a widget; kept in $REGION_SHOTS (if set) to look at."""
    folder = Path(os.environ.get("REGION_SHOTS", str(tmp_path)))
    folder.mkdir(parents=True, exist_ok=True)
    picture = widget.grab()
    picture.save(str(folder / f"{name}.png"))
    return picture.toImage()


def _has_colour(image: QImage, colour: QColor, near: QPoint, reach: int = 14) -> bool:
    ratio = image.devicePixelRatio()
    for dx in range(-reach, reach + 1):
        for dy in range(-reach, reach + 1):
            x, y = round((near.x() + dx) * ratio), round((near.y() + dy) * ratio)
            if 0 <= x < image.width() and 0 <= y < image.height():
                seen = image.pixelColor(x, y)
                if (
                    abs(seen.red() - colour.red()) < 40
                    and abs(seen.green() - colour.green()) < 40
                    and abs(seen.blue() - colour.blue()) < 40
                ):
                    return True
    return False


def test_screenshots_of_polygons_markers_and_handles(
    window: MainWindow, qtbot: QtBot, filled: Library, tmp_path: Path
) -> None:
    from ui.desktop.annotations.region_tools import DRAFT

    image = _source(filled, "image")
    report = _source(filled, "pdf")
    with filled.writer() as session:
        service = AnnotationService(filled)
        service.create(
            session,
            image,
            RegionAnchor(
                "polygon",
                ((150.0, 290.0), (360.0, 285.0), (385.0, 320.0), (360.0, 352.0), (148.0, 348.0)),
            ),
            categories=["maritime"],
        )
        service.create(
            session,
            image,
            RegionAnchor("points", tuple((588.0 + 70 * i, 598.0) for i in range(8))),
            categories=["sectoral-exports"],
        )
        box = service.create(
            session,
            image,
            RegionAnchor("rect", ((515.0, 365.0), (835.0, 445.0))),
            categories=["arms"],
        )
        service.create(
            session,
            image,
            RegionAnchor("rect", ((380.0, 250.0), (470.0, 360.0))),
            redact=True,
        )
        service.create(
            session,
            report,
            RegionAnchor(
                "polygon", ((80.0, 140.0), (420.0, 120.0), (460.0, 300.0), (100.0, 330.0)), 1
            ),
            categories=["maritime"],
        )
    viewer = _open_image(window, qtbot, filled)
    _wait_marks(window, qtbot, 4)
    viewer.view.fit()
    viewer.select_region(box.uuid)
    qtbot.waitUntil(lambda: viewer.view.missing_tile_count == 0, timeout=10_000)
    shot = _shot(viewer, "image-regions", tmp_path)
    handle = viewer.mapFromGlobal(viewer.view.viewport().mapToGlobal(_at(viewer, (835.0, 445.0))))
    assert _has_colour(shot, DRAFT, handle, 6)  # the selected box shows its handles
    # Count markers: numbered circles in the category colour.
    assert len([m for m in viewer.editor.regions if m.shape == "points"][0].points) == 8

    # Counting in progress: three markers down, the next number beside the cursor.
    viewer.points_button.click()
    viewport = viewer.view.viewport()
    for i in range(3):
        qtbot.mouseClick(viewport, LEFT, pos=_at(viewer, (588.0 + 70 * i, 653.0)))
    qtbot.mouseMove(viewport, pos=_at(viewer, (798.0, 653.0)))
    assert viewer.hint.text().startswith("Count: 3 ")
    counting = _shot(viewer, "image-counting", tmp_path)
    ghost = viewer.mapFromGlobal(
        viewport.mapToGlobal(_at(viewer, (798.0, 653.0)) + QPoint(16, -16))
    )
    assert _has_colour(counting, QColor(255, 255, 255), ghost, 3)  # the ghost's ring
    qtbot.keyClick(viewer.view, Qt.Key.Key_Escape)
    viewer.set_tool(None)

    pdf = _open_pdf(window, qtbot, filled)
    _wait_marks(window, qtbot, 1)
    pdf.view.go_to_page(1)
    qtbot.waitUntil(lambda: pdf.view.is_page_rendered(1), timeout=10_000)
    pdf_shot = _shot(pdf, "pdf-polygon", tmp_path)
    vertex = pdf.mapFromGlobal(pdf.view.viewport().mapToGlobal(_at(pdf, (420.0, 120.0), 1)))
    outline = pdf.editor.regions[0].outline
    assert _has_colour(pdf_shot, outline, vertex, 4)
    pdf.select_region(pdf.editor.regions[0].uuid)
    _shot(pdf, "pdf-polygon-selected", tmp_path)


def test_going_to_a_region_from_the_marks_list_selects_it(
    window: MainWindow, qtbot: QtBot, filled: Library
) -> None:
    image = _source(filled, "image")
    with filled.writer() as session:
        made = AnnotationService(filled).create(
            session, image, RegionAnchor("rect", ((400.0, 200.0), (600.0, 320.0)))
        )
    window.open_annotation(made.uuid, 0)  # opens the source; its marks load on a worker
    wait_idle(qtbot, window.controller)
    viewer = window.documents.current.viewer
    assert isinstance(viewer, ImageSourceView)
    qtbot.waitUntil(lambda: viewer.editor.selected == made.uuid, timeout=10_000)
    assert "Drag to move" in viewer.hint.text()
    qtbot.keyClick(viewer.view, Qt.Key.Key_Escape)
    assert viewer.editor.selected is None


def test_narrow_panes_fold_their_toolbars_instead_of_squeezing_the_docks(
    window: MainWindow, qtbot: QtBot, filled: Library
) -> None:
    # Two panes side by side must fit beside the library and inspector docks: what
    # does not fit in a toolbar goes behind its » button.
    pdf = _open_pdf(window, qtbot, filled)
    window.split_h_action.trigger()
    image = _open_image(window, qtbot, filled)
    for viewer in (pdf, image):
        assert viewer.minimumSizeHint().width() <= 320, type(viewer).__name__
    assert window.documents.minimumSizeHint().width() <= 660


def test_drawing_past_the_edge_scrolls_the_view(
    window: MainWindow, qtbot: QtBot, filled: Library
) -> None:
    viewer, image, viewport = _image_pane(window, qtbot, filled)
    viewer.view.set_zoom(viewer.view.fit_zoom * 3)
    viewer.view.centerOn(QPointF(300.0, 400.0))
    bar = viewer.view.horizontalScrollBar()
    start_scroll = bar.value()
    visible_right = _source_of(viewer, QPoint(viewport.width() - 1, 0))[0]
    viewer.draw_button.click()
    start = QPoint(viewport.width() // 2, viewport.height() // 2)
    edge = QPoint(viewport.width() - 4, viewport.height() // 2 + 30)
    qtbot.mousePress(viewport, LEFT, pos=start)
    qtbot.mouseMove(viewport, pos=edge)
    # Held near the edge, the view scrolls on and the rectangle follows.
    qtbot.waitUntil(lambda: bar.value() > start_scroll + 60, timeout=5_000)
    qtbot.mouseRelease(viewport, LEFT, pos=edge)
    scrolled = bar.value()
    qtbot.wait(100)
    assert bar.value() == scrolled  # released: it stops
    _pick(window, qtbot, "maritime")
    _wait_marks(window, qtbot, 1)
    (made,) = _stored(filled, image)
    right = max(x for x, _ in made.anchor.points)  # type: ignore[union-attr]
    assert right > visible_right + 10  # beyond what was on screen when the drag began


def test_a_drawn_region_stays_while_the_picker_is_open_and_escape_keeps_it(
    window: MainWindow, qtbot: QtBot, filled: Library
) -> None:
    viewer, image, viewport = _image_pane(window, qtbot, filled)
    viewer.draw_button.click()
    _drag(qtbot, viewport, _at(viewer, (400.0, 200.0)), _at(viewer, (600.0, 320.0)))
    popup = window._picker
    qtbot.waitUntil(popup.isVisible)
    pending = viewer.editor.pending
    assert pending is not None  # still drawn while the reviewer chooses
    assert pending.shape == "rect"
    # Esc keeps the region, without a category (it took care to draw), and says so.
    qtbot.keyClick(popup.picker.box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: viewer.editor.pending is None, timeout=5_000)
    _wait_marks(window, qtbot, 1)
    assert "without a category" in window.statusBar().currentMessage()
    (kept,) = _stored(filled, image)
    assert kept.categories == []
    # Chosen: stored, and the pending outline gives way to the mark.
    _drag(qtbot, viewport, _at(viewer, (420.0, 220.0)), _at(viewer, (600.0, 320.0)))
    _pick(window, qtbot, "maritime")
    _wait_marks(window, qtbot, 2)
    assert viewer.editor.pending is None
