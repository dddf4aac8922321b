"""Before and after side by side: pan and zoom locked in map coordinates."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtWidgets import QGraphicsOpacityEffect
from pytestqt.qtbot import QtBot

from tests import samples
from tests.ui.desktop.viewers.conftest import open_picture
from ui.desktop.app.main_window import MainWindow
from ui.desktop.viewers.image import compare_window, pair_chooser
from ui.desktop.viewers.image.compare_window import CompareSide, CompareWindow
from workstation.core.library import Library
from workstation.geo.places import lonlat_pixel, pixel_lonlat
from workstation.geo.reading import read_geotiff
from workstation.geo.records import as_json, from_json
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
    return _shown(qtbot, tmp_path, before, after)


def _shown(qtbot: QtBot, tmp_path: Path, before: CompareSide, after: CompareSide) -> CompareWindow:
    """A CompareWindow on the two, shown at 1000 x 500 with both pictures loaded."""
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
    # The reviewer may choose one by hand instead: there is none in this library.
    qtbot.waitUntil(lambda: bool(pair_chooser._open), timeout=10_000)
    chooser = pair_chooser._open[-1]
    assert chooser.list.count() == 0
    chooser.reject()


def test_swipe_and_opacity_stack_the_views_and_side_by_side_splits_them(
    compare: CompareWindow, qtbot: QtBot
) -> None:
    window = compare
    before, after = window.views
    stage = window.stage.rect()
    assert not window.slider.isVisible()
    assert before.geometry().right() < after.geometry().left()  # side by side
    # The reviewer picks Swipe in the list: one pane, the later picture right of the line.
    window.mode_box.setCurrentIndex(window.mode_box.findData("swipe"))
    assert window.mode == "swipe"
    assert window.slider.isVisible()
    assert before.geometry() == stage
    assert after.geometry() == stage
    assert after.mask().boundingRect() == QRect(
        stage.width() // 2, 0, stage.width() - stage.width() // 2, stage.height()
    )
    assert window.swipe_line.isVisible()
    window.slider.setValue(250)
    x = round(stage.width() * 0.25)
    assert after.mask().boundingRect().left() == x
    assert window.swipe_line.geometry().center().x() in (x - 1, x)
    # Dragging the line moves it (and the slider) too.
    handle = window.swipe_line
    grip = handle.rect().center()
    qtbot.mousePress(handle, Qt.MouseButton.LeftButton, pos=grip)
    qtbot.mouseMove(handle, grip + QPoint(round(stage.width() * 0.5), 0))
    qtbot.mouseRelease(handle, Qt.MouseButton.LeftButton)
    assert window.slider.value() == pytest.approx(750, abs=3)
    assert after.mask().boundingRect().left() == pytest.approx(stage.width() * 0.75, abs=3)
    window.slider.setValue(250)
    # The capture dates stay above: the earlier on the left, the later on the right.
    assert [label.text() for label in window.labels] == [
        "before.tif · 2024-03-01",
        "after.tif · 2024-05-17",
    ]
    assert window.labels[1].alignment() & Qt.AlignmentFlag.AlignRight
    # Opacity: the later picture over the whole pane at the slider's opacity.
    window.set_mode("opacity")
    effect = after.graphicsEffect()
    assert isinstance(effect, QGraphicsOpacityEffect)
    assert effect.opacity() == pytest.approx(0.25)
    assert after.mask().isEmpty()
    assert not window.swipe_line.isVisible()
    window.slider.setValue(800)
    effect = after.graphicsEffect()
    assert isinstance(effect, QGraphicsOpacityEffect)
    assert effect.opacity() == pytest.approx(0.8)
    window.set_mode("side")
    assert after.graphicsEffect() is None
    assert before.geometry().right() < after.geometry().left()
    assert window.mode_box.currentData() == "side"
    with pytest.raises(ValueError, match="no compare mode"):
        window.set_mode("blink")


def _screen_of(window: CompareWindow, index: int, lonlat: tuple[float, float]) -> QPointF:
    side = window.views[index]
    pixel = lonlat_pixel(from_json(window.sides[index].georeference), *lonlat)
    assert pixel is not None
    return side.image_to_view(QPointF(*pixel)) + QPointF(side.geometry().topLeft())


@pytest.mark.parametrize("mode", ["swipe", "opacity"])
@pytest.mark.parametrize(
    ("leader", "centre", "zoom"),
    [(0, (400, 300), 1.0), (1, (150, 100), 3.0), (0, (20, 10), 0.7)],  # the last at an edge
)
def test_stacked_a_ground_point_is_on_the_same_screen_point_in_both(
    compare: CompareWindow,
    qtbot: QtBot,
    mode: str,
    leader: int,
    centre: tuple[float, float],
    zoom: float,
) -> None:
    window = compare
    window.set_mode(mode)
    view = window.views[leader]
    view.set_zoom(zoom)
    view.centerOn(QPointF(*centre))
    g = from_json(window.sides[leader].georeference)
    for dx, dy in [(0, 0), (-60, -40), (80, 50), (150, -90)]:
        lonlat = pixel_lonlat(g, centre[0] + dx / zoom, centre[1] + dy / zoom)
        assert lonlat is not None
        here, there = _screen_of(window, 0, lonlat), _screen_of(window, 1, lonlat)
        assert (there.x(), there.y()) == pytest.approx((here.x(), here.y()), abs=1.5)


def test_a_turned_georeferenced_picture_is_turned_to_match_on_the_ground(
    qtbot: QtBot, tmp_path: Path
) -> None:
    before = _side(tmp_path, "before.tif", (600_000.0, 4_680_000.0), 0.5, "2024-03-01")
    # The later picture: 1 m pixels, its rows running 25 degrees off east.
    k, t = 1.0, math.radians(25)
    a, b, d, e = k * math.cos(t), k * math.sin(t), k * math.sin(t), -k * math.cos(t)
    matrix = [a, b, 0, 600_050.0, d, e, 0, 4_680_030.0, 0, 0, 0, 0, 0, 0, 0, 1]
    path = samples.make_geotiff(
        tmp_path / "t", name="after.tif", transformation=matrix, size=(500, 400)
    )
    g = read_geotiff(path)
    assert g is not None
    after = CompareSide(
        0, "after.tif", "2024-05-17", path, "b" * 64, as_json(g) | {"gsd_metres": 1.0}
    )
    window = _shown(qtbot, tmp_path, before, after)
    assert window.views[0].rotation == 0
    assert abs(window.views[1].rotation) == pytest.approx(25, abs=0.1)
    window.set_mode("swipe")
    window.views[0].set_zoom(1.5)
    window.views[0].centerOn(QPointF(300, 200))
    ground = from_json(before.georeference)
    for dx, dy in [(0, 0), (-150, -90), (120, 100), (200, -60)]:
        lonlat = pixel_lonlat(ground, 300 + dx / 1.5, 200 + dy / 1.5)
        assert lonlat is not None
        here, there = _screen_of(window, 0, lonlat), _screen_of(window, 1, lonlat)
        assert (there.x(), there.y()) == pytest.approx((here.x(), here.y()), abs=1.5)
