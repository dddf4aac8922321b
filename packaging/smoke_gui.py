"""Start the desktop app offscreen on a library, open a PDF beside an image, and close.

What an installed or frozen build is checked with before anyone relies on it:
the window comes up, the viewers load, and it exits 0. It prints how long the
window took. Used by install-offline.sh, prove-offline.sh and the frozen
launcher (``workstation selftest-gui LIBRARY``).

    QT_QPA_PLATFORM=offscreen python smoke_gui.py LIBRARY [--screenshot PNG]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

STARTED = time.perf_counter()


def run(library_path: Path, screenshot: Path | None = None) -> int:
    """Open the window on ``library_path``; 0 when it showed and its viewers loaded."""
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from ui.desktop.app.app import make_application
    from ui.desktop.app.controller import LibraryController
    from ui.desktop.app.main_window import MainWindow
    from workstation.core.library import Library
    from workstation.sources.lookup import list_sources

    app = make_application()
    library = Library.open(library_path, reviewer=os.environ.get("WORKSTATION_REVIEWER", "smoke"))
    with library.reader() as session:
        rows = list_sources(session)
    controller = LibraryController(library)
    with tempfile.TemporaryDirectory(prefix="workstation-smoke-") as tmp:
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(controller, settings=settings)
        window.show()
        shown = time.perf_counter() - STARTED
        first = [r.source_id for r in rows if r.kind == "pdf"][:1]
        second = [r.source_id for r in rows if r.kind == "image"][:1]
        for n, source_id in enumerate(first + second):
            if n:
                window.documents.split(Qt.Orientation.Horizontal)
            window.open_source(source_id)
        deadline = time.monotonic() + 60
        while not controller.idle or not window.isVisible():
            if time.monotonic() > deadline:
                print("smoke: the window's operations did not finish in 60 s", file=sys.stderr)
                return 1
            app.processEvents()
            time.sleep(0.005)
        app.processEvents()
        ready = time.perf_counter() - STARTED
        if screenshot is not None:
            window.grab().save(str(screenshot))
        window.close()
        app.processEvents()
    QApplication.processEvents()
    print(f"smoke: window shown after {shown:.2f} s, sources open after {ready:.2f} s")
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0].startswith("-"):
        print("usage: smoke_gui.py LIBRARY [--screenshot PNG]", file=sys.stderr)
        return 2
    shot = Path(argv[2]) if len(argv) > 2 and argv[1] == "--screenshot" else None
    return run(Path(argv[0]), shot)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
