"""Tests for the image viewer and its info panel (ui.desktop.viewers.image) on real pyramids."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QTransform, QWheelEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests import samples
from ui.desktop.viewers.image.image_info_panel import ImageInfoPanel
from ui.desktop.viewers.image.image_view import WHEEL_STEP, ImageView, TileCache, _PyramidItem
from workstation.sources.imagery import ImagePyramid, ensure_pyramid, pyramid_path

SHA = "cd" + "1" * 62
WIDTH, HEIGHT = 1500, 1000
RED_BOX = (1000, 600, 1100, 700)


def make_picture(folder: Path) -> Path:
    """A grey picture with a white corner and a red square: easy to find on screen."""
    picture = Image.new("RGB", (WIDTH, HEIGHT), (90, 90, 90))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, 39, 29), fill=(255, 255, 255))
    draw.rectangle(RED_BOX, fill=(220, 0, 0))
    path = folder / "picture.png"
    picture.save(path)
    return path


@pytest.fixture
def picture(tmp_path: Path) -> Path:
    return make_picture(tmp_path)


@pytest.fixture
def pyramid(tmp_path: Path, picture: Path) -> Iterator[ImagePyramid]:
    """A real 4-level pyramid (1500, 750, 375, 187 px wide) of the picture."""
    opened = ensure_pyramid(tmp_path / "derived", picture, SHA, min_side=256, lossless=True)
    yield opened
    opened.close()


@pytest.fixture
def view(qtbot: QtBot) -> ImageView:
    widget = ImageView()
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def wait_sharp(qtbot: QtBot, view: ImageView) -> None:
    qtbot.waitUntil(lambda: view.missing_tile_count == 0 and view.pending_tile_count == 0)


def colour_at(view: ImageView, point: QPointF) -> QColor:
    """The colour drawn at an image position."""
    view.viewport().repaint()
    shot = view.viewport().grab().toImage()
    return shot.pixelColor(view.image_to_view(point).toPoint())


def is_red(colour: QColor) -> bool:
    return colour.red() > 180 and colour.green() < 60 and colour.blue() < 60


# --- showing --------------------------------------------------------------------------


def test_image_is_shown_fitted(qtbot: QtBot, view: ImageView, pyramid: ImagePyramid) -> None:
    with qtbot.waitSignal(view.loaded):
        view.set_pyramid(pyramid)

    assert view.is_fitted
    assert view.zoom == pytest.approx(min(400 / WIDTH, 300 / HEIGHT))
    assert view.visible_image_rect() == QRectF(0, 0, WIDTH, HEIGHT)
    wait_sharp(qtbot, view)
    assert is_red(colour_at(view, QPointF(1050, 650)))


def test_fit_follows_the_view_size(qtbot: QtBot, view: ImageView, pyramid: ImagePyramid) -> None:
    view.set_pyramid(pyramid)
    view.resize(600, 300)
    qtbot.waitUntil(lambda: view.zoom == pytest.approx(300 / HEIGHT))

    view.set_zoom(1.0)
    view.resize(400, 300)
    assert view.zoom == 1.0
    assert not view.is_fitted


def test_actual_size_is_one_image_pixel_per_screen_pixel(
    qtbot: QtBot, view: ImageView, pyramid: ImagePyramid
) -> None:
    view.set_pyramid(pyramid)

    with qtbot.waitSignal(view.zoomChanged) as blocker:
        view.actual_size()
    assert blocker.args == [1.0]
    assert view.zoom == 1.0
    shown = view.visible_image_rect()
    assert (shown.width(), shown.height()) == (400, 300)
    assert view.current_level == 0


def test_scene_coordinates_are_image_pixels(
    qtbot: QtBot, view: ImageView, pyramid: ImagePyramid
) -> None:
    view.set_pyramid(pyramid)
    view.set_zoom(2.0)
    view.centerOn(QPointF(1050, 650))

    assert view.sceneRect() == QRectF(0, 0, WIDTH, HEIGHT)
    assert view.scene_to_image(QPointF(12.5, 7)) == QPointF(12.5, 7)
    on_screen = view.image_to_view(QPointF(1050, 650))
    assert view.mapToScene(on_screen.toPoint()) == QPointF(1050, 650)
    assert view.view_to_image(on_screen) == QPointF(1050, 650)
    wait_sharp(qtbot, view)
    assert is_red(colour_at(view, QPointF(1001, 601)))
    assert not is_red(colour_at(view, QPointF(998, 598)))


# --- zooming and panning ------------------------------------------------------------------


def send_wheel(view: ImageView, position: QPointF, notches: int) -> None:
    event = QWheelEvent(
        position,
        QPointF(view.viewport().mapToGlobal(position.toPoint())),
        QPoint(),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), event)


def test_wheel_zooms_at_the_cursor(qtbot: QtBot, view: ImageView, pyramid: ImagePyramid) -> None:
    view.set_pyramid(pyramid)
    view.set_zoom(1.0)
    view.centerOn(QPointF(750, 500))
    cursor = QPointF(300, 200)
    under = view.view_to_image(cursor)

    with qtbot.waitSignal(view.zoomChanged):
        send_wheel(view, cursor, 1)
    assert view.zoom == pytest.approx(WHEEL_STEP)
    after = view.view_to_image(cursor)
    assert after.x() == pytest.approx(under.x(), abs=1)
    assert after.y() == pytest.approx(under.y(), abs=1)

    send_wheel(view, cursor, -2)
    assert view.zoom == pytest.approx(1 / WHEEL_STEP)


def test_zoom_has_limits(view: ImageView, pyramid: ImagePyramid) -> None:
    view.set_pyramid(pyramid)
    view.set_zoom(1000)
    assert view.zoom == 32
    view.set_zoom(0)
    assert view.zoom == pytest.approx(view.fit_zoom / 4)


def test_drag_pans(qtbot: QtBot, view: ImageView, pyramid: ImagePyramid) -> None:
    view.set_pyramid(pyramid)
    view.set_zoom(1.0)
    view.centerOn(QPointF(750, 500))
    start = view.view_to_image(QPointF(200, 150))

    viewport = view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=QPoint(200, 150))
    qtbot.mouseMove(viewport, QPoint(160, 130))
    qtbot.mouseMove(viewport, QPoint(120, 100))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=QPoint(120, 100))

    moved = view.view_to_image(QPointF(200, 150)) - start
    assert (moved.x(), moved.y()) == (pytest.approx(80, abs=1), pytest.approx(50, abs=1))


def test_keys_zoom(qtbot: QtBot, view: ImageView, pyramid: ImagePyramid) -> None:
    view.set_pyramid(pyramid)
    fitted = view.zoom

    qtbot.keyClick(view, Qt.Key.Key_1)
    assert view.zoom == 1.0
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    assert view.zoom < 1.0
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    assert view.zoom == pytest.approx(1.0)
    qtbot.keyClick(view, Qt.Key.Key_0)
    assert view.zoom == pytest.approx(fitted)
    assert view.is_fitted


# --- tiles --------------------------------------------------------------------------


class GatedPyramid(ImagePyramid):
    """A real pyramid whose full-resolution reads wait until the test lets them through."""

    gate: threading.Event

    def read_region(self, level: int, x: int, y: int, width: int, height: int) -> bytes:
        if level == 0:
            self.gate.wait(10)
        return super().read_region(level, x, y, width, height)


def test_coarser_tiles_stand_in_until_sharp_ones_arrive(
    qtbot: QtBot, view: ImageView, pyramid: ImagePyramid
) -> None:
    gated = GatedPyramid.open_cached(pyramid.path)
    gated.gate = threading.Event()
    try:
        view.set_pyramid(gated, take_ownership=True)
        wait_sharp(qtbot, view)  # the fitted view, from level 1
        view.set_zoom(1.0)
        view.centerOn(QPointF(1050, 650))
        qtbot.waitUntil(lambda: view.pending_tile_count > 0)

        assert view.missing_tile_count > 0
        assert is_red(colour_at(view, QPointF(1050, 650)))  # drawn from level 1, scaled
        assert colour_at(view, QPointF(900, 560)).name() == "#5a5a5a"  # grey, not blank
    finally:
        gated.gate.set()
    with qtbot.waitSignal(view.tilesReady):
        pass
    wait_sharp(qtbot, view)
    assert is_red(colour_at(view, QPointF(1050, 650)))


def test_tiles_out_of_view_are_not_read(
    qtbot: QtBot, view: ImageView, pyramid: ImagePyramid
) -> None:
    view.set_pyramid(pyramid)
    view.set_zoom(1.0)
    view.centerOn(QPointF(200, 150))
    wait_sharp(qtbot, view)

    level_zero = [key for key in view.cache._tiles if key[0] == 0]
    columns = {key[1] for key in level_zero}
    assert level_zero
    assert max(columns) <= 3  # what is seen (0-1) plus one ring, not the 6 columns


def test_open_image_builds_a_missing_pyramid(qtbot: QtBot, view: ImageView, tmp_path: Path) -> None:
    original = samples.make_large_png(tmp_path, 4200, 300)
    derived = tmp_path / "derived"

    with qtbot.waitSignal(view.loaded, timeout=20_000):
        view.open_image(derived, original, SHA)
    assert view.pyramid is not None
    assert view.pyramid.cached
    assert pyramid_path(derived, SHA).is_file()
    assert view.pyramid.full_size == (4200, 300)
    wait_sharp(qtbot, view)

    view.clear()
    assert view.pyramid is None


def test_open_image_reports_a_damaged_file(qtbot: QtBot, view: ImageView, tmp_path: Path) -> None:
    original = samples.make_truncated_image(tmp_path, "PNG")

    with qtbot.waitSignal(view.loadFailed) as blocker:
        view.open_image(tmp_path / "derived", original, SHA)
    message = blocker.args[0]
    assert "truncated" in message or "damaged" in message
    assert "\n" not in message
    assert view.pyramid is None
    assert view.error == message


def test_clear_closes_an_owned_image(view: ImageView, pyramid: ImagePyramid) -> None:
    mine = ImagePyramid.open_cached(pyramid.path)
    view.set_pyramid(mine, take_ownership=True)
    view.clear()
    assert mine.closed

    view.set_pyramid(pyramid)
    view.clear()
    assert not pyramid.closed


def test_tile_cache_drops_least_recent_but_never_pinned() -> None:
    tile = QImage(64, 64, QImage.Format.Format_RGB32)
    cache = TileCache(budget=3 * tile.sizeInBytes())
    cache.put((5, 0, 0), tile, pinned=True)
    for column in range(3):
        cache.put((0, column, 0), tile)
    cache.get((0, 0, 0))  # now the most recent
    cache.put((0, 3, 0), tile)

    assert (0, 1, 0) not in cache
    assert all(key in cache for key in [(0, 0, 0), (0, 2, 0), (0, 3, 0), (5, 0, 0)])
    assert cache.nbytes == 3 * tile.sizeInBytes()


def test_tile_edges_land_on_device_pixels_at_any_ratio() -> None:
    for dpr in (1.0, 1.25, 1.5, 2.0):
        rect = _PyramidItem._snapped(QTransform.fromScale(0.37, 0.37), dpr, QRectF(256, 0, 256, 9))
        for edge in (rect.left(), rect.right(), rect.top(), rect.bottom()):
            assert edge * dpr == pytest.approx(round(edge * dpr))


# --- the info panel ---------------------------------------------------------------------

METADATA = {
    "format": "JPEG",
    "width": 20000,
    "height": 20000,
    "captured": "2024-03-01T03:34:56Z",
    "captured_exif": "2024:03:01 12:34:56 +09:00",
    "camera_make": "Canon",
    "camera_model": "Canon EOS 5D Mark IV",
    "gps": {"lat": 42.24, "lon": 130.3, "alt": -12.5},
}


def test_info_panel_shows_the_facts(qtbot: QtBot) -> None:
    panel = ImageInfoPanel()
    qtbot.addWidget(panel)
    panel.set_metadata(METADATA)

    assert panel.shown_facts() == {
        "size": "20,000 × 20,000 px (400.0 MP)",
        "format": "JPEG",
        "captured": "2024-03-01 03:34:56 UTC",
        "camera": "Canon EOS 5D Mark IV",
        "latitude": "42°14′24.0″ N",
        "longitude": "130°18′00.0″ E",
        "decimal": "42.240000, 130.300000",
        "altitude": "12.5 m below sea level",
    }


def test_info_panel_copies_coordinates(qtbot: QtBot) -> None:
    panel = ImageInfoPanel()
    qtbot.addWidget(panel)
    panel.set_metadata(METADATA)

    with qtbot.waitSignal(panel.coordinatesCopied) as blocker:
        qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["42.240000, 130.300000"]
    assert QGuiApplication.clipboard().text() == "42.240000, 130.300000"


def test_info_panel_without_position(qtbot: QtBot) -> None:
    panel = ImageInfoPanel()
    qtbot.addWidget(panel)
    panel.set_metadata(
        {"format": "PNG", "width": 64, "height": 48, "captured": "2024-03-01T12:34:56"}
    )

    facts = panel.shown_facts()
    assert facts["position"] == "not recorded"
    assert facts["captured"] == "2024-03-01 12:34:56 (camera clock, time zone unknown)"
    assert "latitude" not in facts
    assert not panel.copy_button.isEnabled()
    panel.clear()
    assert panel.shown_facts() == {}


def test_info_panel_shows_the_georeference_and_copies_its_centre(qtbot: QtBot) -> None:
    panel = ImageInfoPanel()
    qtbot.addWidget(panel)
    ring = [[130.0, 42.0], [130.2, 42.0], [130.2, 42.5], [130.0, 42.5], [130.0, 42.0]]
    panel.set_metadata(
        {"format": "TIFF", "width": 400, "height": 300},
        {
            "origin": "hand",
            "crs": "EPSG:32652",
            "gsd_metres": 0.5,
            "residual_metres": 1.24,
            "control_points": [[0, 0, 42.5, 130.0]] * 3,
            "captured": "2024-05-17T02:31:00Z",
            "sensor": "WV03",
            "provider": "Maxar",
            "footprint": {"type": "Polygon", "coordinates": [ring]},
        },
    )
    facts = panel.shown_facts()
    assert facts["georeference"] == "EPSG:32652, by hand from 3 points"
    assert facts["scale"] == "0.5 m per pixel, residual 1.2 m"
    assert facts["centre"] == "42.2500° N, 130.1000° E"
    assert (facts["sensor"], facts["provider"]) == ("WV03", "Maxar")
    assert facts["captured"] == "2024-05-17 02:31:00 UTC"
    assert "position" not in facts
    with qtbot.waitSignal(panel.coordinatesCopied) as blocker:
        qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["42.250000, 130.100000"]
