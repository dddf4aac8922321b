"""UI test set-up: offscreen Qt, one shared QApplication (pytest-qt), and a
check that no test leaves top-level windows behind."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _no_leaked_windows(qapp: object) -> Iterator[None]:
    from PySide6.QtWidgets import QApplication

    before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
    yield
    QApplication.processEvents()
    leaked = [w for w in QApplication.topLevelWidgets() if w.isVisible() and id(w) not in before]
    for w in leaked:
        w.close()
    assert not leaked, f"test left windows open: {[type(w).__name__ for w in leaked]}"


def _desktop_frame_on_gui_thread() -> str | None:
    """The first desktop function on the stack, when this is the GUI thread."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if frame.f_code.co_name == "_prepare" and name == "workstation.core.library":
            return None  # opening the library (migrations) before the window exists
        if name.startswith("ui.desktop."):
            return f"{name}.{frame.f_code.co_qualname}"
        frame = frame.f_back
    return None


@pytest.fixture(autouse=True)
def _gui_thread_opens_no_session(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail a test in which desktop code opens a database session on the GUI thread.

    Widgets read and write through the controller's ``query``/``write``, which
    run on the pools; tests themselves may still set up data on this thread.
    """
    from workstation.core.library import Library

    offenders: list[str] = []
    for name in ("reader", "writer"):
        original = getattr(Library, name)

        def guarded(self: Library, *args: object, _original: Any = original) -> Any:
            where = _desktop_frame_on_gui_thread()
            if where is not None:
                offenders.append(where)
                raise AssertionError(f"{where} opened a database session on the GUI thread")
            return _original(self, *args)

        monkeypatch.setattr(Library, name, guarded)
    yield offenders
    assert not offenders, f"sessions opened on the GUI thread by: {sorted(set(offenders))}"


def wait_idle(qtbot: Any, controller: Any, timeout: int = 10_000) -> None:
    """Wait until the controller has no operation queued or running."""
    qtbot.waitUntil(lambda: controller.idle, timeout=timeout)


def settle(controller: Any, timeout: float = 10.0) -> None:
    """Run the event loop until the controller's operations are done (no qtbot needed)."""
    import time

    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    QApplication.processEvents()
    while not controller.idle:
        if time.monotonic() > deadline:
            raise AssertionError(f"operations still running after {timeout} s")
        QApplication.processEvents()
        time.sleep(0.005)
    QApplication.processEvents()
