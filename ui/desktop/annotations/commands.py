"""The annotation commands of a main window: mark, change, delete, undo and redo.

Each is one ``controller.write`` through the window's undo history: a transaction on
the write pool, announced as ``Changes`` of that source's annotations; the window
hears the outcome through signals and shows it. Finding edits keep their steps in the
same history (``ui.desktop.findings.finding_commands``), so one Ctrl+Z takes back
whichever came last.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from PySide6.QtCore import QObject, Signal
from sqlalchemy.orm import Session

from ui.desktop.app.controller import LibraryController
from ui.desktop.ops.changes import NOTHING, Changes
from workstation.annotations.anchors import Anchor, AnnotationData, text_anchor
from workstation.annotations.service import AnnotationHistory, AnnotationService
from workstation.sources.lookup import page_text, source_id_for_sha256


def source_id_of(session: Session, data: AnnotationData) -> int:
    """The row id of an annotation's source (annotations name it by hash)."""
    return source_id_for_sha256(session, data.source_sha256)


class AnnotationCommands(QObject):
    """Mark, change, delete, undo and redo the annotations of one window.

    Args:
        controller: Runs the writes on the write thread.
        parent: The window.

    Signals:
        annotationsChanged(object): the annotations of a source (its id) were written;
            None when any source's may have changed.
        statusMessage(str, int): a line for the status bar and its time in milliseconds.
        errorOccurred(str): a write failed; the message for the reviewer.
        historyChanged(): a change was kept in, or taken from, the undo history
            (Undo and Redo may have come or gone; a finding edit says only this).
        markCreated(str, int): a mark was made (its uuid, its source's id); it
            becomes the window's current mark.
    """

    annotationsChanged = Signal(object)
    markCreated = Signal(str, int)
    statusMessage = Signal(str, int)
    errorOccurred = Signal(str)
    historyChanged = Signal()

    # What a foreign step of each kind changed, for the panels that show it.
    FOREIGN_CHANGES = {"finding": Changes(findings=True)}

    def __init__(self, controller: LibraryController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller

    @property
    def history(self) -> AnnotationHistory:
        """Undo/redo of this window's annotation changes."""
        found: AnnotationHistory | None = getattr(self, "_history", None)
        if found is None:
            found = AnnotationHistory(AnnotationService(self.controller.library))
            self._history = found
        return found

    @property
    def can_undo(self) -> bool:
        """Whether there is a change to undo (none before the first change)."""
        history = getattr(self, "_history", None)
        return bool(history and history.can_undo)

    @property
    def can_redo(self) -> bool:
        """Whether there is an undone change to redo."""
        history = getattr(self, "_history", None)
        return bool(history and history.can_redo)

    def step_label(self, which: Literal["undo", "redo"]) -> str | None:
        """The name of the grouped step Undo (or Redo) would take next ("Mark on both")."""
        history = getattr(self, "_history", None)
        return history.label(which) if history is not None else None

    def create_mark(
        self,
        source_id: int,
        what: Any,
        code: str | None,
        *,
        redact: bool = False,
        after: Any = None,
    ) -> None:
        """Mark a text selection (page, start, end) or a drawn anchor.

        Args:
            source_id: the source marked.
            what: a selection ``(page, start, end)``, or an anchor drawn or chosen.
            code: the category, if any.
            redact: whether the passage is to be removed from exported bundles.
            after: called once the write is done or has failed (the region editor
                drops the shape it kept on show).
        """
        history = self.history

        def write(session: Session) -> str:
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
            self.errorOccurred.emit(message)

        def done(uuid: str) -> None:
            if after is not None:
                after()
            self.annotationsChanged.emit(source_id)
            self.markCreated.emit(uuid, source_id)
            if redact and not code:
                said = "Marked for redaction on export (Ctrl+Z undoes)."
            elif not code:
                said = (
                    "Marked without a category: add one with Annotate > Add Category "
                    "(Ctrl+Z undoes)."
                )
            else:
                said = f"Marked as {code}" + (", to be redacted" if redact else "")
                said += " (Ctrl+Z undoes)."
            self.statusMessage.emit(said, 5000)

        self.controller.write(
            write,
            done,
            changes=Changes.of_annotations(source_id),
            label="marking",
            on_error=failed,
        )

    def create_marks(self, marks: Sequence[tuple[int, Anchor]], label: str) -> None:
        """Mark several drawn anchors (source id, anchor) in one transaction, kept as one
        undo step named ``label`` (Mark on both: one Ctrl+Z takes back both marks)."""
        history = self.history
        source_ids = tuple(dict.fromkeys(sid for sid, _a in marks))

        def write(session: Session) -> list[str]:
            with history.group(label):
                return [history.create(session, sid, anchor).uuid for sid, anchor in marks]

        def done(uuids: list[str]) -> None:
            for sid in source_ids:
                self.annotationsChanged.emit(sid)
            self.historyChanged.emit()
            self.statusMessage.emit(
                f"{label}: {len(uuids)} marks without a category (one Ctrl+Z undoes them all).",
                5000,
            )

        self.controller.write(
            write,
            done,
            changes=Changes.of_annotations(*source_ids),
            label="marking",
            on_error=self.errorOccurred.emit,
        )

    def update(self, annotation_uuid: str, on_error: Any = None, **changes: Any) -> None:
        """Change an annotation's note, categories, redaction or anchor (undoable, audited)."""
        history = self.history

        def write(session: Session) -> int:
            return source_id_of(session, history.update(session, annotation_uuid, **changes))

        def failed(message: str) -> None:
            self.errorOccurred.emit(message)
            if on_error is not None:
                on_error()

        self.controller.write(
            write,
            lambda sid: self.annotationsChanged.emit(sid),
            changes=Changes.of_annotations,
            label="saving",
            on_error=failed,
        )

    def delete(self, annotation_uuid: str) -> None:
        """Delete an annotation (undoable; kept in the audit trail)."""
        library = self.controller.library
        history = self.history

        def write(session: Session) -> int:
            data = AnnotationService(library).get(session, annotation_uuid)
            history.delete(session, annotation_uuid)
            return source_id_of(session, data)

        def done(source_id: int) -> None:
            self.annotationsChanged.emit(source_id)
            self.statusMessage.emit("Mark deleted (Ctrl+Z undoes).", 4000)

        self.controller.write(write, done, changes=Changes.of_annotations, label="deleting")

    def undo(self) -> None:
        """Edit > Undo (Ctrl+Z), through the annotation service."""
        self._run_history("undo")

    def redo(self) -> None:
        """Edit > Redo (Ctrl+Shift+Z)."""
        self._run_history("redo")

    def _run_history(self, which: str) -> None:
        history = self.history
        if not (history.can_undo if which == "undo" else history.can_redo):
            return
        library = self.controller.library

        def write(session: Session) -> tuple[int, ...] | str | None:
            foreign = history.pending("undo" if which == "undo" else "redo")
            uuid = getattr(history, which)(session)
            if uuid is None:
                return None
            if foreign is not None:
                return foreign.kind
            service = AnnotationService(library)
            # Every source a grouped step touched (Mark on both: the two pictures).
            found = (source_id_of(session, service.get(session, u)) for u in history.last_changed)
            return tuple(dict.fromkeys(found))

        def changed(result: tuple[int, ...] | str | None) -> Changes:
            if isinstance(result, str):
                return self.FOREIGN_CHANGES.get(result, NOTHING)
            return Changes.of_annotations(*result) if result else NOTHING

        def failed(message: str) -> None:
            self.historyChanged.emit()  # the step is dropped: the menu must say so
            self.errorOccurred.emit(message)

        self.controller.write(
            write,
            lambda result: self._history_done(which, result),
            changes=changed,
            label=which,
            on_error=failed,
        )

    def _history_done(self, which: str, result: tuple[int, ...] | str | None) -> None:
        if result is None:
            self.annotationsChanged.emit(None)
        elif not isinstance(result, str):
            for source_id in result:
                self.annotationsChanged.emit(source_id)
        self.historyChanged.emit()
        again = "Ctrl+Shift+Z redoes" if which == "undo" else "Ctrl+Z undoes"
        self.statusMessage.emit(f"{which.capitalize()}ne ({again}).", 4000)
