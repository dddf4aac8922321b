"""The main window's layout kept within the screen: restored only when sane,
saved only when sane, and put back to the defaults on request.

A long title once made the window wider than the screen; the broken dock
widths were saved and every later start inherited them. Widgets now ask for
little (``widgets/elided_label.py``); this module is the second line: what is
restored is clamped to the screen the window is on, and what is saved must
make sense on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QMainWindow, QToolBar, QWidget
from shiboken6 import isValid

if TYPE_CHECKING:
    from ui.desktop.app.main_window import MainWindow
    from ui.desktop.app.settings import Settings

# A side dock narrower than this shows no usable list; wider than this share of
# the window it squeezes the document panes.
DOCK_MIN_PX = 160
FRAME_ALLOWANCE_PX = 8
FRAME_SETTLE_MS = 300
DOCK_MAX_SHARE = 0.45


def available_area(widget: QWidget) -> QRect:
    """The available geometry (without panels) of the screen ``widget`` is on."""
    screen = widget.screen() if widget.isVisible() else None
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1024, 768)


def fit_to_screen(window: QWidget) -> None:
    """Shrink and move ``window`` so that its frame lies inside its screen."""
    if window.isMaximized() or window.isFullScreen():
        return
    area = available_area(window)
    frame = window.frameGeometry()
    extra_w = max(0, frame.width() - window.width())
    extra_h = max(0, frame.height() - window.height())
    width = min(window.width(), area.width() - extra_w)
    height = min(window.height(), area.height() - extra_h)
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    frame = window.frameGeometry()
    x = min(max(frame.x(), area.left()), area.right() + 1 - frame.width())
    y = min(max(frame.y(), area.top()), area.bottom() + 1 - frame.height())
    if (x, y) != (frame.x(), frame.y()):
        window.move(max(x, area.left()), max(y, area.top()))


def first_size(window: QWidget) -> tuple[int, int]:
    """The window's size on a first start: most of the screen, never more (less
    room for the window manager's frame, which is not known before it is shown)."""
    area = available_area(window)
    return (
        min(area.width() - FRAME_ALLOWANCE_PX, max(1024, int(area.width() * 0.92))),
        min(area.height() - FRAME_ALLOWANCE_PX, max(700, int(area.height() * 0.9))),
    )


def default_dock_widths(window_width: int) -> list[int]:
    """Library and Inspector widths for a window: room for titles on the left,
    the inspector on the right, and most of a small screen left for pages."""
    return [
        min(440, max(260, window_width * 3 // 10)),
        min(320, max(240, window_width // 5)),
    ]


def _side_docks(window: QMainWindow) -> list[QDockWidget]:
    sides = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)
    return [
        dock
        for dock in window.findChildren(QDockWidget)
        if dock.isVisible() and not dock.isFloating() and window.dockWidgetArea(dock) in sides
    ]


def layout_is_sane(window: QMainWindow) -> bool:
    """Whether the window fits its screen, its docks are where they belong
    (the Library and the Inspector shown and docked), and each side dock has a
    width a list can be read in without squeezing the panes."""
    area = available_area(window)
    if window.frameGeometry().width() > area.width() + 1:
        return False
    if window.frameGeometry().height() > area.height() + 1:
        return False
    docks = _side_docks(window)
    if len(docks) != len(window.findChildren(QDockWidget)):
        return False  # one hidden or floating: fine for now, not to start with
    limit = window.width() * DOCK_MAX_SHARE
    return all(DOCK_MIN_PX <= dock.width() <= limit for dock in docks)


def restore_layout(window: MainWindow, settings: Settings) -> bool:
    """Geometry and docks from the last run, clamped to the screen; whether the
    dock state was restored (else the caller lays out the defaults)."""
    geometry = settings.window_geometry
    if geometry is None or not window.restoreGeometry(geometry):
        window.resize(*first_size(window))
    fit_to_screen(window)
    state = settings.window_state
    return state is not None and window.restoreState(state)


def settle_after_show(window: MainWindow, restored: bool) -> None:
    """After the first layout pass: defaults when nothing sane was restored."""
    fit_to_screen(window)

    def check() -> None:
        fit_to_screen(window)  # the frame is known once the window manager framed it
        if not restored:
            _default_docks(window)
        elif not layout_is_sane(window):
            reset_layout(window)

    QTimer.singleShot(0, check)

    # Some window managers frame the window a little later: fit it again then.
    def fit_again() -> None:
        if isValid(window):
            fit_to_screen(window)

    QTimer.singleShot(FRAME_SETTLE_MS, fit_again)


def _default_docks(window: MainWindow) -> None:
    docks = [window.library_dock, window.inspector_dock]
    window.resizeDocks(docks, default_dock_widths(window.width()), Qt.Orientation.Horizontal)


def save_layout(window: MainWindow, settings: Settings) -> None:
    """Keep the geometry (clamped again when restored) and the docks for the
    next run, the docks only when they make sense on this screen; else the next
    start lays them out afresh."""
    settings.window_geometry = window.saveGeometry()
    if layout_is_sane(window):
        settings.window_state = window.saveState()
    else:
        settings.forget_state()


def reset_layout(window: MainWindow) -> None:
    """View > Reset Layout: docks back in place at their default widths, the
    toolbars shown, the library list's columns back, the window on its screen."""
    window.settings.forget_layout()
    for dock, area in (
        (window.library_dock, Qt.DockWidgetArea.LeftDockWidgetArea),
        (window.inspector_dock, Qt.DockWidgetArea.RightDockWidgetArea),
    ):
        dock.setFloating(False)
        window.addDockWidget(area, dock)
        dock.show()
    for toolbar in window.findChildren(QToolBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
        toolbar.show()
    window.library_panel.reset_columns()
    if not (window.isMaximized() or window.isFullScreen()):
        screen = available_area(window)
        if window.width() > screen.width() or window.height() > screen.height():
            window.resize(*first_size(window))
    fit_to_screen(window)
    _default_docks(window)
