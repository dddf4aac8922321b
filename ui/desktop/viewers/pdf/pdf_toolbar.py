"""The bar above a PdfView: page number, zoom out, zoom, zoom in, find.

In a narrow pane what does not fit goes behind the toolbar's » button. Qt fills
that menu with the hidden *actions*, and our controls are widgets (a spin box, a
combo box, tool buttons), which a menu cannot show: it opened empty. The menu is
filled here instead, with an equivalent of each hidden control.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QInputDialog,
    QLabel,
    QMenu,
    QSizePolicy,
    QSpinBox,
    QToolBar,
    QToolButton,
    QWidget,
)

from ui.desktop.viewers.pdf.page_layout import ZoomMode

if TYPE_CHECKING:
    from ui.desktop.viewers.pdf.pdf_view import PdfView


def _spacer(parent: QWidget) -> QWidget:
    """A stretch between toolbar groups."""
    space = QWidget(parent)
    space.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return space


def tool_button(parent: QWidget, text: str) -> QToolButton:
    """A flat button with a text label, for the toolbar and the find bar."""
    button = QToolButton(parent)
    button.setText(text)
    button.setAutoRaise(True)
    return button


def _click(button: QToolButton, _checked: bool = False) -> None:
    button.click()


class PdfToolbar(QToolBar):
    """Page number box and zoom controls above the pages.

    A QToolBar so that in a narrow pane what does not fit goes behind the »
    button instead of forcing the pane (and the window's docks) wider.
    """

    def __init__(self, view: PdfView) -> None:
        super().__init__(view)
        self._view = view
        self.setMovable(False)
        self.setFloatable(False)
        self.setContentsMargins(4, 0, 4, 0)
        self.page_box = QSpinBox(self)
        self.page_box.setRange(1, 1)
        self.page_box.setKeyboardTracking(False)
        self.page_box.setAccessibleName("Page number")
        self.page_box.valueChanged.connect(self._page_entered)
        self.count_label = QLabel("of –", self)
        self.zoom_out_button = tool_button(self, "−")
        self.zoom_out_button.setToolTip("Zoom out (Ctrl+-)")
        self.zoom_out_button.clicked.connect(view.zoom_out)
        self.zoom_box = QComboBox(self)
        self.zoom_box.setEditable(True)
        self.zoom_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zoom_box.addItem("Fit width", ZoomMode.FIT_WIDTH)
        self.zoom_box.addItem("Fit page", ZoomMode.FIT_PAGE)
        for step in (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0):
            self.zoom_box.addItem(f"{round(step * 100)}%", step)
        self.zoom_box.setMinimumContentsLength(8)
        self.zoom_box.activated.connect(self._zoom_chosen)
        line_edit = self.zoom_box.lineEdit()
        assert line_edit is not None
        line_edit.returnPressed.connect(self._zoom_typed)
        self.zoom_in_button = tool_button(self, "+")
        self.zoom_in_button.setToolTip("Zoom in (Ctrl+=)")
        self.zoom_in_button.clicked.connect(view.zoom_in)
        self.find_button = tool_button(self, "Find")
        self.find_button.setToolTip("Find in document (Ctrl+F)")
        self.find_button.clicked.connect(view.show_find_bar)
        self.addWidget(self.page_box)
        self.addWidget(self.count_label)
        self.addWidget(_spacer(self))
        self.addWidget(self.zoom_out_button)
        self.addWidget(self.zoom_box)
        self.addWidget(self.zoom_in_button)
        self.addWidget(_spacer(self))
        self.addWidget(self.find_button)
        self._hooked: QMenu | None = None

    # --- the » menu ------------------------------------------------------------------

    def overflow_button(self) -> QToolButton | None:
        """Qt's » button (shown only when something does not fit)."""
        return self.findChild(QToolButton, "qt_toolbar_ext_button")

    def hidden_widgets(self) -> list[QWidget]:
        """The controls that did not fit, in toolbar order."""
        shown = []
        for action in self.actions():
            widget = self.widgetForAction(action)
            if widget is not None and widget.isHidden() and action.isVisible():
                shown.append(widget)
        return shown

    def fill_overflow(self, menu: QMenu) -> None:
        """Put an equivalent of each hidden control in ``menu`` (the » menu)."""
        menu.clear()
        for widget in self.hidden_widgets():
            if widget is self.page_box:
                menu.addAction("Go to Page…", self._ask_page)
            elif widget is self.zoom_box:
                zoom = menu.addMenu("Zoom")
                for index in range(self.zoom_box.count()):
                    zoom.addAction(self.zoom_box.itemText(index), partial(self._zoom_chosen, index))
            elif isinstance(widget, QToolButton):
                text = widget.accessibleName() or widget.text() or widget.toolTip()
                action = menu.addAction(widget.icon(), text.replace("&", "&&"))
                action.setToolTip(widget.toolTip())
                action.setCheckable(widget.isCheckable())
                action.setChecked(widget.isChecked())
                action.triggered.connect(partial(_click, widget))

    def _hook_overflow(self) -> None:
        button = self.overflow_button()
        menu = button.menu() if button is not None else None
        if menu is not None and menu is not self._hooked:
            menu.aboutToShow.connect(partial(self.fill_overflow, menu))
            self._hooked = menu

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._hook_overflow()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._hook_overflow()

    def _ask_page(self) -> None:
        number, ok = QInputDialog.getInt(
            self,
            "Go to page",
            "Page:",
            self.page_box.value(),
            1,
            self.page_box.maximum(),
        )
        if ok:
            self._view.go_to_page(number)

    def set_page_count(self, count: int) -> None:
        self.page_box.blockSignals(True)
        self.page_box.setRange(1, max(count, 1))
        self.page_box.blockSignals(False)
        self.count_label.setText(f"of {count}")

    def show_page(self, number: int) -> None:
        self.page_box.blockSignals(True)
        self.page_box.setValue(number)
        self.page_box.blockSignals(False)

    def show_zoom(self, zoom: float, mode: ZoomMode) -> None:
        if mode is ZoomMode.FIT_WIDTH:
            text = "Fit width"
        elif mode is ZoomMode.FIT_PAGE:
            text = "Fit page"
        else:
            text = f"{round(zoom * 100)}%"
        self.zoom_box.setEditText(text)
        self.zoom_box.setToolTip(f"Zoom: {round(zoom * 100)}%")

    def _page_entered(self, number: int) -> None:
        self._view.go_to_page(number)

    def _zoom_chosen(self, index: int) -> None:
        choice = self.zoom_box.itemData(index)
        if isinstance(choice, ZoomMode):
            self._view.set_zoom_mode(choice)
        elif isinstance(choice, float):
            self._view.set_zoom(choice)

    def _zoom_typed(self) -> None:
        text = self.zoom_box.currentText().strip().rstrip("%").strip()
        try:
            self._view.set_zoom(float(text) / 100)
        except ValueError:
            self.show_zoom(self._view.zoom, self._view.zoom_mode)
