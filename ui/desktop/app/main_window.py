"""The main window: library on the left, document panes in the centre,
inspector on the right, menus and shortcuts for everything."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QPoint, QSettings, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QCursor,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
)

from ui.desktop.annotations.annotation_panel import AnnotationPanel
from ui.desktop.app.controller import LibraryController
from ui.desktop.library.inspector import Inspector
from ui.desktop.library.library_panel import LibraryPanel
from ui.desktop.library.search_panel import SearchPanel
from ui.desktop.viewers.document_area import DocumentArea, ViewerFactory, default_viewer
from ui.desktop.widgets.icons import icon
from workstation.core.errors import WorkstationError
from workstation.sources.lookup import library_stats

if TYPE_CHECKING:
    from workstation.annotations.service import AnnotationHistory

MAX_RECENT = 8


def _source_id_of(session: Any, data: Any) -> int:
    """The row id of an annotation's source (annotations name it by hash)."""
    from workstation.sources.lookup import resolve_source

    return resolve_source(session, data.source_sha256).id


def human_bytes(n: int) -> str:
    """1536 -> '1.5 KB'."""
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"


class MainWindow(QMainWindow):
    """One library per window."""

    def __init__(
        self,
        controller: LibraryController,
        *,
        settings: QSettings | None = None,
        factory: ViewerFactory = default_viewer,
        open_library: Any = None,
    ) -> None:
        super().__init__()
        self.controller = controller
        self.settings = settings or QSettings()
        self._open_library = open_library
        self.setWindowTitle(f"{controller.library.root.name} — Evidence Workstation")
        self.setWindowIcon(icon("app"))
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)

        self.documents = DocumentArea(controller, factory)
        self.setCentralWidget(self.documents)

        self.library_panel = LibraryPanel(controller)
        self.search_panel = SearchPanel(controller)
        self.left_tabs = QTabWidget()
        self.left_tabs.addTab(self.library_panel, icon("library"), "Library")
        self.left_tabs.addTab(self.search_panel, icon("search"), "Search")
        self.all_marks_panel = AnnotationPanel(controller, source_id=None)
        self.left_tabs.addTab(self.all_marks_panel, "All marks")
        left = QDockWidget("Library", self)
        left.setObjectName("libraryDock")
        left.setWidget(self.left_tabs)
        left.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, left)
        self.library_dock = left

        self.inspector = Inspector(controller)
        self.marks_panel = AnnotationPanel(controller, source_id=None)
        self.marks_panel.set_source(-1)  # nothing open yet
        self.right_tabs = QTabWidget()
        self.right_tabs.addTab(self.inspector, "Inspector")
        self.right_tabs.addTab(self.marks_panel, "Marks")
        right = QDockWidget("Inspector", self)
        right.setObjectName("inspectorDock")
        right.setWidget(self.right_tabs)
        right.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, right)
        self.inspector_dock = right
        self.resizeDocks([left, right], [420, 320], Qt.Orientation.Horizontal)

        self.size_label = QLabel()
        self.busy_label = QLabel()
        self.statusBar().addPermanentWidget(self.busy_label)
        self.statusBar().addPermanentWidget(self.size_label)

        self._build_menus()
        self.library_panel.openRequested.connect(self.open_source)
        self.library_panel.currentSourceChanged.connect(self.inspector.show_source)
        self.search_panel.hitActivated.connect(self.open_hit)
        for panel in (self.marks_panel, self.all_marks_panel):
            panel.annotationActivated.connect(self.open_annotation)
            panel.deleteRequested.connect(self.delete_annotation)
            panel.noteRequested.connect(self.edit_note)
            panel.redactToggled.connect(lambda uuid, on: self.update_annotation(uuid, redact=on))
            panel.entitiesRequested.connect(self.link_entities)
            panel.categoriesChanged.connect(
                lambda uuid, codes: self.update_annotation(uuid, categories=list(codes))
            )
            panel.addCategoryRequested.connect(self.add_category_to)
        self.documents.currentPaneChanged.connect(self._pane_changed)
        self.documents.regionDrawn.connect(self.mark_region)
        self.documents.regionEdited.connect(self._region_edited)
        self.documents.deleteRequested.connect(self.delete_annotation)
        controller.sourcesChanged.connect(self.update_status)
        # A bundle merged (here or by the CLI) brings marks as well as sources.
        controller.sourcesChanged.connect(self.all_marks_panel.refresh)
        controller.busyChanged.connect(self.busy_label.setText)
        controller.errorOccurred.connect(self.show_error)
        self.update_status()
        self._restore()

    # --- menus -----------------------------------------------------------------

    def _action(
        self, text: str, slot: Any, shortcut: Any = None, tip: str = "", icon_name: str = ""
    ) -> QAction:
        action = QAction(text, self)
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

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(
            self._action("&New Library…", self.new_library, tip="Create a library in a new folder")
        )
        file_menu.addAction(
            self._action("&Open Library…", self.choose_library, tip="Open another library folder")
        )
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self._fill_recent()
        file_menu.addSeparator()
        self.import_action = self._action(
            "&Import Files…",
            self.import_files,
            QKeySequence.StandardKey.Open,
            "Import PDFs, images, saved web pages, text and e-mail",
            "import",
        )
        file_menu.addAction(self.import_action)
        file_menu.addAction(
            self._action(
                "Import &Folder…",
                self.import_folder,
                "Ctrl+Shift+O",
                "Import every file below a folder",
            )
        )
        file_menu.addSeparator()
        self.export_action = self._action(
            "&Export Bundle…",
            self.export_bundle,
            "Ctrl+E",
            "Write a signed, optionally redacted and encrypted evidence bundle",
        )
        file_menu.addAction(self.export_action)
        file_menu.addAction(
            self._action(
                "Import &Bundle…",
                self.import_bundle,
                "Ctrl+Shift+I",
                "Verify an evidence bundle from a partner and merge it",
            )
        )
        self.verify_action = self._action(
            "&Verify Bundle…",
            self.verify_bundle,
            None,
            "Check a bundle's checksums and signature without importing it",
        )
        file_menu.addAction(self.verify_action)
        self.keys_action = self._action(
            "Signing &Keys…",
            self.manage_keys,
            None,
            "Your signing keys, and the partner keys whose signatures you trust",
        )
        file_menu.addAction(self.keys_action)
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, QKeySequence.StandardKey.Quit))

        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(
            self._action(
                "&Find in Document…",
                self.find_in_document,
                QKeySequence.StandardKey.Find,
                "Find text in the current pane",
                "search",
            )
        )
        edit_menu.addAction(
            self._action(
                "Search &Library…",
                self.focus_search,
                "Ctrl+Shift+F",
                "Full-text search over every source",
            )
        )

        annotate_menu = bar.addMenu("&Annotate")
        self.mark_action = self._action(
            "&Mark Selection…",
            self.mark_selection,
            "Ctrl+M",
            "Mark the selected passage and tag it with a category",
        )
        self.undo_action = self._action(
            "&Undo",
            self.undo_annotation,
            QKeySequence.StandardKey.Undo,
            "Undo the last annotation change",
        )
        self.redo_action = self._action(
            "&Redo",
            self.redo_annotation,
            QKeySequence.StandardKey.Redo,
            "Redo the annotation change just undone",
        )
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redact_action = self._action(
            "Re&dact Selection",
            self.redact_selection,
            "Ctrl+Shift+R",
            "Mark the selected passage to be removed from exported bundles",
        )
        self.redact_page_action = self._action(
            "Redact &Page",
            self.redact_page,
            None,
            "Mark the current PDF page to be blacked out in exported bundles",
        )
        self.taxonomy_action = self._action(
            "Edit &Categories…",
            self.edit_taxonomy,
            None,
            "Add, rename, move, merge or retire violation categories",
        )
        self.link_entities_action = self._action(
            "Link &Entities…",
            lambda: self.link_entities(),
            "Ctrl+K",
            "The vessels, companies and places the selected annotation mentions",
        )
        for action in (
            self.mark_action,
            self.redact_action,
            self.redact_page_action,
            self.link_entities_action,
            self.undo_action,
            self.redo_action,
        ):
            annotate_menu.addAction(action)
        annotate_menu.addSeparator()
        annotate_menu.addAction(self.taxonomy_action)
        # Where every desktop program has them, too (the same actions, one state).
        first = edit_menu.actions()[0]
        edit_menu.insertAction(first, self.undo_action)
        edit_menu.insertAction(first, self.redo_action)
        edit_menu.insertSeparator(first)
        self._update_undo_actions()

        view_menu = bar.addMenu("&View")
        self.split_h_action = self._action(
            "Split Side by &Side",
            lambda: self.documents.split(Qt.Orientation.Horizontal),
            "Ctrl+\\",
            "Open a second pane beside this one",
            "split-h",
        )
        self.split_v_action = self._action(
            "Split &Top and Bottom",
            lambda: self.documents.split(Qt.Orientation.Vertical),
            "Ctrl+Shift+\\",
            "Open a second pane below this one",
            "split-v",
        )
        self.close_pane_action = self._action(
            "&Close Pane",
            lambda: self.documents.close_pane(),
            QKeySequence.StandardKey.Close,
            "Close the current pane",
            "close",
        )
        self.next_pane_action = self._action(
            "&Next Pane",
            lambda: self.documents.focus_next(1),
            "F6",
            "Move the keyboard focus to the next pane",
        )
        self.previous_pane_action = self._action(
            "&Previous Pane",
            lambda: self.documents.focus_next(-1),
            "Shift+F6",
            "Move the keyboard focus to the previous pane",
        )
        self.focus_library_action = self._action(
            "Go to &Library List",
            self.focus_library,
            "Ctrl+L",
            "Move the keyboard focus to the list of sources",
        )
        self.link_scroll_action = self._action(
            "Link Sc&rolling",
            self.documents.set_linked_scrolling,
            "Ctrl+Shift+L",
            "Scroll all panes together (two versions of one document)",
        )
        self.link_scroll_action.setCheckable(True)
        for action in (
            self.split_h_action,
            self.split_v_action,
            self.close_pane_action,
            self.link_scroll_action,
            self.next_pane_action,
            self.previous_pane_action,
            self.focus_library_action,
        ):
            view_menu.addAction(action)
        view_menu.addSeparator()
        self.entities_action = self._action(
            "&Entities",
            self.show_entities,
            "Ctrl+Shift+E",
            "Every entity, and the annotations and sources that mention it",
        )
        view_menu.addAction(self.entities_action)
        view_menu.addAction(self.library_dock.toggleViewAction())
        view_menu.addAction(self.inspector_dock.toggleViewAction())
        self.full_screen_action = self._action(
            "&Full Screen", self.toggle_full_screen, QKeySequence.StandardKey.FullScreen
        )
        self.full_screen_action.setShortcuts([QKeySequence("F11")])
        view_menu.addAction(self.full_screen_action)

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&About", self.about))

        tools = self.addToolBar("Main")
        tools.setObjectName("mainToolBar")
        tools.setMovable(False)
        tools.addAction(self.import_action)
        tools.addSeparator()
        tools.addAction(self.split_h_action)
        tools.addAction(self.split_v_action)
        tools.addAction(self.close_pane_action)

    # --- library switching --------------------------------------------------------

    def _recent(self) -> list[str]:
        value = self.settings.value("recentLibraries", [])
        if isinstance(value, str):
            return [value]
        if isinstance(value, list | tuple):
            return [str(v) for v in value]
        return []

    def remember_library(self, path: Path) -> None:
        """Put a library at the top of File > Open Recent."""
        recent = [p for p in self._recent() if p != str(path)]
        self.settings.setValue("recentLibraries", [str(path), *recent][:MAX_RECENT])
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self._recent():
            self.recent_menu.addAction(path, partial(self._switch, Path(path)))
        self.recent_menu.setEnabled(bool(self._recent()))

    def new_library(self) -> None:
        """Ask for an empty folder and open a new library there."""
        folder = QFileDialog.getExistingDirectory(self, "Folder for the new library")
        if folder:
            self._switch(Path(folder), create=True)

    def choose_library(self) -> None:
        """Ask for a library folder and open it."""
        folder = QFileDialog.getExistingDirectory(self, "Open library folder")
        if folder:
            self._switch(Path(folder))

    def _switch(self, path: Path, create: bool = False) -> None:
        if self._open_library is None:
            return
        try:
            self._open_library(path, create)
        except WorkstationError as exc:
            self.show_error(exc.message)

    # --- actions ---------------------------------------------------------------

    def import_paths(self, paths: list[str], **kw: Any) -> Any:
        """Import files and folders in the background."""
        if not paths:
            return None
        # Imported here: the import pipeline pulls in trafilatura, lxml and
        # PyMuPDF, which a window that only reads does not need at start-up.
        from ui.desktop.ops.import_ import run_import

        return run_import(self.controller, paths, self, **kw)

    def import_files(self) -> None:
        """File > Import Files."""
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Import files",
            str(self.settings.value("lastImportDir", "")),
            "Evidence (*.pdf *.jpg *.jpeg *.png *.tif *.tiff *.webp *.gif *.bmp *.html *.htm "
            "*.txt *.md *.eml);;All files (*)",
        )
        if files:
            self.settings.setValue("lastImportDir", str(Path(files[0]).parent))
            self.import_paths(files)

    def export_bundle(self) -> None:
        """File > Export Bundle."""
        from ui.desktop.ops.export import export_from_dialog

        export_from_dialog(self.controller, self, self.library_panel.selected_source_ids())

    def verify_bundle(self) -> None:
        """File > Verify Bundle."""
        from ui.desktop.ops.import_bundle import verify_bundle

        verify_bundle(self.controller, self)

    def manage_keys(self) -> None:
        """File > Signing Keys."""
        from ui.desktop.bundles.keys_dialog import KeysDialog

        dialog = getattr(self, "_keys_dialog", None)
        if dialog is None:
            dialog = KeysDialog(self.controller, self)
            self._keys_dialog = dialog
        else:
            dialog.reload()
        dialog.show()
        dialog.raise_()

    def import_bundle(self) -> None:
        """File > Import Bundle."""
        from ui.desktop.ops.import_bundle import import_bundle

        import_bundle(self.controller, self)

    def import_folder(self) -> None:
        """File > Import Folder."""
        folder = QFileDialog.getExistingDirectory(
            self, "Import folder", str(self.settings.value("lastImportDir", ""))
        )
        if folder:
            self.settings.setValue("lastImportDir", folder)
            self.import_paths([folder])

    def open_source(self, source_id: int) -> None:
        """Open a source in the current pane."""
        try:
            self.documents.open_source(source_id)
        except WorkstationError as exc:
            self.show_error(exc.message)
            return
        self.inspector.show_source(source_id)
        self.marks_panel.set_source(source_id)

    def open_hit(self, source_id: int, page: int, quote: str) -> None:
        """Open a search hit at its page with the match highlighted."""
        try:
            self.documents.open_source(source_id, page, quote)
        except WorkstationError as exc:
            self.show_error(exc.message)
            return
        self.inspector.show_source(source_id)
        self.marks_panel.set_source(source_id)  # the Marks tab follows, as for open_source

    # --- annotations --------------------------------------------------------------

    def mark_selection(self, code: str | None = None) -> None:
        """Annotate > Mark Selection: pick a category, then mark the selected passage.

        Args:
            code: the category, when already chosen (tests, scripts); else a
                picker opens at the mouse.
        """
        pane, selection = self._selection()
        if pane.source_id is None or selection is None:
            self.statusBar().showMessage("Select a passage first, then mark it (Ctrl+M).", 6000)
            return
        source_id = pane.source_id
        if code is not None:
            self._create_mark(pane, source_id, selection, code)
            return
        from ui.desktop.annotations.category_picker import CategoryPickerPopup

        popup = CategoryPickerPopup(self.controller, self.settings, self)
        popup.picked.connect(lambda picked: self._create_mark(pane, source_id, selection, picked))
        popup.open_at(self._picker_pos())
        self._picker = popup

    def mark_region(self, pane: Any, anchor: Any, code: str | None = None) -> None:
        """A region was drawn in a pane: pick a category (unless given) and mark it."""
        source_id = pane.source_id
        editor = getattr(pane.viewer, "editor", None)

        def drop() -> None:
            if editor is not None:
                editor.drop_pending()

        if source_id is None:
            drop()
            return
        if code is not None:
            self._create_mark(pane, source_id, anchor, code, after=drop)
            return
        from ui.desktop.annotations.category_picker import CategoryPickerPopup

        def cancelled() -> None:
            drop()
            self.statusBar().showMessage(
                "Region not marked: no category was chosen. Draw it again to mark it.", 6000
            )

        popup = CategoryPickerPopup(self.controller, self.settings, self)
        popup.picked.connect(
            lambda picked: self._create_mark(pane, source_id, anchor, picked, after=drop)
        )
        popup.cancelled.connect(cancelled)
        popup.open_at(self._picker_pos())
        self._picker = popup

    def _selection(self) -> tuple[Any, tuple[int, int, int] | None]:
        """The current pane and its selected passage (page, start, end), if any."""
        pane = self.documents.current
        viewer = pane.viewer
        selection = (
            viewer.selection() if viewer is not None and hasattr(viewer, "selection") else None
        )
        return pane, selection

    def _picker_pos(self) -> QPoint:
        """Where the category picker opens: at the mouse when it is over the current
        pane (it drew the shape), else over the middle of the pane (Ctrl+M typed)."""
        pane = self.documents.current
        cursor = QCursor.pos()
        area = pane.rect().translated(pane.mapToGlobal(QPoint(0, 0)))
        return cursor if area.contains(cursor) else area.center()

    def add_category_to(self, annotation_uuid: str, code: str | None = None) -> None:
        """Tag an annotation with one more category (a picker opens unless ``code`` is given)."""
        from workstation.annotations.service import AnnotationService

        with self.controller.library.reader() as session:
            current = AnnotationService(self.controller.library).get(session, annotation_uuid)
        codes = list(current.categories)

        def add(picked: str) -> None:
            if picked not in codes:
                self.update_annotation(annotation_uuid, categories=[*codes, picked])

        if code is not None:
            add(code)
            return
        from ui.desktop.annotations.category_picker import CategoryPickerPopup

        popup = CategoryPickerPopup(self.controller, self.settings, self)
        popup.picked.connect(add)
        popup.open_at(self._picker_pos())
        self._picker = popup

    def redact_selection(self) -> None:
        """Annotate > Redact Selection: mark the selected passage to be removed on export."""
        pane, selection = self._selection()
        if pane.source_id is None or selection is None:
            self.statusBar().showMessage(
                "Select a passage first, then redact it (Ctrl+Shift+R).", 6000
            )
            return
        self._create_mark(pane, pane.source_id, selection, None, redact=True)

    def redact_page(self) -> None:
        """Annotate > Redact Page: the whole current page of a PDF goes black on export."""
        from workstation.annotations.anchors import PageAnchor

        pane = self.documents.current
        view = getattr(pane.viewer, "view", None)
        if pane.source_id is None or not hasattr(view, "current_page"):
            self.statusBar().showMessage("Open a PDF and go to the page to redact.", 6000)
            return
        page = PageAnchor(int(view.current_page))  # type: ignore[union-attr]
        self._create_mark(pane, pane.source_id, page, None, redact=True)

    def _create_mark(
        self,
        pane: Any,
        source_id: int,
        what: Any,
        code: str | None,
        *,
        redact: bool = False,
        after: Any = None,
    ) -> None:
        """Mark a text selection (page, start, end) or a drawn anchor, on the write thread."""
        library = self.controller.library
        history = self.history

        def write() -> str:
            from workstation.annotations.anchors import text_anchor
            from workstation.annotations.service import page_text

            with library.writer() as session:
                if isinstance(what, tuple):
                    page, start, end = what
                    text = page_text(session, source_id, page)
                    anchor = text_anchor(text, start, end, page=page)
                else:
                    anchor = what
                return history.create(
                    session,
                    source_id,
                    anchor,
                    categories=[code] if code else [],
                    redact=redact,
                ).uuid

        def failed(message: str) -> None:
            if after is not None:
                after()
            self.show_error(message)

        def done(_uuid: Any) -> None:
            if after is not None:
                after()
            self._annotations_changed(source_id)
            if redact and not code:
                said = "Marked for redaction on export (Ctrl+Z undoes)."
            else:
                said = f"Marked as {code}" + (", to be redacted" if redact else "")
                said += " (Ctrl+Z undoes)."
            self.statusBar().showMessage(said, 5000)

        self.controller.run(write, write=True, label="marking", on_done=done, on_error=failed)

    @property
    def history(self) -> AnnotationHistory:
        """Undo/redo of this window's annotation changes."""
        found: AnnotationHistory | None = getattr(self, "_history", None)
        if found is None:
            from workstation.annotations.service import AnnotationHistory, AnnotationService

            found = AnnotationHistory(AnnotationService(self.controller.library))
            self._history = found
        return found

    def undo_annotation(self) -> None:
        """Edit > Undo (Ctrl+Z), through the annotation service."""
        self._run_history("undo")

    def redo_annotation(self) -> None:
        """Edit > Redo (Ctrl+Shift+Z)."""
        self._run_history("redo")

    def _run_history(self, which: str) -> None:
        history = self.history
        if not (history.can_undo if which == "undo" else history.can_redo):
            return
        library = self.controller.library

        def write() -> int | None:
            from workstation.annotations.service import AnnotationService

            with library.writer() as session:
                uuid = getattr(history, which)(session)
                if uuid is None:
                    return None
                row = AnnotationService(library).get(session, uuid)

                return _source_id_of(session, row)

        self.controller.run(
            write, write=True, label=which, on_done=lambda sid: self._history_done(which, sid)
        )

    def _history_done(self, which: str, source_id: int | None) -> None:
        self._annotations_changed(source_id)
        again = "Ctrl+Shift+Z redoes" if which == "undo" else "Ctrl+Z undoes"
        self.statusBar().showMessage(f"{which.capitalize()}ne ({again}).", 4000)

    def open_annotation(self, annotation_uuid: str, _page: int) -> None:
        """Open an annotation's source (if needed) and go to the annotation."""
        from workstation.annotations.service import AnnotationService

        try:
            with self.controller.library.reader() as session:
                data = AnnotationService(self.controller.library).get(session, annotation_uuid)
                source_id = _source_id_of(session, data)
        except WorkstationError as exc:
            self.show_error(exc.message)
            return
        pane = self.documents.current
        if pane.source_id != source_id:
            self.open_source(source_id)
        viewer = self.documents.current.viewer
        if viewer is not None and hasattr(viewer, "show_annotation"):
            viewer.show_annotation(data)

    def edit_note(self, annotation_uuid: str, text: str | None = None) -> None:
        """Edit an annotation's note (asked for in a dialog unless given)."""
        if text is None:
            from workstation.annotations.service import AnnotationService

            with self.controller.library.reader() as session:
                current = (
                    AnnotationService(self.controller.library).get(session, annotation_uuid).note
                )
            text, ok = QInputDialog.getMultiLineText(
                self, "Note", "Note on this annotation (plain text):", current or ""
            )
            if not ok:
                return
        self.update_annotation(annotation_uuid, note=text)

    def _region_edited(self, pane: Any, annotation_uuid: str, anchor: Any) -> None:
        """A region was moved or resized in a pane: store it (undoable), or put it back."""
        self.update_annotation(annotation_uuid, on_error=pane.reload_marks, anchor=anchor)

    def update_annotation(self, annotation_uuid: str, on_error: Any = None, **changes: Any) -> None:
        """Change an annotation's note, categories, redaction or anchor (undoable, audited)."""
        library = self.controller.library
        history = self.history

        def write() -> int:
            with library.writer() as session:
                data = history.update(session, annotation_uuid, **changes)
                return _source_id_of(session, data)

        def failed(message: str) -> None:
            self.show_error(message)
            if on_error is not None:
                on_error()

        self.controller.run(
            write,
            write=True,
            label="saving",
            on_done=lambda sid: self._annotations_changed(sid),
            on_error=failed,
        )

    def delete_annotation(self, annotation_uuid: str) -> None:
        """Delete an annotation (undoable; kept in the audit trail)."""
        library = self.controller.library
        history = self.history

        def write() -> int:
            from workstation.annotations.service import AnnotationService

            with library.writer() as session:
                data = AnnotationService(library).get(session, annotation_uuid)
                history.delete(session, annotation_uuid)
                return _source_id_of(session, data)

        def done(source_id: int) -> None:
            self._annotations_changed(source_id)
            self.statusBar().showMessage("Mark deleted (Ctrl+Z undoes).", 4000)

        self.controller.run(write, write=True, label="deleting", on_done=done)

    def edit_taxonomy(self) -> None:
        """Annotate > Edit Categories: the taxonomy editor (one per window)."""
        editor = getattr(self, "_taxonomy_editor", None)
        if editor is None:
            from ui.desktop.annotations.taxonomy_editor import TaxonomyEditor

            editor = TaxonomyEditor(self.controller, self)
            editor.taxonomyChanged.connect(lambda: self._annotations_changed(None))
            self._taxonomy_editor = editor
        editor.show()
        editor.raise_()

    def link_entities(self, annotation_uuid: str | None = None) -> None:
        """Annotate > Link Entities (Ctrl+K): the entities of an annotation.

        Args:
            annotation_uuid: the annotation; else the one selected in the
                marks list that has the focus, or in Marks, or in All marks.
        """
        uuid = annotation_uuid or self._selected_annotation()
        if uuid is None:
            self.statusBar().showMessage(
                "Select an annotation in the Marks list first, then link entities (Ctrl+K).", 6000
            )
            return
        dialog = getattr(self, "_entity_link_dialog", None)
        if dialog is None:
            from ui.desktop.entities.entities import EntityLinkDialog

            dialog = EntityLinkDialog(self.controller, uuid, self, history=self.history)
            dialog.linksChanged.connect(self._entity_links_changed)
            self._entity_link_dialog = dialog
        else:
            dialog.set_annotation(uuid)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _selected_annotation(self) -> str | None:
        panels = [self.marks_panel, self.all_marks_panel]
        focus = QApplication.focusWidget()
        panels.sort(key=lambda panel: not (focus is not None and panel.isAncestorOf(focus)))
        return next((uuid for panel in panels if (uuid := panel.current_uuid())), None)

    @property
    def entity_window(self) -> Any:
        """The Entities window of this main window (made on first use)."""
        window = getattr(self, "_entity_window", None)
        if window is None:
            from ui.desktop.entities.entities import EntityWindow

            window = EntityWindow(self.controller, self)
            window.annotationActivated.connect(self.open_annotation)
            window.sourceActivated.connect(self.open_mention)
            window.entitiesChanged.connect(self._entities_changed)
            self._entity_window = window
        return window

    def show_entities(self) -> None:
        """View > Entities (Ctrl+Shift+E): open or raise the Entities window."""
        window = self.entity_window
        window.show()
        window.raise_()
        window.activateWindow()

    def open_mention(self, source_id: int, page: int) -> None:
        """Open a source the Entities window lists, at the page, the mention highlighted."""
        mention = self.entity_window.mention_of(source_id)
        self.open_hit(source_id, page, mention.matched[0] if mention and mention.matched else "")

    def _entities_changed(self, _entity_uuid: str) -> None:
        # An entity edited or merged in the Entities window: the link dialog names it too.
        dialog = getattr(self, "_entity_link_dialog", None)
        if dialog is not None and dialog.isVisible():
            dialog.reload()
            dialog.search()

    def _entity_links_changed(self, _annotation_uuid: str) -> None:
        window = getattr(self, "_entity_window", None)
        if window is not None:
            window.refresh()
        self._update_undo_actions()

    def _annotations_changed(self, source_id: int | None) -> None:
        for pane in self.documents.panes():
            if source_id is None or pane.source_id == source_id:
                pane.reload_marks()
        self.marks_panel.refresh()
        self.all_marks_panel.refresh()
        if source_id is not None:
            self.controller.sourceEdited.emit(source_id)
        # An undo may have taken back a link: the entity views show links too.
        for view, again in (
            (getattr(self, "_entity_window", None), "refresh"),
            (getattr(self, "_entity_link_dialog", None), "reload"),
        ):
            if view is not None and view.isVisible():
                getattr(view, again)()
        self._update_undo_actions()

    def _update_undo_actions(self) -> None:
        history = getattr(self, "_history", None)
        self.undo_action.setEnabled(bool(history and history.can_undo))
        self.redo_action.setEnabled(bool(history and history.can_redo))

    def find_in_document(self) -> None:
        """Edit > Find: the find bar of the current pane."""
        self.documents.current.show_find()

    def focus_library(self) -> None:
        """View > Go to Library List (Ctrl+L)."""
        self.library_dock.show()
        self.left_tabs.setCurrentWidget(self.library_panel)
        self.library_panel.table.setFocus()

    def focus_search(self) -> None:
        """Edit > Search Library."""
        self.library_dock.show()
        self.left_tabs.setCurrentWidget(self.search_panel)
        self.search_panel.box.setFocus()
        self.search_panel.box.selectAll()

    def toggle_full_screen(self) -> None:
        """F11."""
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def about(self) -> None:
        """Help > About."""
        QMessageBox.about(
            self,
            "Evidence Workstation",
            "Evidence Workstation\n\nImport, read, search and mark evidence of sanctions "
            f"violations.\n\nLibrary: {self.controller.library.root}",
        )

    def show_error(self, message: str) -> None:
        """Show a one-line error in the status bar and a non-blocking dialog."""
        self.statusBar().showMessage(message, 10_000)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Evidence Workstation",
            message,
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def update_status(self) -> None:
        """Library size in the status bar."""
        with self.controller.library.reader() as session:
            stats = library_stats(session)
        self.size_label.setText(
            f"{stats['sources']:,} sources · {stats['pages']:,} pages · "
            f"{human_bytes(stats['bytes'])}"
        )

    def _pane_changed(self, pane: Any) -> None:
        if pane.source_id is not None:
            self.inspector.show_source(pane.source_id)
        self.marks_panel.set_source(pane.source_id if pane.source_id is not None else -1)

    # --- drops, geometry --------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    def _restore(self) -> None:
        geometry = self.settings.value("mainWindow/geometry")
        state = self.settings.value("mainWindow/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            screen = QGuiApplication.primaryScreen()
            if screen is not None:
                area = screen.availableGeometry()
                self.resize(max(1024, int(area.width() * 0.92)), max(700, int(area.height() * 0.9)))
            else:
                self.resize(1440, 900)
        self._state_restored = isinstance(state, QByteArray) and self.restoreState(state)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not getattr(self, "_first_shown", False):
            self._first_shown = True
            if not self._state_restored:
                # First start: room for titles on the left, the inspector on the
                # right (after the first layout pass, which would undo it).
                # Sized to the window, so a small laptop screen keeps room for pages.
                width = self.width()
                sizes = [min(440, max(300, width * 3 // 10)), min(300, max(240, width // 5))]
                QTimer.singleShot(
                    0,
                    lambda: self.resizeDocks(
                        [self.library_dock, self.inspector_dock],
                        sizes,
                        Qt.Orientation.Horizontal,
                    ),
                )

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if getattr(self, "_shut_down", False):  # closed before (e.g. close() twice)
            super().closeEvent(event)
            return
        self._shut_down = True
        self.settings.setValue("mainWindow/geometry", self.saveGeometry())
        self.settings.setValue("mainWindow/state", self.saveState())
        # Work still queued when the library closes fails; that is no news
        # for a window that is going away.
        self.controller.errorOccurred.disconnect(self.show_error)
        self.documents.close_all()
        self.library_panel.model.detach()
        self.controller.shutdown()
        super().closeEvent(event)
