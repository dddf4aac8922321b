"""The undoable finding edits of a window: content, evidence links and roles.

Each is one ``controller.write`` that keeps its step in the window's undo history (the
annotation commands' own, so Edit > Undo takes back whichever change came last) and
announces that findings changed. Review steps are not here: they are not undoable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject
from sqlalchemy.orm import Session

from ui.desktop.annotations.commands import AnnotationCommands
from ui.desktop.ops.changes import Changes
from workstation.findings import undo
from workstation.findings.policy import number_label
from workstation.findings.service import FindingService

FINDINGS = Changes(findings=True)
Done = Callable[[str], None] | None  # gets the finding's number, "F-0001"
Failed = Callable[[str], None] | None


class FindingCommands(QObject):
    """Edit, link, unlink and re-role evidence of findings, through the shared history.

    Args:
        commands: the window's annotation commands (their controller and history).
        parent: the owner.
    """

    def __init__(self, commands: AnnotationCommands, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.commands = commands
        self.controller = commands.controller
        self.service = FindingService(self.controller.library)

    def edit(
        self,
        finding: str,
        title: str | None,
        content: dict[str, Any],
        *,
        on_done: Done = None,
        on_error: Failed = None,
    ) -> None:
        """Change the finding's title and content (``FindingService.update``'s fields;
        undoable)."""
        history, service = self.commands.history, self.service
        self._run(
            lambda s: undo.edit(history, service, s, finding, title=title, **content),
            "saving",
            on_done,
            on_error,
        )

    def link(
        self,
        finding: str | None,
        annotations: Sequence[str],
        role: str = "supports",
        *,
        title: str = "",
        on_done: Done = None,
        on_error: Failed = None,
    ) -> None:
        """Link marks as evidence with a role, or give linked ones that role (undoable).

        With ``finding`` None, a new draft titled ``title`` is made first, in the same
        transaction; undo then unlinks the marks and the draft stays (a finding's
        number is never reused, so there is nothing to delete it with).
        """
        history, service, marks = self.commands.history, self.service, list(annotations)

        def change(session: Session) -> str:
            ref = finding if finding is not None else service.create(session, title=title).uuid
            return undo.link(history, service, session, ref, marks, role)

        self._run(change, "linking", on_done, on_error)

    def unlink(
        self,
        finding: str,
        annotations: Sequence[str],
        *,
        on_done: Done = None,
        on_error: Failed = None,
    ) -> None:
        """Unlink evidence (undoable: undo links it back with its role)."""
        history, service, marks = self.commands.history, self.service, list(annotations)
        self._run(
            lambda s: undo.unlink(history, service, s, finding, marks),
            "unlinking",
            on_done,
            on_error,
        )

    def _run(
        self, change: Callable[[Session], str], label: str, on_done: Done, on_error: Failed
    ) -> None:
        """Run ``change`` (it returns the finding's uuid); ``on_done`` gets its number."""
        service = self.service

        def write(session: Session) -> str:
            return number_label(service.resolve(session, change(session)).number)

        def done(number: str) -> None:
            self.commands.historyChanged.emit()
            if on_done is not None:
                on_done(number)

        self.controller.write(
            write,
            done,
            changes=FINDINGS,
            label=label,
            on_error=on_error or self.commands.errorOccurred.emit,
        )
