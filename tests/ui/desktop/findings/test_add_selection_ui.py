"""Add to Finding on a selection of marks: Ctrl/Shift+click picks several in the marks
list, Ctrl+Shift+F (or the context menu) links them all with the role chosen, to a
finding made in the dialog, and Ctrl+Z unlinks them again."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QPoint, QTimer
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db.models import Finding, Source
from tests.ui.desktop.conftest import wait_idle
from tests.workstation.findings.stored import evidence_roles
from ui.desktop.annotations.annotation_panel import AnnotationPanel
from ui.desktop.app.main_window import MainWindow
from ui.desktop.findings.add_to_finding import AddToFindingDialog
from workstation.annotations.service import AnnotationService, find_quote
from workstation.core.library import Library


def _more_marks(library: Library) -> list[str]:
    service = AnnotationService(library)
    with library.writer() as session:
        source = session.scalars(select(Source)).one()
        return [
            service.create(session, source.id, find_quote(session, source, quote)).uuid
            for quote in ("off Nampo", "for nine hours")
        ]


def _select(panel: AnnotationPanel, marks: list[str]) -> None:
    chosen = panel.view.selectionModel()
    chosen.clearSelection()
    for uuid in marks:
        row = panel.model.row_of(uuid)
        assert row is not None
        chosen.select(panel.model.index(row), QItemSelectionModel.SelectionFlag.Select)


def test_ctrl_shift_f_links_the_selection_to_a_new_finding_and_undo_unlinks(
    qtbot: QtBot, library: Library, mark: str, window: MainWindow
) -> None:
    more = _more_marks(library)
    panel = window.all_marks_panel
    panel.refresh()
    wait_idle(qtbot, window.controller)
    _select(panel, [mark, *more])
    assert sorted(panel.selected_uuids()) == sorted([mark, *more])

    window.add_to_finding_action.trigger()
    dialog = window.findChild(AddToFindingDialog)
    assert dialog is not None
    assert sorted(dialog.annotations) == sorted([mark, *more])
    assert dialog.windowTitle() == "Add 3 marks to finding"
    wait_idle(qtbot, window.controller)
    dialog.choose(None, role="context", title="Night transfer off Nampo")
    dialog.add()
    wait_idle(qtbot, window.controller)
    qtbot.waitUntil(lambda: window.findChild(AddToFindingDialog) is None)
    assert window.statusBar().currentMessage() == "3 marks added to F-0001 (Ctrl+Z undoes)."
    with library.reader() as session:
        finding = session.scalars(select(Finding)).one().uuid
    assert evidence_roles(library, finding) == dict.fromkeys([mark, *more], "context")

    window.undo_action.trigger()
    wait_idle(qtbot, window.controller)
    assert evidence_roles(library, finding) == {}  # the draft stays: numbers are not reused
    window.redo_action.trigger()
    wait_idle(qtbot, window.controller)
    assert evidence_roles(library, finding) == dict.fromkeys([mark, *more], "context")


def test_the_context_menu_offers_the_selection(
    qtbot: QtBot, library: Library, mark: str, finding: str, window: MainWindow
) -> None:
    more = _more_marks(library)
    panel = window.all_marks_panel
    panel.refresh()
    wait_idle(qtbot, window.controller)
    _select(panel, more)
    labels: list[str] = []

    def pick() -> None:
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        entries = [a for a in menu.actions() if "to finding" in a.text()]
        labels.extend(a.text() for a in entries)
        menu.close()
        for entry in entries:
            entry.trigger()

    row = panel.model.row_of(more[0])
    assert row is not None
    QTimer.singleShot(0, pick)
    panel._context_menu(QPoint(panel.view.visualRect(panel.model.index(row)).center()))
    assert labels == ["Add 2 marks to finding…"]
    dialog = window.findChild(AddToFindingDialog)
    assert dialog is not None
    assert sorted(dialog.annotations) == sorted(more)
    wait_idle(qtbot, window.controller)
    dialog.choose(finding, role="contradicts")
    dialog.add()
    wait_idle(qtbot, window.controller)
    assert evidence_roles(library, finding) == {
        mark: "supports",
        **dict.fromkeys(more, "contradicts"),
    }

    # Right-clicking a mark outside the selection offers that mark alone.
    _select(panel, more)
    QTimer.singleShot(0, pick)
    labels.clear()
    row = panel.model.row_of(mark)
    assert row is not None
    panel._context_menu(QPoint(panel.view.visualRect(panel.model.index(row)).center()))
    assert labels == ["Add to finding…"]
    dialog = window.findChild(AddToFindingDialog)
    assert dialog is not None
    assert dialog.annotations == [mark]
    # Closed (and deleted) before its list of findings comes: the list finds no box.
    dialog.close()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert window.findChild(AddToFindingDialog) is None
    wait_idle(qtbot, window.controller)
