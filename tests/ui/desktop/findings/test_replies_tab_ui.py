"""The finding editor's Replies tab on a real library: a letter filled in the real letter
dialog is recorded (checked in the database), the status line follows the day (awaiting
with the days left, no reply with the days overdue, replied), a reply is recorded and a
letter corrected, and a bad date is refused with one line and changes nothing."""

from __future__ import annotations

from datetime import date

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db.models import FindingLetter, FindingReply
from tests.ui.desktop.conftest import wait_idle
from ui.desktop.app.controller import LibraryController
from ui.desktop.findings.finding_editor import FindingEditor
from ui.desktop.findings.letter_dialog import LetterDialog, LetterValues
from ui.desktop.findings.reply_dialog import ReplyDialog, ReplyValues
from workstation.core.library import Library
from workstation.findings.replies import LetterView, ReplyView

SENT = date(2026, 3, 3)


def _letters(library: Library) -> list[tuple[str, str | None, str, str | None, str | None]]:
    with library.reader() as session:
        return [
            (x.addressee, x.addressee_kind, x.sent_on, x.deadline, x.reference)
            for x in session.scalars(select(FindingLetter).order_by(FindingLetter.id))
        ]


def _editor(qtbot: QtBot, controller: LibraryController, finding: str, day: date) -> FindingEditor:
    editor = FindingEditor(controller, finding)
    qtbot.addWidget(editor)
    editor.replies.today = day
    editor.replies.reload()
    wait_idle(qtbot, controller)
    return editor


def _fill_letter(dialogs: list[LetterDialog], **typed: str) -> object:
    """An ``ask_letter`` that fills a real LetterDialog (dated SENT) as a reviewer would."""

    def ask(parent: object, letter: LetterView | None) -> LetterValues:
        dialog = LetterDialog(letter, None, today=SENT)
        dialogs.append(dialog)
        for name, text in typed.items():
            getattr(dialog, f"{name}_edit").setText(text)
        return dialog.values()

    return ask


def test_a_letter_is_added_and_the_status_follows_the_day(
    qtbot: QtBot, controller: LibraryController, library: Library, finding: str
) -> None:
    editor = _editor(qtbot, controller, finding, date(2026, 3, 20))
    tab = editor.replies
    assert editor.tabs.tabText(1) == "Replies"
    assert tab.status_label.text() == "Right of reply: not sent — no letter recorded yet."
    assert not tab.add_reply_button.isEnabled()

    dialogs: list[LetterDialog] = []
    tab.ask_letter = _fill_letter(  # type: ignore[assignment]
        dialogs, addressee="Ocean Star Shipping Ltd", reference="S/AC.49/2026/OC.12"
    )
    tab.add_letter_button.click()
    wait_idle(qtbot, controller)
    assert dialogs[0].deadline_edit.text() == "2026-04-02"  # a month to reply by default
    assert _letters(library) == [
        ("Ocean Star Shipping Ltd", None, "2026-03-03", "2026-04-02", "S/AC.49/2026/OC.12")
    ]
    assert tab.status_label.text() == (
        "Right of reply: awaiting reply (deadline 2026-04-02, in 13 days)"
    )
    letter = tab.tree.topLevelItem(0)
    assert letter.text(0) == "To Ocean Star Shipping Ltd"
    assert letter.text(4) == "awaiting reply"

    tab.today = date(2026, 4, 10)
    tab.reload()
    wait_idle(qtbot, controller)
    assert tab.status_label.text() == "Right of reply: no reply by deadline (8 days overdue)"
    assert tab.tree.topLevelItem(0).text(4) == "no reply by deadline (8 days overdue)"


def test_a_reply_is_recorded_and_a_letter_corrected(
    qtbot: QtBot, controller: LibraryController, library: Library, finding: str
) -> None:
    editor = _editor(qtbot, controller, finding, date(2026, 4, 10))
    tab = editor.replies
    tab.add_letter(LetterValues("Ocean Star Shipping Ltd", "company", "2026-03-03", "", "", ""))
    wait_idle(qtbot, controller)
    assert tab.status_label.text() == "Right of reply: awaiting reply (no deadline set)"

    def reply(_parent: object, _reply: ReplyView | None) -> ReplyValues:
        dialog = ReplyDialog(None, None, today=date(2026, 4, 8))
        dialog.text_edit.setPlainText("The company denies any transfer.")
        dialog.summary_edit.setText("Denies the transfer")
        return dialog.values()

    tab.ask_reply = reply
    assert tab.add_reply_button.isEnabled()  # the letter is selected
    tab.add_reply_button.click()
    wait_idle(qtbot, controller)
    with library.reader() as session:
        stored = session.scalars(select(FindingReply)).one()
        assert (stored.received_on, stored.text, stored.summary) == (
            "2026-04-08",
            "The company denies any transfer.",
            "Denies the transfer",
        )
    assert tab.status_label.text() == "Right of reply: replied"
    assert tab.tree.topLevelItem(0).child(0).text(0) == "Reply: Denies the transfer"

    seen: list[LetterView | None] = []

    def correct(_parent: object, letter: LetterView | None) -> LetterValues:
        seen.append(letter)
        dialog = LetterDialog(letter, None)
        dialog.deadline_edit.setText("2026-04-02")
        return dialog.values()

    tab.ask_letter = correct
    tab.tree.setCurrentItem(tab.tree.topLevelItem(0))
    tab.edit_button.click()
    wait_idle(qtbot, controller)
    assert seen[0] is not None
    assert seen[0].addressee == "Ocean Star Shipping Ltd"
    assert _letters(library) == [
        ("Ocean Star Shipping Ltd", "company", "2026-03-03", "2026-04-02", None)
    ]
    assert tab.status_label.text() == "Right of reply: replied (a reply came 6 days late)"


def test_a_bad_date_is_refused_and_nothing_is_written(
    qtbot: QtBot, controller: LibraryController, library: Library, finding: str
) -> None:
    editor = _editor(qtbot, controller, finding, date(2026, 4, 10))
    editor.replies.add_letter(LetterValues("Company A", "", "3 March", "", "", ""))
    wait_idle(qtbot, controller)
    assert editor.message.text() == "the sent date '3 March' is not a date; use YYYY-MM-DD"
    assert _letters(library) == []
    assert editor.replies.status_label.text().startswith("Right of reply: not sent")
