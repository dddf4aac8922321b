"""Which viewer shows which kind of source, and the small frames around them.

Each viewer a pane holds may offer ``find_text``/``find_next``/
``find_previous`` (the pane's find bar), ``show_hit(page, quote)`` (search
results) and ``close_document()`` (release files and workers).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QMouseEvent, QPen, QPolygonF
from PySide6.QtWidgets import (
    QBoxLayout,
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QRubberBand,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.article_view import ArticleView
from ui.controller import LibraryController
from ui.icons import icon
from ui.image_info_panel import ImageInfoPanel
from ui.image_view import ImageView
from ui.marks import SourceMarks, qt_regions, qt_spans, region_style
from ui.page_strip import PageStrip
from ui.pdf_view import PdfView
from workstation.anchors import AnnotationData, RegionAnchor, TextAnchor
from workstation.sources import describe_source, resolve_source


def _tool(text: str, tip: str, icon_name: str = "") -> QToolButton:
    button = QToolButton()
    if icon_name:
        button.setIcon(icon(icon_name))
    else:
        button.setText(text)
    button.setToolTip(tip)
    button.setAutoRaise(True)
    return button


class RegionDrawingView(QWidget):
    """A source view with a "Rectangle" tool: a drag draws a region to mark.

    Subclasses say which widget takes the mouse (``drawing_surface``), switch
    their own cursor and modes in ``drawing_changed``, and turn positions into
    source coordinates in ``draw_press`` / ``draw_move`` / ``draw_release``.

    Signals:
        regionDrawn(object): a RegionAnchor the reviewer just drew.
    """

    regionDrawn = Signal(object)

    def make_draw_button(self, tip: str) -> QToolButton:
        """The checkable tool button that turns drawing on and off."""
        self.draw_button = _tool("Rectangle", tip)
        self.draw_button.setText("▭ Rectangle")
        self.draw_button.setCheckable(True)
        self.draw_button.toggled.connect(self.set_drawing)
        return self.draw_button

    def drawing_surface(self) -> QWidget:
        """The widget whose mouse events draw (subclasses name their viewport)."""
        return self

    def drawing_changed(self, on: bool) -> None:
        """Switch cursors and modes; drop a half-drawn shape when turned off."""

    def draw_press(self, pos: QPointF) -> None:
        """The drag starts at ``pos`` (surface coordinates)."""

    def draw_move(self, pos: QPointF) -> None:
        """The drag goes on."""

    def draw_release(self, pos: QPointF) -> None:
        """The drag ends; emit regionDrawn if it drew something."""

    def set_drawing(self, on: bool) -> None:
        """Turn the rectangle tool on or off (Esc turns it off)."""
        if self.draw_button.isChecked() != on:
            self.draw_button.setChecked(on)
            return
        surface = self.drawing_surface()
        if on:
            surface.installEventFilter(self)
        else:
            surface.removeEventFilter(self)
        self.drawing_changed(on)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is not self.drawing_surface() or not self.draw_button.isChecked():
            return False
        kind = event.type()
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Escape:
                self.set_drawing(False)
                return True
            return False
        if not isinstance(event, QMouseEvent):
            return False
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self.draw_press(event.position())
            return True
        if kind == QEvent.Type.MouseMove:
            self.draw_move(event.position())
            return True
        if kind == QEvent.Type.MouseButtonRelease:
            self.draw_release(event.position())
            return True
        return False


class ImageSourceView(RegionDrawingView):
    """An image source: the tiled viewer, a zoom bar and the EXIF/GPS panel.

    With "Rectangle" on, a drag on the image draws a region in image pixels.
    """

    def __init__(
        self, controller: LibraryController, source_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        library = controller.library
        with library.reader() as session:
            source = resolve_source(session, str(source_id))
            info = describe_source(session, source)
        self.view = ImageView()
        self.info = ImageInfoPanel()
        self.info.set_metadata(info["metadata"])
        self.info.setMaximumWidth(300)
        self.info.hide()  # the inspector shows the same facts; this is for a wide pane
        self.zoom_label = QLabel("")
        fit = _tool("Fit", "Fit the image in the pane (0)", "fit-page")
        actual = _tool("100 %", "One image pixel per screen pixel (1)")
        zoom_in = _tool("+", "Zoom in (+ or wheel)", "zoom-in")
        zoom_out = _tool("-", "Zoom out (- or wheel)", "zoom-out")
        fit.clicked.connect(self.view.fit)
        actual.clicked.connect(self.view.actual_size)
        zoom_in.clicked.connect(self.view.zoom_in)
        zoom_out.clicked.connect(self.view.zoom_out)
        self.make_draw_button("Draw a rectangle to mark a region (R; Esc stops)")
        self.draw_button.setShortcut(QKeySequence("R"))
        self._drag_start: QPointF | None = None
        self._rubber: QGraphicsRectItem | None = None
        details = _tool("Details", "Show or hide EXIF and GPS details")
        details.setCheckable(True)
        details.toggled.connect(self.info.setVisible)
        self.view.zoomChanged.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f} %"))
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 0, 4, 0)
        for w in (fit, actual, zoom_out, zoom_in, self.zoom_label):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.draw_button)
        bar.addWidget(details)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.view)
        split.addWidget(self.info)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 0)
        split.setCollapsible(0, False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        self._mark_items: list[QGraphicsItem] = []
        self.view.open_image(library.derived, library.blobs.path_for(source.sha256), source.sha256)

    def apply_marks(self, marks: SourceMarks) -> None:
        """Draw annotated regions over the image (scene units are image pixels)."""
        scene = self.view.scene()
        for old in self._mark_items:
            scene.removeItem(old)
        self._mark_items = []
        for colour, fill, shape, points in qt_regions(marks).get(0, []):
            pen = QPen(colour, 0)  # cosmetic: two screen pixels at any zoom
            pen.setWidthF(2)
            pen.setCosmetic(True)
            if shape == "rect":
                (x0, y0), (x1, y1) = points[0], points[1]
                item: QGraphicsItem = scene.addRect(QRectF(x0, y0, x1 - x0, y1 - y0), pen, fill)
            elif shape == "polygon":
                item = scene.addPolygon(QPolygonF([QPointF(x, y) for x, y in points]), pen, fill)
            else:
                for x, y in points:
                    dot = scene.addEllipse(QRectF(x - 4, y - 4, 8, 8), pen, fill)
                    dot.setZValue(1)
                    self._mark_items.append(dot)
                continue
            item.setZValue(1)
            self._mark_items.append(item)

    # --- drawing regions -----------------------------------------------------------

    def drawing_surface(self) -> QWidget:
        """The image view's viewport."""
        return self.view.viewport()

    def drawing_changed(self, on: bool) -> None:
        """Drag draws instead of panning while the tool is on."""
        self.view.setDragMode(
            QGraphicsView.DragMode.NoDrag if on else QGraphicsView.DragMode.ScrollHandDrag
        )
        self.view.viewport().setCursor(
            Qt.CursorShape.CrossCursor if on else Qt.CursorShape.OpenHandCursor
        )
        if not on:
            self._drop_rubber()

    def _clamped(self, pos: QPointF) -> QPointF:
        point = self.view.view_to_image(pos)
        pyramid = self.view.pyramid
        if pyramid is None:
            return point
        width, height = pyramid.full_size
        return QPointF(min(max(point.x(), 0.0), width), min(max(point.y(), 0.0), height))

    def _drop_rubber(self) -> None:
        if self._rubber is not None:
            self.view.scene().removeItem(self._rubber)
            self._rubber = None
        self._drag_start = None

    def draw_press(self, pos: QPointF) -> None:
        """Start a rubber-band rectangle in image pixels."""
        self._drag_start = self._clamped(pos)
        pen = QPen(QColor("#1f6feb"), 2)
        pen.setCosmetic(True)
        self._rubber = self.view.scene().addRect(
            QRectF(self._drag_start, self._drag_start), pen, QColor(31, 111, 235, 40)
        )
        self._rubber.setZValue(2)

    def draw_move(self, pos: QPointF) -> None:
        """Follow the mouse."""
        if self._drag_start is not None and self._rubber is not None:
            self._rubber.setRect(QRectF(self._drag_start, self._clamped(pos)).normalized())

    def draw_release(self, pos: QPointF) -> None:
        """Emit the rectangle when it has an area."""
        if self._drag_start is None:
            return
        rect = QRectF(self._drag_start, self._clamped(pos)).normalized()
        self._drop_rubber()
        if rect.width() >= 2 and rect.height() >= 2:
            self.regionDrawn.emit(
                RegionAnchor("rect", ((rect.left(), rect.top()), (rect.right(), rect.bottom())))
            )

    def show_annotation(self, data: AnnotationData) -> None:
        """Centre the view on an annotated region."""
        anchor = data.anchor
        if isinstance(anchor, RegionAnchor):
            x, y, w, h = anchor.bbox
            self.view.centerOn(QPointF(x + w / 2, y + h / 2))

    def close_document(self) -> None:
        """Stop tile workers and close the image."""
        self.view.close_image()


class PdfSourceView(RegionDrawingView):
    """A PDF source: page thumbnails beside the continuous page view.

    With "Rectangle" on, a drag on a page draws a region in PDF points.
    """

    def __init__(
        self, controller: LibraryController, source_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        library = controller.library
        with library.reader() as session:
            source = resolve_source(session, str(source_id))
            sha, pages = source.sha256, source.page_count
        self.view = PdfView(library.blobs.path_for(sha), page_count=pages or None)
        self.strip = PageStrip(self.view)
        self.make_draw_button("Draw a rectangle on a page to mark a region (Esc stops)")
        bar = self.view.toolbar.layout()
        if isinstance(bar, QBoxLayout):
            bar.addWidget(self.draw_button)
        self._drag: tuple[int, float, float, QPoint] | None = None
        self._band = QRubberBand(QRubberBand.Shape.Rectangle, self.view.viewport())
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.strip)
        split.addWidget(self.view)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setCollapsible(1, False)
        split.setSizes([110, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    def apply_marks(self, marks: SourceMarks) -> None:
        """Draw annotated passages and regions on the pages."""
        regions = {p: r for p, r in qt_regions(marks).items() if p}
        document = self.view.document
        for page, colour in marks.pages.items():
            if document is None or not 1 <= page <= document.page_count:
                continue
            width, height = document.page_size(page)
            outline, fill = region_style(colour)
            regions.setdefault(page, []).append(
                (outline, fill, "rect", [(0.0, 0.0), (width, height)])
            )
        self.view.set_annotations(qt_spans(marks), regions)

    def selection(self) -> tuple[int, int, int] | None:
        """The selected passage: (page, start, end) in code points of the page text."""
        return self.view.selection()

    def drawing_surface(self) -> QWidget:
        """The page view's viewport."""
        return self.view.viewport()

    def drawing_changed(self, on: bool) -> None:
        """A cross cursor while drawing; drop a half-drawn band when done."""
        viewport = self.view.viewport()
        if on:
            viewport.setCursor(Qt.CursorShape.CrossCursor)
        else:
            viewport.unsetCursor()
            self._band.hide()
            self._drag = None

    def draw_press(self, pos: QPointF) -> None:
        """Start on the page under the mouse (a press between pages does nothing)."""
        hit = self.view.viewport_to_page(pos)
        if hit is None:
            return
        self._drag = (hit[0], hit[1], hit[2], pos.toPoint())
        self._band.setGeometry(QRect(pos.toPoint(), QSize()))
        self._band.show()

    def draw_move(self, pos: QPointF) -> None:
        """Follow the mouse."""
        if self._drag is not None:
            self._band.setGeometry(QRect(self._drag[3], pos.toPoint()).normalized())

    def draw_release(self, pos: QPointF) -> None:
        """Emit the rectangle, in PDF points clamped to its page."""
        if self._drag is None:
            return
        page, x0, y0, _ = self._drag
        self._drag = None
        self._band.hide()
        document = self.view.document
        if document is None:
            return
        corner = self.view.page_rect(page)
        width, height = document.page_size(page)
        scale = corner.width() / max(1e-6, width)
        x1 = min(max((pos.x() - corner.x()) / scale, 0.0), width)
        y1 = min(max((pos.y() - corner.y()) / scale, 0.0), height)
        left, right = sorted((x0, x1))
        top, bottom = sorted((y0, y1))
        if right - left >= 2 and bottom - top >= 2:
            self.regionDrawn.emit(RegionAnchor("rect", ((left, top), (right, bottom)), page))

    def show_annotation(self, data: AnnotationData) -> None:
        """Go to an annotation and emphasise it."""
        anchor = data.anchor
        if isinstance(anchor, TextAnchor):
            self.view.show_range(anchor.page, anchor.start, anchor.end)
        elif anchor.page:
            self.view.go_to_page(anchor.page)

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


def make_viewer(controller: LibraryController, source_id: int, kind: str) -> QWidget:
    """A viewer widget for the source (the pane owns it)."""
    if kind == "image":
        return ImageSourceView(controller, source_id)
    if kind == "pdf":
        return PdfSourceView(controller, source_id)
    return ArticleView(controller.library, source_id)
