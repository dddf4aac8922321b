"""Georeferencing a picture by hand in the desktop: click points, type coordinates, Apply."""

from __future__ import annotations

from pathlib import Path

import pyproj
import pytest
from PySide6.QtCore import QPointF, Qt
from pytestqt.qtbot import QtBot

from tests import samples
from tests.ui.desktop.viewers.conftest import open_picture
from ui.desktop.app.main_window import MainWindow
from ui.desktop.viewers.frames import ImageSourceView
from workstation.core.library import Library
from workstation.geo.records import georeference_of

TO_GEO = pyproj.Transformer.from_crs("EPSG:32652", "EPSG:4326", always_xy=True)


@pytest.fixture
def viewer(window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path) -> ImageSourceView:
    return open_picture(window, qtbot, library, samples.make_jpeg(tmp_path, size=(400, 300)))


def _latlon(x: float, y: float) -> tuple[str, str]:
    lon, lat = TO_GEO.transform(600_000 + x * 0.5, 4_680_000 - y * 0.5)
    return repr(lat), repr(lon)


def test_click_two_points_type_their_coordinates_and_apply(
    viewer: ImageSourceView, qtbot: QtBot, library: Library
) -> None:
    assert not viewer.coordinates.georeferenced
    assert not viewer.measure.available
    viewer.georef_button.click()
    dialog = viewer.georef_dialog
    assert dialog is not None
    viewport = viewer.view.viewport()
    for x, y in ((40, 30), (360, 270)):
        pos = viewer.view.image_to_view(QPointF(x, y)).toPoint()
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=pos)
    assert dialog.table.rowCount() == 2
    for row in range(2):
        x = float(dialog.table.item(row, 0).text())
        y = float(dialog.table.item(row, 1).text())
        lat, lon = _latlon(x, y)
        dialog.table.item(row, 2).setText(lat)
        dialog.table.item(row, 3).setText(lon)
    dialog.crs.setText("EPSG:32652")
    with qtbot.waitSignal(dialog.applied, timeout=10_000):
        dialog.apply_button.click()
    assert dialog.status.text().startswith("Stored in EPSG:32652: exact with two points, 0.5")
    assert viewer.coordinates.georeferenced  # the pane follows without reopening
    assert viewer.measure.available
    with library.reader() as session:
        g = georeference_of(session, 1)  # the library's only source
    assert g is not None
    assert (g.origin, len(g.points)) == ("hand", 2)
    dialog.close()


def test_a_bad_cell_and_too_few_points_are_said_in_the_dialog(
    viewer: ImageSourceView, qtbot: QtBot
) -> None:
    viewer.georef_button.click()
    dialog = viewer.georef_dialog
    assert dialog is not None
    dialog.add_point(10, 10, "42.2", "north")
    dialog.apply_button.click()
    assert dialog.status.text() == "point 1: every cell needs a number"
    dialog.table.item(0, 3).setText("130.2")
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: "at least 2 control points" in dialog.status.text(), timeout=10_000)
    assert not viewer.coordinates.georeferenced
    dialog.close()
