"""Before and after side by side: pan and zoom locked in map coordinates."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF
from pytestqt.qtbot import QtBot

from tests import samples
from tests.ui.desktop.viewers.conftest import open_picture
from ui.desktop.app.main_window import MainWindow
from ui.desktop.viewers.image import compare_window
from ui.desktop.viewers.image.compare_window import CompareSide, CompareWindow
from workstation.core.library import Library
from workstation.geo.reading import read_geotiff
from workstation.geo.records import as_json
from workstation.sources.ingest import ImportService


def _side(
    folder: Path, name: str, origin: tuple[float, float], gsd: float, captured: str
) -> CompareSide:
    path = samples.make_geotiff(
        folder, name=name, origin=origin, pixel_size=(gsd, gsd), size=(800, 600)
    )
    g = read_geotiff(path)
    assert g is not None
    doc = as_json(g) | {"gsd_metres": gsd}
    return CompareSide(0, name, captured, path, name.ljust(64, "0")[:64], doc)


@pytest.fixture
def compare(qtbot: QtBot, tmp_path: Path) -> CompareWindow:
    # The "after" picture starts 50 m further east and has pixels twice as big.
    before = _side(tmp_path, "before.tif", (600_000.0, 4_680_000.0), 0.5, "2024-03-01")
    after = _side(tmp_path, "after.tif", (600_050.0, 4_680_000.0), 1.0, "2024-05-17")
    derived = tmp_path / "derived"
    derived.mkdir()
    win = CompareWindow(derived, before, after)
    qtbot.addWidget(win)
    win.resize(1000, 500)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: all(v.pyramid is not None for v in win.views), timeout=10_000)
    return win


def test_panning_and_zooming_one_moves_the_other_to_the_same_ground(
    compare: CompareWindow, qtbot: QtBot
) -> None:
    window = compare
    left, right = window.views
    assert [label.text() for label in window.labels] == [
        "before.tif · 2024-03-01",
        "after.tif · 2024-05-17",
    ]
    left.set_zoom(1.0)
    left.centerOn(QPointF(400, 300))
    # 400 px at 0.5 m is 200 m east of the first's corner: 150 m, 150 px, into the second.
    centre = window.centre_of(1)
    here = window.centre_of(0)
    assert (centre.x(), centre.y()) == pytest.approx(((here.x() - 100) / 2, here.y() / 2), abs=1.0)
    # Same ground scale (metres per screen pixel): the coarser picture, twice the zoom.
    assert right.zoom == pytest.approx(left.zoom * 2, rel=1e-6)
    right.centerOn(QPointF(200, 150))
    there = window.centre_of(1)
    back = window.centre_of(0)
    assert (back.x(), back.y()) == pytest.approx((there.x() * 2 + 100, there.y() * 2), abs=1.0)


def test_compare_from_the_image_pane_opens_the_overlapping_pair(
    window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    before, after = samples.make_before_after(tmp_path)
    ImportService(library).import_paths([before])
    viewer = open_picture(window, qtbot, library, after)  # the later one
    viewer.compare_button.click()
    qtbot.waitUntil(lambda: bool(compare_window._open_windows), timeout=10_000)
    shown = compare_window._open_windows[0]
    try:
        # The earlier capture on the left.
        assert [s.captured for s in shown.sides] == ["2024-03-01", "2024-05-17"]
        assert [s.title for s in shown.sides] == ["before.tif", "after.tif"]
    finally:
        shown.close()
    qtbot.waitUntil(lambda: not compare_window._open_windows, timeout=5_000)


def test_compare_says_when_nothing_overlaps(
    window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    viewer = open_picture(window, qtbot, library, samples.make_geotiff(tmp_path))
    viewer.compare_button.click()
    qtbot.waitUntil(lambda: "No other georeferenced image" in viewer.measure_label.text())
    assert not compare_window._open_windows
