"""The main window: library on the left, document panes in the centre,
inspector on the right, menus and shortcuts for everything."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any, Literal

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabWidget,
    QWidget,
)
from shiboken6 import isValid

from ui.desktop.annotations.annotation_panel import AnnotationPanel
from ui.desktop.annotations.commands import AnnotationCommands
from ui.desktop.annotations.taxonomy_editor import TaxonomyEditor
from ui.desktop.app.actions import build_menus
from ui.desktop.app.controller import LibraryController
from ui.desktop.app.layout import reset_layout, restore_layout, save_layout, settle_after_show
from ui.desktop.app.marking import MarkingMixin
from ui.desktop.app.settings import Settings
from ui.desktop.bundles.keys_dialog import KeysDialog
from ui.desktop.entities.entity_window import EntityWindow
from ui.desktop.findings.finding_editor import FindingEditor
from ui.desktop.findings.findings_panel import FindingsPanel
from ui.desktop.library.inspector import Inspector
from ui.desktop.library.library_panel import LibraryPanel
from ui.desktop.library.search_panel import SearchPanel
from ui.desktop.library.sources_edit_dialog import SourcesEditDialog
from ui.desktop.ops.changes import Changes
from ui.desktop.ops.export import export_from_dialog
from ui.desktop.ops.import_ import run_import
from ui.desktop.ops.import_bundle import import_bundle, verify_bundle
from ui.desktop.ops.ocr import run_ocr
from ui.desktop.viewers.document_area import DocumentArea, ViewerFactory, default_viewer
from ui.desktop.viewers.zoom_state import apply_zoom, zoom_state
from ui.desktop.widgets.icons import icon
from workstation.core.config import default_library_path
from workstation.core.errors import WorkstationError
from workstation.core.library import Library
from workstation.demo.build import build_demo
from workstation.sources.lookup import library_stats

MAX_RECENT = 8
MAX_SESSION_PANES = 3


def human_bytes(n: int) -> str:
    """1536 -> '1.5 KB'."""
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"


class MainWindow(MarkingMixin, QMainWindow):
    """One library per window."""

    # Made by build_menus (ui/desktop/app/actions.py).
    recent_menu: QMenu
    import_action: QAction
    export_action: QAction
    verify_action: QAction
    ocr_action: QAction
    keys_action: QAction
    mark_action: QAction
    undo_action: QAction
    edit_sources_action: QAction
    redo_action: QAction
    redact_action: QAction
    redact_page_action: QAction
    taxonomy_action: QAction
    link_entities_action: QAction
    add_to_finding_action: QAction
    split_h_action: QAction
    split_v_action: QAction
    close_pane_action: QAction
    next_pane_action: QAction
    previous_pane_action: QAction
    focus_library_action: QAction
    link_scroll_action: QAction
    entities_action: QAction
    full_screen_action: QAction
    reset_layout_action: QAction
    edit_note_action: QAction
    shortcuts_action: QAction
    quick_start_action: QAction
    page_strip_action: QAction
    list_thumbnails_action: QAction
    low_confidence_action: QAction
    add_category_action: QAction
    redact_mark_action: QAction
    delete_mark_action: QAction

    def __init__(
        self,
        controller: LibraryController,
        *,
        settings: Settings | QSettings | None = None,
        factory: ViewerFactory = default_viewer,
        open_library: Any = None,
    ) -> None:
        super().__init__()
        self.controller = controller
        self.settings = Settings.of(settings)
        self._open_library = open_library
        self.setWindowTitle(f"{controller.library.root.name} — Evidence Workstation")
        self.setWindowIcon(icon("app"))
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)

        def made(controller: LibraryController, source: Any) -> QWidget:
            viewer = factory(controller, source)
            if hasattr(viewer, "set_strip_visible"):
                viewer.set_strip_visible(self.settings.page_strip)
            if hasattr(viewer, "set_low_confidence_visible"):
                viewer.set_low_confidence_visible(self.settings.low_confidence_words)
            return viewer

        self.documents = DocumentArea(controller, made)
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
        # Beside Marks: a fourth tab on the left would not fit a 1024 px laptop.
        self.findings_panel = FindingsPanel(controller, settings=self.settings)
        self.right_tabs.addTab(self.findings_panel, "Findings")
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

        self.annotation_commands = AnnotationCommands(controller, self)
        self.annotation_commands.annotationsChanged.connect(self._update_undo_actions)
        self.annotation_commands.historyChanged.connect(self._update_undo_actions)  # findings
        self.annotation_commands.statusMessage.connect(self.statusBar().showMessage)
        self.annotation_commands.errorOccurred.connect(self.show_error)
        self.annotation_commands.markCreated.connect(
            lambda uuid, _source_id: self.set_current_mark(uuid)
        )
        build_menus(self)
        self._fill_recent()
        self._update_undo_actions()
        self.library_panel.openRequested.connect(self.open_source)
        self.library_panel.importRequested.connect(self.import_files)
        self.library_panel.demoRequested.connect(lambda: self.open_demo())
        self.library_panel.currentSourceChanged.connect(self.inspector.show_source)
        self.search_panel.hitActivated.connect(self.open_hit)
        self.search_panel.hitSelected.connect(self.inspector.show_source)
        commands = self.annotation_commands
        for panel in (self.marks_panel, self.all_marks_panel):
            panel.annotationActivated.connect(self.open_annotation)
            panel.deleteRequested.connect(commands.delete)
            panel.noteRequested.connect(self.edit_note)
            panel.redactToggled.connect(lambda uuid, on: commands.update(uuid, redact=on))
            panel.entitiesRequested.connect(self.link_entities)
            panel.categoriesChanged.connect(
                lambda uuid, codes: commands.update(uuid, categories=list(codes))
            )
            panel.addCategoryRequested.connect(self.add_category_to)
            panel.findingRequested.connect(self.add_to_finding)
            panel.currentMarkChanged.connect(self.set_current_mark)
        self.inspector.noteRequested.connect(self.edit_note)
        self.inspector.noteSaved.connect(
            lambda uuid, note: self.annotation_commands.update(uuid, note=note)
        )
        self.inspector.entitiesRequested.connect(self.link_entities)
        self.inspector.categoryRequested.connect(self.add_category_to)
        self.documents.markSelected.connect(self.set_current_mark)
        self.findings_panel.findingActivated.connect(self.open_finding)
        self.documents.currentPaneChanged.connect(self._pane_changed)
        self.documents.regionDrawn.connect(self.mark_region)
        self.documents.regionEdited.connect(self._region_edited)
        self.documents.deleteRequested.connect(commands.delete)
        controller.changed.connect(self._changed)
        controller.busyChanged.connect(self.busy_label.setText)
        controller.errorOccurred.connect(self.show_error)
        self.library_panel.show_thumbnails(self.settings.list_thumbnails)
        self.update_status()
        self._restore()

    # --- library switching --------------------------------------------------------

    def remember_library(self, path: Path) -> None:
        """Put a library at the top of File > Open Recent."""
        self.settings.remember_library(str(path))
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_libraries
        for path in recent:
            self.recent_menu.addAction(path, partial(self._switch, Path(path)))
        self.recent_menu.setEnabled(bool(recent))

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

    def open_demo(self, path: Path | None = None) -> None:
        """The start page's Open the Demo Library: build it (first time) on a worker,
        then open it in this window (``path``: where; default beside the library)."""
        path = path or default_library_path().with_name("demo-library")
        reviewer = self.controller.library.reviewer

        def build() -> Path:
            with Library.open(path, reviewer=reviewer, create=True) as demo:
                build_demo(demo)
                return demo.root

        self.statusBar().showMessage(f"Preparing the demo library in {path}…")
        self.controller.run(
            build, label="preparing the demo", on_done=self._switch, on_error=self.show_error
        )

    def import_paths(self, paths: list[str], **kw: Any) -> Any:
        """Import files and folders in the background."""
        if not paths:
            return None
        # Imported here: the import pipeline pulls in trafilatura, lxml and
        # PyMuPDF, which a window that only reads does not need at start-up.

        return run_import(self.controller, paths, self, **kw)

    def import_files(self) -> None:
        """File > Import Files."""
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Import files",
            self.settings.last_import_dir,
            "Evidence (*.pdf *.jpg *.jpeg *.png *.tif *.tiff *.webp *.gif *.bmp *.html *.htm "
            "*.txt *.md *.eml);;All files (*)",
        )
        if files:
            self.settings.last_import_dir = str(Path(files[0]).parent)
            self.import_paths(files)

    def run_ocr(self) -> Any:
        """File > Run OCR on Selected Sources (else the source in the current pane);
        open PDF viewers of them take the new text when it is in."""
        ids = self.library_panel.selected_source_ids() or [
            i for i in [self.documents.current.source_id] if i is not None
        ]
        if not ids:
            self.statusBar().showMessage("Select the sources to read first.", 6000)
            return None

        def refresh(_said: str) -> None:
            for pane in self.documents.panes():
                reload = getattr(pane.viewer, "load_text_layers", None)
                if pane.source_id in ids and reload is not None:
                    reload()

        return run_ocr(self.controller, ids, self, refresh)

    def export_bundle(self) -> None:
        """File > Export Bundle."""

        export_from_dialog(
            self.controller,
            self,
            self.library_panel.selected_source_ids(),
            case=self.library_panel.case_box.currentData() or None,
            settings=self.settings,
        )

    def verify_bundle(self) -> None:
        """File > Verify Bundle."""

        verify_bundle(self.controller, self, settings=self.settings)

    def manage_keys(self) -> None:
        """File > Signing Keys."""

        dialog = getattr(self, "_keys_dialog", None)
        if dialog is None:
            dialog = KeysDialog(self.controller, self, self.settings)
            self._keys_dialog = dialog
        else:
            dialog.reload()
        dialog.show()
        dialog.raise_()

    def import_bundle(self) -> None:
        """File > Import Bundle."""

        import_bundle(self.controller, self, settings=self.settings)

    def import_folder(self) -> None:
        """File > Import Folder."""
        folder = QFileDialog.getExistingDirectory(
            self, "Import folder", self.settings.last_import_dir
        )
        if folder:
            self.settings.last_import_dir = folder
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

    def edit_taxonomy(self) -> None:
        """Annotate > Edit Categories: the taxonomy editor (one per window)."""
        editor = getattr(self, "_taxonomy_editor", None)
        if editor is None:
            editor = TaxonomyEditor(self.controller, self)
            # The editor's writes announce Changes(taxonomy=True) through the controller.
            self._taxonomy_editor = editor
        editor.show()
        editor.raise_()

    def open_finding(self, finding_uuid: str) -> FindingEditor:
        """Open (or raise) the finding editor on a finding."""
        editor = getattr(self, "_finding_editor", None)
        if editor is None:
            editor = FindingEditor(
                self.controller, finding_uuid, self, commands=self.annotation_commands
            )
            editor.annotationActivated.connect(lambda uuid: self.open_annotation(uuid, 1))
            self._finding_editor = editor
        elif editor.uuid != finding_uuid:
            editor.set_finding(finding_uuid)
        editor.show()
        editor.raise_()
        editor.activateWindow()
        return editor

    @property
    def entity_window(self) -> Any:
        """The Entities window of this main window (made on first use)."""
        window = getattr(self, "_entity_window", None)
        if window is None:
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

    def _changed(self, changes: Changes) -> None:
        """One operation's notice: refresh what it touched, once."""
        if changes.source_set or changes.sources:
            self.update_status()  # an unlocked PDF brings its pages
        if changes.source_set:
            # A bundle merged (here or by the CLI) brings marks as well as sources.
            self.all_marks_panel.refresh()
        if changes.annotations or changes.taxonomy or changes.entities:
            self._annotations_changed(None if changes.taxonomy else changes.annotations)
        elif changes.findings:
            self._show_current_mark()  # the findings citing it are shown with it

    def _annotations_changed(self, source_ids: frozenset[int] | None) -> None:
        """Marks of these sources (None: of any) changed: panes, lists and entity views."""
        for pane in self.documents.panes():
            if source_ids is None or pane.source_id in source_ids:
                pane.reload_marks()
        self.marks_panel.refresh()
        self.all_marks_panel.refresh()
        for source_id in sorted(source_ids or ()):
            self.controller.sourceEdited.emit(source_id)
        # An undo may have taken back a link: the entity views show links too.
        for view, again in (
            (getattr(self, "_entity_window", None), "refresh"),
            (getattr(self, "_entity_link_dialog", None), "reload"),
        ):
            if view is not None and view.isVisible():
                getattr(view, again)()
        self._show_current_mark()
        self._update_undo_actions()

    def _update_undo_actions(self) -> None:
        self.undo_action.setEnabled(self.annotation_commands.can_undo)
        self.redo_action.setEnabled(self.annotation_commands.can_redo)
        # A grouped step says what it takes back ("Undo Mark on both").
        steps: tuple[tuple[QAction, Literal["undo", "redo"]], ...] = (
            (self.undo_action, "undo"),
            (self.redo_action, "redo"),
        )
        for action, which in steps:
            label = self.annotation_commands.step_label(which)
            action.setText(f"&{which.capitalize()}" + (f" {label}" if label else ""))

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

    def edit_selected_sources(self) -> SourcesEditDialog | None:
        """Edit > Edit Selected Sources: one case, publisher, grade or date for every
        source selected in the library list; returns the dialog (None: none selected)."""
        ids = self.library_panel.selected_source_ids()
        if not ids:
            self.statusBar().showMessage(
                "Select sources in the library list first (Ctrl/Shift+click for several).", 6000
            )
            return None
        dialog = SourcesEditDialog(self.controller, ids, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

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

        def count(n: int, noun: str) -> str:
            return f"{n:,} {noun if n == 1 else noun + 's'}"

        def show(stats: dict[str, int]) -> None:
            if isValid(self.size_label):
                self.size_label.setText(
                    f"{count(stats['sources'], 'source')} · {count(stats['pages'], 'page')} · "
                    f"{human_bytes(stats['bytes'])}"
                )

        self.controller.query(library_stats, show)

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
        self._state_restored = restore_layout(self, self.settings)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not getattr(self, "_first_shown", False):
            self._first_shown = True
            settle_after_show(self, self._state_restored)

    # --- session ---------------------------------------------------------------

    def save_session(self) -> None:
        """Keep the sources open in the panes (a PDF's page, the zoom) for the next start."""
        opened: list[tuple[int, int, str]] = []
        for pane in self.documents.panes():
            if pane.source_id is not None:
                view = getattr(pane.viewer, "view", None)
                page = getattr(view, "current_page", 1)
                page = page if isinstance(page, int) else 1
                opened.append((pane.source_id, page, zoom_state(pane.viewer)))
        self.settings.remember_session(str(self.controller.library.root), opened)

    def restore_session(self) -> None:
        """Open last session's sources again, side by side (those since deleted are
        left out quietly)."""
        opened = self.settings.session(str(self.controller.library.root))[:MAX_SESSION_PANES]
        for n, (source_id, page, zoom) in enumerate(opened):
            if n:
                self.documents.split(Qt.Orientation.Horizontal)
            try:
                # Into the new pane itself: a source open twice comes back twice.
                self.documents.current.open_source(
                    source_id,
                    page if page > 1 else None,
                    on_shown=partial(apply_zoom, state=zoom, page=page),
                )
            except WorkstationError:
                continue
            if n == 0:
                self.inspector.show_source(source_id)
                self.marks_panel.set_source(source_id)

    def show_page_strips(self, on: bool) -> None:
        """View > Page Thumbnails: beside every PDF, now and next time."""
        self.settings.page_strip = on
        self._tell_viewers("set_strip_visible", on)

    def show_low_confidence_words(self, on: bool) -> None:
        """View > Low-Confidence OCR Words: tinted in every pane, now and next time."""
        self.settings.low_confidence_words = on
        self._tell_viewers("set_low_confidence_visible", on)

    def _tell_viewers(self, setter: str, on: bool) -> None:
        """Call ``setter(on)`` on every open viewer that has it (a View menu toggle)."""
        for pane in self.documents.panes():
            call = getattr(pane.viewer, setter, None)
            if call is not None:
                call(on)

    def show_list_thumbnails(self, on: bool) -> None:
        """View > Thumbnails in Library List: tall rows with thumbnails, or compact."""
        self.settings.list_thumbnails = on
        self.library_panel.show_thumbnails(on)

    def reset_layout(self) -> None:
        """View > Reset Layout: docks, columns and size back to the defaults."""
        reset_layout(self)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if getattr(self, "_shut_down", False):  # closed before (e.g. close() twice)
            super().closeEvent(event)
            return
        self._shut_down = True
        save_layout(self, self.settings)
        self.save_session()
        # Work still queued when the library closes fails; that is no news
        # for a window that is going away.
        self.controller.errorOccurred.disconnect(self.show_error)
        self.documents.close_all()
        self.library_panel.model.detach()
        self.controller.shutdown()
        super().closeEvent(event)
