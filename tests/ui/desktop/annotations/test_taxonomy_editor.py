"""The taxonomy editor on a real library: every change goes through the service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from db.models import Source
from ui.desktop.annotations.taxonomy_editor import TaxonomyEditor
from ui.desktop.app.controller import LibraryController
from workstation.annotations.service import AnnotationService, find_quote
from workstation.core.library import Library
from workstation.sources.ingest import ImportService
from workstation.taxonomy.interchange import export_taxonomy
from workstation.taxonomy.tree import list_categories

SEEDED_TOP = [
    "arms",
    "wmd",
    "military-cooperation",
    "petroleum",
    "sectoral-exports",
    "restricted-imports",
    "workers",
    "maritime",
    "finance",
    "cyber",
    "designated",
]


@pytest.fixture
def controller(library: Library) -> Iterator[LibraryController]:
    ctl = LibraryController(library)
    yield ctl
    ctl.shutdown()


@pytest.fixture
def editor(qtbot: QtBot, controller: LibraryController) -> Iterator[TaxonomyEditor]:
    dialog = TaxonomyEditor(controller)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.busy)
    yield dialog
    qtbot.waitUntil(lambda: not dialog.busy)
    dialog.close()


def codes(library: Library, *, include_deprecated: bool = False) -> dict[str, str]:
    with library.reader() as session:
        nodes = list_categories(session, include_deprecated=include_deprecated)
    return {n.code: n.label for n in nodes}


def test_tree_shows_the_seeded_top_level(editor: TaxonomyEditor) -> None:
    assert editor.top_level_codes() == SEEDED_TOP
    item = editor.item_for("maritime.sts-transfer")
    assert item is not None
    assert item.parent() is editor.item_for("maritime")
    assert editor.rename_button.toolTip().startswith("Change the label only")


def test_add_child_under_maritime(editor: TaxonomyEditor, qtbot: QtBot) -> None:
    assert editor.select("maritime")
    with qtbot.waitSignal(editor.taxonomyChanged):
        editor.add_child("maritime", "maritime.fishing-rights", "Sale of fishing rights")
    item = editor.item_for("maritime.fishing-rights")
    assert item is not None
    assert item.parent() is editor.item_for("maritime")
    assert editor.current_code() == "maritime.fishing-rights"
    assert editor.last_error is None


def test_rename_changes_the_label_not_the_code(
    editor: TaxonomyEditor, library: Library, qtbot: QtBot
) -> None:
    editor.select("cyber")
    with qtbot.waitSignal(editor.taxonomyChanged):
        editor.rename("cyber", "Malicious cyber activity")
    assert codes(library)["cyber"] == "Malicious cyber activity"
    item = editor.item_for("cyber")
    assert item is not None
    assert item.text(0) == "Malicious cyber activity"
    assert editor.current_code() == "cyber"
    assert editor.label_edit.text() == "Malicious cyber activity"


def test_save_details_writes_the_form(
    editor: TaxonomyEditor, library: Library, qtbot: QtBot
) -> None:
    editor.select("workers")
    editor.label_edit.setText("Overseas workers")
    editor.legal_basis_edit.setText("UNSCR 2397 (2017), para 8")
    editor.colour_edit.setText("#3078C1")
    with qtbot.waitSignal(editor.taxonomyChanged):
        editor.save_button.click()
    with library.reader() as session:
        node = next(n for n in list_categories(session) if n.code == "workers")
    assert (node.label, node.legal_basis, node.colour) == (
        "Overseas workers",
        "UNSCR 2397 (2017), para 8",
        "#3078c1",
    )
    assert editor.colour_edit.text() == "#3078c1"


def test_deprecate_hides_unless_show_deprecated(
    editor: TaxonomyEditor, library: Library, qtbot: QtBot
) -> None:
    editor.select("maritime.flagging")
    with qtbot.waitSignal(editor.taxonomyChanged):
        editor.set_deprecated("maritime.flagging")
    assert editor.item_for("maritime.flagging") is None
    editor.show_deprecated.setChecked(True)
    qtbot.waitUntil(lambda: not editor.busy)
    item = editor.item_for("maritime.flagging")
    assert item is not None
    assert item.text(0).endswith("(deprecated)")
    assert editor.select("maritime.flagging")
    assert editor.deprecate_button.text() == "Restore"
    with qtbot.waitSignal(editor.taxonomyChanged):
        editor.deprecate_button.click()
    assert "maritime.flagging" in codes(library)
    assert editor.deprecate_button.text() == "Deprecate"


def test_merge_moves_usage(
    editor: TaxonomyEditor, library: Library, qtbot: QtBot, tmp_path: Path
) -> None:
    note = tmp_path / "note.txt"
    note.write_text("The tanker met a second vessel for a ship-to-ship transfer.\n")
    report = ImportService(library).import_paths([note])
    source_id = report.results[0].source_id
    assert source_id is not None
    with library.writer() as session:
        source = session.get(Source, source_id)
        assert source is not None
        AnnotationService(library).create(
            session,
            source_id,
            find_quote(session, source, "ship-to-ship transfer"),
            categories=["maritime.sts-transfer"],
        )
    editor.reload()
    qtbot.waitUntil(lambda: not editor.busy)
    item = editor.item_for("maritime.sts-transfer")
    assert item is not None
    assert item.text(2) == "1"

    with qtbot.waitSignal(editor.taxonomyChanged):
        editor.merge("maritime.sts-transfer", "maritime.designated-vessel")
    target = editor.item_for("maritime.designated-vessel")
    assert target is not None
    assert target.text(2) == "1"
    assert editor.current_code() == "maritime.designated-vessel"
    assert editor.item_for("maritime.sts-transfer") is None
    editor.show_deprecated.setChecked(True)
    qtbot.waitUntil(lambda: not editor.busy)
    assert editor.select("maritime.sts-transfer")
    assert "merged into maritime.designated-vessel" in editor.usage_label.text()


def test_invalid_code_shows_the_error_and_changes_nothing(
    editor: TaxonomyEditor, library: Library, qtbot: QtBot
) -> None:
    before = codes(library, include_deprecated=True)
    changed: list[bool] = []
    editor.taxonomyChanged.connect(lambda: changed.append(True))
    editor.add_child("maritime", "maritime.Night Transfers", "Night transfers")
    qtbot.waitUntil(lambda: editor.last_error is not None)
    assert "is not valid" in editor.message.text()
    assert "Traceback" not in editor.message.text()
    assert codes(library, include_deprecated=True) == before
    assert not changed
    # The dialog keeps working after an error, and a success clears the message.
    with qtbot.waitSignal(editor.taxonomyChanged):
        editor.add_child("maritime", "maritime.night-transfers", "Night transfers")
    assert editor.last_error is None


def test_export_then_import_round_trips(
    editor: TaxonomyEditor, library: Library, qtbot: QtBot, tmp_path: Path
) -> None:
    with qtbot.waitSignal(editor.taxonomyChanged):
        editor.add_child("arms", "arms.drones", "Armed drones")
    with qtbot.waitSignal(editor.taxonomyChanged):
        editor.move_to("arms.drones", "wmd")
    path = tmp_path / "taxonomy.json"
    editor.export_to(path)
    qtbot.waitUntil(lambda: not editor.busy)
    assert editor.last_error is None
    assert "Exported" in editor.message.text()

    other = Library.open(tmp_path / "other", reviewer="bob", create=True)
    other_controller = LibraryController(other)
    second = TaxonomyEditor(other_controller)
    qtbot.addWidget(second)
    try:
        second.show()
        with qtbot.waitSignal(second.taxonomyChanged):
            second.import_from(path)
        assert "1 added" in second.message.text()
        item = second.item_for("arms.drones")
        assert item is not None
        assert item.parent() is second.item_for("wmd")
        with library.reader() as session:
            mine = export_taxonomy(session)
        with other.reader() as session:
            theirs = export_taxonomy(session)
        assert theirs == mine
    finally:
        second.close()
        other_controller.shutdown()


def test_import_of_a_broken_file_says_so(
    editor: TaxonomyEditor, library: Library, qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    before = codes(library, include_deprecated=True)
    editor.import_from(path)
    qtbot.waitUntil(lambda: editor.last_error is not None)
    assert "broken.json is not a JSON taxonomy file" in editor.message.text()
    assert codes(library, include_deprecated=True) == before
