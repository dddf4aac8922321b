"""The Findings panel, the finding editor and Add to finding, on real libraries.

Alice writes and submits a finding; the panel lists it with its badge; alice's
own confirmation is refused with the four-eyes line and changes nothing; bob,
on a second Library over the same folder with a controller of his own,
confirms (overriding the two-source policy with a reason); a mark goes into a
finding from the marks list through the window's Add to Finding.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from tests.ui.desktop.conftest import wait_idle
from ui.desktop.app.controller import LibraryController
from ui.desktop.app.main_window import MainWindow
from ui.desktop.findings.add_to_finding import AddToFindingDialog
from ui.desktop.findings.finding_editor import FindingEditor
from ui.desktop.findings.findings_panel import DETAIL_ROLE, FindingsPanel, lowest_grade
from workstation.core.library import Library
from workstation.findings.service import FindingService


def _status(library: Library, uuid: str) -> tuple[str, str | None]:
    with library.reader() as session:
        details = FindingService(library).show(session, uuid)
    return details.status, details.confirmed_by


def _editor(qtbot: QtBot, controller: LibraryController, finding: str) -> FindingEditor:
    editor = FindingEditor(controller, finding)
    qtbot.addWidget(editor)
    wait_idle(qtbot, controller)
    return editor


def test_lowest_grade_is_the_weakest() -> None:
    assert lowest_grade(["B2", None, "C3", "A1"]) == "C3"
    assert lowest_grade([None]) is None


def test_panel_lists_the_finding_with_its_badge_and_filters_by_status(
    qtbot: QtBot, controller: LibraryController, finding: str
) -> None:
    panel = FindingsPanel(controller)
    qtbot.addWidget(panel)
    wait_idle(qtbot, controller)
    model = panel.model
    assert model.rowCount() == 1
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert row == ["F-0001", "Night transfer off Nampo", "in review", row[3], "C3", "not sent"]
    assert "1 independent of 1 source" in row[3]
    assert model.index(0, 1).data(DETAIL_ROLE) == (
        "1 independent of 1 source · in review · lowest C3"
    )
    assert panel.count_label.text() == "1 finding"

    panel.choose_status("draft")
    wait_idle(qtbot, controller)
    assert model.rowCount() == 0
    panel.choose_status("in_review")
    wait_idle(qtbot, controller)
    assert model.rowCount() == 1

    opened: list[str] = []
    panel.findingActivated.connect(opened.append)
    panel.view.doubleClicked.emit(model.index(0, 1))
    assert opened == [finding]


def test_author_confirming_sees_four_eyes_and_nothing_changes(
    qtbot: QtBot, controller: LibraryController, library: Library, finding: str
) -> None:
    editor = _editor(qtbot, controller, finding)
    assert editor.heading.text().startswith("F-0001 · in review")
    assert editor.evidence.topLevelItemCount() == 1
    item = editor.evidence.topLevelItem(0)
    assert [item.text(c) for c in (0, 2, 4)] == ["supports", "1", "C3"]
    assert "Amber Tide met the Sea Lark" in item.text(3)

    editor.confirm_button.click()
    wait_idle(qtbot, controller)
    assert editor.message.text() == (
        "four eyes: alice wrote F-0001; only another reviewer may confirm it"
    )
    assert _status(library, finding) == ("in_review", None)

    asked: list[str] = []
    editor.ask = lambda _parent, _title, label: asked.append(label) or "not convinced"
    editor.reject()  # Escape closes the window: it does not reject the finding
    assert asked == []
    editor.reject_button.click()
    wait_idle(qtbot, controller)
    assert asked == ["Why is it rejected?"]
    assert editor.message.text().endswith("only another reviewer may reject it")
    assert _status(library, finding) == ("in_review", None)


def test_another_reviewer_confirms_with_an_override_reason(
    qtbot: QtBot, library: Library, finding: str
) -> None:
    bob_library = Library.open(library.root, reviewer="bob")
    bob = LibraryController(bob_library)
    try:
        editor = FindingEditor(bob, finding)
        qtbot.addWidget(editor)
        asked: list[str] = []

        def answer(_parent: object, _title: str, label: str) -> str:
            asked.append(label)
            return "satellite imagery is conclusive"

        editor.ask = answer
        wait_idle(qtbot, bob)
        editor.confirm_button.click()
        wait_idle(qtbot, bob)
        assert len(asked) == 1
        assert asked[0].startswith("policy: F-0001 rests on 1 independent source")
        assert "--override-reason" not in asked[0]
        assert editor.message.text() == ""
        assert editor.heading.text().startswith("F-0001 · confirmed")
        assert not editor.confirm_button.isEnabled()
        assert any(
            "bob · confirm: satellite imagery is conclusive" in editor.history.item(i).text()
            for i in range(editor.history.count())
        )
    finally:
        bob.shutdown()
    assert _status(library, finding) == ("confirmed", "bob")


def test_a_comment_lands_in_the_thread(
    qtbot: QtBot, controller: LibraryController, library: Library, finding: str
) -> None:
    editor = _editor(qtbot, controller, finding)
    editor.comment_edit.setText("Ask the coastguard for the AIS track.")
    editor.comment_edit.returnPressed.emit()
    wait_idle(qtbot, controller)
    with library.reader() as session:
        comments = FindingService(library).show(session, finding).comments
    assert [(c.author, c.text) for c in comments] == [
        ("alice", "Ask the coastguard for the AIS track.")
    ]
    assert "alice — Ask the coastguard" in editor.history.item(editor.history.count() - 1).text()


def test_ctrl_shift_f_gives_the_selected_mark_another_role(
    qtbot: QtBot, library: Library, mark: str, finding: str, window: MainWindow
) -> None:
    assert window.add_to_finding_action.shortcut().toString() == "Ctrl+Shift+F"
    window.add_to_finding_action.trigger()
    assert window.findChild(AddToFindingDialog) is None  # nothing selected: a hint only
    assert "Select a mark" in window.statusBar().currentMessage()
    assert window.all_marks_panel.select(mark)
    window.add_to_finding_action.trigger()
    dialog = window.findChild(AddToFindingDialog)
    assert dialog is not None
    assert dialog.annotations == [mark]
    wait_idle(qtbot, window.controller)
    assert dialog.finding_box.currentData() == finding  # an existing finding comes first
    dialog.choose(finding, role="contradicts")
    dialog.add()
    wait_idle(qtbot, window.controller)
    with library.reader() as session:
        details = FindingService(library).show(session, finding)
    assert [(e.annotation, e.role) for e in details.evidence] == [(mark, "contradicts")]


def test_add_a_mark_to_a_new_finding_from_the_marks_list(
    qtbot: QtBot, library: Library, mark: str, window: MainWindow
) -> None:
    controller = window.controller
    panel = window.all_marks_panel
    assert panel.select(mark)

    def pick() -> None:
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        entries = [a for a in menu.actions() if a.text() == "Add to finding…"]
        menu.close()  # first, so a missing entry fails the test instead of hanging it
        for entry in entries:
            entry.trigger()

    QTimer.singleShot(0, pick)
    panel._context_menu(QPoint(panel.view.visualRect(panel.model.index(0)).center()))
    dialog = window.findChild(AddToFindingDialog)
    assert dialog is not None
    wait_idle(qtbot, controller)
    dialog.choose(None, role="context")
    dialog.add()
    assert dialog.message.text() == "Give the new finding a title."
    dialog.choose(None, role="context", title="Transfer off Nampo")
    dialog.add()
    wait_idle(qtbot, controller)
    qtbot.waitUntil(lambda: window.findChild(AddToFindingDialog) is None)  # closed, deleted
    assert window.statusBar().currentMessage() == "Mark added to F-0001 (Ctrl+Z undoes)."
    with library.reader() as session:
        details = FindingService(library).show(session, "F-0001")
    assert details.title == "Transfer off Nampo"
    assert [(e.annotation, e.role) for e in details.evidence] == [(mark, "context")]
    wait_idle(qtbot, controller)
    assert window.findings_panel.model.rowCount() == 1
    assert window.findings_panel.model.index(0, 2).data(Qt.ItemDataRole.DisplayRole) == "draft"
