"""Confirm in the finding editor signs when the reviewer has a key: bob, a second
reviewer with a key of his own, is asked which key and its passphrase; a wrong
passphrase is said in the dialog and confirms nothing; the right one confirms (with the
policy's override reason asked as before) and the finding shows "signature valid" in
its heading and history, as the database says. Without signing is a choice too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from tests.ui.desktop.conftest import wait_idle
from ui.desktop.app.controller import LibraryController
from ui.desktop.findings.finding_editor import FindingEditor
from workstation.core.library import Library
from workstation.findings.service import FindingService
from workstation.keys.keyring import KeyService

PASSPHRASE = "correct horse battery"


@pytest.fixture
def bob(library: Library) -> Iterator[LibraryController]:
    bob_library = Library.open(library.root, reviewer="bob")
    with bob_library.writer() as session:
        KeyService(bob_library).generate(session, "Bob (Panel)", PASSPHRASE.encode())
    controller = LibraryController(bob_library)
    yield controller
    controller.shutdown()


def _editor(qtbot: QtBot, bob: LibraryController, finding: str) -> FindingEditor:
    editor = FindingEditor(bob, finding)
    qtbot.addWidget(editor)
    editor.ask = lambda _parent, _title, _label: "satellite imagery is conclusive"
    wait_idle(qtbot, bob)
    editor.confirm_button.click()
    wait_idle(qtbot, bob)
    assert editor.sign_dialog is not None
    assert editor.sign_dialog.isVisible()
    return editor


def _shown(library: Library, finding: str) -> tuple[str, bool, str | None]:
    with library.reader() as session:
        info = FindingService(library).show(session, finding)
    return info.status, info.signed, info.signature


def test_bob_signs_his_confirmation(
    qtbot: QtBot, library: Library, finding: str, bob: LibraryController
) -> None:
    editor = _editor(qtbot, bob, finding)
    dialog = editor.sign_dialog
    assert dialog is not None
    dialog.passphrase.setText("not the passphrase")
    dialog.sign_button.click()
    wait_idle(qtbot, bob)
    assert dialog.isVisible()
    assert "passphrase" in dialog.error.text()
    assert _shown(library, finding) == ("in_review", False, None)

    dialog.passphrase.setText(PASSPHRASE)
    dialog.sign_button.click()
    wait_idle(qtbot, bob)
    wait_idle(qtbot, bob)
    assert not dialog.isVisible()
    assert _shown(library, finding) == ("confirmed", True, "signature valid")
    assert editor.heading.text().endswith("· confirmed by bob, signature valid")
    lines = [editor.history.item(i).text() for i in range(editor.history.count())]
    assert any(
        "bob · confirm: satellite imagery is conclusive" in line
        and line.endswith("· signature valid")
        for line in lines
    )


def test_bob_may_confirm_without_signing(
    qtbot: QtBot, library: Library, finding: str, bob: LibraryController
) -> None:
    editor = _editor(qtbot, bob, finding)
    assert editor.sign_dialog is not None
    editor.sign_dialog.unsigned_button.click()
    wait_idle(qtbot, bob)
    wait_idle(qtbot, bob)
    assert _shown(library, finding) == ("confirmed", False, None)
    assert "signature" not in editor.heading.text()
