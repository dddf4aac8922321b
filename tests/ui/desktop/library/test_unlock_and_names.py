"""The inspector's Unlock… for a password-protected PDF, and hidden characters in names
shown escaped in the library list (issue 12)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests import samples
from tests.ui.desktop.conftest import wait_idle
from ui.desktop.app.controller import LibraryController
from ui.desktop.library.inspector import Inspector
from ui.desktop.library.library_panel import LibraryPanel
from workstation.core.library import Library
from workstation.search.service import SearchService
from workstation.sources.ingest import ImportService


@pytest.fixture
def controller(library: Library) -> Iterator[LibraryController]:
    ctl = LibraryController(library)
    yield ctl
    ctl.shutdown()


def _locked_pdf(library: Library, tmp_path: Path) -> int:
    pdf = samples.make_encrypted_pdf(tmp_path, user_password="s3cret")
    [result] = ImportService(library).import_paths([pdf]).results
    assert result.flags == ["locked"]
    assert result.source_id is not None
    return result.source_id


def _inspector(qtbot: QtBot, controller: LibraryController, source_id: int) -> Inspector:
    inspector = Inspector(controller)
    qtbot.addWidget(inspector)
    inspector.show()
    inspector.show_source(source_id)
    wait_idle(qtbot, controller)
    return inspector


def _answer(inspector: Inspector, password: str) -> None:
    dialog = inspector.password_dialog
    assert dialog is not None
    assert dialog.isVisible()
    dialog.setTextValue(password)
    dialog.accept()


def test_unlock_button_reads_the_pdf_and_makes_it_searchable(
    qtbot: QtBot, controller: LibraryController, library: Library, tmp_path: Path
) -> None:
    source_id = _locked_pdf(library, tmp_path)
    inspector = _inspector(qtbot, controller, source_id)
    assert inspector.unlock_button.isVisibleTo(inspector)
    assert "password-protected" in inspector.flags_label.text()

    qtbot.mouseClick(inspector.unlock_button, Qt.MouseButton.LeftButton)
    _answer(inspector, "s3cret")
    qtbot.waitUntil(lambda: inspector.message.text().startswith("Unlocked"), timeout=20_000)
    wait_idle(qtbot, controller)

    assert not inspector.unlock_button.isVisibleTo(inspector)
    assert "password-protected" not in inspector.flags_label.text()
    with library.reader() as session:
        found = SearchService(session, library.search_index).search("Confidential")
    assert [hit.source_id for hit in found.hits] == [source_id]


def test_a_wrong_password_says_so_and_changes_nothing(
    qtbot: QtBot, controller: LibraryController, library: Library, tmp_path: Path
) -> None:
    source_id = _locked_pdf(library, tmp_path)
    inspector = _inspector(qtbot, controller, source_id)
    events_before = _events(library)

    inspector.ask_password()
    _answer(inspector, "guess")
    qtbot.waitUntil(lambda: "wrong password" in inspector.message.text(), timeout=20_000)
    wait_idle(qtbot, controller)

    assert inspector.unlock_button.isVisibleTo(inspector)
    assert _events(library) == events_before
    assert "guess" not in inspector.message.text()


def _events(library: Library) -> int:
    from sqlalchemy import func, select

    from db.models import AuditEvent

    with library.reader() as session:
        return int(session.scalar(select(func.count(AuditEvent.seq))) or 0)


def test_library_list_shows_hidden_characters_in_names_escaped(
    qtbot: QtBot, controller: LibraryController, library: Library, tmp_path: Path
) -> None:
    folder = tmp_path / "names"
    folder.mkdir()
    # PDFs without a title: the list shows their file names.
    names = [b"caf\xe9.pdf", b"line\nbreak.pdf", b"report\xe2\x80\xaefdp.exe.pdf"]
    for n, raw in enumerate(names):
        pdf = samples.make_pdf(tmp_path / f"made{n}", texts=[f"Page of file {n}."], title=None)
        os.rename(pdf, os.path.join(os.fsencode(folder), raw))
    report = ImportService(library).import_paths([folder])
    assert [r.status for r in report.results] == ["imported"] * 3

    panel = LibraryPanel(controller)
    qtbot.addWidget(panel)
    panel.show()
    wait_idle(qtbot, controller)
    model = panel.table.model()
    qtbot.waitUntil(lambda: model.rowCount() == 3)

    def shown() -> list[str]:  # rows arrive in blocks, read on the pool: None until then
        return sorted(
            str(model.data(model.index(row, 0), Qt.ItemDataRole.DisplayRole))
            for row in range(model.rowCount())
        )

    qtbot.waitUntil(lambda: "None" not in shown())
    assert shown() == ["caf\\xe9.pdf", "line\\nbreak.pdf", "report\\u202efdp.exe.pdf"]
