"""Small widgets the entity dialogs and the Entities window share: a message line,
search-result lists, buttons that never take Enter, flat trees."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
)

from ui.desktop.entities.entity_rows import EntityRow
from ui.desktop.widgets.colours import error_colour

ENTITY_ROLE = Qt.ItemDataRole.UserRole + 40

MAX_FOUND = 200  # search results shown at once; typing narrows them
SEARCH_DELAY_MS = 200


def error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def show_message(label: QLabel, text: str, *, error: bool) -> None:
    colour = error_colour(label) if error else label.palette().color(QPalette.ColorRole.Text).name()
    label.setStyleSheet(f"color: {colour};")
    label.setText(f"Not done: {text}" if error and text else text)


def _entity_item(row: EntityRow) -> QListWidgetItem:
    item = QListWidgetItem(row.describe())
    item.setData(ENTITY_ROLE, row)
    tip = [row.describe()]
    if row.aliases:
        tip.append("Also: " + ", ".join(row.aliases))
    item.setToolTip("\n".join(tip))
    return item


def fill_found(view: QListWidget, rows: list[EntityRow], keep: str | None) -> None:
    """Show search results (the first ``MAX_FOUND``), keeping the row ``keep`` chosen."""
    with QSignalBlocker(view):
        view.clear()
        for row in rows[:MAX_FOUND]:
            item = _entity_item(row)
            view.addItem(item)
            if row.uuid == keep:
                view.setCurrentItem(item)
        if len(rows) > MAX_FOUND:
            more = QListWidgetItem(f"… {len(rows) - MAX_FOUND:,} more; type to narrow")
            more.setFlags(Qt.ItemFlag.NoItemFlags)
            view.addItem(more)


def heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def push_button(text: str, tip: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    # Never the dialog's default: Enter in a search field must not press Unlink or Link.
    button.setAutoDefault(False)
    button.setDefault(False)
    button.clicked.connect(lambda _checked=False: slot())
    return button


def typing_pause(edit: QLineEdit, slot: Callable[[], None]) -> QTimer:
    """A timer that runs ``slot`` once typing in ``edit`` pauses (one query, not one a key)."""
    timer = QTimer(edit)
    timer.setSingleShot(True)
    timer.setInterval(SEARCH_DELAY_MS)
    timer.timeout.connect(slot)
    edit.textChanged.connect(lambda _text: timer.start())
    return timer


def row_labels(view: QListWidget) -> list[str]:
    return [view.item(i).text() for i in range(view.count())]


def choose_row(view: QListWidget, text: str) -> bool:
    """Select the first row whose text contains ``text``; False when none does."""
    for i in range(view.count()):
        if text in view.item(i).text():
            view.setCurrentRow(i)
            return True
    return False


def flat_tree(headers: list[str], *, stretch: int) -> QTreeWidget:
    """A list with columns: the ``stretch`` column takes the room, the others fit."""
    tree = QTreeWidget()
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    header = tree.header()
    header.setStretchLastSection(False)
    for column in range(len(headers)):
        mode = QHeaderView.ResizeMode.Stretch
        if column != stretch:
            mode = QHeaderView.ResizeMode.ResizeToContents
        header.setSectionResizeMode(column, mode)
    return tree


def tree_items(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    items = (tree.topLevelItem(i) for i in range(tree.topLevelItemCount()))
    return [item for item in items if item is not None]
