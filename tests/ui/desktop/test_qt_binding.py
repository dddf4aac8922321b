"""Guards against Qt binding releases that corrupt Python's reference counts.

PySide6 6.12.0 on Python 3.11 drops one reference to True on every
Signal.emit() and one to None on void calls; after a few thousand calls the
process aborts ("Fatal Python error: bool_dealloc"). A reviewer's eight-hour
session makes millions of such calls, so the pin in pyproject.toml matters.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer, Signal


class _Emitter(QObject):
    fired = Signal(int)


def test_emit_keeps_reference_counts(qapp: object) -> None:
    emitter = _Emitter()
    seen: list[int] = []
    emitter.fired.connect(seen.append)
    before_true = sys.getrefcount(True)
    before_none = sys.getrefcount(None)
    timer = QTimer()
    for i in range(500):
        emitter.fired.emit(i)
        timer.setInterval(i + 1)
    assert len(seen) == 500
    assert sys.getrefcount(True) >= before_true - 10
    assert sys.getrefcount(None) >= before_none - 10
