"""Text selection in a PdfView: press and drag, Shift+click, double-click a word, copy."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, SignalInstance
from PySide6.QtGui import QCursor, QGuiApplication, QMouseEvent
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from workstation.sources.pages import PageText, PdfDocument

# Type checkers see the QWidget the mixin ends up in; at run time it adds no base.
if TYPE_CHECKING:
    _Base = QWidget
else:
    _Base = object


class PdfSelectionMixin(_Base):
    """The text selection of a PdfView, one page at a time, in code points of the page text.

    Mixed into PdfView, whose pages and signals it uses; the view's page area hands it
    the mouse.
    """

    if TYPE_CHECKING:  # provided by PdfView
        document: PdfDocument | None
        selectionChanged: SignalInstance
        _area: QAbstractScrollArea
        _mark: tuple[int, int, int] | None
        _on_load: list[Callable[[], None]]

        def viewport_to_page(self, point: QPointF | QPoint) -> tuple[int, float, float] | None: ...
        def page_rect(self, number: int) -> QRectF: ...
        def _scale(self) -> float: ...
        def _request_text(self, number: int) -> None: ...

    def _init_selection(self) -> None:
        self._sel_page = 0
        self._sel_anchor = 0
        self._sel_caret = 0
        self._sel_layout: PageText | None = None
        self._dragging = False

    def selection(self) -> tuple[int, int, int] | None:
        """(page, start, end): code-point offsets into that page's text, or None."""
        if not self._sel_page or self._sel_anchor == self._sel_caret:
            return None
        start, end = sorted((self._sel_anchor, self._sel_caret))
        return self._sel_page, start, end

    def selected_text(self) -> str:
        """The selected text as stored in the library ("" when nothing is selected)."""
        selection = self.selection()
        if selection is None or self._sel_layout is None:
            return ""
        return self._sel_layout.text[selection[1] : selection[2]]

    def set_selection(self, page: int, start: int, end: int) -> None:
        """Select [start, end) of a page's text (offsets as in selection())."""
        if self.document is None:
            self._on_load.append(lambda: self.set_selection(page, start, end))
            return
        layout = self.document.page_text(page)
        start, end = (max(0, min(v, len(layout.text))) for v in (start, end))
        self._select(page, layout, start, end)

    def clear_selection(self) -> None:
        """Select nothing."""
        if self._sel_page:
            self._sel_page = 0
            self._sel_layout = None
            self._sel_anchor = self._sel_caret = 0
            self._area.viewport().update()
            self.selectionChanged.emit()

    def copy(self) -> None:
        """Put the selected text on the clipboard."""
        text = self.selected_text()
        if text:
            QGuiApplication.clipboard().setText(text)

    def _select(self, page: int, layout: PageText, anchor: int, caret: int) -> None:
        before = self.selection()
        self._sel_page, self._sel_layout = page, layout
        self._sel_anchor, self._sel_caret = anchor, caret
        if self.selection() != before:
            self._area.viewport().update()
            self.selectionChanged.emit()

    def _layout_for(self, page: int) -> PageText | None:
        if self.document is None:
            return None
        # Normally warmed by the render job; a click on a page not yet read waits ~10 ms.
        return self.document.cached_page_text(page) or self.document.page_text(page)

    def _mouse_press(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self._mark = None
        hit = self.viewport_to_page(event.position())
        if hit is None:
            self._dragging = False
            self.clear_selection()
            return
        page, x, y = hit
        layout = self._layout_for(page)
        if layout is None:
            return
        caret = layout.caret_at(x, y)
        extend = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        if extend and self._sel_page == page:
            self._select(page, layout, self._sel_anchor, caret)
        else:
            self._select(page, layout, caret, caret)
        self._dragging = True
        self._area.setFocus(Qt.FocusReason.MouseFocusReason)

    def _mouse_move(self, event: QMouseEvent) -> None:
        pos = event.position()
        if not self._dragging:
            over = self.viewport_to_page(pos)
            shape = Qt.CursorShape.IBeamCursor if over else Qt.CursorShape.ArrowCursor
            self._area.viewport().setCursor(QCursor(shape))
            if over is not None:
                self._request_text(over[0])  # a selection is likely to start here
            return
        if not self._sel_page or self._sel_layout is None:
            return
        viewport = self._area.viewport()
        vbar = self._area.verticalScrollBar()
        if pos.y() < 0:
            vbar.setValue(vbar.value() + round(pos.y()))
        elif pos.y() > viewport.height():
            vbar.setValue(vbar.value() + round(pos.y() - viewport.height()))
        rect = self.page_rect(self._sel_page)
        scale = self._scale()
        caret = self._sel_layout.caret_at(
            (pos.x() - rect.x()) / scale, (pos.y() - rect.y()) / scale
        )
        self._select(self._sel_page, self._sel_layout, self._sel_anchor, caret)

    def _mouse_release(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._dragging = False

    def _mouse_double_click(self, event: QMouseEvent) -> None:
        hit = self.viewport_to_page(event.position())
        if hit is None:
            return
        page, x, y = hit
        layout = self._layout_for(page)
        if layout is None:
            return
        word = layout.word_at(x, y)
        if word is not None:
            self._select(page, layout, word[0], word[1])
        self._dragging = False
