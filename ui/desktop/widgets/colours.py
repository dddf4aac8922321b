"""Message colours that stay readable on a light or a dark palette.

A fixed dark red (#b00020) reads well on white and nearly vanishes on a dark
window; these pick the shade by how light the palette's window colour is.
"""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QWidget

_ERROR = ("#b00020", "#ff7b7b")  # on a light window, on a dark one
_WARNING = ("#9a4a00", "#ffb454")


def _dark(widget: QWidget | None) -> bool:
    palette = widget.palette() if widget is not None else QApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def error_colour(widget: QWidget | None = None) -> str:
    """The colour for an error message in ``widget`` (or the application)."""
    return _ERROR[_dark(widget)]


def warning_colour(widget: QWidget | None = None) -> str:
    """The colour for a warning in ``widget`` (or the application)."""
    return _WARNING[_dark(widget)]


def style_as(widget: QWidget, kind: str) -> None:
    """Colour a label's text as an ``error`` or a ``warning``."""
    colour = error_colour(widget) if kind == "error" else warning_colour(widget)
    widget.setStyleSheet(f"color: {colour};")
