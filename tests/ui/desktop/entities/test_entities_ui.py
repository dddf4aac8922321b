"""Entities in the app on a real library: suggestions from a passage that store
nothing until clicked, linking, adding from an IMO number, refusals shown in the
dialog, and the Entities window with its page, where entities are edited and
merged; the menu and context-menu entries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QMenu,
    QMessageBox,
    QTreeWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from db.models import AnnotationEntity, AuditEvent, Entity, Source
from tests import samples
from tests.ui.desktop.conftest import wait_idle
from ui.desktop.app.controller import LibraryController
from ui.desktop.app.main_window import MainWindow
from ui.desktop.entities.entity_form import EntityForm, split_aliases
from ui.desktop.entities.entity_link_dialog import EntityLinkDialog
from ui.desktop.entities.entity_merge_dialog import EntityMergeDialog, merge_summary
from ui.desktop.entities.entity_rows import EntityRow
from ui.desktop.entities.entity_widgets import ENTITY_ROLE
from ui.desktop.entities.entity_window import EntityWindow, page_ranges
from workstation.annotations.service import AnnotationService, find_quote
from workstation.core.library import Library
from workstation.entities.register import (
    add_entity,
    find_entities,
    get_entity,
    identifiers_of,
    imo_valid,
    link_annotation,
)
from workstation.sources.ingest import ImportService

PASSAGE = "The tanker AMBER TIDE (IMO 9074729, MMSI 445123456) called at Najin."
IMO = "9074729"
KNOWN_IMO = "9166778"  # SKY VENUS's
NEW_IMO = "9164029"
MERGED = "0f6c2a3e-0000-4000-8000-000000000000"  # a uuid once merged into an entity
FLAG = "North Korea (DPRK)"

W = TypeVar("W", bound=QWidget)


@pytest.fixture
def marked(library: Library, tmp_path: Path) -> dict[str, str | int]:
    """A report whose first page names a tanker and a port; Rajin and SKY VENUS known."""
    assert imo_valid(IMO)
    assert imo_valid(KNOWN_IMO)
    folder = tmp_path / "evidence"
    samples.make_pdf(
        folder,
        name="report.pdf",
        title="Panel report",
        texts=[PASSAGE, "Annex: port calls.", "Cranes at Rajin loaded the tanker."],
    )
    samples.make_text(folder, name="memo.txt", text="Memo\nContainers stacked at pier 3 of Rajin.")
    ImportService(library).import_paths([folder])
    with library.writer() as session:
        pdf = session.scalar(select(Source).where(Source.kind == "pdf"))
        assert pdf is not None
        made = AnnotationService(library).create(
            session, pdf.id, find_quote(session, pdf, PASSAGE), categories=["maritime"]
        )
        rajin = add_entity(library, session, "location", "Rajin", aliases=["Najin", "라진"])
        sky = add_entity(
            library,
            session,
            "vessel",
            "SKY VENUS",
            identifiers={"imo": KNOWN_IMO},
            attributes={"flag": "Sierra Leone"},
        )
        return {"annotation": made.uuid, "rajin": rajin.uuid, "sky": sky.uuid, "pdf": pdf.id}


@pytest.fixture
def controller(library: Library, marked: dict[str, str | int]) -> Iterator[LibraryController]:
    ctl = LibraryController(library)
    yield ctl
    ctl.shutdown()


@pytest.fixture
def dialog(
    qtbot: QtBot, controller: LibraryController, marked: dict[str, str | int]
) -> Iterator[EntityLinkDialog]:
    made = EntityLinkDialog(controller, str(marked["annotation"]))
    qtbot.addWidget(made)
    with qtbot.waitSignal(made.loaded, timeout=10_000):
        made.show()
    qtbot.waitUntil(lambda: not made.busy, timeout=10_000)
    yield made
    qtbot.waitUntil(lambda: not made.busy, timeout=10_000)
    if made.form is not None:
        made.form.close()
    made.close()


def linked(library: Library, annotation_uuid: str) -> list[str]:
    with library.reader() as session:
        return AnnotationService(library).get(session, annotation_uuid).entities


def counts(library: Library) -> tuple[int, int, int]:
    """Entities, annotation-entity links and audit events."""
    with library.reader() as session:
        return (
            session.scalar(select(func.count()).select_from(Entity)) or 0,
            session.scalar(select(func.count()).select_from(AnnotationEntity)) or 0,
            session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        )


def settle(qtbot: QtBot, dialog: EntityLinkDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)


# --- pure helpers ------------------------------------------------------------------


def test_aliases_one_per_line_or_comma_separated() -> None:
    assert split_aliases("Najin, 라진 ,Раджин") == ["Najin", "라진", "Раджин"]
    assert split_aliases("Korea Ocean Shipping Co., Ltd.\nKOSC\n\n") == [
        "Korea Ocean Shipping Co., Ltd.",
        "KOSC",
    ]
    assert split_aliases("Korea Ocean Shipping Co., Ltd.\n") == ["Korea Ocean Shipping Co., Ltd."]
    assert split_aliases("  ") == []


def test_merge_summary_says_what_merge_entities_does() -> None:
    kept = EntityRow(
        "k",
        "vessel",
        "SKY VENUS",
        aliases=("스카이 비너스",),
        identifiers=(("imo", KNOWN_IMO),),
        attributes={"flag": "Sierra Leone"},
    )
    twin = EntityRow(
        "t",
        "vessel",
        "Sky Venus",
        aliases=("스카이 비너스", "SKY VENUS 1"),
        former_names=("YU JONG 2",),
        identifiers=(("imo", IMO), ("mmsi", "445123456")),
        attributes={"flag": FLAG, "built": 1994, "merged_from": ["x"]},
    )
    assert merge_summary(twin, kept, 2) == [
        "“SKY VENUS” is kept, under its own name.",
        "“SKY VENUS 1” becomes an alias of “SKY VENUS”.",  # the other spellings it has
        "“YU JONG 2” becomes a former name of “SKY VENUS”.",
        f"Its identifiers (IMO {IMO} · MMSI 445123456) move to “SKY VENUS”.",
        "“SKY VENUS” will then hold more than one IMO.",
        "The 2 annotations linked to it are linked to “SKY VENUS” instead.",
        "Built 1994 is added to “SKY VENUS”.",
        f"Flag: “SKY VENUS” keeps Sierra Leone; {FLAG} is dropped.",
        "“Sky Venus” is then removed; links and exports that refer to it by its id lead to "
        "“SKY VENUS”.",
    ]


def test_page_ranges() -> None:
    assert page_ranges([7, 1, 3, 5, 6]) == "1, 3, 5–7"
    assert page_ranges([2, 3]) == "2, 3"
    assert page_ranges([]) == ""


# --- the link dialog ---------------------------------------------------------------


def test_suggestions_say_what_they_are_and_store_nothing(
    dialog: EntityLinkDialog, library: Library, marked: dict[str, str | int]
) -> None:
    before = counts(library)
    assert dialog.passage_label.text() == f"“{PASSAGE}”"
    assert dialog.where_label.text() == "Panel report, page 1"
    assert dialog.suggestion_labels() == [
        f"IMO {IMO} — not in the library",
        f"MMSI 445123456 (flag: {FLAG}) — not in the library",
        "Najin → Rajin (location)",
    ]
    # The first row is chosen: an unknown IMO can be added, not linked.
    assert dialog.add_button.isEnabled()
    assert not dialog.link_suggestion_button.isEnabled()
    dialog.choose_suggestion("Najin")
    assert dialog.link_suggestion_button.isEnabled()
    assert not dialog.add_button.isEnabled()
    # The search lists the library's entities; none is linked yet.
    assert dialog.found_labels() == ["Rajin (location)", f"SKY VENUS (vessel) · IMO {KNOWN_IMO}"]
    assert dialog.linked_uuids() == []
    assert counts(library) == before
    assert linked(library, str(marked["annotation"])) == []


def test_link_a_known_suggestion_then_unlink(
    dialog: EntityLinkDialog, qtbot: QtBot, library: Library, marked: dict[str, str | int]
) -> None:
    annotation, rajin = str(marked["annotation"]), str(marked["rajin"])
    assert dialog.choose_suggestion("Najin → Rajin")
    with qtbot.waitSignal(dialog.linksChanged, timeout=10_000) as changed:
        dialog.link_suggestion_button.click()
    assert changed.args == [annotation]
    assert linked(library, annotation) == [rajin]
    settle(qtbot, dialog)
    assert dialog.linked_uuids() == [rajin]
    assert dialog.linked_tree.topLevelItem(0).text(1) == "Rajin"
    assert not any("Rajin" in label for label in dialog.suggestion_labels())
    assert not any("Rajin" in label for label in dialog.found_labels())
    assert dialog.message.text() == "Linked."

    assert dialog.choose_linked(rajin)
    with qtbot.waitSignal(dialog.linksChanged, timeout=10_000):
        dialog.unlink_button.click()
    assert linked(library, annotation) == []
    settle(qtbot, dialog)
    assert dialog.linked_uuids() == []
    assert "Najin → Rajin (location)" in dialog.suggestion_labels()


def test_add_entity_from_the_imo_suggestion(
    dialog: EntityLinkDialog, qtbot: QtBot, library: Library, marked: dict[str, str | int]
) -> None:
    annotation = str(marked["annotation"])
    entities_before = counts(library)[0]
    assert dialog.choose_suggestion(f"IMO {IMO}")
    dialog.add_button.click()
    form = dialog.form
    assert isinstance(form, EntityForm)
    assert form.isVisible()
    assert form.kind_combo.currentData() == "vessel"
    assert form.imo_edit.text() == IMO
    assert form.mmsi_edit.text() == ""
    assert counts(library)[0] == entities_before  # a form is not a write
    form.name_edit.setText("AMBER TIDE")
    form.aliases_edit.setPlainText("앰버 타이드")
    with qtbot.waitSignal(dialog.linksChanged, timeout=10_000):
        form.ok_button.click()
    assert not form.isVisible()
    with library.reader() as session:
        [amber] = find_entities(session, "AMBER TIDE")
        assert amber.kind == "vessel"
        assert amber.aliases == ["앰버 타이드"]
        uuid = amber.uuid
    assert linked(library, annotation) == [uuid]
    settle(qtbot, dialog)
    # The IMO and the ship's name are now the linked entity's: only the MMSI and Rajin remain.
    assert dialog.suggestion_labels() == [
        f"MMSI 445123456 (flag: {FLAG}) — not in the library",
        "Najin → Rajin (location)",
    ]
    assert dialog.linked_tree.topLevelItem(0).text(2) == f"IMO {IMO}"


def test_add_entity_from_the_mmsi_carries_the_flag_and_cancel_stores_nothing(
    dialog: EntityLinkDialog, library: Library
) -> None:
    before = counts(library)
    assert dialog.choose_suggestion("MMSI 445123456")
    dialog.add_button.click()
    form = dialog.form
    assert form is not None
    assert form.kind_combo.currentData() == "vessel"
    assert form.mmsi_edit.text() == "445123456"
    assert form.flag_edit.text() == FLAG
    assert form.values()["attributes"] == {"flag": FLAG}
    form.mmsi_edit.setText("273123456")  # the flag follows while not typed by hand
    assert form.flag_edit.text() == "Russia"
    form.flag_edit.setText("Sierra Leone")
    form.mmsi_edit.setText("445123456")
    assert form.flag_edit.text() == "Sierra Leone"
    form.buttons.button(form.buttons.StandardButton.Cancel).click()
    assert not form.isVisible()
    assert counts(library) == before


def test_refusals_show_in_the_form_and_store_nothing(
    dialog: EntityLinkDialog, qtbot: QtBot, library: Library
) -> None:
    before = counts(library)
    dialog.search_edit.setText("OCEAN")
    dialog.new_button.click()
    form = dialog.form
    assert form is not None
    assert form.name_edit.text() == "OCEAN"  # the search text starts the name
    form.name_edit.setText("OCEAN STAR")
    form.imo_edit.setText(KNOWN_IMO)
    form.ok_button.click()
    qtbot.waitUntil(lambda: not form.busy, timeout=10_000)
    assert form.isVisible()
    assert form.last_error is not None
    assert f"IMO {KNOWN_IMO} already belongs to vessel 'SKY VENUS'" in form.last_error
    assert "\n" not in form.message.text()
    assert form.message.text().startswith("Not done: ")
    form.imo_edit.setText("9074720")  # wrong check digit
    form.ok_button.click()
    qtbot.waitUntil(lambda: not form.busy, timeout=10_000)
    assert form.isVisible()
    assert "not a valid IMO number (check digit)" in (form.last_error or "")
    assert counts(library) == before
    form.close()


def test_search_and_link_an_existing_entity(
    dialog: EntityLinkDialog, qtbot: QtBot, library: Library, marked: dict[str, str | int]
) -> None:
    with qtbot.waitSignal(dialog.searched, timeout=10_000):
        dialog.search_edit.setText("venus")
    assert dialog.found_labels() == [f"SKY VENUS (vessel) · IMO {KNOWN_IMO}"]
    assert not dialog.link_found_button.isEnabled()
    assert dialog.choose_found("SKY VENUS")
    with qtbot.waitSignal(dialog.linksChanged, timeout=10_000):
        dialog.link_found_button.click()
    assert linked(library, str(marked["annotation"])) == [marked["sky"]]
    settle(qtbot, dialog)
    assert dialog.found_labels() == []


def test_a_refused_link_is_one_line_in_the_dialog(
    dialog: EntityLinkDialog, qtbot: QtBot, library: Library, marked: dict[str, str | int]
) -> None:
    with library.writer() as session:
        AnnotationService(library).delete(session, str(marked["annotation"]))
    before = counts(library)
    dialog.choose_suggestion("Najin")
    dialog.link_suggestion_button.click()
    settle(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.last_error == "this annotation was deleted; undo the deletion first"
    assert dialog.message.text() == f"Not done: {dialog.last_error}"
    assert counts(library)[:2] == before[:2]


# --- the entities window -----------------------------------------------------------


@pytest.fixture
def window(
    qtbot: QtBot, controller: LibraryController, library: Library, marked: dict[str, str | int]
) -> Iterator[EntityWindow]:
    with library.writer() as session:
        link_annotation(library, session, str(marked["annotation"]), str(marked["rajin"]))
    made = EntityWindow(controller)
    qtbot.addWidget(made)
    with qtbot.waitSignal(made.listed, timeout=10_000):
        made.show()
    yield made
    qtbot.waitUntil(lambda: not made.busy, timeout=10_000)
    made.close()


def _double_click(qtbot: QtBot, view: QAbstractItemView, row: int) -> None:
    centre = view.visualRect(view.model().index(row, 0)).center()
    # As a hand does it: the first click presses the row, the second is the double-click.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)


def _rows(tree: QTreeWidget) -> list[list[str]]:
    return [
        [tree.topLevelItem(i).text(c) for c in range(tree.columnCount())]
        for i in range(tree.topLevelItemCount())
    ]


def test_window_shows_the_entity_page(
    window: EntityWindow, qtbot: QtBot, library: Library, marked: dict[str, str | int]
) -> None:
    assert window.entity_names() == ["Rajin", "SKY VENUS"]
    assert window.count_label.text() == "2 entities"
    with qtbot.waitSignal(window.pageShown, timeout=10_000) as shown:
        window.show_entity(str(marked["rajin"]))
    assert shown.args == [marked["rajin"]]
    assert window.entity_tree.currentItem().text(0) == "Rajin"
    assert window.name_label.text() == "Rajin"
    assert window.kind_label.text() == "Location"
    assert window.fact_rows() == {"Aliases": "Najin, 라진"}
    assert window.annotations_heading.text() == "Annotations (1)"
    item = window.annotation_list.item(0)
    assert item.text() == f"“{PASSAGE}”"
    assert "Panel report · maritime" in item.data(Qt.ItemDataRole.UserRole + 34)
    assert window.sources_heading.text() == "Sources mentioning it (2)"
    rows = _rows(window.source_tree)
    assert sorted(rows) == [["Memo", "1", "Rajin"], ["Panel report", "1, 3", "Najin, Rajin"]]

    with qtbot.waitSignal(window.annotationActivated, timeout=5_000) as activated:
        _double_click(qtbot, window.annotation_list, 0)
    assert activated.args == [marked["annotation"], 1]
    pdf_row = rows.index(["Panel report", "1, 3", "Najin, Rajin"])
    with qtbot.waitSignal(window.sourceActivated, timeout=5_000) as opened:
        _double_click(qtbot, window.source_tree, pdf_row)
    assert opened.args == [marked["pdf"], 1]
    window.source_tree.setCurrentItem(window.source_tree.topLevelItem(1 - pdf_row))
    with qtbot.waitSignal(window.sourceActivated, timeout=5_000) as opened:
        qtbot.keyClick(window.source_tree, Qt.Key.Key_Return)
    assert opened.args[1] == 1
    assert opened.args[0] != marked["pdf"]


def test_window_filters_by_text_and_kind(
    window: EntityWindow, qtbot: QtBot, marked: dict[str, str | int]
) -> None:
    with qtbot.waitSignal(window.listed, timeout=10_000):
        window.kind_combo.setCurrentIndex(window.kind_combo.findData("vessel"))
    assert window.entity_names() == ["SKY VENUS"]
    with qtbot.waitSignal(window.pageShown, timeout=10_000):
        window.entity_tree.setCurrentItem(window.entity_tree.topLevelItem(0))
    assert window.fact_rows() == {"Identifiers": f"IMO {KNOWN_IMO}", "Flag": "Sierra Leone"}
    assert window.annotations_heading.text() == "Annotations (0)"
    # An entity hidden by the filters: they are cleared to show it.
    with qtbot.waitSignal(window.pageShown, timeout=10_000):
        window.show_entity(str(marked["rajin"]))
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    assert window.kind_combo.currentData() is None
    assert window.entity_names() == ["Rajin", "SKY VENUS"]
    assert window.current_uuid() == marked["rajin"]
    with qtbot.waitSignal(window.listed, timeout=10_000):
        window.search_edit.setText("라진")
    assert window.entity_names() == ["Rajin"]


# --- in the main window ------------------------------------------------------------


@pytest.fixture
def main_window(
    qtbot: QtBot, controller: LibraryController, tmp_path: Path
) -> Iterator[MainWindow]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(controller, settings=settings)
    qtbot.addWidget(win)
    win.show()
    yield win
    for name in ("_entity_link_dialog", "_entity_window"):
        child = getattr(win, name, None)
        if child is not None:
            qtbot.waitUntil(lambda c=child: not c.busy, timeout=10_000)
            child.close()
    win.close()


def test_menu_shortcuts_are_free(main_window: MainWindow) -> None:
    assert main_window.link_entities_action.shortcut() == QKeySequence("Ctrl+K")
    assert main_window.entities_action.shortcut() == QKeySequence("Ctrl+Shift+E")
    keys = [
        k.toString()
        for action in main_window.findChildren(type(main_window.entities_action))
        for k in action.shortcuts()
        if not k.isEmpty()
    ]
    assert len(keys) == len(set(keys)), sorted(keys)


def test_menus_open_the_link_dialog_and_the_window(
    main_window: MainWindow, qtbot: QtBot, library: Library, marked: dict[str, str | int]
) -> None:
    main_window.link_entities_action.trigger()  # nothing selected: a hint, no dialog
    assert getattr(main_window, "_entity_link_dialog", None) is None
    assert "Select a mark" in main_window.statusBar().currentMessage()

    main_window.open_source(int(marked["pdf"]))
    wait_idle(qtbot, main_window.controller)
    panel = main_window.marks_panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10_000)
    assert panel.select(str(marked["annotation"]))
    main_window.link_entities_action.trigger()
    dialog = main_window._entity_link_dialog
    assert dialog.isVisible()
    assert dialog.annotation_uuid == marked["annotation"]
    qtbot.waitUntil(lambda: dialog.state is not None, timeout=10_000)

    main_window.entities_action.trigger()
    window = main_window.entity_window
    assert window.isVisible()
    qtbot.waitUntil(lambda: window.entity_names() == ["Rajin", "SKY VENUS"], timeout=10_000)
    with qtbot.waitSignal(window.pageShown, timeout=10_000):
        window.show_entity(str(marked["rajin"]))
    assert window.annotations_heading.text() == "Annotations (0)"
    # A link made in the dialog shows in the window.
    dialog.choose_suggestion("Najin")
    with qtbot.waitSignal(window.pageShown, timeout=10_000):
        dialog.link_suggestion_button.click()
    assert window.annotations_heading.text() == "Annotations (1)"
    # A source in the window opens in the current pane at the page.
    main_window.split_h_action.trigger()
    assert main_window.documents.current.source_id is None
    window.sourceActivated.emit(int(marked["pdf"]), 3)
    assert main_window.documents.current.source_id == marked["pdf"]


def test_ctrl_z_takes_back_a_link_and_ctrl_shift_z_makes_it_again(
    main_window: MainWindow, qtbot: QtBot, library: Library, marked: dict[str, str | int]
) -> None:
    annotation, rajin = str(marked["annotation"]), str(marked["rajin"])
    main_window.link_entities(annotation)
    dialog = main_window._entity_link_dialog
    qtbot.waitUntil(lambda: dialog.state is not None and not dialog.busy, timeout=10_000)
    assert not main_window.undo_action.isEnabled()
    assert dialog.choose_suggestion("Najin → Rajin")
    with qtbot.waitSignal(dialog.linksChanged, timeout=10_000):
        dialog.link_suggestion_button.click()
    assert linked(library, annotation) == [rajin]
    assert main_window.undo_action.isEnabled()

    main_window.undo_action.trigger()
    qtbot.waitUntil(lambda: linked(library, annotation) == [], timeout=10_000)
    qtbot.waitUntil(lambda: dialog.linked_uuids() == [], timeout=10_000)  # the dialog follows
    # The menu offers Redo once the undo's write has come back to the window.
    qtbot.waitUntil(main_window.redo_action.isEnabled, timeout=10_000)
    main_window.redo_action.trigger()
    qtbot.waitUntil(lambda: linked(library, annotation) == [rajin], timeout=10_000)
    qtbot.waitUntil(lambda: dialog.linked_uuids() == [rajin], timeout=10_000)
    settle(qtbot, dialog)


def test_context_menu_asks_for_the_entities(
    main_window: MainWindow, qtbot: QtBot, marked: dict[str, str | int]
) -> None:
    panel = main_window.all_marks_panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10_000)
    chosen: list[str] = []

    def pick() -> None:
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        chosen.extend(a.text() for a in menu.actions())
        [entry] = [a for a in menu.actions() if a.text() == "Entities…"]
        menu.close()
        entry.trigger()

    QTimer.singleShot(0, pick)
    rect = panel.view.visualRect(panel.model.index(0))
    with qtbot.waitSignal(panel.entitiesRequested, timeout=5_000) as asked:
        panel._context_menu(QPoint(rect.center()))
    assert "Entities…" in chosen
    assert asked.args == [marked["annotation"]]
    dialog = main_window._entity_link_dialog
    assert dialog.isVisible()
    assert dialog.annotation_uuid == marked["annotation"]


# --- correcting entities in the window ---------------------------------------------


def _when_modal(kind: type[W], act: Callable[[W], None]) -> None:
    """Once a modal window of ``kind`` is up (its exec() blocks the test), act on it."""

    def look() -> None:
        found = QApplication.activeModalWidget()
        if isinstance(found, kind):
            act(found)
        else:
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)


def _answer(button: str, asked: list[str]) -> Callable[[QMessageBox], None]:
    """Note what the box says, then press the button with this text."""

    def act(box: QMessageBox) -> None:
        asked.extend([box.text(), box.informativeText()])
        [pressed] = [b for b in box.buttons() if b.text().replace("&", "") == button]
        pressed.click()

    return act


def _added(library: Library, kind: str, name: str, **fields: Any) -> str:
    """The uuid of an entity added in a write of its own."""
    with library.writer() as session:
        return add_entity(library, session, kind, name, **fields).uuid


@pytest.fixture
def amber(library: Library, marked: dict[str, str | int]) -> str:
    """A tanker with identifiers and facts the form does not show."""
    return _added(
        library,
        "vessel",
        "AMBER TIDE",
        aliases=["앰버 타이드"],
        identifiers={"imo": IMO, "mmsi": "445123456", "callsign": "HMYU7"},
        attributes={"flag": FLAG, "gross_tonnage": 4980, "merged_from": [MERGED]},
    )


def _show(qtbot: QtBot, window: EntityWindow, uuid: str) -> None:
    with qtbot.waitSignal(window.pageShown, timeout=10_000):
        window.show_entity(uuid)
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)


def test_edit_a_vessel_name_aliases_imo_and_flag(
    window: EntityWindow, qtbot: QtBot, library: Library, amber: str
) -> None:
    _show(qtbot, window, amber)
    qtbot.keyClick(window.entity_tree, Qt.Key.Key_F2)
    form = window.form
    assert isinstance(form, EntityForm)
    assert form.isVisible()
    assert form.windowTitle() == "Edit vessel"
    assert form.ok_button.text() == "Save"
    assert form.kind_combo.currentData() == "vessel"
    assert not form.kind_combo.isEnabled()  # update_entity cannot change a kind
    assert form.name_edit.text() == "AMBER TIDE"
    assert split_aliases(form.aliases_edit.toPlainText()) == ["앰버 타이드"]
    assert (form.imo_edit.text(), form.mmsi_edit.text()) == (IMO, "445123456")
    assert form.flag_edit.text() == FLAG

    form.name_edit.setText("OCEAN GLORY")
    form.aliases_edit.setPlainText("앰버 타이드\nOCEAN GLORY 1\n")
    form.imo_edit.setText(NEW_IMO)
    form.flag_edit.setText("Sierra Leone")
    with qtbot.waitSignal(window.pageShown, timeout=10_000) as shown:
        form.ok_button.click()
    assert shown.args == [amber]
    assert not form.isVisible()
    with library.reader() as session:
        ship = get_entity(session, amber)
        assert ship.name == "OCEAN GLORY"
        assert ship.aliases == ["앰버 타이드", "OCEAN GLORY 1"]
        assert identifiers_of(session, ship) == [
            ("callsign", "HMYU7"),  # not in the form: kept
            ("imo", NEW_IMO),
            ("mmsi", "445123456"),
        ]
        assert ship.attributes == {  # all but the flag as they were
            "flag": "Sierra Leone",
            "gross_tonnage": 4980,
            "merged_from": [MERGED],
            "former_names": ["AMBER TIDE"],
        }
        assert get_entity(session, MERGED).uuid == amber
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    assert window.name_label.text() == "OCEAN GLORY"
    facts = window.fact_rows()
    assert facts["Former names"] == "AMBER TIDE"
    assert facts["Identifiers"] == f"callsign HMYU7 · IMO {NEW_IMO} · MMSI 445123456"
    assert facts["Flag"] == "Sierra Leone"
    assert window.entity_names() == ["OCEAN GLORY", "Rajin", "SKY VENUS"]
    assert window.entity_tree.currentItem().text(0) == "OCEAN GLORY"
    assert window.message.text() == "Saved."


def test_edit_refusals_stay_in_the_form_and_store_nothing(
    window: EntityWindow, qtbot: QtBot, library: Library, amber: str
) -> None:
    _show(qtbot, window, amber)
    before = counts(library)
    window.edit_button.click()
    form = window.form
    assert form is not None
    for name, imo, error in [
        ("AMBER TIDE", KNOWN_IMO, f"IMO {KNOWN_IMO} already belongs to vessel 'SKY VENUS'"),
        ("AMBER TIDE", "9074720", "not a valid IMO number (check digit)"),
        ("  ", IMO, "an entity name cannot be empty"),
    ]:
        form.name_edit.setText(name)
        form.imo_edit.setText(imo)
        form.ok_button.click()
        qtbot.waitUntil(lambda: not form.busy, timeout=10_000)
        assert form.isVisible()
        assert error in (form.last_error or "")
        assert form.message.text().startswith("Not done: ")
        assert "\n" not in form.message.text()
    assert counts(library) == before
    with library.reader() as session:
        ship = get_entity(session, amber)
        assert ship.name == "AMBER TIDE"
        assert identifiers_of(session, ship)[1] == ("imo", IMO)
    form.close()
    assert window.name_label.text() == "AMBER TIDE"


def test_double_click_on_the_name_edits_and_an_unchanged_save_writes_nothing(
    window: EntityWindow, qtbot: QtBot, library: Library
) -> None:
    kosc = _added(
        library,
        "company",
        "Korea Ocean Shipping",
        aliases=["Korea Ocean Shipping Co., Ltd."],
        attributes={"merged_from": [MERGED]},
    )
    _show(qtbot, window, kosc)
    before = counts(library)
    qtbot.mouseDClick(window.name_label, Qt.MouseButton.LeftButton)
    form = window.form
    assert form is not None
    assert form.isVisible()
    assert form.kind_combo.currentData() == "company"
    # An alias with a comma stays one alias.
    assert form.values()["aliases"] == ["Korea Ocean Shipping Co., Ltd."]
    assert form.values()["attributes"] == {}
    with qtbot.waitSignal(form.entityEdited, timeout=10_000):
        form.ok_button.click()
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    assert counts(library) == before
    with library.reader() as session:
        company = get_entity(session, kosc)
        assert company.aliases == ["Korea Ocean Shipping Co., Ltd."]
        assert company.attributes == {"merged_from": [MERGED]}


@pytest.fixture
def rason(library: Library, marked: dict[str, str | int]) -> str:
    """A second record of the port Rajin (the window's Rajin is linked to the passage)."""
    return _added(
        library,
        "location",
        "Rason",
        identifiers={"unlocode": "KPNJN"},
        attributes={"country": "North Korea"},
    )


def _merge_dialog(qtbot: QtBot, window: EntityWindow) -> EntityMergeDialog:
    window.merge_button.click()
    dialog = window.merge_dialog
    assert isinstance(dialog, EntityMergeDialog)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.found_labels() != [], timeout=10_000)
    return dialog


def test_merge_moves_links_and_shows_the_kept_entity(
    window: EntityWindow,
    qtbot: QtBot,
    library: Library,
    marked: dict[str, str | int],
    rason: str,
) -> None:
    annotation, rajin = str(marked["annotation"]), str(marked["rajin"])
    _show(qtbot, window, rajin)
    dialog = _merge_dialog(qtbot, window)
    assert dialog.windowTitle() == "Merge Rajin into…"
    # Only other locations are offered, with their identifiers.
    assert dialog.found_labels() == ["Rason (location) · unlocode KPNJN"]
    assert not dialog.ok_button.isEnabled()
    assert dialog.choose("Rason")
    asked: list[str] = []
    _when_modal(QMessageBox, _answer("Merge", asked))
    with qtbot.waitSignal(window.pageShown, timeout=10_000) as shown:
        dialog.ok_button.click()
    assert shown.args == [rason]
    question, details = asked
    assert question == "Merge “Rajin” into “Rason”?"
    assert details.splitlines() == [
        "• “Rason” is kept, under its own name.",
        "• “Rajin”, “Najin” and “라진” become aliases of “Rason”.",
        "• The annotation linked to it is linked to “Rason” instead.",
        "• “Rajin” is then removed; links and exports that refer to it by its id lead to “Rason”.",
        "",
        "A merge cannot be undone with Ctrl+Z.",
    ]
    assert not dialog.isVisible()
    with library.reader() as session:
        assert AnnotationService(library).get(session, annotation).entities == [rason]
        assert get_entity(session, rajin).uuid == rason  # the old uuid leads to the kept one
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    assert window.current_uuid() == rason
    assert window.name_label.text() == "Rason"
    assert window.entity_tree.currentItem().text(0) == "Rason"
    assert window.entity_names() == ["Rason", "SKY VENUS"]
    assert window.fact_rows() == {
        "Identifiers": "unlocode KPNJN",
        "Aliases": "Rajin, Najin, 라진",
        "Country": "North Korea",
    }
    assert window.annotations_heading.text() == "Annotations (1)"
    assert window.message.text() == "Merged “Rajin” into “Rason”."


def test_cancel_at_the_merge_confirmation_changes_nothing(
    window: EntityWindow,
    qtbot: QtBot,
    library: Library,
    marked: dict[str, str | int],
    rason: str,
) -> None:
    _show(qtbot, window, rason)
    before = counts(library)
    dialog = _merge_dialog(qtbot, window)
    with qtbot.waitSignal(dialog.searched, timeout=10_000):
        dialog.search_edit.setText("najin")  # aliases are searched too
    assert dialog.found_labels() == ["Rajin (location)"]
    assert dialog.choose("Rajin")
    asked: list[str] = []
    _when_modal(QMessageBox, _answer("Cancel", asked))
    dialog.ok_button.click()  # returns once the box is answered
    assert asked[0] == "Merge “Rason” into “Rajin”?"
    assert "Its identifiers (unlocode KPNJN) move to “Rajin”." in asked[1]
    assert "Country North Korea is added to “Rajin”." in asked[1]
    assert dialog.isVisible()  # to choose again, or close
    assert counts(library) == before
    assert linked(library, str(marked["annotation"])) == [marked["rajin"]]
    dialog.close()
    assert window.current_uuid() == rason
    assert window.entity_names() == ["Rajin", "Rason", "SKY VENUS"]


def test_a_refused_merge_is_one_line_in_the_window(
    window: EntityWindow, qtbot: QtBot, library: Library, marked: dict[str, str | int]
) -> None:
    _show(qtbot, window, str(marked["rajin"]))
    before = counts(library)
    tree = window.entity_tree
    items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    rows = {item.text(0): item.data(0, ENTITY_ROLE) for item in items}
    # The chooser offers only the same kind; the service refuses the rest all the same.
    window.merge(rows["Rajin"], rows["SKY VENUS"])
    qtbot.waitUntil(lambda: window.last_error is not None and not window.busy, timeout=10_000)
    assert window.last_error == "cannot merge location 'Rajin' into vessel 'SKY VENUS'"
    assert window.message.text() == f"Not done: {window.last_error}"
    assert window.merge_button.isEnabled()
    assert counts(library) == before


def test_enter_in_the_search_field_searches_and_changes_no_link(
    dialog: EntityLinkDialog, qtbot: QtBot, library: Library, marked: dict[str, str | int]
) -> None:
    annotation, rajin = str(marked["annotation"]), str(marked["rajin"])
    assert dialog.choose_suggestion("Najin → Rajin")
    with qtbot.waitSignal(dialog.linksChanged, timeout=10_000):
        dialog.link_suggestion_button.click()
    settle(qtbot, dialog)
    assert linked(library, annotation) == [rajin]
    dialog.search_edit.setFocus()
    qtbot.keyClicks(dialog.search_edit, "SKY")
    with qtbot.waitSignal(dialog.searched, timeout=10_000):
        qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert linked(library, annotation) == [rajin]  # Enter did not press Unlink
    assert dialog.isVisible()
    from PySide6.QtWidgets import QPushButton

    assert not any(b.isDefault() or b.autoDefault() for b in dialog.findChildren(QPushButton))


def test_esc_closes_the_entities_window(
    qtbot: QtBot, controller: LibraryController, marked: dict[str, str | int]
) -> None:
    window = EntityWindow(controller)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isVisible()
