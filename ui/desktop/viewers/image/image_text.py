"""An image's OCR text as a text layer over the picture: select words by dragging over
them, copy, find, marked passages, search hits and low-confidence words, all drawn from
the OCR word boxes (image pixels, the image viewer's scene units).

Only what is in view is drawn: the boxes of a passage are worked out once (not on each
paint) and a paint draws those meeting the exposed area; low-confidence words are found
by area (``LowWords``). Dragging on the picture away from the text still pans it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QAction, QBrush, QColor, QGuiApplication, QKeySequence, QPainter
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget
from sqlalchemy.orm import Session

from ui.desktop.viewers.ocr_confidence import low_word_tip, paint_low_words
from ui.desktop.viewers.pdf.page_painting import CURRENT_HIT, HIT, SELECTION
from workstation.annotations.anchors import TextAnchor
from workstation.ocr.viewing import LowWords, low_confidence_words, ocr_page_texts
from workstation.sources.pages import PageText, find_spans

TEXT_Z = 0.5
"""Above the picture (z -1), below marked regions (RegionItem, z 1)."""
LINE_SLACK = 4.0
"""Image pixels around a line of words that still count as "on the text" for a press."""

Span = tuple[QColor | QBrush, int, int]
READABLE = 16.0
"""Logical pixels a search hit's line is zoomed to when it would show smaller."""

if TYPE_CHECKING:
    from ui.desktop.app.controller import LibraryController
    from ui.desktop.viewers.image.image_view import ImageView

    _Base = QWidget
else:
    _Base = object


class ImageTextLayer(QGraphicsItem):
    """The OCR text of an image (page 1 of its text), in the image viewer's scene.

    Args:
        width: The image's width in pixels.
        height: Its height.
    """

    def __init__(self, width: float, height: float) -> None:
        super().__init__()
        self._rect = QRectF(0, 0, width, height)
        self.setZValue(TEXT_Z)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # the view routes the mouse
        self.layout: PageText | None = None
        self.low: LowWords | None = None
        self.low_visible = False
        self._lines: list[tuple[int, int, QRectF]] = []  # each line's text range and box
        self._boxes: dict[tuple[int, int], list[QRectF]] = {}
        self._anchor = self._caret = 0
        self.dragging = False
        self._spans: list[Span] = []
        self.hits: list[tuple[int, int]] = []
        self.hit_index = -1
        self.mark: tuple[int, int] | None = None
        self.painted_words = 0  # low-confidence words drawn by the last paint (for tests)

    # --- the text ----------------------------------------------------------------------

    def set_text(self, layout: PageText | None, low: LowWords | None) -> None:
        """Use this page text (with its word boxes) and these low-confidence words."""
        self.layout = layout if layout is not None and layout.text else None
        self.low = low
        self._boxes.clear()
        self._anchor = self._caret = 0
        self.hits, self.hit_index, self.mark = [], -1, None
        self._lines = []
        if self.layout is not None:
            ranges = self.layout.line_ranges()
            boxes = self.layout.rects(0, len(self.layout.text))
            self._lines = [(a, b, _qrect(box)) for (a, b), box in zip(ranges, boxes, strict=True)]
        self._changed()

    def set_size(self, width: float, height: float) -> None:
        """The image's size (known once its pyramid is open)."""
        self.prepareGeometryChange()
        self._rect = QRectF(0, 0, width, height)

    @property
    def has_text(self) -> bool:
        """Whether the image has OCR text."""
        return self.layout is not None

    def set_low_visible(self, on: bool) -> None:
        """Tint the low-confidence words, or not."""
        self.low_visible = on
        self._changed()

    def set_spans(self, spans: Sequence[Span]) -> None:
        """Marked passages: (brush, start, end) in code points of the text."""
        self._spans = list(spans)
        self._changed()

    def boxes(self, start: int, end: int) -> list[QRectF]:
        """The boxes over [start, end), one per line, worked out once per range: whole
        lines' boxes are kept, only a partly covered line's characters are looked at."""
        layout = self.layout
        if layout is None or end <= start:
            return []
        key = (start, end)
        found = self._boxes.get(key)
        if found is None:
            found = []
            for first, last, box in self._lines:
                if last <= start or first >= end:
                    continue
                if start <= first and last <= end:
                    found.append(box)
                else:
                    found += [_qrect(r) for r in layout.rects(max(start, first), min(end, last))]
            if len(self._boxes) > 256:  # drags make a new range on each move
                self._boxes.clear()
            self._boxes[key] = found
        return found

    def _changed(self, start: int | None = None, end: int | None = None) -> None:
        """Repaint the text layer: only over [start, end) when given (a drag's step)."""
        if start is None or end is None:
            self.update()
            return
        for box in self.boxes(min(start, end), max(start, end)):
            self.update(box.adjusted(-2, -2, 2, 2))

    def union(self, start: int, end: int) -> QRectF:
        """The box around a passage (empty when it has none)."""
        box = QRectF()
        for rect in self.boxes(start, end):
            box = box.united(rect)
        return box

    # --- selection ---------------------------------------------------------------------

    def selection(self) -> tuple[int, int, int] | None:
        """(1, start, end) in code points of the image's text, or None."""
        if self.layout is None or self._anchor == self._caret:
            return None
        start, end = sorted((self._anchor, self._caret))
        return 1, start, end

    def selected_text(self) -> str:
        """The selected text as the library stores it ("" when none)."""
        selection = self.selection()
        if selection is None or self.layout is None:
            return ""
        return self.layout.text[selection[1] : selection[2]]

    def set_selection(self, start: int, end: int) -> None:
        """Select [start, end) of the text."""
        if self.layout is not None:
            size = len(self.layout.text)
            self._anchor, self._caret = max(0, min(start, size)), max(0, min(end, size))
            self._changed()

    def clear_selection(self) -> None:
        """Select nothing."""
        if self._anchor != self._caret:
            self._anchor = self._caret = 0
            self._changed()

    def copy(self) -> bool:
        """Put the selected text on the clipboard; False when nothing is selected."""
        text = self.selected_text()
        if text:
            QGuiApplication.clipboard().setText(text)
        return bool(text)

    def over_text(self, point: QPointF) -> bool:
        """Whether ``point`` (image pixels) is on a line of words: a press there selects."""
        return any(
            line.adjusted(-LINE_SLACK, -LINE_SLACK, LINE_SLACK, LINE_SLACK).contains(point)
            for _first, _last, line in self._lines
        )

    def press(self, point: QPointF, extend: bool) -> bool:
        """A left press at ``point``: start selecting (True) when it is on the text."""
        if self.layout is None or not (self.over_text(point) or (extend and self.selection())):
            if self.layout is not None:
                self.clear_selection()
            return False
        caret = self.layout.caret_at(point.x(), point.y())
        if not extend:
            self._anchor = caret
        self._caret = caret
        self.dragging = True
        self._changed()
        return True

    def drag(self, point: QPointF) -> None:
        """The mouse moved with the button down: the selection follows it."""
        if self.layout is not None and self.dragging:
            caret = self.layout.caret_at(point.x(), point.y())
            if caret != self._caret:
                before, self._caret = self._caret, caret
                self._changed(before, caret)  # only the lines the caret crossed

    def release(self) -> None:
        """The drag ended."""
        self.dragging = False

    def select_word(self, point: QPointF) -> bool:
        """Double-click: select the word under ``point``; False off every word."""
        if self.layout is None:
            return False
        word = self.layout.word_at(point.x(), point.y())
        if word is None:
            return False
        self._anchor, self._caret = word
        self.dragging = False
        self._changed()
        return True

    def tip_at(self, point: QPointF) -> str | None:
        """The tooltip of a low-confidence word under ``point`` while they are shown."""
        if not self.low_visible or self.low is None:
            return None
        word = self.low.at(point.x(), point.y())
        return None if word is None else low_word_tip(word)

    # --- find and hits -----------------------------------------------------------------

    def find(self, query: str) -> int:
        """Every occurrence of ``query`` (case-insensitive, any white space); the first
        becomes current. Returns how many."""
        self.mark = None
        self.hits = [] if self.layout is None else find_spans(self.layout.text, query)
        self.hit_index = 0 if self.hits else -1
        self._changed()
        return len(self.hits)

    def step(self, by: int) -> tuple[int, int] | None:
        """Make the next (+1) or previous (-1) hit current, wrapping round."""
        if not self.hits:
            return None
        self.hit_index = (self.hit_index + by) % len(self.hits)
        self.mark = None
        self._changed()
        return self.hits[self.hit_index]

    def show_quote(self, quote: str) -> tuple[int, int] | None:
        """Highlight the first occurrence of ``quote`` (a search hit); None if absent."""
        spans = [] if self.layout is None else find_spans(self.layout.text, quote)
        self.mark = spans[0] if spans else None
        self._changed()
        return self.mark

    def show_range(self, start: int, end: int) -> None:
        """Highlight [start, end) (an annotation's passage)."""
        self.mark = (start, end)
        self._changed()

    # --- Qt ----------------------------------------------------------------------------

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._rect

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        """Marked passages, find hits, the shown hit and the selection multiplied onto the
        picture like a highlighter, then low-confidence words, where they are exposed."""
        area = option.exposedRect
        self.painted_words = 0
        if self.layout is None or area.isEmpty():
            return
        spans: list[Span] = list(self._spans)
        for index, (start, end) in enumerate(self.hits):
            spans.append((CURRENT_HIT if index == self.hit_index else HIT, start, end))
        if self.mark is not None:
            spans.append((CURRENT_HIT, *self.mark))
        selection = self.selection()
        if selection is not None:
            spans.append((SELECTION, selection[1], selection[2]))
        if spans:
            painter.save()
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
            painter.setPen(Qt.PenStyle.NoPen)
            for brush, start, end in spans:
                painter.setBrush(brush)
                for rect in self.boxes(start, end):
                    if rect.intersects(area):
                        painter.drawRect(rect)
            painter.restore()
        if self.low_visible and self.low is not None:
            self.painted_words = paint_low_words(
                painter,
                self.low,
                (area.left(), area.top(), area.right(), area.bottom()),
                lambda x0, y0, x1, y1: QRectF(x0, y0, x1 - x0, y1 - y0),
            )


def read_image_text(session: Session, source_id: int) -> tuple[PageText | None, LowWords | None]:
    """An image's OCR text layer and its low-confidence words (None, None without)."""
    pages = {layout.number: layout for layout in ocr_page_texts(session, source_id)}
    return pages.get(1), low_confidence_words(session, source_id).get(1)


class ImageTextMixin(_Base):
    """What an image pane does with the image's OCR text: selection (Copy, Mark
    Selection), find, search hits, marked passages, low-confidence words.

    Mixed into ImageSourceView, whose ``view`` (an ImageView) it draws on; the text is
    read through the controller (never on the GUI thread) and arrives later, so a search
    hit asked for at opening waits for it.
    """

    if TYPE_CHECKING:  # provided by ImageSourceView
        view: ImageView

    def _init_image_text(self, controller: LibraryController, source_id: int) -> None:
        self._text_controller, self._text_source = controller, source_id
        self.text_layer = ImageTextLayer(1, 1)
        self.view.set_text_layer(self.text_layer)
        self._text_arrived = False
        self._due: Callable[[], None] | None = None  # a hit to show once text and image are in
        self.view.loaded.connect(self._image_loaded)
        self.copy_action = QAction("Copy", self)
        self.copy_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Copy)])
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.triggered.connect(self.copy)
        self.addAction(self.copy_action)
        self.load_text_layers()

    def load_text_layers(self) -> None:
        """(Re)read the image's OCR text: at opening, and after an OCR run."""
        layer = self.text_layer

        def arrived(found: tuple[PageText | None, LowWords | None]) -> None:
            if self.view.text_layer is layer:  # the pane still shows this image
                layer.set_text(*found)
                self._text_arrived = True
                self._run_due()

        self._text_controller.query(
            lambda session: read_image_text(session, self._text_source),
            arrived,
            on_error=lambda _message: arrived((None, None)),
        )

    def _image_loaded(self) -> None:
        pyramid = self.view.pyramid
        if pyramid is not None:
            self.text_layer.set_size(*pyramid.full_size)
        self._run_due()

    def _when_ready(self, action: Callable[[], None]) -> None:
        """Run ``action`` now, or once both the text and the picture are in."""
        self._due = action
        self._run_due()

    def _run_due(self) -> None:
        if self._due is not None and self._text_arrived and self.view.pyramid is not None:
            action, self._due = self._due, None
            action()

    def _reveal(self, start: int, end: int) -> None:
        """Bring a passage into view, zoomed in enough to read it."""
        box = self.text_layer.union(start, end)
        if box.isEmpty():
            return
        lines = max(1, len(self.text_layer.boxes(start, end)))
        shown = box.height() / lines * self.view.transform().m11()
        if shown < READABLE:
            self.view.set_zoom(self.view.zoom * READABLE / max(shown, 0.1))
        self.view.centerOn(box.center())

    # --- the pane's protocol -------------------------------------------------------------

    def selection(self) -> tuple[int, int, int] | None:
        """The selected passage: (1, start, end) in code points of the image's text."""
        return self.text_layer.selection()

    def selected_text(self) -> str:
        """The selected text."""
        return self.text_layer.selected_text()

    def copy(self) -> None:
        """Edit > Copy (Ctrl+C): the selected text to the clipboard."""
        self.text_layer.copy()

    def set_low_confidence_visible(self, on: bool) -> None:
        """View > Low-Confidence OCR Words."""
        self.text_layer.set_low_visible(on)

    def find_text(self, text: str) -> int:
        """The pane's find bar: every occurrence in the image's text; shows the first."""
        found = self.text_layer.find(text)
        if found:
            self._reveal(*self.text_layer.hits[0])
        return found

    def find_next(self) -> None:
        """The next occurrence (wrapping round)."""
        hit = self.text_layer.step(1)
        if hit is not None:
            self._reveal(*hit)

    def find_previous(self) -> None:
        """The previous occurrence (wrapping round)."""
        hit = self.text_layer.step(-1)
        if hit is not None:
            self._reveal(*hit)

    @property
    def current_match(self) -> int:
        """1-based index of the current occurrence (0: none)."""
        return self.text_layer.hit_index + 1

    @property
    def match_count(self) -> int:
        """How many occurrences the last find found."""
        return len(self.text_layer.hits)

    def show_hit(self, page: int, quote: str) -> None:
        """A search hit: light the quote's words and bring them into view."""

        def show() -> None:
            span = self.text_layer.show_quote(quote)
            if span is not None:
                self._reveal(*span)

        if quote:
            self._when_ready(show)

    def show_text_mark(self, anchor: TextAnchor) -> None:
        """Go to a marked passage and light it."""

        def show() -> None:
            self.text_layer.show_range(anchor.start, anchor.end)
            self._reveal(anchor.start, anchor.end)

        self._when_ready(show)


def _qrect(box: tuple[float, float, float, float]) -> QRectF:
    x0, y0, x1, y1 = box
    return QRectF(x0, y0, x1 - x0, y1 - y0)


__all__ = ["ImageTextLayer", "ImageTextMixin", "read_image_text"]
