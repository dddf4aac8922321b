"""The Measure tool in a real window: a vessel's registered size beside a measured length,
an area mode, and a measurement saved as a mark (undoable like any other)."""

from __future__ import annotations

from pathlib import Path

import pyproj
import pytest
from PySide6.QtCore import QPointF, Qt
from pytestqt.qtbot import QtBot

from tests import samples
from tests.ui.desktop.conftest import wait_idle
from tests.ui.desktop.viewers.conftest import open_picture
from ui.desktop.app.main_window import MainWindow
from ui.desktop.viewers.frames import ImageSourceView
from workstation.annotations.anchors import RegionAnchor
from workstation.annotations.queries import AnnotationFilter
from workstation.annotations.service import AnnotationService
from workstation.core.library import Library
from workstation.entities.register import add_entity, entity_page, link_annotation

UTM = pyproj.Transformer.from_crs("EPSG:32652", "EPSG:4326", always_xy=True)
GEOD = pyproj.Geod(ellps="WGS84")


def _vessel(library: Library, name: str, **attributes: float) -> str:
    with library.writer() as session:
        return add_entity(library, session, "vessel", name, attributes=attributes).uuid


def _on(viewer: ImageSourceView, qtbot: QtBot, vessels: int) -> None:
    viewer.measure_button.click()
    assert viewer.measure.active
    assert viewer.measure.panel.isVisible()
    qtbot.waitUntil(lambda: viewer.measure.vessel_box.count() == vessels + 1, timeout=10_000)


def _drag(viewer: ImageSourceView, qtbot: QtBot, a: QPointF, b: QPointF) -> None:
    viewport = viewer.view.viewport()
    start, end = (viewer.view.image_to_view(p).toPoint() for p in (a, b))
    with qtbot.waitSignal(viewer.measure.measured):
        qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
        qtbot.mouseMove(viewport, end)
        qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)


def test_a_length_is_shown_beside_the_chosen_vessels_registered_size(
    window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    amber = _vessel(library, "AMBER TIDE", loa_metres=183.0, beam_metres=32.0)
    _vessel(library, "ANOTHER")  # no size registered
    path = samples.make_geotiff(tmp_path, size=(400, 300))
    viewer = open_picture(window, qtbot, library, path)
    source_id = window.documents.current.source_id
    zulu = _vessel(library, "ZULU STAR", loa_metres=90.0)
    with library.writer() as session:  # linked to a mark on this picture: listed first
        mark = AnnotationService(library).create(
            session, source_id, RegionAnchor("rect", ((1, 1), (9, 9)))
        )
        link_annotation(library, session, mark.uuid, zulu)
    _on(viewer, qtbot, 3)
    tool = viewer.measure
    box = tool.vessel_box
    assert [box.itemText(i) for i in range(4)] == [
        "No vessel",
        "ZULU STAR",
        "AMBER TIDE",
        "ANOTHER",
    ]
    assert [box.itemData(i, Qt.ItemDataRole.ToolTipRole) for i in range(1, 4)] == [
        "registered LOA 90 m",
        "registered LOA 183 m, beam 32 m",
        "no registered size",
    ]
    _drag(viewer, qtbot, QPointF(50, 100), QPointF(350, 100))
    m = tool.last
    assert m is not None
    assert viewer.measure_label.text() == f"measured {m.text()} (geodesic, one sigma)"
    tool.choose_vessel(amber)
    assert viewer.measure_label.text() == (
        f"measured {m.text()} (geodesic, one sigma); registered LOA 183 m, beam 32 m"
    )
    box.setCurrentIndex(box.findText("ANOTHER"))
    assert viewer.measure_label.text().endswith("; ANOTHER: no registered size")


def _corners_lonlat(viewer: ImageSourceView, corners: list[QPointF]) -> list[QPointF]:
    """The pixels the whole-pixel mouse lands on for these image points."""
    return [
        viewer.view.view_to_image(QPointF(viewer.view.image_to_view(p).toPoint())) for p in corners
    ]


def _click_area(viewer: ImageSourceView, qtbot: QtBot, corners: list[QPointF]) -> None:
    viewport = viewer.view.viewport()
    at = [viewer.view.image_to_view(p).toPoint() for p in corners]
    for pos in at:
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=pos)
    with qtbot.waitSignal(viewer.measure.measured):
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=at[-1])


def test_the_area_mode_measures_a_clicked_polygon_on_the_ellipsoid(
    window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    viewer = open_picture(window, qtbot, library, samples.make_geotiff(tmp_path, size=(400, 300)))
    _on(viewer, qtbot, 0)
    tool = viewer.measure
    tool.area_button.click()
    assert tool.mode == "area"
    corners = [QPointF(50, 50), QPointF(350, 50), QPointF(350, 250), QPointF(50, 250)]
    _click_area(viewer, qtbot, corners)
    m = tool.last
    assert m is not None
    assert m.kind == "area"
    landed = _corners_lonlat(viewer, corners)
    lonlats = [UTM.transform(600_000 + p.x() * 0.5, 4_680_000 - p.y() * 0.5) for p in landed]
    area, _perimeter = GEOD.polygon_area_perimeter(*zip(*lonlats, strict=True))
    assert m.value == pytest.approx(abs(area), rel=1e-6)
    assert m.value == pytest.approx(150 * 100, rel=0.01)  # 300 x 200 px of 0.5 m grid
    assert viewer.measure_label.text() == f"measured {m.text()} (geodesic, one sigma)"
    assert m.text().endswith(" m²")
    assert tool.save_button.isEnabled()
    # Back to lines: the polygon goes, and a drag measures a length again.
    tool.line_button.click()
    assert tool.mode == "line"
    assert tool.last is None
    assert not tool.save_button.isEnabled()
    _drag(viewer, qtbot, QPointF(50, 100), QPointF(350, 100))
    assert tool.last is not None
    assert tool.last.kind == "length"


def test_save_as_mark_keeps_a_linked_mark_that_ctrl_z_takes_back(
    window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    amber = _vessel(library, "AMBER TIDE", loa_metres=183.0)
    viewer = open_picture(window, qtbot, library, samples.make_geotiff(tmp_path, size=(400, 300)))
    source_id = window.documents.current.source_id
    _on(viewer, qtbot, 1)
    tool = viewer.measure
    assert not tool.save_button.isEnabled()  # nothing measured yet
    tool.choose_vessel(amber)
    _drag(viewer, qtbot, QPointF(50, 100), QPointF(350, 100))
    m = tool.last
    assert m is not None
    with qtbot.waitSignal(tool.saved, timeout=10_000) as saved:
        tool.save_button.click()
    wait_idle(qtbot, window.controller)
    uuid = saved.args[0]
    with library.reader() as session:
        data = AnnotationService(library).get(session, uuid)
        assert isinstance(data.anchor, RegionAnchor)
        assert data.anchor.shape == "points"
        stored = [c for p in data.anchor.points for c in p]
        assert stored == pytest.approx([c for p in tool.last_points for c in p], abs=0.01)
        assert data.note == f"{m.note()}; AMBER TIDE: registered LOA 183 m"
        assert [a.uuid for a in entity_page(session, amber).annotations] == [uuid]
    assert viewer.measure_label.text().endswith("saved as a mark (Ctrl+Z undoes)")
    assert window.undo_action.isEnabled()
    # The area, saved as its polygon.
    tool.area_button.click()
    corners = [QPointF(60, 60), QPointF(300, 60), QPointF(180, 240)]
    _click_area(viewer, qtbot, corners)
    tool.choose_vessel(None)
    with qtbot.waitSignal(tool.saved, timeout=10_000) as saved_area:
        tool.save_button.click()
    wait_idle(qtbot, window.controller)
    with library.reader() as session:
        area = AnnotationService(library).get(session, saved_area.args[0])
        assert isinstance(area.anchor, RegionAnchor)
        assert area.anchor.shape == "polygon"
        assert len(area.anchor.points) == 3
        assert area.note is not None
        assert area.note.startswith("Measured area ")
    # Ctrl+Z three times: the area, the line's vessel link, the line.
    for _ in range(3):
        window.annotation_commands.undo()
        wait_idle(qtbot, window.controller)
    with library.reader() as session:
        marks = AnnotationService(library).find(session, AnnotationFilter(source_id=source_id))
        assert marks == []
        assert entity_page(session, amber).annotations == []
