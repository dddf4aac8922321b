"""The main window's menus, toolbar and shortcuts, built in one place so that
MainWindow keeps its layout and behaviour."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar

from ui.desktop.annotations.region_tools import Tool
from ui.desktop.app.help import help_actions
from ui.desktop.widgets.icons import icon
from workstation.ocr.viewing import LOW_CONFIDENCE

if TYPE_CHECKING:
    from ui.desktop.app.main_window import MainWindow


def make_action(
    parent: MainWindow,
    text: str,
    slot: Any,
    shortcut: Any = None,
    tip: str = "",
    icon_name: str = "",
) -> QAction:
    """An action of the window: ``slot`` gets the checked state only when it is checkable."""
    action = QAction(text, parent)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    if icon_name:
        action.setIcon(icon(icon_name))

    def trigger(checked: bool = False) -> None:
        # triggered(bool) would hand False to slots with an optional first
        # argument (mark_selection(code) took it as the category); only a
        # checkable action's slot wants the state.
        if action.isCheckable():
            slot(checked)
        else:
            slot()

    action.triggered.connect(trigger)
    return action


def build_menus(window: MainWindow) -> None:
    """The menus and the main toolbar of ``window``; the actions it uses again (to
    enable them, or to put them in a second menu) become its attributes."""
    bar = window.menuBar()
    _file_menu(window, bar)
    edit_menu = _edit_menu(window, bar)
    _annotate_menu(window, bar, edit_menu)
    _view_menu(window, bar)
    help_menu = bar.addMenu("&Help")
    window.shortcuts_action, window.quick_start_action = help_actions(window, help_menu)
    help_menu.addSeparator()
    help_menu.addAction(make_action(window, "&About", window.about))
    _toolbar(window)


def _file_menu(window: MainWindow, bar: QMenuBar) -> None:
    """File: libraries, imports, bundles and keys."""
    act = partial(make_action, window)
    file_menu = bar.addMenu("&File")
    file_menu.addAction(
        act("&New Library…", window.new_library, tip="Create a library in a new folder")
    )
    file_menu.addAction(
        act("&Open Library…", window.choose_library, tip="Open another library folder")
    )
    window.recent_menu = file_menu.addMenu("Open &Recent")
    file_menu.addSeparator()
    window.import_action = act(
        "&Import Files…",
        window.import_files,
        QKeySequence.StandardKey.Open,
        "Import PDFs, images, saved web pages, text and e-mail",
        "import",
    )
    file_menu.addAction(window.import_action)
    file_menu.addAction(
        act(
            "Import &Folder…",
            window.import_folder,
            "Ctrl+Shift+O",
            "Import every file below a folder",
        )
    )
    window.ocr_action = act(
        "Run &OCR on Selected Sources…",
        window.run_ocr,
        None,
        "Read the text of scanned pages and pictures of the selected sources",
    )
    file_menu.addAction(window.ocr_action)
    file_menu.addSeparator()
    window.export_action = act(
        "&Export Bundle…",
        window.export_bundle,
        "Ctrl+E",
        "Write a signed, optionally redacted and encrypted evidence bundle",
    )
    file_menu.addAction(window.export_action)
    file_menu.addAction(
        act(
            "Import &Bundle…",
            window.import_bundle,
            "Ctrl+Shift+I",
            "Verify an evidence bundle from a partner and merge it",
        )
    )
    window.verify_action = act(
        "&Verify Bundle…",
        window.verify_bundle,
        None,
        "Check a bundle's checksums and signature without importing it",
    )
    file_menu.addAction(window.verify_action)
    window.keys_action = act(
        "Signing &Keys…",
        window.manage_keys,
        None,
        "Your signing keys, and the partner keys whose signatures you trust",
    )
    file_menu.addAction(window.keys_action)
    file_menu.addSeparator()
    file_menu.addAction(act("&Quit", window.close, QKeySequence.StandardKey.Quit))


def _edit_menu(window: MainWindow, bar: QMenuBar) -> QMenu:
    """Edit: find in the document, search the library."""
    act = partial(make_action, window)
    edit_menu = bar.addMenu("&Edit")
    edit_menu.addAction(
        act(
            "&Find in Document…",
            window.find_in_document,
            QKeySequence.StandardKey.Find,
            "Find text in the current pane",
            "search",
        )
    )
    edit_menu.addAction(
        act(
            "Search &Library…",
            window.focus_search,
            "Ctrl+Alt+F",  # Ctrl+Shift+F is Add to Finding
            "Full-text search over every source",
        )
    )
    edit_menu.addSeparator()
    window.edit_sources_action = act(
        "Edit &Selected Sources…",
        window.edit_selected_sources,
        "Ctrl+Alt+E",
        "Set a case, publisher, grade or date on every source selected in the library list",
    )
    edit_menu.addAction(window.edit_sources_action)
    return edit_menu


def _annotate_menu(window: MainWindow, bar: QMenuBar, edit_menu: QMenu) -> None:
    """Annotate: mark, redact, link entities, undo and redo (also put in Edit)."""
    act = partial(make_action, window)
    annotate_menu = bar.addMenu("&Annotate")
    window.mark_action = act(
        "&Mark Selection…",
        window.mark_selection,
        "Ctrl+M",
        "Mark the selected passage and tag it with a category",
    )
    window.undo_action = act(
        "&Undo",
        window.annotation_commands.undo,
        QKeySequence.StandardKey.Undo,
        "Undo the last annotation change",
    )
    window.redo_action = act(
        "&Redo",
        window.annotation_commands.redo,
        QKeySequence.StandardKey.Redo,
        "Redo the annotation change just undone",
    )
    window.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    window.redact_action = act(
        "Re&dact Selection",
        window.redact_selection,
        "Ctrl+Shift+R",
        "Mark the selected passage to be removed from exported bundles",
    )
    window.redact_page_action = act(
        "Redact &Page",
        window.redact_page,
        None,
        "Mark the current PDF page to be blacked out in exported bundles",
    )
    window.taxonomy_action = act(
        "Edit &Categories…",
        window.edit_taxonomy,
        None,
        "Add, rename, move, merge or retire violation categories",
    )
    window.link_entities_action = act(
        "Link &Entities…",
        lambda: window.link_entities(),
        "Ctrl+K",
        "The vessels, companies and places the selected annotation mentions",
    )
    window.add_to_finding_action = act(
        "Add to &Finding…",
        lambda: window.add_to_finding(),
        "Ctrl+Shift+F",
        "Link the selected mark to a finding as evidence",
    )
    for action in (
        window.mark_action,
        window.redact_action,
        window.redact_page_action,
    ):
        annotate_menu.addAction(action)
    _draw_menu(window, annotate_menu)
    annotate_menu.addSeparator()
    _current_mark_actions(window, annotate_menu)
    for action in (window.link_entities_action, window.add_to_finding_action):
        annotate_menu.addAction(action)
    annotate_menu.addSeparator()
    for action in (window.undo_action, window.redo_action):
        annotate_menu.addAction(action)
    annotate_menu.addSeparator()
    annotate_menu.addAction(window.taxonomy_action)
    # Where every desktop program has them, too (the same actions, one state).
    first = edit_menu.actions()[0]
    edit_menu.insertAction(first, window.undo_action)
    edit_menu.insertAction(first, window.redo_action)
    edit_menu.insertSeparator(first)


def _draw_menu(window: MainWindow, annotate_menu: QMenu) -> None:
    """Annotate > Draw: the region tools, with the keys the pane itself takes.

    The keys are shown, not bound here: the pane handles R, P and C while it has
    the focus, and a window-wide one-letter shortcut would steal them from typing.
    """
    draw = annotate_menu.addMenu("&Draw Region")
    for text, key, tool, tip in (
        ("&Rectangle", "R", Tool.RECT, "Drag a rectangle on the page or image"),
        ("&Polygon", "P", Tool.POLYGON, "Click the corners; double-click or Enter closes"),
        ("&Count Markers", "C", Tool.POINTS, "Click each thing to count; Enter finishes"),
    ):
        action = make_action(window, f"{text}\t{key}", partial(window.use_tool, tool), tip=tip)
        draw.addAction(action)


def _current_mark_actions(window: MainWindow, annotate_menu: QMenu) -> None:
    """The commands on the current mark (made last, or clicked on the page or in a list)."""
    act = partial(make_action, window)
    window.edit_note_action = act(
        "Edit &Note…",
        lambda: window.edit_note(),
        "Ctrl+Shift+N",
        "Write or change the note of the current mark, in a resizable editor",
    )
    window.add_category_action = act(
        "Add Ca&tegory…",
        lambda: window.add_category_to(),
        None,
        "Tag the current mark with one more category",
    )
    window.redact_mark_action = act(
        "Redact Mark on E&xport",
        window.toggle_redact_current_mark,
        None,
        "Turn on (or off) the removal of the current mark's passage or region from bundles",
    )
    window.delete_mark_action = act(
        "De&lete Mark",
        window.delete_current_mark,
        None,
        "Delete the current mark (Ctrl+Z undoes)",
    )
    for action in (
        window.edit_note_action,
        window.add_category_action,
        window.redact_mark_action,
        window.delete_mark_action,
    ):
        annotate_menu.addAction(action)


def _view_menu(window: MainWindow, bar: QMenuBar) -> None:
    """View: panes, the Entities window, the docks, full screen."""
    act = partial(make_action, window)
    view_menu = bar.addMenu("&View")
    window.split_h_action = act(
        "Split Side by &Side",
        lambda: window.documents.split(Qt.Orientation.Horizontal),
        "Ctrl+\\",
        "Open a second pane beside this one",
        "split-h",
    )
    window.split_v_action = act(
        "Split &Top and Bottom",
        lambda: window.documents.split(Qt.Orientation.Vertical),
        "Ctrl+Shift+\\",
        "Open a second pane below this one",
        "split-v",
    )
    window.close_pane_action = act(
        "&Close Pane",
        lambda: window.documents.close_pane(),
        QKeySequence.StandardKey.Close,
        "Close the current pane",
        "close",
    )
    window.next_pane_action = act(
        "&Next Pane",
        lambda: window.documents.focus_next(1),
        "F6",
        "Move the keyboard focus to the next pane",
    )
    window.previous_pane_action = act(
        "&Previous Pane",
        lambda: window.documents.focus_next(-1),
        "Shift+F6",
        "Move the keyboard focus to the previous pane",
    )
    window.focus_library_action = act(
        "Go to &Library List",
        window.focus_library,
        "Ctrl+L",
        "Move the keyboard focus to the list of sources",
    )
    window.link_scroll_action = act(
        "Link Sc&rolling",
        window.documents.set_linked_scrolling,
        "Ctrl+Shift+L",
        "Scroll all panes together (two versions of one document)",
    )
    window.link_scroll_action.setCheckable(True)
    for action in (
        window.split_h_action,
        window.split_v_action,
        window.close_pane_action,
        window.link_scroll_action,
        window.next_pane_action,
        window.previous_pane_action,
        window.focus_library_action,
    ):
        view_menu.addAction(action)
    view_menu.addSeparator()
    window.entities_action = act(
        "&Entities",
        window.show_entities,
        "Ctrl+Shift+E",
        "Every entity, and the annotations and sources that mention it",
    )
    view_menu.addAction(window.entities_action)
    view_menu.addAction(window.library_dock.toggleViewAction())
    view_menu.addAction(window.inspector_dock.toggleViewAction())
    window.page_strip_action = act(
        "Page &Thumbnails",
        window.show_page_strips,
        None,
        "Show the column of page thumbnails beside each PDF",
    )
    window.list_thumbnails_action = act(
        "Thumbnails in Library &List",
        window.show_list_thumbnails,
        None,
        "Tall rows with a thumbnail of each source, or compact rows with more titles",
    )
    window.low_confidence_action = act(
        "Low-Confidence &OCR Words",
        window.show_low_confidence_words,
        "Ctrl+Alt+C",
        f"Tint the words OCR read with confidence under {LOW_CONFIDENCE:.0f} % "
        "(hover one for its score)",
    )
    for action, on in (
        (window.page_strip_action, window.settings.page_strip),
        (window.list_thumbnails_action, window.settings.list_thumbnails),
        (window.low_confidence_action, window.settings.low_confidence_words),
    ):
        action.setCheckable(True)
        action.setChecked(on)
        view_menu.addAction(action)
    window.reset_layout_action = act(
        "Reset &Layout",
        window.reset_layout,
        None,
        "Put the library, the inspector and the list's columns back where they start",
    )
    view_menu.addAction(window.reset_layout_action)
    window.full_screen_action = act(
        "&Full Screen", window.toggle_full_screen, QKeySequence.StandardKey.FullScreen
    )
    window.full_screen_action.setShortcuts([QKeySequence("F11")])
    view_menu.addAction(window.full_screen_action)


def _toolbar(window: MainWindow) -> None:
    """The main toolbar: import and the pane actions."""
    tools = window.addToolBar("Main")
    tools.setObjectName("mainToolBar")
    tools.setMovable(False)
    tools.addAction(window.import_action)
    tools.addSeparator()
    tools.addAction(window.split_h_action)
    tools.addAction(window.split_v_action)
    tools.addAction(window.close_pane_action)
