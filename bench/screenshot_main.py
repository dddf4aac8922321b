"""Open the main window on a library and save a screenshot (for docs and review).

Usage: uv run python bench/screenshot_main.py LIBRARY OUT.png [SOURCE_ID ...]
Opens the first source in the first pane, splits side by side for each
further one, waits for rendering, and grabs the window.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, Qt, QTimer  # noqa: E402

from ui.desktop.app.app import make_application  # noqa: E402
from ui.desktop.app.controller import LibraryController  # noqa: E402
from ui.desktop.app.main_window import MainWindow  # noqa: E402
from workstation.core.library import Library  # noqa: E402


def main() -> None:
    lib_path, out = Path(sys.argv[1]), Path(sys.argv[2])
    ids = [int(a) for a in sys.argv[3:]]
    app = make_application()
    if os.environ.get("SCREENSHOT_DARK"):
        # The offscreen platform has no system theme; stand in a dark palette
        # such as Fusion takes from a dark desktop.
        from PySide6.QtGui import QColor, QPalette

        dark = QPalette()
        for role, colour in (
            (QPalette.ColorRole.Window, "#2b2d30"),
            (QPalette.ColorRole.WindowText, "#dfe1e5"),
            (QPalette.ColorRole.Base, "#1e1f22"),
            (QPalette.ColorRole.AlternateBase, "#26282b"),
            (QPalette.ColorRole.Text, "#dfe1e5"),
            (QPalette.ColorRole.Button, "#34363a"),
            (QPalette.ColorRole.ButtonText, "#dfe1e5"),
            (QPalette.ColorRole.Highlight, "#2f65ca"),
            (QPalette.ColorRole.HighlightedText, "#ffffff"),
            (QPalette.ColorRole.ToolTipBase, "#2b2d30"),
            (QPalette.ColorRole.ToolTipText, "#dfe1e5"),
            (QPalette.ColorRole.PlaceholderText, "#8c8f94"),
        ):
            dark.setColor(role, QColor(colour))
        app.setPalette(dark)
    settings = QSettings(str(out.with_suffix(".ini")), QSettings.Format.IniFormat)
    settings.clear()
    controller = LibraryController(Library.open(lib_path, reviewer="screenshot"))
    window = MainWindow(controller, settings=settings)
    window.resize(1600, 960)
    window.show()
    for n, sid in enumerate(ids):
        if n:
            window.documents.split(Qt.Orientation.Horizontal)
        window.open_source(sid)
    if ids:
        window.library_panel.select_source(ids[0])
    if os.environ.get("SCREENSHOT_MARKS"):
        window.right_tabs.setCurrentWidget(window.marks_panel)
        window.documents.focus_next(-1)  # back to the first pane

        def go_to_first_mark() -> None:
            model = window.marks_panel.model
            if model.rowCount():
                data = model.annotation_at(0)
                window.open_annotation(data.uuid, 1)

        QTimer.singleShot(1500, go_to_first_mark)
    query = os.environ.get("SCREENSHOT_SEARCH")
    if query:
        window.left_tabs.setCurrentWidget(window.search_panel)
        window.search_panel.box.setText(query)
        window.search_panel.run_query()

    def shoot() -> None:
        window.grab().save(str(out))
        window.close()
        app.quit()

    QTimer.singleShot(int(os.environ.get("SCREENSHOT_WAIT_MS", "2500")), shoot)
    app.exec()
    print(f"saved {out}")


if __name__ == "__main__":
    main()
