"""Measuring on a georeferenced image: drag a line, read its length in metres with its uncertainty.

The line is drawn as a scene item (a cosmetic pen, so it stays one pixel wide at any
zoom); the figure comes from ``workstation.geo.measure`` (geodesic on WGS84, or pixels
times the GSD for a scale alone). Nothing is stored: ``workstation measure --save``
keeps a measurement as a mark.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QLineF, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPen
from PySide6.QtWidgets import QGraphicsLineItem, QGraphicsView, QLabel, QWidget

from ui.desktop.viewers.image.image_view import ImageView
from workstation.geo.measure import Measurement, measure_line
from workstation.geo.model import Georeference
from workstation.geo.records import from_json

_PEN_COLOUR = QColor(255, 214, 0)


class MeasureTool(QObject):
    """Drag on the image to measure a line while the tool is on.

    Args:
        view: The image view to measure on.
        georeference: The source's ``georeference`` details (``show --json``), or None.
        label: Where the figure is shown.

    Signals:
        measured(object): the Measurement of the line just drawn.
    """

    measured = Signal(object)

    def __init__(self, view: ImageView, georeference: dict[str, Any] | None, label: QLabel) -> None:
        super().__init__(view)
        self._view = view
        self._label = label
        self._georef: Georeference | None = None
        self._start: QPointF | None = None
        self._line: QGraphicsLineItem | None = None
        self._active = False
        self.set_georeference(georeference)
        self.last: Measurement | None = None

    def set_georeference(self, georeference: dict[str, Any] | None) -> None:
        """Measure with this georeference (None, or one without a scale: not available)."""
        g = from_json(georeference) if georeference is not None else None
        self._georef = g if g is not None and g.gsd is not None else None
        if self._georef is None and self._active:
            self.set_active(False)

    @property
    def available(self) -> bool:
        """Whether the image has a scale to measure with."""
        return self._georef is not None

    @property
    def active(self) -> bool:
        """Whether drags measure (instead of panning)."""
        return self._active

    def set_active(self, on: bool) -> None:
        """Turn the tool on (drags measure) or off (drags pan again; the line goes)."""
        if on == self._active or (on and not self.available):
            return
        self._active = on
        viewport = self._view.viewport()
        if on:
            viewport.installEventFilter(self)
            self._view.setDragMode(QGraphicsView.DragMode.NoDrag)
            viewport.setCursor(Qt.CursorShape.CrossCursor)
            self._label.setText("Drag along what to measure")
        else:
            viewport.removeEventFilter(self)
            self._view.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
            viewport.setCursor(Qt.CursorShape.OpenHandCursor)
            self._clear_line()
            self._label.setText("")

    def measure(self, start: QPointF, end: QPointF) -> Measurement | None:
        """Measure from ``start`` to ``end`` (image pixels), draw the line, show the figure."""
        if self._georef is None:
            return None
        self._draw(start, end)
        m = measure_line(self._georef, [(start.x(), start.y()), (end.x(), end.y())])
        how = "geodesic" if m.method == "georeference" else "pixels × GSD"
        self._label.setText(f"{m.text()} ({how}, one sigma)")
        self.last = m
        return m

    def _draw(self, start: QPointF, end: QPointF) -> None:
        if self._line is None:
            pen = QPen(_PEN_COLOUR, 2)
            pen.setCosmetic(True)
            self._line = QGraphicsLineItem()
            self._line.setPen(pen)
            self._line.setZValue(1000)
            self._view.scene().addItem(self._line)
        self._line.setLine(QLineF(start, end))

    def _clear_line(self) -> None:
        if self._line is not None:
            self._view.scene().removeItem(self._line)
            self._line = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Press starts a line, moving stretches it, release measures it."""
        if not isinstance(event, QMouseEvent) or not self._active:
            return False
        where = self._view.view_to_image(QPointF(event.position()))
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self._start = where
            return True
        if kind == QEvent.Type.MouseMove and self._start is not None:
            self.measure(self._start, where)
            return True
        if kind == QEvent.Type.MouseButtonRelease and self._start is not None:
            m = self.measure(self._start, where)
            self._start = None
            if m is not None:
                self.measured.emit(m)
            return True
        return False


def status_label(parent: QWidget | None = None) -> QLabel:
    """The label a MeasureTool reports to (selectable, so a figure can be copied)."""
    label = QLabel(parent)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setContentsMargins(6, 2, 6, 2)
    return label
