"""Georeference a picture by hand: click points on it, type where they are on the Earth.

While the dialog is open a click on the image (not a drag: that still pans) adds a
control point at that pixel; the reviewer types its latitude and longitude (from a
map, a port plan or another georeferenced picture). Two points fit a similarity,
three or more a least-squares affine whose residual is shown; the fit and the
audit event are the service's (``workstation.geo.service.GeorefService``), run on
the controller's write pool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ui.desktop.ops.changes import Changes
from ui.desktop.viewers.image.image_view import ImageView
from workstation.geo.model import ControlPoint
from workstation.geo.records import georeference_json
from workstation.geo.service import GeorefService
from workstation.sources.lookup import get_source

if TYPE_CHECKING:
    from ui.desktop.app.controller import LibraryController

COLUMNS = ("X (px)", "Y (px)", "Latitude", "Longitude")
_CLICK_SLOP = 4  # logical pixels a press may move and still be a click, not a pan


class GeorefDialog(QDialog):
    """Control points clicked on the image and typed in; Apply stores the fit.

    Args:
        controller: Runs the write.
        source_id: The picture.
        view: The picture's view (clicks on it add points).
        parent: The parent widget.

    Signals:
        applied(object): the stored georeference as ``show --json`` gives it (None: removed).
    """

    applied = Signal(object)

    def __init__(
        self,
        controller: LibraryController,
        source_id: int,
        view: ImageView,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Georeference by hand")
        self.setModal(False)
        self._controller = controller
        self._source_id = source_id
        self._view = view
        self._pressed: QPointF | None = None
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.crs = QLineEdit(self)
        self.crs.setPlaceholderText("CRS to fit in (blank: the UTM zone of the points)")
        self.status = QLabel("Click a point on the image, then type its latitude and longitude.")
        self.status.setWordWrap(True)
        self.apply_button = QPushButton("Apply", self)
        self.remove_row_button = QPushButton("Remove Point", self)
        self.remove_button = QPushButton("Remove Georeference", self)
        close = QPushButton("Close", self)
        self.apply_button.clicked.connect(self.apply)
        self.remove_row_button.clicked.connect(self._remove_row)
        self.remove_button.clicked.connect(self.remove)
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        for button in (self.apply_button, self.remove_row_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.crs)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        view.viewport().installEventFilter(self)

    # --- points --------------------------------------------------------------------------

    def add_point(self, x: float, y: float, lat: str = "", lon: str = "") -> None:
        """A control point at image pixel (x, y); its latitude and longitude to be typed."""
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, text in enumerate((f"{x:.1f}", f"{y:.1f}", lat, lon)):
            self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.setCurrentCell(row, 2)

    def points(self) -> list[ControlPoint]:
        """The table's points.

        Raises:
            ValueError: a cell is not a number (the message names the row).
        """
        found = []
        for row in range(self.table.rowCount()):
            cells = [self.table.item(row, c) for c in range(len(COLUMNS))]
            try:
                x, y, lat, lon = (float(c.text().strip()) if c else float("nan") for c in cells)
            except ValueError:
                raise ValueError(f"point {row + 1}: every cell needs a number") from None
            found.append(ControlPoint(x, y, lat, lon))
        return found

    def _remove_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    # --- storing ---------------------------------------------------------------------------

    def apply(self) -> None:
        """Fit and store the georeference (on the write pool); errors show in the dialog."""
        try:
            points = self.points()
        except ValueError as exc:
            self.status.setText(str(exc))
            return
        crs = self.crs.text().strip() or None
        library = self._controller.library
        sid = self._source_id

        def write(session: Session) -> dict[str, Any] | None:
            GeorefService(library).by_points(session, sid, points, crs)
            return _details(session, sid)

        self.status.setText("Fitting…")
        self._controller.write(
            write,
            self._done,
            changes=Changes.of_sources(sid) | Changes.of_annotations(sid),
            on_error=self.status.setText,
        )

    def remove(self) -> None:
        """Remove the picture's georeference (on the write pool)."""
        library = self._controller.library
        sid = self._source_id

        def write(session: Session) -> dict[str, Any] | None:
            GeorefService(library).remove(session, sid)
            return None

        self._controller.write(
            write,
            self._done,
            changes=Changes.of_sources(sid) | Changes.of_annotations(sid),
            on_error=self.status.setText,
        )

    def _done(self, doc: dict[str, Any] | None) -> None:
        if doc is None:
            self.status.setText("Georeference removed.")
        else:
            residual = doc.get("residual_metres")
            fit = f"residual {residual:.2f} m" if residual is not None else "exact with two points"
            self.status.setText(f"Stored in {doc.get('crs')}: {fit}, {doc['gsd_metres']:.3g} m/px.")
        self.applied.emit(doc)

    # --- clicks on the image ---------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A click (not a drag) on the image adds a point while the dialog is shown."""
        if not self.isVisible() or not isinstance(event, QMouseEvent):
            return False
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        if event.type() == QEvent.Type.MouseButtonPress:
            self._pressed = QPointF(event.position())
        elif event.type() == QEvent.Type.MouseButtonRelease and self._pressed is not None:
            moved = (QPointF(event.position()) - self._pressed).manhattanLength()
            self._pressed = None
            if moved <= _CLICK_SLOP:
                where = self._view.view_to_image(QPointF(event.position()))
                self.add_point(where.x(), where.y())
        return False

    def closeEvent(self, event: Any) -> None:
        """Stop taking clicks from the image."""
        self._view.viewport().removeEventFilter(self)
        super().closeEvent(event)


def _details(session: Session, source_id: int) -> dict[str, Any] | None:
    return georeference_json(session, get_source(session, source_id))
