"""The category picker driven from the keyboard, on a real library's taxonomy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from pytestqt.qtbot import QtBot

from tests.ui.desktop.conftest import wait_idle
from ui.desktop.annotations.category_picker import CategoryPicker, CategoryPickerPopup
from ui.desktop.app.controller import LibraryController
from workstation.core.library import Library
from workstation.taxonomy.tree import deprecate_category


@pytest.fixture
def controller(library: Library) -> Iterator[LibraryController]:
    ctl = LibraryController(library)
    yield ctl
    ctl.shutdown()


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def picker(qtbot: QtBot, controller: LibraryController, settings: QSettings) -> CategoryPicker:
    widget = CategoryPicker(controller, settings)
    qtbot.addWidget(widget)
    wait_idle(qtbot, controller)
    return widget


def test_type_ahead_by_code_and_by_label(picker: CategoryPicker, qtbot: QtBot) -> None:
    qtbot.keyClicks(picker.box, "sts")
    assert picker.codes() == ["maritime.sts-transfer"]
    picker.clear()
    qtbot.keyClicks(picker.box, "SHIP-TO")
    assert picker.codes() == ["maritime.sts-transfer"]
    picker.clear()
    qtbot.keyClicks(picker.box, "mar")
    assert picker.codes() == [
        "maritime",
        "maritime.sts-transfer",
        "maritime.ais-manipulation",
        "maritime.identity-fraud",
        "maritime.flagging",
        "maritime.designated-vessel",
    ]
    # Words may come in any order and match code and label together.
    picker.clear()
    qtbot.keyClicks(picker.box, "transfers maritime")
    assert picker.codes() == ["maritime.sts-transfer"]
    picker.clear()
    assert len(picker.codes()) > 50


def test_enter_picks_and_arrows_move(picker: CategoryPicker, qtbot: QtBot) -> None:
    qtbot.keyClicks(picker.box, "maritime")
    codes = picker.codes()
    assert codes[:2] == ["maritime", "maritime.sts-transfer"]
    with qtbot.waitSignal(picker.picked) as blocker:
        qtbot.keyClick(picker.box, Qt.Key.Key_Enter)
    assert blocker.args == ["maritime"]
    qtbot.keyClick(picker.box, Qt.Key.Key_Down)
    qtbot.keyClick(picker.box, Qt.Key.Key_Down)
    qtbot.keyClick(picker.box, Qt.Key.Key_Up)
    assert picker.current_code() is not None
    with qtbot.waitSignal(picker.picked) as blocker:
        qtbot.keyClick(picker.box, Qt.Key.Key_Return)
    assert blocker.args == [picker.current_code()]


def test_double_click_picks_and_escape_cancels(picker: CategoryPicker, qtbot: QtBot) -> None:
    qtbot.keyClicks(picker.box, "crypto")
    item = picker.list.item(0)
    assert item is not None
    with qtbot.waitSignal(picker.picked) as blocker:
        picker.list.itemDoubleClicked.emit(item)
    assert blocker.args == ["cyber.crypto-theft"]
    with qtbot.waitSignal(picker.cancelled):
        qtbot.keyClick(picker.box, Qt.Key.Key_Escape)


def test_deprecated_categories_are_not_offered(
    library: Library, controller: LibraryController, settings: QSettings, qtbot: QtBot
) -> None:
    with library.writer() as session:
        deprecate_category(library, session, "maritime")
    widget = CategoryPicker(controller, settings)
    qtbot.addWidget(widget)
    wait_idle(qtbot, controller)
    assert not [c for c in widget.codes() if c.startswith("maritime")]
    qtbot.keyClicks(widget.box, "sts")
    assert widget.codes() == []
    with qtbot.assertNotEmitted(widget.picked):
        qtbot.keyClick(widget.box, Qt.Key.Key_Return)


def test_recently_used_come_first(
    picker: CategoryPicker, controller: LibraryController, settings: QSettings, qtbot: QtBot
) -> None:
    for word in ("coal", "sts", "crypto", "sts"):
        picker.clear()
        qtbot.keyClicks(picker.box, word)
        with qtbot.waitSignal(picker.picked):
            qtbot.keyClick(picker.box, Qt.Key.Key_Return)
    picker.clear()
    assert picker.codes()[:3] == [
        "maritime.sts-transfer",
        "cyber.crypto-theft",
        "sectoral-exports.coal",
    ]
    # Each code is listed once, and the MRU is kept in the settings for the next picker.
    assert picker.codes().count("maritime.sts-transfer") == 1
    again = CategoryPicker(controller, settings)
    qtbot.addWidget(again)
    wait_idle(qtbot, controller)
    assert again.codes()[:3] == picker.codes()[:3]
    # Recently used first among matches too.
    again.clear()
    qtbot.keyClicks(again.box, "mari")
    assert again.codes()[0] == "maritime.sts-transfer"


# The offscreen platform cannot raise a popup or grab the keyboard for it; it says so.
@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")
def test_popup_picks_and_closes(
    controller: LibraryController, settings: QSettings, qtbot: QtBot
) -> None:
    popup = CategoryPickerPopup(controller, settings)
    qtbot.addWidget(popup)
    wait_idle(qtbot, controller)
    popup.open_at(QPoint(100, 100))
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClicks(popup.picker.box, "iron")
    with qtbot.waitSignal(popup.picked) as blocker:
        qtbot.keyClick(popup.picker.box, Qt.Key.Key_Return)
    assert blocker.args == ["sectoral-exports.iron-ore"]
    assert not popup.isVisible()
    popup.open_at(QPoint(100, 100))
    assert popup.picker.box.text() == ""
    with qtbot.waitSignal(popup.cancelled):
        qtbot.keyClick(popup.picker.box, Qt.Key.Key_Escape)
    assert not popup.isVisible()
