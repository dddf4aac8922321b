"""The Findings panel's filters on a real library: status, case and measure combine (a
measure takes in the measures under it), and the panel remembers them in the typed
settings; a remembered case since removed falls back to all cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from tests.ui.desktop.conftest import wait_idle
from ui.desktop.app.controller import LibraryController
from ui.desktop.app.settings import FindingsFilter, Settings
from ui.desktop.findings.findings_panel import FindingsPanel
from workstation.core.library import Library
from workstation.findings.service import FindingService
from workstation.sources.cases import ensure_case

CASE = "DPRK 2025"


@pytest.fixture
def findings(library: Library) -> None:
    """F-0001 missiles and F-0002 nuclear in the case; F-0003 small arms, in no case and
    submitted."""
    service = FindingService(library)
    with library.writer() as session:
        ensure_case(library, session, CASE)
        ensure_case(library, session, "Libya")
        service.create(session, title="Missile parts", category="arms.missiles", case=CASE)
        service.create(session, title="Enrichment", category="wmd.nuclear", case=CASE)
        rifles = service.create(session, title="Rifles", category="arms.small-arms")
        service.submit(session, rifles.uuid)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


def _panel(qtbot: QtBot, controller: LibraryController, settings: Settings) -> FindingsPanel:
    panel = FindingsPanel(controller, settings=settings)
    qtbot.addWidget(panel)
    wait_idle(qtbot, controller)
    return panel


def _titles(qtbot: QtBot, panel: FindingsPanel) -> list[str]:
    wait_idle(qtbot, panel.controller)
    model = panel.model
    return [model.index(row, 1).data() for row in range(model.rowCount())]


def test_status_case_and_measure_combine(
    qtbot: QtBot, controller: LibraryController, settings: Settings, findings: None
) -> None:
    panel = _panel(qtbot, controller, settings)
    assert _titles(qtbot, panel) == ["Missile parts", "Enrichment", "Rifles"]
    assert panel.case_box.findData(CASE) > 0
    assert panel.measure_box.findData("arms") > 0

    panel.choose_case(CASE)
    assert _titles(qtbot, panel) == ["Missile parts", "Enrichment"]
    panel.choose_measure("arms")  # a measure shows the measures under it too
    assert _titles(qtbot, panel) == ["Missile parts"]
    assert panel.count_label.text() == "1 finding (filtered)"
    panel.choose_case(None)
    assert _titles(qtbot, panel) == ["Missile parts", "Rifles"]
    panel.choose_status("in_review")
    assert _titles(qtbot, panel) == ["Rifles"]
    panel.choose_measure("arms.missiles")
    assert _titles(qtbot, panel) == []
    assert panel.count_label.text() == "0 findings (filtered)"


def test_the_filters_are_remembered(
    qtbot: QtBot, controller: LibraryController, settings: Settings, findings: None
) -> None:
    panel = _panel(qtbot, controller, settings)
    panel.choose_status("draft")
    panel.choose_case(CASE)
    panel.choose_measure("wmd")
    assert _titles(qtbot, panel) == ["Enrichment"]
    assert settings.findings_filter == FindingsFilter("draft", CASE, "wmd")

    again = _panel(qtbot, controller, settings)  # as after a restart
    assert again.filter == FindingsFilter("draft", CASE, "wmd")
    assert _titles(qtbot, again) == ["Enrichment"]


def test_a_remembered_case_since_removed_shows_all(
    qtbot: QtBot, controller: LibraryController, settings: Settings, findings: None
) -> None:
    settings.findings_filter = FindingsFilter("", "Gone", "arms")
    panel = _panel(qtbot, controller, settings)
    assert panel.filter == FindingsFilter("", "", "arms")
    assert _titles(qtbot, panel) == ["Missile parts", "Rifles"]
    assert panel.count_label.text() == "2 findings (filtered)"
