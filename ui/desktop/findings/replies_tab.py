"""The Replies tab of the finding editor: the letters sent about a finding, the replies
received, and where the finding stands on right of reply.

Letters and replies are recorded and corrected through ``workstation.findings.replies``
and ``reply_edits`` on the write pool; each is an audit event of the finding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ui.desktop.app.controller import LibraryController
from ui.desktop.findings.finding_commands import FINDINGS
from ui.desktop.findings.letter_dialog import LetterDialog, LetterValues
from ui.desktop.findings.reply_dialog import ReplyDialog, ReplyValues
from ui.desktop.ops.changes import Changes
from workstation.findings.replies import (
    LetterView,
    ReplyService,
    ReplyStatus,
    ReplyView,
    reply_status,
    today_utc,
)
from workstation.findings.reply_edits import edit_letter, edit_reply
from workstation.findings.service import FindingService

ITEM_ROLE = Qt.ItemDataRole.UserRole + 50
COLUMNS = ("Letter / reply", "Date", "Deadline", "Reference", "Status")
TEXT_CHARS = 90
STATUS_COLOURS = {
    "not sent": "#757575",
    "awaiting reply": "#9a5b00",  # amber dark enough to read on a light window
    "no reply by deadline": "#c62828",
    "replied": "#2e7d32",
}

AskLetter = Callable[[QWidget, LetterView | None], LetterValues | None]
AskReply = Callable[[QWidget, ReplyView | None], ReplyValues | None]


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def status_line(status: ReplyStatus, today: date) -> str:
    """Where the finding stands, in a sentence: 'Right of reply: awaiting reply (deadline
    2026-04-03, in 12 days)', 'no reply by deadline (5 days overdue)'..."""
    head = f"Right of reply: {status.label}"
    if status.status == "not sent":
        return head + " — no letter recorded yet."
    if status.status == "awaiting reply":
        waiting = [x for x in status.letters if x.status == "awaiting reply"]
        due = sorted(x.deadline for x in waiting if x.deadline)
        if status.overdue_days:
            return head + f" (another letter is {_days(status.overdue_days)} overdue)"
        if due:
            left = (date.fromisoformat(due[0]) - today).days
            when = "today" if left == 0 else f"in {_days(left)}"
            return head + f" (deadline {due[0]}, {when})"
        return head + " (no deadline set)"
    if status.status == "replied":
        late = [r.late_days for x in status.letters for r in x.replies if r.late_days]
        return head + (f" (a reply came {_days(max(late))} late)" if late else "")
    return head


@dataclass(frozen=True)
class _Chosen:
    letter: LetterView
    reply: ReplyView | None


class RepliesTab(QWidget):
    """Letters with their replies under them, the status line, and Add/Edit buttons.

    Attributes:
        today: the day statuses are reckoned on (None: today in UTC).
        ask_letter: how a letter's fields are asked for (``LetterDialog.ask``).
        ask_reply: how a reply's fields are asked for (``ReplyDialog.ask``).

    Signals:
        errorOccurred(str): a write was refused; the service's one line.
    """

    errorOccurred = Signal(str)

    def __init__(
        self, controller: LibraryController, finding_uuid: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.uuid = finding_uuid
        self.today: date | None = None
        self.ask_letter: AskLetter = LetterDialog.ask
        self.ask_reply: AskReply = ReplyDialog.ask
        self.status: ReplyStatus | None = None
        self.status_label = QLabel("Loading…")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setWordWrap(True)
        font = self.status_label.font()
        font.setBold(True)
        self.status_label.setFont(font)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemDoubleClicked.connect(lambda _item, _col: self.edit_selected())
        self.tree.currentItemChanged.connect(lambda *_: self._enable())
        self.add_letter_button = QPushButton("Add letter…")
        self.add_reply_button = QPushButton("Add reply…")
        self.edit_button = QPushButton("Edit…")
        self.add_letter_button.clicked.connect(lambda: self.add_letter())
        self.add_reply_button.clicked.connect(lambda: self.add_reply())
        self.edit_button.clicked.connect(self.edit_selected)
        self.add_reply_button.setToolTip("Record a reply to the selected letter")
        buttons = QHBoxLayout()
        for button in (self.add_letter_button, self.add_reply_button, self.edit_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        controller.changed.connect(self._changed)
        self._enable()
        self.reload()

    # --- reading ---------------------------------------------------------------

    def set_finding(self, finding_uuid: str) -> None:
        """Show another finding's letters."""
        self.uuid = finding_uuid
        self.reload()

    def reload(self) -> None:
        """Read the letters and replies again."""
        service, uuid, today = FindingService(self.controller.library), self.uuid, self._today()

        def read(session: Session) -> ReplyStatus:
            return reply_status(session, service.resolve(session, uuid), today)

        self.controller.query(read, self._show, on_error=self.status_label.setText)

    def _today(self) -> date:
        return self.today or today_utc()

    def _show(self, status: ReplyStatus) -> None:
        chosen = self._chosen()
        keep = (chosen.reply or chosen.letter).uuid if chosen else None
        self.status = status
        self.status_label.setText(status_line(status, self._today()))
        colour = STATUS_COLOURS.get(status.status, "#757575")
        self.status_label.setStyleSheet(f"color: {colour}")
        self.tree.clear()
        for letter in status.letters:
            kind = f" ({letter.addressee_kind})" if letter.addressee_kind else ""
            source = (
                f" · letter: source {letter.letter_source_id}" if letter.letter_source_id else ""
            )
            state: str = letter.status
            if letter.overdue_days:
                state += f" ({_days(letter.overdue_days)} overdue)"
            item = QTreeWidgetItem(
                [
                    f"To {letter.addressee}{kind}{source}",
                    letter.sent,
                    letter.deadline or "—",
                    letter.reference or "",
                    state,
                ]
            )
            item.setData(0, ITEM_ROLE, _Chosen(letter, None))
            item.setToolTip(0, f"Sent by {letter.sent_by}")
            self.tree.addTopLevelItem(item)
            for reply in letter.replies:
                body = " ".join((reply.summary or reply.text or "").split())
                if len(body) > TEXT_CHARS:
                    body = body[: TEXT_CHARS - 1] + "…"
                if reply.source_id:
                    body = f"[source {reply.source_id}] {body}".rstrip()
                late = f"{_days(reply.late_days)} late" if reply.late_days else "in time"
                child = QTreeWidgetItem([f"Reply: {body}", reply.date, "", "", late])
                child.setData(0, ITEM_ROLE, _Chosen(letter, reply))
                child.setToolTip(0, reply.text or reply.summary or "")
                item.addChild(child)
                if reply.uuid == keep:
                    self.tree.setCurrentItem(child)
            item.setExpanded(True)
            if letter.uuid == keep:
                self.tree.setCurrentItem(item)
        last = self.tree.topLevelItem(self.tree.topLevelItemCount() - 1)
        if self.tree.currentItem() is None and last is not None:
            self.tree.setCurrentItem(last)
        self._enable()

    def _chosen(self) -> _Chosen | None:
        item = self.tree.currentItem()
        found = item.data(0, ITEM_ROLE) if item is not None else None
        return found if isinstance(found, _Chosen) else None

    def _enable(self) -> None:
        chosen = self._chosen() is not None
        self.add_reply_button.setEnabled(chosen)
        self.edit_button.setEnabled(chosen)

    def _changed(self, changes: Changes) -> None:
        if changes.findings or changes.source_set:
            self.reload()

    # --- writing ---------------------------------------------------------------

    def _write(self, change: Callable[[Session], Any]) -> None:
        self.controller.write(change, changes=FINDINGS, on_error=self.errorOccurred.emit)

    def add_letter(self, values: LetterValues | None = None) -> None:
        """Record a letter (asked for when ``values`` is not given)."""
        values = values or self.ask_letter(self, None)
        if values is None:
            return
        library, uuid = self.controller.library, self.uuid

        def change(session: Session) -> None:
            finding = FindingService(library).resolve(session, uuid)
            ReplyService(library).add_letter(
                session,
                finding,
                addressee=values.addressee,
                sent=values.sent,
                deadline=values.deadline or None,
                reference=values.reference or None,
                letter_source=values.letter_source or None,
                addressee_kind=values.addressee_kind or None,
            )

        self._write(change)

    def add_reply(self, values: ReplyValues | None = None) -> None:
        """Record a reply to the selected letter (asked for when ``values`` is not given)."""
        chosen = self._chosen()
        if chosen is None:
            self.errorOccurred.emit("Select the letter the reply answers first.")
            return
        values = values or self.ask_reply(self, None)
        if values is None:
            return
        library, letter = self.controller.library, chosen.letter.uuid

        def change(session: Session) -> None:
            ReplyService(library).record_reply(
                session,
                letter,
                received=values.received,
                text=values.text or None,
                document=values.document or None,
                summary=values.summary or None,
            )

        self._write(change)

    def edit_selected(self) -> None:
        """Correct the selected letter or reply (its fields asked for)."""
        chosen = self._chosen()
        if chosen is None:
            return
        library = self.controller.library
        if chosen.reply is not None:
            answer = self.ask_reply(self, chosen.reply)
            if answer is None:
                return
            reply, got = chosen.reply.uuid, answer
            self._write(
                lambda s: edit_reply(
                    library,
                    s,
                    reply,
                    received=got.received,
                    text=got.text,
                    document=got.document,
                    summary=got.summary,
                )
            )
            return
        values = self.ask_letter(self, chosen.letter)
        if values is None:
            return
        letter, new = chosen.letter.uuid, values
        self._write(
            lambda s: edit_letter(
                library,
                s,
                letter,
                addressee=new.addressee,
                sent=new.sent,
                deadline=new.deadline,
                reference=new.reference,
                letter_source=new.letter_source,
                addressee_kind=new.addressee_kind,
            )
        )
