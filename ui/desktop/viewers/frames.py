"""Which viewer shows which kind of source, and the small frames around them.

Each viewer a pane holds may offer ``find_text``/``find_next``/
``find_previous`` (the pane's find bar), ``show_hit(page, quote)`` (search
results) and ``close_document()`` (release files and workers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QPointF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QGraphicsItem,
    QGraphicsView,
    QLabel,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.desktop.annotations.marks import (
    Region,
    RegionItem,
    RegionMark,
    SourceMarks,
    qt_spans,
    region_marks,
    region_style,
)
from ui.desktop.annotations.region_tools import NUDGES, RegionEditor, Tool
from ui.desktop.app.controller import LibraryController
from ui.desktop.app.settings import Settings
from ui.desktop.viewers.article.article_view import ArticleView
from ui.desktop.viewers.image.compare_window import open_compare
from ui.desktop.viewers.image.coordinate_label import CoordinateLabel
from ui.desktop.viewers.image.georef_dialog import GeorefDialog
from ui.desktop.viewers.image.image_info_panel import ImageInfoPanel
from ui.desktop.viewers.image.image_text import ImageTextMixin
from ui.desktop.viewers.image.image_view import ImageView
from ui.desktop.viewers.image.measure_tool import MeasureTool, status_label
from ui.desktop.viewers.pdf.page_strip import PageStrip
from ui.desktop.viewers.pdf.pdf_view import PdfView
from ui.desktop.viewers.source_view import SourceView
from ui.desktop.widgets.icons import icon
from workstation.annotations.anchors import AnnotationData, RegionAnchor, TextAnchor
from workstation.ocr.viewing import LowWords, low_confidence_words, ocr_page_texts
from workstation.sources.pages import PageText

if TYPE_CHECKING:
    from ui.desktop.annotations.commands import AnnotationCommands


def _tool(text: str, tip: str, icon_name: str = "") -> QToolButton:
    button = QToolButton()
    if icon_name:
        button.setIcon(icon(icon_name))
    else:
        button.setText(text)
    button.setToolTip(tip)
    button.setAutoRaise(True)
    return button


class HintLabel(QLabel):
    """A quiet line of help that shortens itself (…) instead of widening the toolbar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEnabled(False)  # drawn in the muted text colour: help, not a control
        self.setTextFormat(Qt.TextFormat.PlainText)
        # Takes the room the toolbar has left, asks for none (the tools come first).
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(40, super().sizeHint().height())

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        super().setText(text)
        self.setToolTip(text)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setPen(
            self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
        )
        shown = self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, self.width()
        )
        painter.drawText(
            self.rect(), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, shown
        )
        painter.end()


AUTOSCROLL_EDGE = 24  # pixels from an edge of the view where a drag starts scrolling it
AUTOSCROLL_MS = 30


class RegionDrawingView(QWidget):
    """A source view with region tools: Rectangle (R), Polygon (P), Count markers (C).

    With a tool on, the mouse draws a shape in source coordinates; with none on, a
    click on a region mark selects it and dragging moves or reshapes it (see
    ``ui.desktop.annotations.region_tools.RegionEditor``). Subclasses name the widget
    that takes the mouse (``drawing_surface``), map positions (the ``RegionSurface``
    methods), draw marks (``show_regions``) and switch cursors and modes in ``drawing_changed``.

    Signals:
        regionDrawn(object): a RegionAnchor the reviewer just drew (to be categorised).
        regionEdited(str, object): the uuid of a region mark the reviewer moved or
            reshaped, and its new RegionAnchor (to be saved through the service).
        regionDeleteRequested(str): the uuid of the selected region mark the reviewer
            pressed Delete on.
        regionSelected(str): the uuid of a region mark the reviewer clicked.
    """

    regionDrawn = Signal(object)
    regionEdited = Signal(str, object)
    regionDeleteRequested = Signal(str)
    regionSelected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hint = HintLabel()
        self.editor = RegionEditor(
            self,
            self.regionDrawn.emit,
            self.regionEdited.emit,
            self.hint.setText,
            on_delete=self.regionDeleteRequested.emit,
            on_select=self.regionSelected.emit,
        )
        # Drawing or dragging a mark near an edge of the view scrolls it, so a
        # region can reach past what is on screen (as in any drawing program).
        self._scroll_timer = QTimer(self)
        self._scroll_timer.setInterval(AUTOSCROLL_MS)
        self._scroll_timer.timeout.connect(self._autoscroll)
        self._scroll_at: QPointF | None = None

    def _autoscroll_step(self, pos: QPointF) -> tuple[int, int]:
        """How far to scroll for the mouse at ``pos``: faster the nearer the edge."""
        surface = self.drawing_surface()
        width, height = surface.width(), surface.height()

        def step(at: float, size: int) -> int:
            if at < AUTOSCROLL_EDGE:
                return -max(2, int((AUTOSCROLL_EDGE - at) * 0.8))
            if at > size - AUTOSCROLL_EDGE:
                return max(2, int((at - (size - AUTOSCROLL_EDGE)) * 0.8))
            return 0

        return step(pos.x(), width), step(pos.y(), height)

    def _scroll_area(self) -> QAbstractScrollArea | None:
        area = self.drawing_surface().parentWidget()
        return area if isinstance(area, QAbstractScrollArea) else None

    def _follow(self, pos: QPointF, pressed: bool) -> None:
        """Start or stop scrolling as a press-drag nears or leaves an edge."""
        if pressed and self.editor.busy and self._autoscroll_step(pos) != (0, 0):
            self._scroll_at = QPointF(pos)
            if not self._scroll_timer.isActive():
                self._scroll_timer.start()
        else:
            self._scroll_at = None
            self._scroll_timer.stop()

    def _autoscroll(self) -> None:
        area, pos = self._scroll_area(), self._scroll_at
        if area is None or pos is None or not self.editor.busy:
            self._scroll_timer.stop()
            return
        dx, dy = self._autoscroll_step(pos)
        bars = area.horizontalScrollBar(), area.verticalScrollBar()
        before = bars[0].value(), bars[1].value()
        bars[0].setValue(before[0] + dx)
        bars[1].setValue(before[1] + dy)
        if (bars[0].value(), bars[1].value()) == before:
            return  # at the end already: nothing moved under the mouse
        self.editor.move(pos, True)  # the page moved under a still mouse: follow it

    def make_tool_buttons(self) -> list[QWidget]:
        """The checkable tool buttons (at most one is on) and the tool hint, for a toolbar.

        R, P and C switch tools while the pane has focus; Esc stops drawing.
        """
        self.draw_button = self._tool_button(
            Tool.RECT,
            "region-rect",
            "R",
            "Rectangle (R): drag over a region to mark it; Esc stops",
        )
        self.polygon_button = self._tool_button(
            Tool.POLYGON,
            "region-polygon",
            "P",
            "Polygon (P): click each corner; double-click or Enter closes, "
            "Backspace removes the last corner, Esc cancels",
        )
        self.points_button = self._tool_button(
            Tool.POINTS,
            "region-count",
            "C",
            "Count markers (C): click each object (vessel, container) to number it; "
            "Enter or double-click finishes, Backspace removes the last, Esc cancels",
        )
        surface = self.drawing_surface()
        surface.setMouseTracking(True)  # the rubber line and the next number follow the cursor
        surface.installEventFilter(self)
        for widget in self.key_surfaces():
            if widget is not surface:
                widget.installEventFilter(self)
        return [self.draw_button, self.polygon_button, self.points_button, self.hint]

    def _tool_button(self, tool: Tool, icon_name: str, key: str, tip: str) -> QToolButton:
        # Icons, not words: the PDF toolbar of a split pane has little room.
        button = _tool(tip.split(" (")[0], tip, icon_name)
        button.setAccessibleName(tip.split(" (")[0])
        button.setCheckable(True)
        button.toggled.connect(lambda on, t=tool: self._button_toggled(t, on))
        # Only while focus is in this pane: two panes side by side each have a tool set.
        shortcut = QShortcut(QKeySequence(key), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(button.toggle)
        return button

    def _buttons(self) -> dict[Tool, QToolButton]:
        return {
            Tool.RECT: self.draw_button,
            Tool.POLYGON: self.polygon_button,
            Tool.POINTS: self.points_button,
        }

    def _button_toggled(self, tool: Tool, on: bool) -> None:
        if on:
            for other, button in self._buttons().items():
                if other is not tool and button.isChecked():
                    button.blockSignals(True)
                    button.setChecked(False)
                    button.blockSignals(False)
            self._apply_tool(tool)
        elif self.editor.tool is tool:
            self._apply_tool(None)

    def _apply_tool(self, tool: Tool | None) -> None:
        self.editor.set_tool(tool)
        self.drawing_changed(tool is not None)
        if tool is not None:
            self.key_surfaces()[0].setFocus(Qt.FocusReason.OtherFocusReason)  # Esc stops

    @property
    def tool(self) -> Tool | None:
        """The drawing tool that is on (None: clicks select and edit marks)."""
        return self.editor.tool

    def set_tool(self, tool: Tool | None) -> None:
        """Turn a drawing tool on, or all of them off."""
        if tool is None:
            current = self.editor.tool
            if current is not None:
                self._buttons()[current].setChecked(False)
            return
        self._buttons()[tool].setChecked(True)

    def set_drawing(self, on: bool) -> None:
        """Turn the rectangle tool on or off (Esc turns any tool off)."""
        self.set_tool(Tool.RECT if on else None)

    def select_region(self, annotation_uuid: str | None) -> None:
        """Select a region mark (its handles show) or none."""
        self.editor.select(annotation_uuid)

    def apply_regions(self, regions: list[RegionMark]) -> None:
        """Give the editor the source's region marks (it has them drawn)."""
        self.editor.set_regions(regions)

    # --- what subclasses provide -----------------------------------------------------------

    def drawing_surface(self) -> QWidget:
        """The widget whose mouse events draw (subclasses name their viewport)."""
        return self

    def key_surfaces(self) -> list[QWidget]:
        """The widgets that get the keys while drawing (the viewport and its view)."""
        return [self.drawing_surface()]

    def drawing_changed(self, on: bool) -> None:
        """Switch cursors and modes when a tool is turned on or off."""

    def source_at(self, pos: QPointF) -> tuple[int | None, QPointF] | None:
        """(page, source point) under a viewport position; None off every page."""
        return None, QPointF(pos)

    def source_on(self, page: int | None, pos: QPointF) -> QPointF:
        """A viewport position in the coordinates of ``page``."""
        return QPointF(pos)

    def view_of(self, page: int | None, point: tuple[float, float]) -> QPointF:
        """A source point in viewport pixels."""
        return QPointF(point[0], point[1])

    def bounds(self, page: int | None) -> tuple[float, float] | None:
        """Width and height of the image or page (None while unknown)."""
        return None

    def scale(self, page: int | None) -> float:
        """Viewport pixels per source unit."""
        return 1.0

    def show_regions(self) -> None:
        """Draw ``self.editor.regions``, leaving out ``self.editor.hidden``."""

    def overlay_changed(self) -> None:
        """Repaint the editor's overlay."""

    def set_hover_cursor(self, shape: Qt.CursorShape | None) -> None:
        """The cursor over a mark or handle; None gives the viewer its own back."""
        surface = self.drawing_surface()
        if shape is None:
            self.drawing_changed(self.editor.tool is not None)
        else:
            surface.setCursor(shape)

    # --- mouse and keys ----------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        editor = self.editor
        kind = event.type()
        if kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and isinstance(
            event, QKeyEvent
        ):
            if watched not in self.key_surfaces():
                return False
            modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            shift = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
            if modifiers & ~Qt.KeyboardModifier.ShiftModifier:
                return False
            key = Qt.Key(event.key())
            if shift and key not in NUDGES:
                return False
            if kind == QEvent.Type.ShortcutOverride:
                if editor.wants_key(key):
                    event.accept()  # the key comes to us as a KeyPress, not to a shortcut
                return False
            if key == Qt.Key.Key_Escape and not editor.busy and editor.tool is not None:
                self.set_tool(None)
                return True
            return editor.key(key, shift)
        if watched is not self.drawing_surface() or not isinstance(event, QMouseEvent):
            return False
        left = event.button() == Qt.MouseButton.LeftButton
        if kind == QEvent.Type.MouseButtonPress:
            if not left:
                return editor.tool is not None
            used = editor.press(event.position())
            if used:
                # Enter, Backspace and Esc must reach this pane next, not a list elsewhere.
                self.key_surfaces()[0].setFocus(Qt.FocusReason.MouseFocusReason)
            return used
        if kind == QEvent.Type.MouseMove:
            pressed = bool(event.buttons() & Qt.MouseButton.LeftButton)
            used = editor.move(event.position(), pressed)
            self._follow(event.position(), pressed)
            return used
        if kind == QEvent.Type.MouseButtonRelease and left:
            self._follow(event.position(), False)
            return editor.release(event.position())
        if kind == QEvent.Type.MouseButtonDblClick and left:
            return editor.double_click(event.position())
        return False


class ImageSourceView(ImageTextMixin, RegionDrawingView):
    """An image source: the tiled viewer, a zoom bar and the EXIF/GPS panel.

    Region tools draw and edit marks in image pixels, clamped to the image. An image
    with OCR text has it as a text layer (ImageTextMixin): select, copy, find, mark.
    """

    def __init__(
        self, controller: LibraryController, source: SourceView, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.view = ImageView()
        self.info = ImageInfoPanel()
        self.info.set_metadata(source.details["metadata"], source.details.get("georeference"))
        self.info.setMaximumWidth(300)
        self.info.hide()  # the inspector shows the same facts; this is for a wide pane
        self.zoom_label = QLabel("")
        fit = _tool("Fit", "Fit the image in the pane (0)", "fit-page")
        actual = _tool("1:1", "Actual pixels: one image pixel per screen pixel (1)")
        zoom_in = _tool("+", "Zoom in (+ or wheel)", "zoom-in")
        zoom_out = _tool("-", "Zoom out (- or wheel)", "zoom-out")
        fit.clicked.connect(self.view.fit)
        actual.clicked.connect(self.view.actual_size)
        zoom_in.clicked.connect(self.view.zoom_in)
        zoom_out.clicked.connect(self.view.zoom_out)
        self._mark_items: list[QGraphicsItem] = []
        self._shown: list[RegionMark] | None = None  # the marks the items show
        tools = self.make_tool_buttons()
        details = _tool("Details", "Show or hide EXIF and GPS details")
        details.setCheckable(True)
        details.toggled.connect(self.info.setVisible)
        self.view.zoomChanged.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f} %"))
        # A QToolBar: in a narrow pane what does not fit goes behind », rather
        # than forcing the pane (and the window's docks) wider.
        bar = QToolBar(self)
        bar.setMovable(False)
        bar.setFloatable(False)
        for w in (fit, actual, zoom_out, zoom_in, self.zoom_label):
            bar.addWidget(w)
        bar.addSeparator()
        for tool in tools:
            bar.addWidget(tool)
        bar.addWidget(details)
        # A status line under the picture: where the cursor is, on a georeferenced image,
        # and what the Measure tool measured.
        georef = source.details.get("georeference")
        self.coordinates = CoordinateLabel(self.view, georef)
        self.measure_label = status_label()
        self.measure = MeasureTool(
            self.view, georef, self.measure_label, controller, source.source_id
        )
        self.measure_button = _tool(
            "Measure",
            "Measure a length (drag along a ship or a quay) or an area, in metres",
        )
        self.measure_button.setCheckable(True)
        self.measure_button.toggled.connect(self._measure_toggled)
        # Toolbar widgets are shown and hidden through their actions.
        self._measure_action = bar.addWidget(self.measure_button)
        self._measure_action.setVisible(self.measure.available)
        self.compare_button = _tool(
            "Compare",
            "Compare with its library pair (Compare with… or workstation pair), else the "
            "georeferenced image overlapping it most (a suggestion until kept)",
        )
        self.compare_button.clicked.connect(
            lambda: open_compare(
                controller,
                source,
                self.measure_label.setText,
                self._settings(),
                commands=self._commands(),
            )
        )
        bar.addWidget(self.compare_button)
        self.compare_with_button = _tool(
            "Compare with…", "Choose the image to compare with (images of the same place first)"
        )
        self.compare_with_button.clicked.connect(
            lambda: open_compare(
                controller,
                source,
                self.measure_label.setText,
                self._settings(),
                choose=True,
                commands=self._commands(),
            )
        )
        bar.addWidget(self.compare_with_button)
        self.georef_button = _tool(
            "Georeference…", "Georeference by hand: click points and type their coordinates"
        )
        self.georef_button.clicked.connect(lambda: self._georeference(controller, source))
        bar.addWidget(self.georef_button)
        self.georef_dialog: GeorefDialog | None = None
        # The figure on a line of its own (shown when there is one): a narrow pane fits both.
        status = QVBoxLayout()
        status.setContentsMargins(0, 0, 0, 0)
        status.setSpacing(0)
        status.addWidget(self.measure_label)
        status.addWidget(self.coordinates)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.view)
        split.addWidget(self.info)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 0)
        split.setCollapsible(0, False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(split, 1)
        layout.addWidget(self.measure.panel)  # shown while Measure is on
        layout.addLayout(status)
        self.view.set_overlay(self.editor.paint)
        self.view.zoomChanged.connect(self._rescale_items)
        self._init_image_text(controller, source.source_id)
        self.view.open_image(controller.library.derived, source.path, source.sha256)

    def _settings(self) -> Settings:
        """The main window's settings (where compared pairs are remembered)."""
        return Settings.of(getattr(self.window(), "settings", None))

    def _commands(self) -> AnnotationCommands | None:
        """The main window's mark commands (its undo history); None: no main window."""
        return getattr(self.window(), "annotation_commands", None)

    def _georeference(self, controller: LibraryController, source: SourceView) -> None:
        """Open the hand georeference dialog; what it stores takes effect in this pane."""
        if self.georef_dialog is None:
            self.georef_dialog = GeorefDialog(controller, source.source_id, self.view, self)
            self.georef_dialog.applied.connect(self.set_georeference)
        self.georef_dialog.show()
        self.georef_dialog.raise_()

    def set_georeference(self, georeference: dict[str, Any] | None) -> None:
        """Use a new (or no) georeference for the cursor position and the Measure tool."""
        self.coordinates.set_georeference(georeference)
        self.measure.set_georeference(georeference)
        if not self.measure.available:
            self.measure_button.setChecked(False)
        self._measure_action.setVisible(self.measure.available)

    def _measure_toggled(self, on: bool) -> None:
        """The Measure tool and the region tools take turns with the mouse."""
        if on:
            for button in (self.draw_button, self.polygon_button, self.points_button):
                button.setChecked(False)
        self.measure.set_active(on)

    def apply_marks(self, marks: SourceMarks) -> None:
        """Draw annotated regions over the image (scene units are image pixels), and
        marked passages of its OCR text (page 1)."""
        self.apply_regions([m for m in region_marks(marks) if m.page is None])
        self.text_layer.set_spans(qt_spans(marks).get(1, []))

    def show_regions(self) -> None:
        """One item per region mark (the one being dragged is the overlay's)."""
        hidden = self.editor.hidden
        if self.editor.regions is self._shown:
            # Same marks: a drag began or ended, or a mark was nudged or got a point;
            # no need to rebuild thousands of items.
            for item in self._mark_items:
                if isinstance(item, RegionItem):
                    hide = bool(item.mark.uuid) and item.mark.uuid == hidden
                    if item.stale:
                        item.refresh()
                    item.setVisible(not hide)
            return
        scene = self.view.scene()
        for old in self._mark_items:
            scene.removeItem(old)
        self._mark_items = []
        scale = self.view.transform().m11()
        for mark in self.editor.regions:
            item = RegionItem(mark, scale)
            item.setVisible(not (mark.uuid and mark.uuid == hidden))
            scene.addItem(item)
            self._mark_items.append(item)
        self._shown = self.editor.regions

    def _rescale_items(self, _zoom: float) -> None:
        scale = self.view.transform().m11()
        for item in self._mark_items:
            if isinstance(item, RegionItem):
                item.set_scale(scale)

    # --- region tools: coordinates ---------------------------------------------------------

    def drawing_surface(self) -> QWidget:
        """The image view's viewport."""
        return self.view.viewport()

    def key_surfaces(self) -> list[QWidget]:
        """Keys go to the view (it has the focus), sometimes to its viewport."""
        return [self.view, self.view.viewport()]

    def drawing_changed(self, on: bool) -> None:
        """Clicks draw instead of panning while a tool is on."""
        if on and self.measure_button.isChecked():
            self.measure_button.setChecked(False)  # the region tool takes the mouse
        self.view.setDragMode(
            QGraphicsView.DragMode.NoDrag if on else QGraphicsView.DragMode.ScrollHandDrag
        )
        self.view.viewport().setCursor(
            Qt.CursorShape.CrossCursor if on else Qt.CursorShape.OpenHandCursor
        )

    def source_at(self, pos: QPointF) -> tuple[int | None, QPointF] | None:
        """Image pixels under a viewport position."""
        return None, self.view.view_to_image(pos)

    def source_on(self, page: int | None, pos: QPointF) -> QPointF:
        """Image pixels under a viewport position (images have one "page")."""
        return self.view.view_to_image(pos)

    def view_of(self, page: int | None, point: tuple[float, float]) -> QPointF:
        """Viewport position of an image pixel position."""
        return self.view.image_to_view(QPointF(point[0], point[1]))

    def bounds(self, page: int | None) -> tuple[float, float] | None:
        """The image's full size in pixels."""
        pyramid = self.view.pyramid
        if pyramid is None:
            return None
        width, height = pyramid.full_size
        return float(width), float(height)

    def scale(self, page: int | None) -> float:
        """Viewport pixels per image pixel."""
        return float(self.view.transform().m11())

    def overlay_changed(self) -> None:
        """Repaint the drawing overlay."""
        self.view.overlay_changed()

    def show_annotation(self, data: AnnotationData) -> None:
        """Centre the view on an annotated region, or a marked passage of its text."""
        anchor = data.anchor
        if isinstance(anchor, TextAnchor):
            self.show_text_mark(anchor)
        elif isinstance(anchor, RegionAnchor):
            x, y, w, h = anchor.bbox
            self.view.centerOn(QPointF(x + w / 2, y + h / 2))
            self.select_region(data.uuid)

    def close_document(self) -> None:
        """Stop tile workers and close the image."""
        self.view.close_image()


class PdfSourceView(RegionDrawingView):
    """A PDF source: page thumbnails beside the continuous page view.

    Region tools draw and edit marks in PDF points on one page, clamped to it.
    """

    def __init__(
        self, controller: LibraryController, source: SourceView, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.view = PdfView(source.path, page_count=source.page_count)
        self._controller, self._source_id = controller, source.source_id
        # A scanned page's text is its accepted OCR layer: words and boxes for selection.
        self.view.hold_until_text_layers()
        self.load_text_layers()
        self.strip = PageStrip(self.view)
        self._spans: dict[int, list[tuple[QBrush, int, int]]] = {}
        self._page_marks: dict[int, str] = {}
        tools = self.make_tool_buttons()
        for w in tools:
            self.view.toolbar.addWidget(w)
        self.view.set_overlay(self.editor.paint)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.strip)
        split.addWidget(self.view)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setCollapsible(1, False)
        split.setSizes([self.strip.sizeHint().width(), 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    def set_strip_visible(self, on: bool) -> None:
        """Show or hide the page thumbnails (View > Page Thumbnails)."""
        self.strip.setVisible(on)

    def load_text_layers(self) -> None:
        """(Re)read the source's OCR pages for the view: at opening, and after an OCR run."""
        source_id, view = self._source_id, self.view

        def arrived(found: tuple[list[PageText], dict[int, LowWords]]) -> None:
            view.set_text_layers(found[0])
            view.set_low_confidence_words(found[1])

        self._controller.query(
            lambda session: (
                ocr_page_texts(session, source_id),
                low_confidence_words(session, source_id),
            ),
            arrived,
            on_error=lambda _message: view.set_text_layers([]),
        )

    def set_low_confidence_visible(self, on: bool) -> None:
        """View > Low-Confidence OCR Words."""
        self.view.set_low_confidence_visible(on)

    def apply_marks(self, marks: SourceMarks) -> None:
        """Draw annotated passages and regions on the pages, and dots in the page strip."""
        self._spans = qt_spans(marks)
        self._page_marks = dict(marks.pages)
        self.apply_regions([m for m in region_marks(marks) if m.page])
        per_page: dict[int, list[str]] = {}
        for page, spans in marks.spans.items():
            per_page.setdefault(page, []).extend(colour for colour, _, _ in spans)
        for on, regions in marks.regions.items():
            if on is not None:
                per_page.setdefault(on, []).extend(colour for colour, *_ in regions)
        for page, colour in marks.pages.items():
            per_page.setdefault(page, []).append(colour)
        self.strip.thumbnails.set_marks(per_page)

    def show_regions(self) -> None:
        """Regions (less the one being dragged) and whole-page marks, with the spans."""
        regions: dict[int, list[Region]] = {}
        hidden = self.editor.hidden
        for mark in self.editor.regions:
            if mark.page and not (mark.uuid and mark.uuid == hidden):
                regions.setdefault(mark.page, []).append(
                    (mark.outline, mark.fill, mark.shape, list(mark.points))
                )
        document = self.view.document
        for page, colour in self._page_marks.items():
            if document is None or not 1 <= page <= document.page_count:
                continue
            width, height = document.page_size(page)
            outline, fill = region_style(colour)
            regions.setdefault(page, []).append(
                (outline, fill, "rect", [(0.0, 0.0), (width, height)])
            )
        self.view.set_annotations(self._spans, regions)

    def selection(self) -> tuple[int, int, int] | None:
        """The selected passage: (page, start, end) in code points of the page text."""
        return self.view.selection()

    # --- region tools: coordinates ---------------------------------------------------------

    def drawing_surface(self) -> QWidget:
        """The page view's viewport."""
        return self.view.viewport()

    def key_surfaces(self) -> list[QWidget]:
        """Keys go to the page area (it has the focus)."""
        viewport = self.view.viewport()
        area = viewport.parentWidget()
        return [viewport] if area is None else [area, viewport]

    def drawing_changed(self, on: bool) -> None:
        """A cross cursor while a tool is on."""
        viewport = self.view.viewport()
        if on:
            viewport.setCursor(Qt.CursorShape.CrossCursor)
        else:
            viewport.unsetCursor()

    def source_at(self, pos: QPointF) -> tuple[int | None, QPointF] | None:
        """(page, PDF points) under a viewport position; None between pages."""
        hit = self.view.viewport_to_page(pos)
        if hit is None:
            return None
        return hit[0], QPointF(hit[1], hit[2])

    def source_on(self, page: int | None, pos: QPointF) -> QPointF:
        """A viewport position in the points of ``page`` (it may lie off the page)."""
        if not page:
            return QPointF(-1.0, -1.0)
        rect = self.view.page_rect(page)
        scale = self.view.page_scale()
        return QPointF((pos.x() - rect.x()) / scale, (pos.y() - rect.y()) / scale)

    def view_of(self, page: int | None, point: tuple[float, float]) -> QPointF:
        """Viewport position of a point on ``page``."""
        return self.view.page_to_viewport(page or 1, point[0], point[1])

    def bounds(self, page: int | None) -> tuple[float, float] | None:
        """The page's size in points."""
        document = self.view.document
        if document is None or not page or not 1 <= page <= document.page_count:
            return None
        width, height = document.page_size(page)
        return float(width), float(height)

    def scale(self, page: int | None) -> float:
        """Viewport pixels per point."""
        return self.view.page_scale()

    def overlay_changed(self) -> None:
        """Repaint the drawing overlay."""
        self.view.overlay_changed()

    def show_annotation(self, data: AnnotationData) -> None:
        """Go to an annotation and emphasise it."""
        anchor = data.anchor
        if isinstance(anchor, TextAnchor):
            self.view.show_range(anchor.page, anchor.start, anchor.end)
        elif anchor.page:
            self.view.go_to_page(anchor.page)
            if isinstance(anchor, RegionAnchor):
                self.select_region(data.uuid)

    def show_find(self) -> None:
        """The viewer's own find bar (its search runs in the background)."""
        self.view.find_action.trigger()

    def show_hit(self, page: int, quote: str) -> None:
        """Go to a search hit and highlight it."""
        self.view.show_hit(page, quote)

    def selected_text(self) -> str:
        """The selected text."""
        return self.view.selected_text()

    def close_document(self) -> None:
        """Stop rendering and close the file."""
        self.view.close_document()


def make_viewer(controller: LibraryController, source: SourceView) -> QWidget:
    """A viewer widget for the source (the pane owns it)."""
    if source.kind == "image":
        return ImageSourceView(controller, source)
    if source.kind == "pdf":
        return PdfSourceView(controller, source)
    return ArticleView(source)
