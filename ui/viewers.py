"""Which viewer shows which kind of source, and the small frames around them.

Each viewer a pane holds may offer ``find_text``/``find_next``/
``find_previous`` (the pane's find bar), ``show_hit(page, quote)`` (search
results) and ``close_document()`` (release files and workers).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPen, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
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
from ui.marks import SourceMarks, qt_regions, qt_spans
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


class ImageSourceView(QWidget):
    """An image source: the tiled viewer, a zoom bar and the EXIF/GPS panel."""

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
        details = _tool("Details", "Show or hide EXIF and GPS details")
        details.setCheckable(True)
        details.toggled.connect(self.info.setVisible)
        self.view.zoomChanged.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f} %"))
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 0, 4, 0)
        for w in (fit, actual, zoom_out, zoom_in, self.zoom_label):
            bar.addWidget(w)
        bar.addStretch(1)
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
        for colour, shape, points in qt_regions(marks).get(0, []):
            pen = QPen(colour, 0)  # cosmetic: two screen pixels at any zoom
            pen.setWidthF(2)
            pen.setCosmetic(True)
            fill = QColor(colour)
            fill.setAlpha(50)
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

    def show_annotation(self, data: AnnotationData) -> None:
        """Centre the view on an annotated region."""
        anchor = data.anchor
        if isinstance(anchor, RegionAnchor):
            x, y, w, h = anchor.bbox
            self.view.centerOn(QPointF(x + w / 2, y + h / 2))

    def close_document(self) -> None:
        """Stop tile workers and close the image."""
        self.view.close_image()


class PdfSourceView(QWidget):
    """A PDF source: page thumbnails beside the continuous page view."""

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
        self.view.set_annotations(qt_spans(marks), regions)

    def selection(self) -> tuple[int, int, int] | None:
        """The selected passage: (page, start, end) in code points of the page text."""
        return self.view.selection()

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
