"""Before and after by hand: choosing the picture to compare with, keeping the pair in
the library, a two-point alignment of pictures without coordinates, one mark on both
(one undo step) and the marks of each picture shown."""

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
from workstation.geo.pairs import PairService, list_pairs
from workstation.geo.transform import apply
from workstation.sources.ingest import ImportService

Affine = tuple[float, float, float, float, float, float]


def _shown_compare(qtbot: QtBot) -> CompareWindow:
    qtbot.waitUntil(lambda: bool(compare_window._open_windows), timeout=10_000)
    return compare_window._open_windows[-1]


def _close(qtbot: QtBot, window: CompareWindow) -> None:
    window.close()
    qtbot.waitUntil(lambda: not compare_window._open_windows, timeout=5_000)


def test_compare_with_lists_images_overlaps_first_and_the_choice_is_a_library_pair(
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
    assert shown.pair_id == 1
    assert shown.pair_label.text() == "Image pair 1 · note:"
    assert shown.note_edit.isVisible()
    assert not shown.keep_button.isVisible()
    _close(qtbot, shown)
    # A library record (audited), not a desktop setting: Compare now opens it again.
    with library.reader() as session:
        (pair,) = list_pairs(session)
    assert {pair.before.title, pair.after.title} == {"before.tif", "quay-before.png"}
    assert window.settings.image_pair(hashlib.sha256(before.read_bytes()).hexdigest()) is None
    viewer.compare_button.click()
    shown = _shown_compare(qtbot)
    assert {s.title for s in shown.sides} == {"before.tif", "quay-before.png"}
    assert shown.pair_id == pair.id
    _close(qtbot, shown)


def test_an_overlap_is_a_suggestion_until_kept(
    window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    before, after = samples.make_before_after(tmp_path)
    ImportService(library).import_paths([after])
    viewer = open_picture(window, qtbot, library, before)
    viewer.compare_button.click()
    shown = _shown_compare(qtbot)
    try:
        assert [s.title for s in shown.sides] == ["before.tif", "after.tif"]
        assert shown.pair_id is None
        assert "A suggestion" in shown.pair_label.text()
        assert shown.keep_button.isVisible()
        assert not shown.note_edit.isVisible()  # a note goes with a kept pair
        with library.reader() as session:
            assert list_pairs(session) == []
        shown.keep_button.click()
        wait_idle(qtbot, window.controller)
        assert shown.pair_id == 1
        assert not shown.keep_button.isVisible()
        assert shown.note_edit.isVisible()
        with library.reader() as session:
            (pair,) = list_pairs(session)
        assert (pair.before.title, pair.after.title) == ("before.tif", "after.tif")
    finally:
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


def test_mark_on_both_from_the_image_pane_is_one_undo_step_and_shows_in_compare(
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
        # Each picture's marks are drawn in Compare, in its own pixels.
        qtbot.waitUntil(lambda: [len(m) for m in shown.mark_items] == [1, 1], timeout=10_000)
        assert shown.mark_items[1][0].mark.points == [(20.0, 30.0), (80.0, 70.0)]
        shown.set_mode("swipe")  # stacked, each view still draws its picture's marks
        assert all(
            items[0].scene() is view.scene()
            for items, view in zip(shown.mark_items, shown.views, strict=True)
        )
        shown.set_mode("side")
        assert "one Ctrl+Z in the main window undoes both" in shown.status.text()
        assert window.undo_action.text() == "&Undo Mark on both"
        window.annotation_commands.undo()  # one step takes back both marks
        wait_idle(qtbot, window.controller)
        assert _live_marks(library) == 0
        qtbot.waitUntil(lambda: [len(m) for m in shown.mark_items] == [0, 0], timeout=10_000)
        assert not window.annotation_commands.can_undo
        assert window.redo_action.text() == "&Redo Mark on both"
        window.annotation_commands.redo()  # and one redo makes both again
        wait_idle(qtbot, window.controller)
        assert _live_marks(library) == 2
        qtbot.waitUntil(lambda: [len(m) for m in shown.mark_items] == [1, 1], timeout=10_000)
    finally:
        _close(qtbot, shown)
    # A closed Compare window no longer follows the main window's marks.
    window.annotation_commands.annotationsChanged.emit(None)
    wait_idle(qtbot, window.controller)


def _live_marks(library: Library) -> int:
    with library.reader() as session:
        return len(list(session.scalars(select(Annotation).where(Annotation.deleted_at.is_(None)))))


def _import(library: Library, *paths: Path) -> list[int]:
    ids = [r.source_id for r in ImportService(library).import_paths(list(paths)).results]
    assert all(i is not None for i in ids)
    return [i for i in ids if i is not None]


def test_a_stored_pair_opens_with_its_alignment_and_an_alignment_is_stored(
    window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    first, second, truth = samples.make_turned_pair(tmp_path)
    a, b = _import(library, first, second)
    points = [(60.0, 305.0), (520.0, 130.0)]
    with library.writer() as session:
        made = PairService(library).create(
            session, a, b, note="quay", alignment=[(*p, *apply(truth, *p)) for p in points]
        )
    compare_window.open_stored_pair(window.controller, made.id, print)
    shown = _shown_compare(qtbot)
    try:
        assert [s.source_id for s in shown.sides] == [a, b]
        assert shown.alignment == pytest.approx(truth, abs=1e-9)
        assert shown.views[1].rotation == pytest.approx(-30.0)
        assert shown.note_edit.text() == "quay"
        # A note typed in Compare is kept with the pair (the dossier prints it).
        shown.note_edit.setText("  quay,  new   cranes ")
        shown.note_edit.editingFinished.emit()
        wait_idle(qtbot, window.controller)
        assert shown.status.text() == "Note kept with image pair 1"
        with library.reader() as session:
            assert list_pairs(session)[0].note == "quay, new cranes"
        # Aligned again: the new points are stored with the pair (audited).
        qtbot.waitUntil(lambda: all(v.pyramid is not None for v in shown.views), timeout=10_000)
        shown.align_button.click()
        again = [(100.0, 300.0), (500.0, 140.0)]
        for p in again:
            _click(qtbot, shown, 0, p)
            _click(qtbot, shown, 1, apply(truth, *p))
        wait_idle(qtbot, window.controller)
        with library.reader() as session:
            (stored,) = list_pairs(session)
        got = [c for p in stored.alignment for c in p[:2]]
        assert got == pytest.approx([c for p in again for c in p], abs=0.5)
    finally:
        _close(qtbot, shown)


def test_a_pair_remembered_by_an_earlier_version_is_read_as_a_suggestion(
    window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    first, second, truth = samples.make_turned_pair(tmp_path)
    a, b = _import(library, first, second)
    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    sha = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (first, second)]
    points = [(60.0, 305.0), (520.0, 130.0)]
    # Remembered from the second picture's side: its points come first.
    settings.remember_image_pair(sha[1], sha[0], ([apply(truth, *p) for p in points], points))
    with library.reader() as session:
        shown = compare_window.find_pair(library, session, b, settings.image_pair(sha[1]))
    assert shown is not None
    assert shown.pair_id is None
    assert {s.source_id for s in shown.sides} == {a, b}
    window_ = compare_window.show_compare(window.controller, shown)
    try:
        mine = shown.sides[0].source_id
        expected = truth if mine == a else compare_window.invert(truth)
        assert window_.alignment == pytest.approx(expected, abs=1e-6)
        assert window_.keep_button.isVisible()
        with library.reader() as session:
            assert list_pairs(session) == []
    finally:
        _close(qtbot, window_)
