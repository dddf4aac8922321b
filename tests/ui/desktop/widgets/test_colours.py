"""Message colours follow the palette: readable on a light and on a dark window."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from ui.desktop.widgets.colours import error_colour, style_as, warning_colour


def _contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours."""

    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())
        )

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_error_and_warning_colours_stay_readable_on_light_and_dark(qtbot: QtBot) -> None:
    for window in ("#ffffff", "#2b2d30"):
        label = QLabel("Not done: wrong passphrase")
        qtbot.addWidget(label)
        palette = label.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(window))
        label.setPalette(palette)
        for colour in (error_colour(label), warning_colour(label)):
            assert _contrast(QColor(colour), QColor(window)) >= 4.5, (window, colour)
        style_as(label, "error")
        assert error_colour(label) in label.styleSheet()
