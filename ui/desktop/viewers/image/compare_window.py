"""Before and after: two pictures of the same place, pan and zoom locked on the map.

Each side is a tiled ImageView. Moving or zooming one moves the other to the same
ground position at the same ground scale (metres per screen pixel): the centre goes
pixel -> WGS84 -> the other picture's pixel, and the zoom is scaled by the ratio of
their ground sample distances. Both need coordinates; rotation between the two is
not matched (north-up scenes, the common case, line up).

Three ways to look: side by side; Swipe, the two views stacked in one pane (the
"after" on top, masked to the right of a line the slider moves); Opacity, the same
stack with the "after" drawn at the slider's opacity. Stacked, both views have the
same size and the lock puts each ground point on the same screen point in both (the
views may scroll past their picture's edge, so the lock is not cut short there).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QRegion, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsOpacityEffect,
    QHBoxLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ui.desktop.viewers.image.image_view import ImageView
from ui.desktop.viewers.source_view import SourceView, read_source_view
from workstation.core.library import Library
from workstation.geo.model import Georeference
from workstation.geo.overlap import overlapping
from workstation.geo.places import lonlat_pixel, pixel_lonlat
from workstation.geo.records import from_json

if TYPE_CHECKING:
    from ui.desktop.app.controller import LibraryController


@dataclass(frozen=True)
class CompareSide:
    """One picture to compare, as plain data read off the GUI thread."""

    source_id: int
    title: str
    captured: str | None
    path: Path
    sha256: str
    georeference: dict[str, Any]


MODES = {"side": "Side by side", "swipe": "Swipe", "opacity": "Opacity"}


class _Stage(QWidget):
    """Where the two views sit: halves side by side, or one on the other."""

    def __init__(self, window: CompareWindow) -> None:
        super().__init__(window)
        self.window_ = window

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Lay the views out again for the new size."""
        super().resizeEvent(event)
        self.window_.lay_out()


class _SwipeHandle(QWidget):
    """The swipe line: a yellow line with a grip either side; dragging it moves the slider."""

    GRIP = 5  # pixels either side of the line that take the mouse

    def __init__(self, stage: QWidget, slider: QSlider) -> None:
        super().__init__(stage)
        self.slider = slider
        self.setCursor(Qt.CursorShape.SplitHCursor)
        self.setToolTip("Drag to move the swipe line")

    def paintEvent(self, event: QPaintEvent) -> None:
        """A two-pixel line down the middle."""
        painter = QPainter(self)
        painter.fillRect(self.GRIP - 1, 0, 2, self.height(), QColor(255, 214, 0))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Follow the mouse: the slider holds where the line is (thousandths of the width)."""
        stage = self.parentWidget()
        x = self.mapToParent(event.position().toPoint()).x()
        if stage is not None and stage.width() > 0:
            self.slider.setValue(round(1000 * min(max(x, 0), stage.width()) / stage.width()))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Take the drag (the views below do not pan)."""
        event.accept()


class CompareWindow(QWidget):
    """Two georeferenced pictures side by side or one over the other, with capture dates.

    Args:
        derived_dir: The library's ``derived/`` folder (tile pyramids).
        before: The left picture.
        after: The right picture.
        parent: The parent widget (None: a window of its own).
    """

    def __init__(
        self,
        derived_dir: Path,
        before: CompareSide,
        after: CompareSide,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(f"Compare: {before.title} and {after.title}")
        self.sides = (before, after)
        self.views = (ImageView(), ImageView())
        self._georefs: tuple[Georeference, Georeference] = (
            from_json(before.georeference),
            from_json(after.georeference),
        )
        self._syncing = False
        self.mode = "side"
        self.mode_box = QComboBox()
        for key, text in MODES.items():
            self.mode_box.addItem(text, key)
        self.mode_box.setToolTip(
            "Side by side, or one over the other: a swipe line, or the later picture "
            "over the earlier at an opacity"
        )
        self.mode_box.currentIndexChanged.connect(
            lambda _i: self.set_mode(str(self.mode_box.currentData()))
        )
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 1000)
        self.slider.setValue(500)
        self.slider.valueChanged.connect(lambda _v: self.lay_out())
        self.slider_label = QLabel("")
        self.stage = _Stage(self)
        self.swipe_line = _SwipeHandle(self.stage, self.slider)
        self.swipe_line.hide()
        self.labels: list[QLabel] = []
        dates = QHBoxLayout()
        dates.setContentsMargins(0, 0, 0, 0)
        for side, view in zip(self.sides, self.views, strict=True):
            label = QLabel(f"{side.title} · {side.captured or 'capture date unknown'}")
            label.setContentsMargins(6, 2, 6, 2)
            self.labels.append(label)
            dates.addWidget(label, 1)
            view.setParent(self.stage)
            view.zoomChanged.connect(lambda _z, v=view: self.follow(v))
            view.horizontalScrollBar().valueChanged.connect(lambda _v, v=view: self.follow(v))
            view.verticalScrollBar().valueChanged.connect(lambda _v, v=view: self.follow(v))
            view.loaded.connect(self._pad)
            view.loaded.connect(lambda: self.follow(self.views[0]))
            view.open_image(derived_dir, side.path, side.sha256)
        self.swipe_line.raise_()
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 2, 6, 2)
        bar.addWidget(QLabel("View:"))
        bar.addWidget(self.mode_box)
        bar.addWidget(self.slider, 100)
        bar.addWidget(self.slider_label)
        bar.addStretch(1)  # side by side (no slider): the list keeps its size
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addLayout(dates)
        layout.addWidget(self.stage, 1)
        self.set_mode("side")

    @property
    def stacked(self) -> bool:
        """Whether the two views are one over the other (Swipe, Opacity)."""
        return self.mode != "side"

    def set_mode(self, mode: str) -> None:
        """'side' (side by side), 'swipe' or 'opacity'."""
        if mode not in MODES:
            raise ValueError(f"no compare mode {mode!r}")
        self.mode = mode
        self.mode_box.setCurrentIndex(self.mode_box.findData(mode))
        self.slider.setVisible(self.stacked)
        self.slider_label.setVisible(self.stacked)
        self.slider.setToolTip(
            "Where the swipe line is" if mode == "swipe" else "How opaque the later picture is"
        )
        # The earlier picture's date on the left, the later's on the right, in every mode.
        self.labels[1].setAlignment(
            Qt.AlignmentFlag.AlignRight if self.stacked else Qt.AlignmentFlag.AlignLeft
        )
        self._pad()
        self.lay_out()
        self.follow(self.views[0])

    def _pad(self) -> None:
        """Stacked, a view may scroll a picture's size past each edge (so the lock is exact)."""
        for view in self.views:
            rect = view.scene().sceneRect()
            if self.stacked and not rect.isEmpty():
                w, h = rect.width(), rect.height()
                view.setSceneRect(rect.adjusted(-w, -h, w, h))
            else:
                view.setSceneRect(QRectF())  # the scene's own: the picture

    def lay_out(self) -> None:
        """Place the views (and the swipe line) for the mode and the slider."""
        area = self.stage.rect()
        before, after = self.views
        after.clearMask()
        after.setGraphicsEffect(None)  # type: ignore[arg-type]
        self.swipe_line.hide()
        if not self.stacked:
            half = (area.width() - 2) // 2
            before.setGeometry(0, 0, half, area.height())
            after.setGeometry(area.width() - half, 0, half, area.height())
            return
        before.setGeometry(area)
        after.setGeometry(area)
        after.raise_()
        fraction = self.slider.value() / 1000
        if self.mode == "swipe":
            x = round(area.width() * fraction)
            after.setMask(QRegion(QRect(x, 0, area.width() - x, area.height())))
            grip = _SwipeHandle.GRIP
            self.swipe_line.setGeometry(x - grip, 0, 2 * grip, area.height())
            self.swipe_line.show()
            self.swipe_line.raise_()
            self.slider_label.setText(f"{fraction * 100:.0f} % before")
        else:
            effect = QGraphicsOpacityEffect(after)
            effect.setOpacity(fraction)
            after.setGraphicsEffect(effect)
            self.slider_label.setText(f"later at {fraction * 100:.0f} %")

    def follow(self, leader: ImageView) -> None:
        """Put the other view on the same ground position and scale as ``leader``."""
        if self._syncing or any(v.pyramid is None for v in self.views):
            return
        index = self.views.index(leader)
        other = self.views[1 - index]
        mine, theirs = self._georefs[index], self._georefs[1 - index]
        centre = leader.view_to_image(QPointF(leader.viewport().rect().center()))
        lonlat = pixel_lonlat(mine, centre.x(), centre.y())
        target = lonlat_pixel(theirs, *lonlat) if lonlat is not None else None
        if target is None or not mine.gsd or not theirs.gsd:
            return
        self._syncing = True
        try:
            other.set_zoom(leader.zoom * theirs.gsd / mine.gsd)
            other.centerOn(other.image_to_scene(QPointF(*target)))
        finally:
            self._syncing = False

    def centre_of(self, index: int) -> QPointF:
        """The image pixel at the centre of view ``index`` (0: before, 1: after)."""
        view = self.views[index]
        return view.view_to_image(QPointF(view.viewport().rect().center()))


def _side_of(view: SourceView) -> CompareSide | None:
    georeference = view.details.get("georeference")
    if not georeference or "footprint" not in georeference:
        return None
    return CompareSide(
        view.source_id,
        view.title,
        georeference.get("captured"),
        view.path,
        view.sha256,
        georeference,
    )


def find_pair(
    library: Library, session: Session, source_id: int
) -> tuple[CompareSide, CompareSide] | None:
    """This picture and the georeferenced one overlapping it most (runs on the read pool)."""
    found = overlapping(session, source_id)
    if not found:
        return None
    this = _side_of(read_source_view(library, session, source_id))
    other = _side_of(read_source_view(library, session, found[0].source_id))
    if this is None or other is None:
        return None
    # The earlier capture on the left (unknown dates last).
    pair = sorted((this, other), key=lambda s: (s.captured is None, s.captured or ""))
    return pair[0], pair[1]


def open_compare(
    controller: LibraryController, source_id: int, on_message: Callable[[str], None]
) -> None:
    """Open a CompareWindow for the picture and its best overlapping match, or say why not."""
    library = controller.library

    def done(pair: tuple[CompareSide, CompareSide] | None) -> None:
        if pair is None:
            on_message("No other georeferenced image overlaps this one")
            return
        window = CompareWindow(library.derived, *pair)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.resize(1200, 700)
        window.show()
        _open_windows.append(window)
        window.destroyed.connect(lambda: _open_windows.remove(window))

    controller.query(
        lambda session: find_pair(library, session, source_id), done, on_error=on_message
    )


_open_windows: list[CompareWindow] = []  # shown compare windows, kept from the collector
