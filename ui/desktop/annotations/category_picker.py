"""Pick a violation category from the keyboard: type a few letters, press Enter.

Type-ahead matches code and label; recently used categories come first (a
short list kept in the app's settings); deprecated categories are never offered.

Signals (CategoryPicker and CategoryPickerPopup):
    picked(str): the code of the chosen category.
    cancelled(): the reviewer pressed Esc (or clicked away from the popup).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSettings,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QHideEvent, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ui.desktop.app.controller import LibraryController
from ui.desktop.app.settings import Settings
from workstation.taxonomy.tree import CategoryNode, list_categories

CODE_ROLE = Qt.ItemDataRole.UserRole + 20
COLOUR_ROLE = Qt.ItemDataRole.UserRole + 21
DEPTH_ROLE = Qt.ItemDataRole.UserRole + 22
HEADER_ROLE = Qt.ItemDataRole.UserRole + 23

INDENT_PX = 16
PICKER_SIZE = QSize(500, 380)  # room for a label and its code side by side
SWATCH_PX = 10
NO_COLOUR = "#9e9e9e"

Index = QModelIndex | QPersistentModelIndex


def matches(node: CategoryNode, words: Sequence[str]) -> bool:
    """Whether every typed word is in the category's code or label (any case)."""
    haystack = f"{node.code} {node.label}".casefold()
    return all(word in haystack for word in words)


class CategoryDelegate(QStyledItemDelegate):
    """Draws a row: indentation by depth, colour swatch, label, and the code in grey."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        self.initStyleOption(option, index)
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        label = option.text
        option.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        rect = option.rect.adjusted(6, 0, -6, 0)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_colour = option.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        painter.save()
        if index.data(HEADER_ROLE):
            font = QFont(option.font)
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 0.9)
            painter.setFont(font)
            painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label
            )
            painter.restore()
            return
        left = rect.left() + INDENT_PX * int(index.data(DEPTH_ROLE) or 0)
        swatch = QRect(left, rect.center().y() - SWATCH_PX // 2 + 1, SWATCH_PX, SWATCH_PX)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # On a selected row a light rim keeps a blue swatch apart from the highlight.
        painter.setPen(QColor(255, 255, 255, 220) if selected else QColor(0, 0, 0, 60))
        painter.setBrush(QColor(index.data(COLOUR_ROLE) or NO_COLOUR))
        painter.drawRoundedRect(swatch, 2, 2)
        code = str(index.data(CODE_ROLE) or "")
        metrics = option.fontMetrics
        code_width = min(metrics.horizontalAdvance(code) + 4, rect.width() * 2 // 5)
        code_rect = QRect(rect.right() - code_width, rect.top(), code_width, rect.height())
        text_rect = QRect(swatch.right() + 6, rect.top(), 0, rect.height())
        text_rect.setRight(code_rect.left() - 8)
        painter.setPen(text_colour)
        align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        painter.drawText(
            text_rect,
            align,
            metrics.elidedText(label, Qt.TextElideMode.ElideRight, text_rect.width()),
        )
        grey = QColor(text_colour)
        grey.setAlphaF(0.55)
        painter.setPen(grey)
        painter.drawText(
            code_rect,
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
            metrics.elidedText(code, Qt.TextElideMode.ElideLeft, code_rect.width()),
        )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        return QSize(240, option.fontMetrics.height() + 8)


class CategoryPicker(QWidget):
    """A type-ahead box over the taxonomy with the matches listed below.

    Signals:
        picked(str): the code of the chosen category (Enter or double-click).
        cancelled(): Esc was pressed.
    """

    picked = Signal(str)
    cancelled = Signal()

    def __init__(
        self,
        controller: LibraryController,
        settings: Settings | QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.settings = Settings.of(settings)
        self._nodes: list[CategoryNode] = []
        self.box = QLineEdit()
        self.box.setPlaceholderText("Category: type a code or a name")
        self.box.setClearButtonEnabled(True)
        self.box.installEventFilter(self)
        self.list = QListWidget()
        self.list.setItemDelegate(CategoryDelegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.itemDoubleClicked.connect(self._item_picked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.box)
        layout.addWidget(self.list, 1)
        self.setFocusProxy(self.box)
        self.box.textChanged.connect(self._refilter)
        self.reload()

    # --- data -----------------------------------------------------------------

    def reload(self) -> None:
        """Read the taxonomy again (after it was edited), on the read pool."""
        self.controller.query(list_categories, self._loaded)

    def _loaded(self, nodes: list[CategoryNode]) -> None:
        if isValid(self.list):  # not closed and deleted while the taxonomy was read
            self.set_categories(nodes)

    def set_categories(self, nodes: Sequence[CategoryNode]) -> None:
        """Offer these categories (deprecated ones are dropped)."""
        self._nodes = [n for n in nodes if not n.deprecated]
        self._refilter()

    def recent(self) -> list[str]:
        """Recently picked codes, most recent first."""
        return self.settings.recent_categories

    def remember(self, code: str) -> None:
        """Put ``code`` at the front of the recently used list."""
        self.settings.remember_category(code)

    def codes(self) -> list[str]:
        """The codes offered now, top to bottom."""
        return [
            str(item.data(CODE_ROLE))
            for item in (self.list.item(row) for row in range(self.list.count()))
            if item is not None and not item.data(HEADER_ROLE)
        ]

    def current_code(self) -> str | None:
        """The code of the highlighted row, if any."""
        item = self.list.currentItem()
        if item is None or item.data(HEADER_ROLE):
            return None
        return str(item.data(CODE_ROLE))

    def clear(self) -> None:
        """Empty the box and show everything again."""
        self.box.clear()
        self._refilter()

    # --- list -----------------------------------------------------------------

    def _refilter(self) -> None:
        words = self.box.text().casefold().split()
        shown = [n for n in self._nodes if matches(n, words)]
        by_code = {n.code: n for n in shown}
        recent = [by_code[c] for c in self.recent() if c in by_code]
        self.list.clear()
        if recent:
            self._add_header("Recently used")
            for node in recent:
                self._add_node(node, depth=0)
            if len(recent) < len(shown):
                self._add_header("All categories")
        recent_codes = {n.code for n in recent}
        for node in shown:
            if node.code not in recent_codes:
                # Indent only in the full tree; a filtered hit shows its code for context.
                self._add_node(node, depth=node.depth if not words else 0)
        self._move_to(self._next_pickable(-1, 1))

    def _add_header(self, text: str) -> None:
        item = QListWidgetItem(text)
        item.setData(HEADER_ROLE, True)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.list.addItem(item)

    def _add_node(self, node: CategoryNode, depth: int) -> None:
        item = QListWidgetItem(node.label)
        item.setData(CODE_ROLE, node.code)
        item.setData(COLOUR_ROLE, node.display_colour)
        item.setData(DEPTH_ROLE, depth)
        tip = f"{node.code}\n{node.scope_note}" if node.scope_note else node.code
        item.setToolTip(tip)
        self.list.addItem(item)

    def _next_pickable(self, row: int, step: int) -> int:
        """The nearest pickable row from ``row`` in direction ``step`` (or ``row`` itself)."""
        probe = row + step
        while 0 <= probe < self.list.count():
            item = self.list.item(probe)
            if item is not None and not item.data(HEADER_ROLE):
                return probe
            probe += step
        return row

    def _move_to(self, row: int) -> None:
        if 0 <= row < self.list.count():
            self.list.setCurrentRow(row)
            current = self.list.item(row)
            if current is not None:
                self.list.scrollToItem(current)
        else:
            self.list.setCurrentRow(-1)

    def _move(self, step: int) -> None:
        row = self.list.currentRow()
        target = row
        for _ in range(abs(step)):
            target = self._next_pickable(target, 1 if step > 0 else -1)
        if target != row:
            self._move_to(target)

    def _item_picked(self, item: QListWidgetItem) -> None:
        if not item.data(HEADER_ROLE):
            self._pick(str(item.data(CODE_ROLE)))

    def _pick(self, code: str) -> None:
        self.remember(code)
        self.picked.emit(code)

    def pick_current(self) -> bool:
        """Pick the highlighted row; False when nothing is highlighted."""
        code = self.current_code()
        if code is None:
            return False
        self._pick(code)
        return True

    # --- keys -----------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.box and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = Qt.Key(event.key())
            page = max(1, self.list.viewport().height() // max(1, self.list.sizeHintForRow(0)) - 1)
            steps = {
                Qt.Key.Key_Down: 1,
                Qt.Key.Key_Up: -1,
                Qt.Key.Key_PageDown: page,
                Qt.Key.Key_PageUp: -page,
            }
            if key in steps:
                self._move(steps[key])
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.pick_current()
                return True
            if key == Qt.Key.Key_Escape:
                self.cancelled.emit()
                return True
        return super().eventFilter(watched, event)


class CategoryPickerPopup(QFrame):
    """A CategoryPicker in a popup window that closes when a category is picked.

    Signals:
        picked(str): the code of the chosen category.
        cancelled(): Esc, or a click outside closed the popup.
    """

    picked = Signal(str)
    cancelled = Signal()

    def __init__(
        self,
        controller: LibraryController,
        settings: Settings | QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.picker = CategoryPicker(controller, settings, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.picker)
        self.resize(PICKER_SIZE)
        self._done = False
        self.picker.picked.connect(self._on_picked)
        self.picker.cancelled.connect(self.close)

    def open_at(self, global_pos: QPoint) -> None:
        """Show the popup with its top-left corner at ``global_pos``, moved (and if
        need be shrunk) so that all of it is on the screen's available area."""
        self._done = False
        self.picker.clear()
        screen = QApplication.screenAt(global_pos) or QApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            self.resize(
                min(PICKER_SIZE.width(), area.width()), min(PICKER_SIZE.height(), area.height())
            )
            global_pos = QPoint(
                min(max(global_pos.x(), area.left()), area.right() + 1 - self.width()),
                min(max(global_pos.y(), area.top()), area.bottom() + 1 - self.height()),
            )
        self.move(global_pos)
        self.show()
        if screen is not None:  # a window frame, if any, is known once shown
            frame = self.frameGeometry()
            dx = min(0, area.right() - frame.right()) or max(0, area.left() - frame.left())
            dy = min(0, area.bottom() - frame.bottom()) or max(0, area.top() - frame.top())
            if dx or dy:
                self.move(self.pos() + QPoint(dx, dy))
        self.picker.setFocus()

    def choose(self, code: str) -> None:
        """Pick ``code`` as if the reviewer had chosen it (scripts, tests)."""
        self._on_picked(code)

    def _on_picked(self, code: str) -> None:
        self._done = True
        self.close()
        self.picked.emit(code)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        super().hideEvent(event)
        if not self._done:
            self._done = True
            self.cancelled.emit()
