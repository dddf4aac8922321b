"""Measuring on a georeferenced image: a length (drag a line) or an area (click a polygon).

The shape is drawn as a scene item (a cosmetic pen, so it stays one pixel wide at any
zoom); the figure comes from ``workstation.geo.measure`` (geodesic on WGS84, or pixels
times the GSD for a scale alone). While the tool is on, a small bar beside the figure
chooses Line or Area, a vessel to compare a length with ("measured 182 ± 3 m;
registered LOA 183 m") and saves the measurement as a mark: through the window's undo
history, so Ctrl+Z takes it back like any other mark (as ``workstation measure --save``
does: a line as two count markers, an area as its polygon, the figure in the note,
linked to the chosen vessel).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QMouseEvent, QPainterPath, QPen
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGraphicsPathItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QWidget,
)
from sqlalchemy.orm import Session

from ui.desktop.ops.changes import Changes
from ui.desktop.viewers.image.image_view import ImageView
from workstation.annotations.anchors import RegionAnchor
from workstation.entities.vessels import VesselChoice, vessel_choices
from workstation.geo.measure import Measurement, measure_line, measure_polygon, registered_size
from workstation.geo.model import Georeference
from workstation.geo.records import from_json

if TYPE_CHECKING:
    from ui.desktop.annotations.commands import AnnotationCommands
    from ui.desktop.app.controller import LibraryController

_PEN_COLOUR = QColor(255, 214, 0)
_FILL_COLOUR = QColor(255, 214, 0, 50)


class MeasureTool(QObject):
    """Measure a line (drag) or an area (click the corners, double-click the last) while on.

    Args:
        view: The image view to measure on.
        georeference: The source's ``georeference`` details (``show --json``), or None.
        label: Where the figure is shown.
        controller: The library's controller (vessels are read and marks saved through
            it); None: no vessel choice and no saving.
        source_id: The picture measured.

    Signals:
        measured(object): the Measurement of the shape just finished.
        saved(str): the uuid of the mark a measurement was saved as.
    """

    measured = Signal(object)
    saved = Signal(str)

    def __init__(
        self,
        view: ImageView,
        georeference: dict[str, Any] | None,
        label: QLabel,
        controller: LibraryController | None = None,
        source_id: int | None = None,
    ) -> None:
        super().__init__(view)
        self._view = view
        self._label = label
        self._controller = controller
        self._source_id = source_id
        self._georef: Georeference | None = None
        self._start: QPointF | None = None
        self._points: list[QPointF] = []  # the area's corners so far
        self._closed = False
        self._shape: QGraphicsPathItem | None = None
        self._active = False
        self.mode = "line"
        self.last: Measurement | None = None
        self.last_points: tuple[tuple[float, float], ...] = ()
        self.vessels: list[VesselChoice] = []
        self.panel = self._make_panel()
        self.set_georeference(georeference)

    # --- the bar shown beside the figure while the tool is on ---------------------

    def _make_panel(self) -> QWidget:
        panel = QWidget()
        row = QHBoxLayout(panel)
        row.setContentsMargins(6, 2, 6, 2)
        row.addWidget(QLabel("Measure:"))
        self.line_button = _button("Line", checkable=True)
        self.line_button.setChecked(True)
        self.line_button.setToolTip("Drag along what to measure (a length)")
        self.area_button = _button("Area", checkable=True)
        self.area_button.setToolTip(
            "Click each corner, double-click the last: the area inside, in m²"
        )
        group = QButtonGroup(panel)
        for button in (self.line_button, self.area_button):
            group.addButton(button)
            row.addWidget(button)
        self.area_button.toggled.connect(lambda on: self.set_mode("area" if on else "line"))
        self.vessel_box = QComboBox()
        self.vessel_box.setToolTip(
            "Compare a length with a vessel's registered LOA and beam (edit them in the "
            "entity form); a saved measurement is linked to it"
        )
        self.vessel_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.vessel_box.addItem("No vessel", None)
        self.vessel_box.currentIndexChanged.connect(self._show)
        row.addWidget(self.vessel_box)
        self.save_button = _button("Save as mark")
        self.save_button.setToolTip("Keep this measurement as a mark (Ctrl+Z undoes)")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save_as_mark)
        row.addWidget(self.save_button)
        row.addStretch(1)
        panel.hide()
        return panel

    def _load_vessels(self) -> None:
        if self._controller is None or self._source_id is None:
            return
        source_id = self._source_id

        def read(session: Session) -> list[VesselChoice]:
            return vessel_choices(session, source_id)

        self._controller.query(read, self._fill_vessels, label="reading vessels")

    def _fill_vessels(self, vessels: list[VesselChoice]) -> None:
        chosen = self.vessel_box.currentData()
        self.vessels = vessels
        self.vessel_box.blockSignals(True)
        self.vessel_box.clear()
        self.vessel_box.addItem("No vessel", None)
        for v in vessels:
            # The name in the bar; the size in the list (and in the readout once chosen).
            size = registered_size(v.sizes) or "no registered size"
            self.vessel_box.addItem(v.name, v.uuid)
            self.vessel_box.setItemData(
                self.vessel_box.count() - 1, size, Qt.ItemDataRole.ToolTipRole
            )
        self.vessel_box.setCurrentIndex(max(0, self.vessel_box.findData(chosen)))
        self.vessel_box.blockSignals(False)
        self._show()

    @property
    def vessel(self) -> VesselChoice | None:
        """The vessel chosen to compare with, if any."""
        uuid = self.vessel_box.currentData()
        return next((v for v in self.vessels if v.uuid == uuid), None)

    def choose_vessel(self, uuid: str | None) -> None:
        """Compare with this vessel (None: with none)."""
        self.vessel_box.setCurrentIndex(max(0, self.vessel_box.findData(uuid)))

    # --- on and off ---------------------------------------------------------------

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
        """Whether the mouse measures (instead of panning)."""
        return self._active

    def set_active(self, on: bool) -> None:
        """Turn the tool on (the mouse measures) or off (drags pan again; the shape goes)."""
        if on == self._active or (on and not self.available):
            return
        self._active = on
        viewport = self._view.viewport()
        self.panel.setVisible(on)
        if on:
            viewport.installEventFilter(self)
            self._view.setDragMode(QGraphicsView.DragMode.NoDrag)
            viewport.setCursor(Qt.CursorShape.CrossCursor)
            self._hint()
            self._load_vessels()
        else:
            viewport.removeEventFilter(self)
            self._view.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
            viewport.setCursor(Qt.CursorShape.OpenHandCursor)
            self._reset()
            self._label.setText("")

    def set_mode(self, mode: str) -> None:
        """'line' (drag a length) or 'area' (click a polygon); the shape on show goes."""
        if mode == self.mode:
            return
        self.mode = mode
        (self.area_button if mode == "area" else self.line_button).setChecked(True)
        self._reset()
        if self._active:
            self._hint()

    def _hint(self) -> None:
        self._label.setText(
            "Click each corner of the area, double-click the last"
            if self.mode == "area"
            else "Drag along what to measure"
        )

    def _reset(self) -> None:
        self._clear_shape()
        self._points, self._closed, self._start = [], False, None
        self.last, self.last_points = None, ()
        self.save_button.setEnabled(False)

    # --- measuring ----------------------------------------------------------------

    def measure(self, start: QPointF, end: QPointF) -> Measurement | None:
        """Measure from ``start`` to ``end`` (image pixels), draw the line, show the figure."""
        if self._georef is None:
            return None
        self._draw([start, end], closed=False)
        points = ((start.x(), start.y()), (end.x(), end.y()))
        return self._keep(measure_line(self._georef, points), points)

    def measure_area(self, corners: list[QPointF], *, closed: bool = True) -> Measurement | None:
        """Measure the polygon through ``corners`` (image pixels); fewer than 3: none yet."""
        if self._georef is None:
            return None
        self._draw(corners, closed=closed)
        if len(corners) < 3:
            return None
        points = tuple((p.x(), p.y()) for p in corners)
        return self._keep(measure_polygon(self._georef, points), points)

    def _keep(self, m: Measurement, points: tuple[tuple[float, float], ...]) -> Measurement:
        self.last, self.last_points = m, points
        self._show()
        return m

    def readout(self) -> str:
        """'measured 182 ± 3 m (geodesic, one sigma); registered LOA 183 m, beam 32 m'."""
        m = self.last
        if m is None:
            return ""
        how = "geodesic" if m.method == "georeference" else "pixels × GSD"
        text = f"measured {m.text()} ({how}, one sigma)"
        vessel = self.vessel
        if vessel is not None and m.kind == "length":
            size = registered_size(vessel.sizes)
            text += f"; {size}" if size else f"; {vessel.name}: no registered size"
        return text

    def _show(self) -> None:
        if self.last is not None:
            self._label.setText(self.readout())
        done = self.last is not None and (self.mode == "line" or self._closed)
        self.save_button.setEnabled(done and self._controller is not None)

    def _draw(self, corners: list[QPointF], *, closed: bool) -> None:
        if self._shape is None:
            pen = QPen(_PEN_COLOUR, 2)
            pen.setCosmetic(True)
            self._shape = QGraphicsPathItem()
            self._shape.setPen(pen)
            self._shape.setZValue(1000)
            self._view.scene().addItem(self._shape)
        path = QPainterPath()
        if corners:
            path.moveTo(self._view.image_to_scene(corners[0]))
            for p in corners[1:]:
                path.lineTo(self._view.image_to_scene(p))
            if closed:
                path.closeSubpath()
        self._shape.setBrush(QBrush(_FILL_COLOUR) if closed else QBrush())
        self._shape.setPath(path)

    def _clear_shape(self) -> None:
        if self._shape is not None:
            self._view.scene().removeItem(self._shape)
            self._shape = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Line: press, move, release. Area: a click a corner, a double-click the last."""
        if not isinstance(event, QMouseEvent) or not self._active:
            return False
        if self.mode == "area":
            return self._area_event(event)
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

    def _area_event(self, event: QMouseEvent) -> bool:
        where = self._view.view_to_image(QPointF(event.position()))
        kind = event.type()
        left = event.button() == Qt.MouseButton.LeftButton
        if kind == QEvent.Type.MouseButtonPress and left:
            if self._closed:  # a new area
                self._points, self._closed = [], False
            self._points.append(where)
            self.measure_area(self._points, closed=False)
            return True
        if kind == QEvent.Type.MouseButtonDblClick and left and len(self._points) >= 3:
            self._closed = True
            m = self.measure_area(self._points)
            if m is not None:
                self.measured.emit(m)
            return True
        if kind == QEvent.Type.MouseMove and self._points and not self._closed:
            self.measure_area([*self._points, where], closed=False)
            return True
        return kind in (QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick)

    # --- saving -------------------------------------------------------------------

    def _commands(self) -> AnnotationCommands | None:
        """The window's mark commands (its undo history), when the view is in a main window."""
        return getattr(self._view.window(), "annotation_commands", None)

    def save_as_mark(self) -> None:
        """Keep the last measurement as a mark through the window's undo history."""
        m, points, commands = self.last, self.last_points, self._commands()
        if m is None or self._controller is None or self._source_id is None:
            return
        if commands is None:
            self._label.setText("Not saved: open the picture in the main window to save marks")
            return
        history, source_id, vessel = commands.history, self._source_id, self.vessel
        anchor = RegionAnchor("points" if m.kind == "length" else "polygon", points)
        note = m.note()
        if vessel is not None and m.kind == "length":
            size = registered_size(vessel.sizes)
            note += f"; {vessel.name}: {size}" if size else ""

        def write(session: Session) -> str:
            with history.group("Measurement"):  # the mark and its vessel link: one Ctrl+Z
                uuid = history.create(session, source_id, anchor, note=note).uuid
                if vessel is not None:
                    history.link(session, uuid, vessel.uuid)
            return uuid

        def done(uuid: str) -> None:
            commands.annotationsChanged.emit(source_id)
            self._label.setText(f"{self.readout()} · saved as a mark (Ctrl+Z undoes)")
            self.save_button.setEnabled(False)
            self.saved.emit(uuid)

        self.save_button.setEnabled(False)
        self._controller.write(
            write,
            done,
            changes=Changes.of_annotations(source_id),
            label="saving the measurement",
            on_error=lambda message: self._label.setText(f"Not saved: {message}"),
        )


def _button(text: str, *, checkable: bool = False) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setCheckable(checkable)
    return button


class StatusLabel(QLabel):
    """A selectable line that wraps, and is hidden while it has nothing to say."""

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        """Show ``text``; an empty text hides the line."""
        super().setText(text)
        self.setVisible(bool(text))


def status_label(parent: QWidget | None = None) -> QLabel:
    """The label a MeasureTool reports to (selectable, so a figure can be copied)."""
    label = StatusLabel(parent)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setContentsMargins(6, 2, 6, 2)
    # A long figure wraps rather than widening the pane (and the window with it).
    label.setWordWrap(True)
    label.hide()
    return label
