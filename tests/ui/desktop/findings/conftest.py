"""Shared set-up of the findings UI tests: a graded text source with one mark by alice,
a finding resting on it (submitted), a controller, and a main window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db.models import Source
from tests import samples
from tests.ui.desktop.conftest import wait_idle
from ui.desktop.app.controller import LibraryController
from ui.desktop.app.main_window import MainWindow
from workstation.annotations.service import AnnotationService, find_quote
from workstation.core.library import Library
from workstation.findings.service import FindingService
from workstation.sources.ingest import ImportService
from workstation.sources.lookup import update_source

TEXT = "The tanker Amber Tide met the Sea Lark off Nampo on 17 May 2025 for nine hours."


@pytest.fixture
def mark(library: Library, tmp_path: Path) -> str:
    """One graded text source with one passage marked by alice."""
    samples.make_text(tmp_path / "in", text=TEXT, name="sighting.txt")
    ImportService(library).import_paths([tmp_path / "in"])
    with library.writer() as session:
        source = session.scalars(select(Source)).one()
        update_source(library, session, source.id, grade="C3")
        anchor = find_quote(session, source, "Amber Tide met the Sea Lark")
        return AnnotationService(library).create(session, source.id, anchor).uuid


@pytest.fixture
def finding(library: Library, mark: str) -> str:
    """F-0001 by alice, resting on the mark, submitted for review."""
    service = FindingService(library)
    with library.writer() as session:
        uuid = service.create(session, title="Night transfer off Nampo").uuid
        service.add_evidence(session, uuid, [mark])
        service.submit(session, uuid)
    return uuid


@pytest.fixture
def controller(library: Library) -> Iterator[LibraryController]:
    ctl = LibraryController(library)
    yield ctl
    ctl.shutdown()


@pytest.fixture
def window(qtbot: QtBot, library: Library, tmp_path: Path) -> Iterator[MainWindow]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    controller = LibraryController(library)
    win = MainWindow(controller, settings=settings)
    qtbot.addWidget(win)
    wait_idle(qtbot, controller)
    yield win
    win.close()
    controller.shutdown()
