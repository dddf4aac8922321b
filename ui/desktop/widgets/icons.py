"""Icons shipped in ``resources/icons`` as SVG, tinted for the palette.

An unknown name fails loudly and lists the known ones, so a typo shows up
the first time the code runs, not as a blank button.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

_SIZES = (16, 20, 24, 32, 48, 64)


def known_icons() -> list[str]:
    """Names of the shipped icons."""
    folder = files("resources") / "icons"
    return sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".svg"))


@cache
def _svg(name: str) -> str:
    path = files("resources") / "icons" / f"{name}.svg"
    if not path.is_file():
        raise KeyError(f"no icon {name!r}; known icons: {', '.join(known_icons())}")
    return path.read_text(encoding="utf-8")


def _foreground() -> str:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return str(app.palette().color(QPalette.ColorRole.WindowText).name())
    return "#3c4654"


def icon(name: str) -> QIcon:
    """The icon ``name``, drawn in the palette's text colour at several sizes.

    Cached per colour: item views ask for icons on every paint.
    """
    return _icon(name, _foreground())


@cache
def _icon(name: str, foreground: str) -> QIcon:
    svg = _svg(name).replace("@FG@", foreground)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    result = QIcon()
    for size in _SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        result.addPixmap(QPixmap.fromImage(image))
    return result


KIND_ICONS = {
    "pdf": "pdf",
    "image": "image",
    "article": "article",
    "text": "text",
    "email": "email",
}


def kind_icon(kind: str) -> QIcon:
    """The icon of a source kind."""
    return icon(KIND_ICONS.get(kind, "text"))
