"""Before and after by hand: choosing the picture to compare with, remembering the pair,
and a two-point alignment of pictures without coordinates."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, QSettings, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db.models import Annotation
from tests import samples
from tests.ui.desktop.conftest import wait_idle
from tests.ui.desktop.viewers.conftest import open_picture
from ui.desktop.app.main_window import MainWindow
from ui.desktop.app.settings import Settings
from ui.desktop.viewers.image import compare_window, pair_chooser
from ui.desktop.viewers.image.compare_window import CompareSide, CompareWindow
from workstation.annotations.anchors import RegionAnchor
from workstation.core.library import Library
from workstation.geo.transform import apply
from workstation.sources.ingest import ImportService

Affine = tuple[float, float, float, float, float, float]


def _shown_compare(qtbot: QtBot) -> CompareWindow:
    qtbot.waitUntil(lambda: bool(compare_window._open_windows), timeout=10_000)
    return compare_window._open_windows[-1]


def _close(qtbot: QtBot, window: CompareWindow) -> None:
    window.close()
    qtbot.waitUntil(lambda: not compare_window._open_windows, timeout=5_000)


def test_compare_with_lists_images_overlaps_first_and_the_choice_is_remembered(
    window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    before, after = samples.make_before_after(tmp_path)
    plain, turned, _t = samples.make_turned_pair(tmp_path)
    ImportService(library).import_paths([after, plain])
    viewer = open_picture(window, qtbot, library, before)
    viewer.compare_with_button.click()
    qtbot.waitUntil(lambda: bool(pair_chooser._open), timeout=10_000)
    chooser = pair_chooser._open[-1]
    rows = [chooser.list.item(i).text() for i in range(chooser.list.count())]
    assert rows == [
        "after.tif · 2024-05-17 · overlaps 50 %",
        "quay-before.png · no coordinates (align by two points)",
    ]
    # The reviewer picks the picture without coordinates, not the overlapping one.
    chooser.list.setCurrentRow(1)
    chooser.accept()
    shown = _shown_compare(qtbot)
    assert {s.title for s in shown.sides} == {"before.tif", "quay-before.png"}
    assert shown.alignment is None
    assert "Not locked" in shown.status.text()
    _close(qtbot, shown)
    # Remembered: Compare now opens that pair again, not the best overlap.
    remembered = window.settings.image_pair(hashlib.sha256(before.read_bytes()).hexdigest())
    assert remembered is not None
    assert remembered.other == hashlib.sha256(plain.read_bytes()).hexdigest()
    viewer.compare_button.click()
    shown = _shown_compare(qtbot)
    assert {s.title for s in shown.sides} == {"before.tif", "quay-before.png"}
    _close(qtbot, shown)


def test_compare_with_nothing_overlapping_offers_the_chooser(
    window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    plain, turned, _t = samples.make_turned_pair(tmp_path)
    ImportService(library).import_paths([turned])
    viewer = open_picture(window, qtbot, library, plain)
    viewer.compare_button.click()
    qtbot.waitUntil(lambda: bool(pair_chooser._open), timeout=10_000)
    chooser = pair_chooser._open[-1]
    assert "choose one to compare" in viewer.measure_label.text()
    assert chooser.list.item(0).text() == "quay-after.png · no coordinates (align by two points)"
    chooser.reject()


def _plain_side(path: Path, name: str) -> CompareSide:
    return CompareSide(0, name, None, path, name.ljust(64, "0")[:64], {})


@pytest.fixture
def turned(qtbot: QtBot, tmp_path: Path) -> tuple[CompareWindow, Affine, list[object]]:
    first, second, truth = samples.make_turned_pair(tmp_path)  # 1.5 x, turned 30 degrees
    derived = tmp_path / "derived"
    derived.mkdir()
    aligned: list[object] = []
    win = CompareWindow(
        derived,
        _plain_side(first, "quay-before"),
        _plain_side(second, "quay-after"),
        on_aligned=lambda mine, theirs: aligned.append((mine, theirs)),
    )
    qtbot.addWidget(win)
    win.resize(1000, 600)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: all(v.pyramid is not None for v in win.views), timeout=10_000)
    return win, truth, aligned


def _click(qtbot: QtBot, window: CompareWindow, index: int, pixel: tuple[float, float]) -> None:
    """Zoom in on ``pixel`` in picture ``index`` and click it there, as a reviewer would."""
    view = window.views[index]
    view.set_zoom(4.0)
    view.centerOn(QPointF(*pixel))
    spot = view.image_to_view(QPointF(*pixel)).toPoint()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=spot)


def test_two_points_align_a_turned_scaled_copy_on_the_same_screen_spots(
    turned: tuple[CompareWindow, Affine, list[object]], qtbot: QtBot
) -> None:
    window, truth, aligned = turned
    assert window.alignment is None
    assert "Not locked" in window.status.text()
    window.align_button.click()
    assert "click point 1 in the left picture" in window.status.text()
    points = [(60.0, 305.0), (520.0, 130.0)]  # a container block, the end of the jetty
    _click(qtbot, window, 0, points[0])
    _click(qtbot, window, 1, apply(truth, *points[0]))
    _click(qtbot, window, 0, points[1])
    assert window.alignment is None
    _click(qtbot, window, 1, apply(truth, *points[1]))
    assert window.alignment is not None
    assert not window.aligning
    assert "turned 30.0°" in window.status.text()
    assert window.views[1].rotation == pytest.approx(-30.0, abs=0.2)
    assert len(aligned) == 1  # handed over to be remembered
    left, right = window.views
    for mode in ("side", "swipe", "opacity"):
        window.set_mode(mode)
        for leader, zoom, centre in [(left, 1.0, (300, 200)), (right, 2.5, (700, 450))]:
            leader.set_zoom(zoom)
            leader.centerOn(QPointF(*centre))
            for p in [(300.0, 200.0), (40.0, 30.0), (560.0, 380.0), (150.0, 320.0)]:
                # The same place in each picture is on the same spot of its view (side
                # by side) and of the screen (stacked: the views are on one another).
                here = left.image_to_view(QPointF(*p))
                there = right.image_to_view(QPointF(*apply(truth, *p)))
                assert (there.x(), there.y()) == pytest.approx((here.x(), here.y()), abs=1.5)
    assert left.geometry() == right.geometry()  # stacked in the last mode


def test_an_alignment_on_one_spot_is_refused_and_can_be_given_again(
    turned: tuple[CompareWindow, Affine, list[object]], qtbot: QtBot
) -> None:
    window, truth, aligned = turned
    window.align_button.click()
    for index, pixel in [(0, (100, 100)), (1, (300, 300)), (0, (400, 300)), (1, (300, 300))]:
        _click(qtbot, window, index, pixel)
    assert window.alignment is None
    assert "Cannot align: the two points in the second picture are on the same pixel" in (
        window.status.text()
    )
    assert window.aligning
    assert not aligned
    qtbot.keyClick(window.views[0].viewport(), Qt.Key.Key_Escape)
    assert not window.aligning
    assert not window.align_button.isChecked()


def _drag(qtbot: QtBot, window: CompareWindow, index: int, a: QPointF, b: QPointF) -> None:
    view = window.views[index]
    start, end = view.image_to_view(a).toPoint(), view.image_to_view(b).toPoint()
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view.viewport(), (start + end) / 2)
    qtbot.mouseMove(view.viewport(), end)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=end)


def test_a_region_drawn_in_compare_is_marked_on_both_in_each_ones_pixels(
    qtbot: QtBot, tmp_path: Path
) -> None:
    first, second, truth = samples.make_turned_pair(tmp_path)
    derived = tmp_path / "derived"
    derived.mkdir()
    marked: list[tuple[RegionAnchor, RegionAnchor]] = []
    window = CompareWindow(
        derived,
        _plain_side(first, "quay-before"),
        _plain_side(second, "quay-after"),
        alignment=truth,
        on_mark=marked.append,
    )
    qtbot.addWidget(window)
    window.resize(1000, 600)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: all(v.pyramid is not None for v in window.views), timeout=10_000)
    left = window.views[0]
    left.set_zoom(2.0)
    left.centerOn(QPointF(200, 300))
    # Not while not marking: a drag pans.
    _drag(qtbot, window, 0, QPointF(130, 280), QPointF(260, 330))
    assert not marked
    window.mark_button.click()
    assert window.marking
    left.centerOn(QPointF(200, 300))
    _drag(qtbot, window, 0, QPointF(130, 280), QPointF(260, 330))
    assert len(marked) == 1
    mine, theirs = marked[0]
    assert mine.shape == "rect"
    assert [c for p in mine.points for c in p] == pytest.approx([130, 280, 260, 330], abs=0.5)
    # In the turned copy the rectangle is a turned rectangle: the same four places.
    assert theirs.shape == "polygon"
    corners = [(130, 280), (260, 280), (260, 330), (130, 330)]
    expected = [c for p in corners for c in apply(truth, *p)]
    assert [c for p in theirs.points for c in p] == pytest.approx(expected, abs=1.0)
    # Drawn in the right picture, the left gets the polygon.
    right = window.views[1]
    spot = apply(truth, 200, 300)
    right.centerOn(QPointF(*spot))
    _drag(qtbot, window, 1, QPointF(spot[0] - 40, spot[1] - 30), QPointF(*spot))
    assert len(marked) == 2
    assert marked[1][0].shape == "polygon"
    assert marked[1][1].shape == "rect"
    assert marked[1][0].points[2] == pytest.approx((200, 300), abs=1.0)
    window.close()


def test_mark_on_both_from_the_image_pane_makes_two_marks_undone_one_by_one(
    window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    before, after = samples.make_before_after(tmp_path)
    later = ImportService(library).import_paths([after]).results[0].source_id
    viewer = open_picture(window, qtbot, library, before)
    viewer.compare_button.click()
    shown = _shown_compare(qtbot)
    try:
        qtbot.waitUntil(lambda: all(v.pyramid is not None for v in shown.views), timeout=10_000)
        assert shown.mark_button.isVisible()
        shown.mark_button.click()
        left = shown.views[0]
        left.set_zoom(2.0)
        left.centerOn(QPointF(150, 50))
        # Pixels 120..180 of 'before' are 20..80 of 'after' (it starts 50 m, 100 px, east).
        _drag(qtbot, shown, 0, QPointF(120, 30), QPointF(180, 70))
        wait_idle(qtbot, window.controller)
        with library.reader() as session:
            rows = {
                a.source_id: a.geometry
                for a in session.scalars(select(Annotation).where(Annotation.deleted_at.is_(None)))
            }
        # Each in its own pixels: 'after' starts 100 px further east, north up both.
        assert rows.pop(later) == {"shape": "rect", "points": [[20.0, 30.0], [80.0, 70.0]]}
        assert list(rows.values()) == [{"shape": "rect", "points": [[120.0, 30.0], [180.0, 70.0]]}]
        window.annotation_commands.undo()
        wait_idle(qtbot, window.controller)
        assert _live_marks(library) == 1
        window.annotation_commands.undo()
        wait_idle(qtbot, window.controller)
        assert _live_marks(library) == 0
    finally:
        _close(qtbot, shown)


def _live_marks(library: Library) -> int:
    with library.reader() as session:
        return len(list(session.scalars(select(Annotation).where(Annotation.deleted_at.is_(None)))))


def test_a_remembered_alignment_is_restored_when_the_pair_is_opened_again(
    qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    first, second, truth = samples.make_turned_pair(tmp_path)
    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    sides = (_plain_side(first, "quay-before"), _plain_side(second, "quay-after"))
    points = [(60.0, 305.0), (520.0, 130.0)]
    settings.remember_image_pair(
        sides[0].sha256, sides[1].sha256, (points, [apply(truth, *p) for p in points])
    )
    shown = compare_window.show_compare(library, settings, sides)
    try:
        assert shown.alignment == pytest.approx(truth, abs=1e-9)
        assert shown.views[1].rotation == pytest.approx(-30.0)
    finally:
        _close(qtbot, shown)
    # Paired with another picture instead, the old alignment no longer applies.
    settings.remember_image_pair(sides[0].sha256, "f" * 64)
    shown = compare_window.show_compare(library, settings, sides)
    try:
        assert shown.alignment is None
    finally:
        _close(qtbot, shown)
