"""A vessel's registered LOA and beam in the entity form (real widgets, real library)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from tests.ui.desktop.entities.test_entities_ui import (  # noqa: F401 (fixtures)
    _show,
    amber,
    controller,
    counts,
    marked,
    window,
)
from ui.desktop.app.controller import LibraryController
from ui.desktop.entities.entity_form import EntityForm
from ui.desktop.entities.entity_window import EntityWindow
from workstation.core.library import Library
from workstation.entities.register import find_entities, get_entity


def _edit(win: EntityWindow) -> EntityForm:
    win.edit_button.click()
    form = win.form
    assert isinstance(form, EntityForm)
    return form


def _save(qtbot: QtBot, win: EntityWindow, form: EntityForm) -> None:
    with qtbot.waitSignal(form.entityEdited, timeout=10_000):
        form.ok_button.click()
    qtbot.waitUntil(lambda: not win.busy, timeout=10_000)


@pytest.fixture
def shown(window: EntityWindow, qtbot: QtBot, amber: str) -> EntityWindow:  # noqa: F811
    """The entity window showing the tanker AMBER TIDE."""
    _show(qtbot, window, amber)
    return window


def test_the_form_sets_changes_and_removes_a_vessels_size(
    shown: EntityWindow,
    qtbot: QtBot,
    library: Library,
    amber: str,  # noqa: F811
) -> None:
    win = shown
    form = _edit(win)
    assert form.loa_edit.isVisible()
    assert form.beam_edit.isVisible()
    assert (form.loa_edit.text(), form.beam_edit.text()) == ("", "")
    form.loa_edit.setText("183")
    form.beam_edit.setText("32,2 m")  # a comma decimal and a unit are understood
    _save(qtbot, win, form)
    with library.reader() as session:
        attributes = get_entity(session, amber).attributes
    assert attributes["loa_metres"] == 183.0
    assert attributes["beam_metres"] == 32.2
    assert attributes["gross_tonnage"] == 4980  # not in the form: kept
    form = _edit(win)
    assert (form.loa_edit.text(), form.beam_edit.text()) == ("183", "32.2")
    form.loa_edit.setText("")
    _save(qtbot, win, form)
    with library.reader() as session:
        attributes = get_entity(session, amber).attributes
    assert "loa_metres" not in attributes
    assert attributes["beam_metres"] == 32.2


def test_a_bad_size_stays_in_the_form_and_stores_nothing(
    shown: EntityWindow,
    qtbot: QtBot,
    library: Library,
    amber: str,  # noqa: F811
) -> None:
    win = shown
    before = counts(library)
    form = _edit(win)
    for loa, error in [("long", "LOA must be a number"), ("2000", "between 0 and 1000")]:
        form.loa_edit.setText(loa)
        form.ok_button.click()
        qtbot.waitUntil(lambda: not form.busy, timeout=10_000)
        assert form.isVisible()
        assert error in (form.last_error or "")
    assert counts(library) == before
    with library.reader() as session:
        assert "loa_metres" not in get_entity(session, amber).attributes
    form.close()


def test_a_new_vessel_gets_its_size_and_other_kinds_have_none(
    controller: LibraryController,  # noqa: F811
    qtbot: QtBot,
    library: Library,
) -> None:
    form = EntityForm(controller, kind="company")
    qtbot.addWidget(form)
    form.show()
    assert not form.loa_edit.isVisible()
    form.kind_combo.setCurrentIndex(form.kind_combo.findData("vessel"))
    assert form.loa_edit.isVisible()
    assert form.beam_edit.isVisible()
    form.name_edit.setText("NEW HOPE")
    form.loa_edit.setText("99.5")
    with qtbot.waitSignal(form.entityAdded, timeout=10_000) as added:
        form.ok_button.click()
    with library.reader() as session:
        (ship,) = [e for e in find_entities(session, "NEW HOPE")]
        assert ship.uuid == added.args[0]
        assert ship.attributes == {"loa_metres": 99.5}
