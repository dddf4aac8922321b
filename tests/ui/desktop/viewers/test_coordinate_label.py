"""The cursor's latitude and longitude under a georeferenced image, in a real window."""

from __future__ import annotations

from pathlib import Path

import pyproj
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from tests import samples
from tests.ui.desktop.viewers.conftest import open_picture
from ui.desktop.app.main_window import MainWindow
from workstation.core.library import Library
from workstation.geo.labels import decimal_label, dms_label


def test_the_cursor_shows_where_it_is_and_double_click_copies(
    window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    viewer = open_picture(window, qtbot, library, samples.make_geotiff(tmp_path, size=(400, 300)))
    label = viewer.coordinates
    assert label.isVisible()
    viewport = viewer.view.viewport()
    pos = viewer.view.image_to_view(QPointF(120, 80)).toPoint()
    qtbot.mouseMove(viewport, pos)
    where = viewer.view.view_to_image(QPointF(pos))  # the pixel the whole-pixel cursor is on
    lon, lat = pyproj.Transformer.from_crs("EPSG:32652", "EPSG:4326", always_xy=True).transform(
        600_000 + where.x() * 0.5, 4_680_000 - where.y() * 0.5
    )
    qtbot.waitUntil(lambda: label.decimal != "", timeout=5_000)
    assert label.text() == f"{decimal_label(lon, lat, 5)}  ·  {dms_label(lon, lat)}"
    assert label.text().startswith("42.2")
    with qtbot.waitSignal(label.coordinatesCopied):
        qtbot.mouseDClick(label, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == f"{lat:.6f}, {lon:.6f}"


def test_a_picture_without_a_place_shows_no_coordinates(
    window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    viewer = open_picture(window, qtbot, library, samples.make_jpeg(tmp_path, size=(400, 300)))
    assert not viewer.coordinates.georeferenced
    assert not viewer.coordinates.isVisible()


def test_the_measure_tool_measures_a_dragged_line(
    window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    viewer = open_picture(window, qtbot, library, samples.make_geotiff(tmp_path, size=(400, 300)))
    assert viewer.measure.available
    viewport = viewer.view.viewport()
    qtbot.mouseClick(viewer.measure_button, Qt.MouseButton.LeftButton)
    assert viewer.measure.active
    start = viewer.view.image_to_view(QPointF(50, 100)).toPoint()
    end = viewer.view.image_to_view(QPointF(350, 100)).toPoint()
    with qtbot.waitSignal(viewer.measure.measured) as blocker:
        qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
        qtbot.mouseMove(viewport, end)
        qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    m = blocker.args[0]
    a, b = (viewer.view.view_to_image(QPointF(p)) for p in (start, end))
    pixels = ((b.x() - a.x()) ** 2 + (b.y() - a.y()) ** 2) ** 0.5
    assert m.value == pytest.approx(pixels * 0.5, rel=0.002)  # 0.5 m of UTM grid a pixel
    assert m.method == "georeference"
    assert viewer.measure_label.text() == f"measured {m.text()} (geodesic, one sigma)"
    # A region tool takes the mouse back.
    viewer.draw_button.click()
    assert not viewer.measure_button.isChecked()
    assert not viewer.measure.active


def test_no_measure_tool_without_a_scale(
    window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    viewer = open_picture(window, qtbot, library, samples.make_jpeg(tmp_path, size=(400, 300)))
    assert not viewer.measure.available
    viewer.measure.set_active(True)
    assert not viewer.measure.active
