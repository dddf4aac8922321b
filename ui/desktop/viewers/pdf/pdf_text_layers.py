"""Text layers a PdfView is given instead of the PDF's own: a scanned page's OCR words.

The view's owner reads them through the controller (never on the GUI thread) and hands
them over with set_text_layers. Until they come, an opened document is held back, so a
search hit or a selection asked for at opening already sees the OCR text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QAbstractScrollArea, QWidget
from shiboken6 import isValid

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

    def _init_text_layers(self) -> None:
        self._layers_due = False
        self._layers: list[PageText] = []
        self._held: PdfDocument | None = None

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
