"""The latitude and longitude under the cursor on a georeferenced image, and copying them.

The transform and PROJ run on the GUI thread: a pixel to WGS84 costs tens of
microseconds (``bench/geo_cursor.py``), far below a mouse move's budget, and no
database is touched (the georeference comes with the source's details).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QGuiApplication, QMouseEvent
from PySide6.QtWidgets import QLabel, QWidget

from ui.desktop.viewers.image.image_view import ImageView
from workstation.geo.labels import decimal_label, dms_label
from workstation.geo.model import Georeference
from workstation.geo.places import pixel_lonlat
from workstation.geo.records import from_json


class CoordinateLabel(QLabel):
    """Shows the WGS84 position of the pixel under the cursor (decimal and DMS).

    Double-click copies the last position shown as 'lat, lon' decimal degrees.

    Args:
        view: The image view whose cursor is followed.
        georeference: The source's ``georeference`` details (``show --json``), or None.
        parent: The parent widget.

    Signals:
        coordinatesCopied(str): The decimal position was put on the clipboard.
    """

    coordinatesCopied = Signal(str)

    def __init__(
        self, view: ImageView, georeference: dict[str, Any] | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._georef: Georeference | None = None
        self._decimal = ""
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setContentsMargins(6, 2, 6, 2)
        self.setToolTip("Latitude and longitude (WGS84) under the cursor; double-click copies")
        view.viewport().installEventFilter(self)
        self.set_georeference(georeference)

    def set_georeference(self, georeference: dict[str, Any] | None) -> None:
        """Follow the cursor with this georeference (None, or one without coordinates: hide)."""
        g = from_json(georeference) if georeference is not None else None
        self._georef = g if g is not None and g.located else None
        self._decimal = ""
        self.setText("Move the cursor over the image for its latitude and longitude")
        self.setVisible(self._georef is not None)
        if self._georef is not None:
            self._view.viewport().setMouseTracking(True)

    @property
    def georeferenced(self) -> bool:
        """Whether the image has coordinates to show."""
        return self._georef is not None

    @property
    def decimal(self) -> str:
        """The last position shown as 'lat, lon' in decimal degrees ('' before any)."""
        return self._decimal

    def show_pixel(self, x: float, y: float) -> None:
        """Show the position of image pixel (x, y)."""
        if self._georef is None:
            return
        lonlat = pixel_lonlat(self._georef, x, y)
        if lonlat is None:
            return
        lon, lat = lonlat
        self._decimal = f"{lat:.6f}, {lon:.6f}"
        self.setText(f"{decimal_label(lon, lat, 5)}  ·  {dms_label(lon, lat)}")

    def copy(self) -> None:
        """Put the last position shown on the clipboard."""
        if self._decimal:
            QGuiApplication.clipboard().setText(self._decimal)
            self.coordinatesCopied.emit(self._decimal)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Follow the cursor over the view's viewport."""
        if (
            self._georef is not None
            and event.type() == QEvent.Type.MouseMove
            and isinstance(event, QMouseEvent)
        ):
            point = self._view.view_to_image(QPointF(event.position()))
            self.show_pixel(point.x(), point.y())
        return False

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """Double-click copies."""
        self.copy()
        event.accept()
