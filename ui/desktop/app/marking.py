"""Marking in the main window: mark a passage or a region, redact, notes,
categories, entities and findings of a mark, and the one current mark they act on.

The current mark is the mark just made, clicked on the page, or chosen in a
marks list; the Annotate menu, Ctrl+K and the Inspector act on it. Mixed into
MainWindow (its docks, panes and commands), kept apart so the window's module
stays about layout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QMainWindow, QWidget
from sqlalchemy.orm import Session

from ui.desktop.annotations.annotation_panel import summary
from ui.desktop.annotations.category_picker import CategoryPickerPopup
from ui.desktop.annotations.commands import source_id_of
from ui.desktop.annotations.note_editor import NoteEditor
from ui.desktop.annotations.region_tools import Tool
from ui.desktop.entities.entity_link_dialog import EntityLinkDialog
from ui.desktop.findings.add_to_finding import AddToFindingDialog, added_to, selected_marks
from workstation.annotations.anchors import AnnotationData, PageAnchor
from workstation.annotations.service import AnnotationService
from workstation.findings.citing import CitingFinding, findings_citing

if TYPE_CHECKING:
    from ui.desktop.annotations.annotation_panel import AnnotationPanel
    from ui.desktop.annotations.commands import AnnotationCommands
    from ui.desktop.app.controller import LibraryController
    from ui.desktop.app.settings import Settings
    from ui.desktop.library.inspector import Inspector
    from ui.desktop.viewers.document_area import DocumentArea

    _Base = QMainWindow
else:
    _Base = object


class MarkingMixin(_Base):
    """The marking commands of MainWindow (see the module docstring)."""

    if TYPE_CHECKING:  # provided by MainWindow
        controller: LibraryController
        settings: Settings
        documents: DocumentArea
        inspector: Inspector
        marks_panel: AnnotationPanel
        all_marks_panel: AnnotationPanel
        annotation_commands: AnnotationCommands

        def show_error(self, message: str) -> None: ...
        def _entity_links_changed(self, annotation_uuid: str) -> None: ...

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
            self.annotation_commands.create_mark(source_id, selection, code)
            return

        popup = CategoryPickerPopup(self.controller, self.settings, self)
        popup.picked.connect(
            lambda picked: self.annotation_commands.create_mark(source_id, selection, picked)
        )
        popup.open_at(self._picker_pos())
        self._picker = popup

    def mark_region(self, pane: Any, anchor: Any, code: str | None = None) -> None:
        """A region was drawn in a pane: pick a category (unless given) and mark it;
        Esc in the picker marks it without one."""
        source_id = pane.source_id
        editor = getattr(pane.viewer, "editor", None)

        def drop() -> None:
            if editor is not None:
                editor.drop_pending()

        if source_id is None:
            drop()
            return
        if code is not None:
            self.annotation_commands.create_mark(source_id, anchor, code, after=drop)
            return

        def cancelled() -> None:
            # Esc (or a click away) keeps what was drawn, without a category: a
            # region the reviewer took care to draw is not thrown away.
            self.annotation_commands.create_mark(source_id, anchor, None, after=drop)

        popup = CategoryPickerPopup(self.controller, self.settings, self)
        popup.picked.connect(
            lambda picked: self.annotation_commands.create_mark(
                source_id, anchor, picked, after=drop
            )
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

    def add_category_to(self, annotation_uuid: str | None = None, code: str | None = None) -> None:
        """Tag an annotation (the current mark unless given) with one more category
        (a picker opens unless ``code`` is given)."""
        uuid = annotation_uuid or self.current_mark
        if uuid is None:
            self._no_mark_hint("add a category")
            return
        library = self.controller.library

        def read(session: Session) -> list[str]:
            return list(AnnotationService(library).get(session, uuid).categories)

        def arrived(codes: list[str]) -> None:
            def add(picked: str) -> None:
                if picked not in codes:
                    self.annotation_commands.update(uuid, categories=[*codes, picked])

            if code is not None:
                add(code)
                return
            popup = CategoryPickerPopup(self.controller, self.settings, self)
            popup.picked.connect(add)
            popup.open_at(self._picker_pos())
            self._picker = popup

        self.controller.query(read, arrived, on_error=self.show_error)

    def redact_selection(self) -> None:
        """Annotate > Redact Selection: mark the selected passage to be removed on export."""
        pane, selection = self._selection()
        if pane.source_id is None or selection is None:
            self.statusBar().showMessage(
                "Select a passage first, then redact it (Ctrl+Shift+R).", 6000
            )
            return
        self.annotation_commands.create_mark(pane.source_id, selection, None, redact=True)

    def redact_page(self) -> None:
        """Annotate > Redact Page: the whole current page of a PDF goes black on export."""

        pane = self.documents.current
        view = getattr(pane.viewer, "view", None)
        if pane.source_id is None or not hasattr(view, "current_page"):
            self.statusBar().showMessage("Open a PDF and go to the page to redact.", 6000)
            return
        page = PageAnchor(int(view.current_page))  # type: ignore[union-attr]
        self.annotation_commands.create_mark(pane.source_id, page, None, redact=True)

    def open_annotation(self, annotation_uuid: str, _page: int) -> None:
        """Open an annotation's source (if needed) and go to the annotation."""
        library = self.controller.library

        def read(session: Session) -> tuple[AnnotationData, int]:
            data = AnnotationService(library).get(session, annotation_uuid)
            return data, source_id_of(session, data)

        def arrived(found: tuple[AnnotationData, int]) -> None:
            data, source_id = found

            def go(viewer: QWidget) -> None:
                if hasattr(viewer, "show_annotation"):
                    viewer.show_annotation(data)

            pane = self.documents.current
            if pane.source_id != source_id or pane.viewer is None:
                pane.open_source(source_id, on_shown=go)
            else:
                go(pane.viewer)

        self.controller.query(read, arrived, on_error=self.show_error)

    def edit_note(self, annotation_uuid: str | None = None, text: str | None = None) -> None:
        """Annotate > Edit Note: the note of a mark (the current one unless given), in
        a resizable editor, or set to ``text`` when given (tests, scripts)."""
        uuid = annotation_uuid or self._selected_annotation()
        if uuid is None:
            self._no_mark_hint("edit its note")
            return
        if text is not None:
            self.annotation_commands.update(uuid, note=text)
            return
        library = self.controller.library

        def ask(data: AnnotationData) -> None:
            editor = self.note_editor
            editor.edit_note(uuid, data.note or "", summary(data))

        self.controller.query(
            lambda session: AnnotationService(library).get(session, uuid),
            ask,
            on_error=self.show_error,
        )

    @property
    def note_editor(self) -> NoteEditor:
        """The window's note editor (made on first use)."""
        editor: NoteEditor | None = getattr(self, "_note_editor", None)
        if editor is None:
            editor = NoteEditor(self)
            editor.saved.connect(
                lambda uuid, note: self.annotation_commands.update(uuid, note=note)
            )
            self._note_editor = editor
        return editor

    def _region_edited(self, pane: Any, annotation_uuid: str, anchor: Any) -> None:
        """A region was moved or resized in a pane: store it (undoable), or put it back."""
        self.annotation_commands.update(annotation_uuid, on_error=pane.reload_marks, anchor=anchor)

    def link_entities(self, annotation_uuid: str | None = None) -> None:
        """Annotate > Link Entities (Ctrl+K): the entities of an annotation.

        Args:
            annotation_uuid: the annotation; else the one selected in the
                marks list that has the focus, or in Marks, or in All marks.
        """
        uuid = annotation_uuid or self._selected_annotation()
        if uuid is None:
            self._no_mark_hint("link entities (Ctrl+K)")
            return
        dialog = getattr(self, "_entity_link_dialog", None)
        if dialog is None:
            dialog = EntityLinkDialog(
                self.controller, uuid, self, history=self.annotation_commands.history
            )
            dialog.linksChanged.connect(self._entity_links_changed)
            self._entity_link_dialog = dialog
        else:
            dialog.set_annotation(uuid)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def add_to_finding(
        self, annotation_uuid: str | list[str] | None = None
    ) -> AddToFindingDialog | None:
        """Annotate > Add to Finding (Ctrl+Shift+F): link marks to a finding with a role.

        Args:
            annotation_uuid: the mark or marks; else several marks selected in the
                marks list that has the focus (or in Marks, or All marks), else the
                current mark.
        """
        if annotation_uuid is None:
            chosen = selected_marks(None, [self.marks_panel, self.all_marks_panel])
            current = self._selected_annotation()
            uuids = chosen if len(chosen) > 1 or current is None else [current]
        else:
            uuids = selected_marks(annotation_uuid, [])
        if not uuids:
            self._no_mark_hint("add it to a finding (Ctrl+Shift+F)")
            return None
        commands = self.annotation_commands
        dialog = AddToFindingDialog(self.controller, uuids, self, commands=commands)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.added.connect(lambda n: self.statusBar().showMessage(added_to(uuids, n), 6000))
        dialog.show()
        return dialog

    def _selected_annotation(self) -> str | None:
        """The current mark: made last, clicked on the page or chosen in a list."""
        return self.current_mark

    def _no_mark_hint(self, then: str) -> None:
        self.statusBar().showMessage(
            "Select a mark first (make one, or click one on the page or in the "
            f"Marks list), then {then}.",
            6000,
        )

    # --- the current mark ----------------------------------------------------------

    @property
    def current_mark(self) -> str | None:
        """The uuid of the mark the Annotate menu acts on, if any."""
        return getattr(self, "_current_mark", None)

    def set_current_mark(self, annotation_uuid: str | None) -> None:
        """Make a mark current: selected in the Marks list and on its page, shown in
        the Inspector; Ctrl+K, Edit Note, Delete and Redact act on it."""
        if annotation_uuid == self.current_mark:
            return
        self._current_mark = annotation_uuid
        if annotation_uuid is None:
            self.inspector.show_mark(None)
            return
        for panel in (self.marks_panel, self.all_marks_panel):
            if panel.current_uuid() != annotation_uuid and (
                panel is self.marks_panel or panel.isVisible()
            ):
                panel.want(annotation_uuid)
        viewer = self.documents.current.viewer
        if viewer is not None and hasattr(viewer, "select_region"):
            editor = getattr(viewer, "editor", None)
            if editor is None or editor.selected != annotation_uuid:
                viewer.select_region(
                    annotation_uuid if editor is None or editor.mark(annotation_uuid) else None
                )
        self._show_current_mark()

    def _show_current_mark(self) -> None:
        uuid = self.current_mark
        if uuid is None:
            return
        library = self.controller.library

        def read(session: Session) -> tuple[AnnotationData, list[CitingFinding]]:
            return AnnotationService(library).get(session, uuid), findings_citing(session, uuid)

        def shown(found: tuple[AnnotationData, list[CitingFinding]]) -> None:
            data, findings = found
            if self.current_mark == data.uuid:
                self.inspector.show_mark(data, findings)

        def gone(_message: str) -> None:  # deleted meanwhile (or undone)
            if self.current_mark == uuid:
                self._current_mark = None
                self.inspector.show_mark(None)

        self.controller.query(read, shown, on_error=gone)

    def use_tool(self, tool: Tool) -> None:
        """Annotate > Draw: a region tool in the current pane (the keys R, P, C there)."""
        viewer = self.documents.current.viewer
        if viewer is None or not hasattr(viewer, "set_tool"):
            self.statusBar().showMessage(
                "Open a PDF or an image to draw on it (R rectangle, P polygon, C count).", 6000
            )
            return
        viewer.set_tool(tool)

    def delete_current_mark(self) -> None:
        """Annotate > Delete Mark: the current mark (undoable)."""
        uuid = self.current_mark
        if uuid is None:
            self._no_mark_hint("delete it")
            return
        self.annotation_commands.delete(uuid)

    def toggle_redact_current_mark(self) -> None:
        """Annotate > Redact Mark on Export: turn the current mark's redaction on or off."""
        uuid = self.current_mark
        if uuid is None:
            self._no_mark_hint("mark it for redaction")
            return
        library = self.controller.library
        self.controller.query(
            lambda session: AnnotationService(library).get(session, uuid).redact,
            lambda on: self.annotation_commands.update(uuid, redact=not on),
            on_error=self.show_error,
        )
