"""Tasks report progress in Qt's 32-bit ints, whatever the size of the job."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ui.desktop.ops.workers import Task


def test_progress_in_bytes_past_2_gib_is_scaled_not_overflowed(qtbot: QtBot) -> None:
    task = Task(lambda: None)
    got: list[tuple[int, int, str]] = []
    task.signals.progress.connect(lambda d, t, s: got.append((d, t, s)))
    task.report(3 * 2**31, 4 * 2**31, "big.tif")  # a 8 GiB bundle, three quarters done
    task.report(10, 20, "small")
    assert got[1] == (10, 20, "small")
    done, total, name = got[0]
    assert name == "big.tif"
    assert 0 < total <= 2**31 - 1
    assert abs(done / total - 0.75) < 1e-6
