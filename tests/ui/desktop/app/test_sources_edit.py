"""Editing several sources at once from the library list's selection (issue 14):
Edit > Edit Selected Sources sets the case, publisher, grade and date on each; a bad
value keeps the dialog open with the reason and changes nothing."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt
from shiboken6 import isValid
from sqlalchemy import select

from db.models import Case, CaseSource, Source
from tests.ui.desktop.app.test_main_window import _ids
from tests.ui.desktop.conftest import wait_idle
from ui.desktop.app.main_window import MainWindow
from ui.desktop.library.sources_edit_dialog import SourcesEditDialog
from workstation.core.library import Library


def _select(window: MainWindow, ids: list[int]) -> None:
    panel = window.library_panel
    selection = panel.table.selectionModel()
    selection.clearSelection()
    for sid in ids:
        row = panel.model.row_of(sid)
        assert row is not None
        selection.select(
            panel.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )


def _records(library: Library) -> dict[int, tuple[str | None, str | None, str | None, set[str]]]:
    with library.reader() as session:
        return {
            s.id: (
                s.publisher,
                f"{s.reliability}{s.credibility}" if s.reliability else None,
                s.published,
                set(
                    session.scalars(
                        select(Case.name)
                        .join(CaseSource, CaseSource.case_id == Case.id)
                        .where(CaseSource.source_id == s.id)
                    )
                ),
            )
            for s in session.scalars(select(Source))
        }


def test_edit_selected_sources_from_the_menu(
    window: MainWindow, qtbot: Any, filled: Library
) -> None:
    ids = _ids(window)
    chosen, left = ids[:2], ids[2:]
    _select(window, chosen)
    assert window.library_panel.selected_source_ids() == chosen
    before = _records(filled)
    window.edit_sources_action.trigger()
    dialog = window.findChild(SourcesEditDialog)
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.windowTitle() == "Edit 2 Sources"
    wait_idle(qtbot, window.controller)  # the case names arrive

    # A bad grade: the reason shows, the dialog stays, nothing changes.
    dialog.case_box.setEditText("Nampo transfers")
    dialog.grade_edit.setText("Z9")
    dialog.apply_button.click()
    wait_idle(qtbot, window.controller)
    assert dialog.isVisible()
    assert "not an Admiralty grade" in dialog.error_label.text()
    assert _records(filled) == before

    dialog.grade_edit.setText("b2")
    dialog.publisher_edit.setText("Harbour Watch")
    dialog.date_edit.setText("2025-06-18")
    qtbot.keyClick(dialog.date_edit, Qt.Key.Key_Return)  # Enter applies
    wait_idle(qtbot, window.controller)
    assert not isValid(dialog) or not dialog.isVisible()  # closed (and deleted)
    after = _records(filled)
    for sid in chosen:
        assert after[sid] == ("Harbour Watch", "B2", "2025-06-18", {"Nampo transfers"})
    for sid in left:
        assert after[sid] == before[sid]
    # The list's case filter knows the new case.
    box = window.library_panel.case_box
    qtbot.waitUntil(
        lambda: any("Nampo transfers" in box.itemText(i) for i in range(box.count())),
        timeout=10_000,
    )


def test_with_nothing_selected_it_says_what_to_do(window: MainWindow) -> None:
    window.library_panel.table.selectionModel().clearSelection()
    assert window.edit_selected_sources() is None
    assert "Select sources" in window.statusBar().currentMessage()


def test_clear_empties_a_field_on_every_selected_source(
    window: MainWindow, qtbot: Any, filled: Library
) -> None:
    ids = _ids(window)
    chosen = ids[:2]
    _select(window, chosen)
    window.edit_sources_action.trigger()
    dialog = window.findChild(SourcesEditDialog)
    assert dialog is not None
    wait_idle(qtbot, window.controller)
    dialog.publisher_edit.setText("Harbour Watch")
    dialog.grade_edit.setText("C3")
    dialog.apply_button.click()
    wait_idle(qtbot, window.controller)
    assert [_records(filled)[sid][:2] for sid in chosen] == [("Harbour Watch", "C3")] * 2

    window.edit_sources_action.trigger()
    dialog = window.findChild(SourcesEditDialog)
    assert dialog is not None
    wait_idle(qtbot, window.controller)
    dialog.grade_edit.setText("A1")
    dialog.grade_clear.setChecked(True)  # Clear wins over (and empties) what was typed
    assert not dialog.grade_edit.isEnabled()
    assert dialog.grade_edit.text() == ""
    dialog.apply_button.click()
    wait_idle(qtbot, window.controller)
    after = _records(filled)
    assert [after[sid][:2] for sid in chosen] == [("Harbour Watch", None)] * 2
