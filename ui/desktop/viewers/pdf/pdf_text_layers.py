"""Text layers a PdfView is given instead of the PDF's own: a scanned page's OCR words,
and those read with low confidence (tinted when View > Low-Confidence OCR Words is on).

The view's owner reads them through the controller (never on the GUI thread) and hands
them over with set_text_layers. Until they come, an opened document is held back, so a
search hit or a selection asked for at opening already sees the OCR text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QAbstractScrollArea, QWidget
from shiboken6 import isValid

from ui.desktop.viewers.ocr_confidence import low_word_tip, paint_low_words
from workstation.ocr.viewing import LowWords
from workstation.sources.pages import PageText, PdfDocument

# Type checkers see the QWidget the mixin ends up in; at run time it adds no base.
if TYPE_CHECKING:
    _Base = QWidget
else:
    _Base = object


class PdfTextLayerMixin(_Base):
    """Pages whose text (and character boxes) come from elsewhere, mixed into PdfView."""

    if TYPE_CHECKING:  # provided by PdfView
        document: PdfDocument | None
        _area: QAbstractScrollArea

        def _on_opened(self, document: object) -> None: ...
        def viewport_to_page(self, point: QPointF) -> tuple[int, float, float] | None: ...

    def _init_text_layers(self) -> None:
        self._layers_due = False
        self._layers: list[PageText] = []
        self._held: PdfDocument | None = None
        self._low: dict[int, LowWords] = {}
        self._low_visible = False

    def hold_until_text_layers(self) -> None:
        """Show nothing until set_text_layers is called (call it right after creating)."""
        self._layers_due = True

    def set_text_layers(self, layers: Iterable[PageText]) -> None:
        """Use these page texts (with their boxes) for selection, find and highlights."""
        if not isValid(self):  # the pane closed while they were read
            return
        self._layers_due = False
        self._layers = list(layers)
        held, self._held = self._held, None
        if held is not None:
            self._on_opened(held)
        elif self.document is not None:
            self.document.set_text_layers(self._layers)
            self._area.viewport().update()

    def _hold_back(self, document: PdfDocument) -> bool:
        """In _on_opened: keep the document aside while its text layers are due."""
        if self._layers_due:
            self._held = document
            return True
        document.set_text_layers(self._layers)
        return False

    def _drop_held(self) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None

    # --- low-confidence words ------------------------------------------------------------

    def set_low_confidence_words(self, words: dict[int, LowWords]) -> None:
        """The OCR words read with low confidence, per page (PDF points)."""
        if isValid(self):
            self._low = dict(words)
            self._area.viewport().update()

    def set_low_confidence_visible(self, on: bool) -> None:
        """Tint the low-confidence words (View > Low-Confidence OCR Words), or not."""
        self._low_visible = on
        self._area.viewport().update()

    @property
    def low_confidence_visible(self) -> bool:
        """Whether low-confidence words are tinted."""
        return self._low_visible

    def _paint_low_words(
        self, painter: QPainter, number: int, rect: QRectF, scale: float, dirty: QRectF
    ) -> int:
        """Tint a page's low-confidence words in the dirty area; how many were drawn."""
        words = self._low.get(number) if self._low_visible else None
        if not words:
            return 0
        area = (
            (dirty.left() - rect.x()) / scale,
            (dirty.top() - rect.y()) / scale,
            (dirty.right() - rect.x()) / scale,
            (dirty.bottom() - rect.y()) / scale,
        )
        return paint_low_words(
            painter,
            words,
            area,
            lambda x0, y0, x1, y1: QRectF(
                rect.x() + x0 * scale, rect.y() + y0 * scale, (x1 - x0) * scale, (y1 - y0) * scale
            ),
        )

    def low_word_tip_at(self, point: QPointF) -> str | None:
        """The tooltip of the low-confidence word under a viewport point, while shown."""
        if not self._low_visible:
            return None
        hit = self.viewport_to_page(point)
        words = self._low.get(hit[0]) if hit is not None else None
        if hit is None or words is None:
            return None
        word = words.at(hit[1], hit[2])
        return None if word is None else low_word_tip(word)
