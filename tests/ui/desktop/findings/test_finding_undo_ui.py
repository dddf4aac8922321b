"""Undo and redo of finding edits in the finding editor opened from a main window: the
title, an unlinked piece of evidence and a changed role come back, checked in the
database with a query of the test's own; the main window's Edit > Undo and the editor's
share one history with the marks; review steps are not undone and say so."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db.models import Finding
from tests.ui.desktop.conftest import wait_idle
from tests.workstation.findings.stored import evidence_roles
from ui.desktop.app.main_window import MainWindow
from ui.desktop.findings.finding_editor import REVIEW_NOT_UNDONE, FindingEditor
from workstation.annotations.service import AnnotationService
from workstation.core.library import Library


def _title_and_status(library: Library, finding: str) -> tuple[str, str]:
    with library.reader() as session:
        row = session.scalars(select(Finding).where(Finding.uuid == finding)).one()
        return row.title, row.status


def _open(qtbot: QtBot, window: MainWindow, finding: str) -> FindingEditor:
    editor = window.open_finding(finding)
    qtbot.addWidget(editor)
    wait_idle(qtbot, window.controller)
    return editor


def _then(qtbot: QtBot, window: MainWindow, action: object) -> None:
    getattr(action, "trigger")()  # noqa: B009 (QAction.trigger, named for the reader)
    wait_idle(qtbot, window.controller)


def test_undo_restores_the_title_and_redo_brings_it_back(
    qtbot: QtBot, library: Library, finding: str, window: MainWindow
) -> None:
    editor = _open(qtbot, window, finding)
    assert editor.undo_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert not editor.undo_action.isEnabled()
    editor.title_edit.setText("Ship-to-ship transfer off Nampo")
    editor.save_button.click()
    wait_idle(qtbot, window.controller)
    assert _title_and_status(library, finding)[0] == "Ship-to-ship transfer off Nampo"
    assert editor.undo_action.isEnabled()
    assert window.undo_action.isEnabled()  # one history: the main window offers it too

    _then(qtbot, window, editor.undo_action)
    assert _title_and_status(library, finding)[0] == "Night transfer off Nampo"
    assert editor.title_edit.text() == "Night transfer off Nampo"
    assert editor.redo_action.isEnabled()
    _then(qtbot, window, window.redo_action)  # the main window's Redo redoes it
    assert _title_and_status(library, finding)[0] == "Ship-to-ship transfer off Nampo"
    assert editor.title_edit.text() == "Ship-to-ship transfer off Nampo"


def test_unlinked_evidence_comes_back_with_its_role(
    qtbot: QtBot, library: Library, mark: str, finding: str, window: MainWindow
) -> None:
    editor = _open(qtbot, window, finding)
    editor.evidence.setCurrentItem(editor.evidence.topLevelItem(0))
    editor.role_box.setCurrentIndex(editor.role_box.findData("context"))
    editor.role_box.activated.emit(editor.role_box.currentIndex())
    wait_idle(qtbot, window.controller)
    assert evidence_roles(library, finding) == {mark: "context"}
    editor.evidence.setCurrentItem(editor.evidence.topLevelItem(0))
    editor.remove_button.click()
    wait_idle(qtbot, window.controller)
    assert evidence_roles(library, finding) == {}
    assert editor.evidence.topLevelItemCount() == 0

    _then(qtbot, window, editor.undo_action)  # the unlink
    assert evidence_roles(library, finding) == {mark: "context"}
    assert editor.evidence.topLevelItem(0).text(0) == "context"
    _then(qtbot, window, editor.undo_action)  # the role
    assert evidence_roles(library, finding) == {mark: "supports"}
    assert editor.evidence.topLevelItem(0).text(0) == "supports"


def test_one_history_with_the_marks(
    qtbot: QtBot, library: Library, mark: str, finding: str, window: MainWindow
) -> None:
    window.annotation_commands.update(mark, note="AIS gap of nine hours")
    wait_idle(qtbot, window.controller)
    editor = _open(qtbot, window, finding)
    editor.title_edit.setText("Renamed")
    editor.save_button.click()
    wait_idle(qtbot, window.controller)
    _then(qtbot, window, window.undo_action)  # the last change: the finding's title
    assert _title_and_status(library, finding)[0] == "Night transfer off Nampo"
    with library.reader() as session:
        assert AnnotationService(library).get(session, mark).note == "AIS gap of nine hours"
    _then(qtbot, window, editor.undo_action)  # then the mark's note, from the editor
    with library.reader() as session:
        assert not AnnotationService(library).get(session, mark).note


def test_review_steps_are_not_undone_and_say_so(
    qtbot: QtBot, library: Library, finding: str, window: MainWindow
) -> None:
    editor = _open(qtbot, window, finding)
    assert editor.reopen_button.toolTip() == REVIEW_NOT_UNDONE
    edit_menu = editor.layout().menuBar().actions()[0].menu()
    notes = [a for a in edit_menu.actions() if "not undone" in a.text()]
    assert notes
    assert not notes[0].isEnabled()

    editor.claim_edit.setPlainText("Amber Tide transferred oil to Sea Lark.")
    editor.save_button.click()
    wait_idle(qtbot, window.controller)
    editor.ask = lambda _parent, _title, _label: "needs the AIS track"
    editor.reopen_button.click()
    wait_idle(qtbot, window.controller)
    assert _title_and_status(library, finding)[1] == "draft"
    _then(qtbot, window, editor.undo_action)  # takes back the claim; the reopening stands
    assert _title_and_status(library, finding)[1] == "draft"
    assert editor.claim_edit.toPlainText() == ""
    assert not editor.undo_action.isEnabled()
