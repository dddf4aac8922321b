"""Before and after: two pictures of the same place, pan and zoom locked on the map.

Each side is a tiled ImageView. Moving or zooming one moves the other to the same
ground position at the same ground scale (metres per screen pixel): the centre goes
pixel -> WGS84 -> the other picture's pixel, and the zoom is scaled by the ratio of
their ground sample distances; a picture turned against the other on the ground
is turned back on screen (north-up pairs are left alone). Pictures without
coordinates (or any pair, if the reviewer prefers) are locked in the first
picture's pixels after a two-point alignment: the reviewer clicks two points in
each, a similarity (scale, rotation, shift) maps the first onto the second, and
the second view is turned to match.

Three ways to look: side by side; Swipe, the two views stacked in one pane (the
"after" on top, masked to the right of a line the slider moves); Opacity, the same
stack with the "after" drawn at the slider's opacity. Stacked, both views have the
same size and the lock puts each ground point on the same screen point in both (the
views may scroll past their picture's edge, so the lock is not cut short there).

The window opens on a library pair (``workstation.geo.pairs``: chosen by hand, with its
alignment) or on a suggestion (the best footprint overlap) that Keep as pair, or an
alignment, stores. Each picture's marks are drawn over it, read-only; Mark on both
makes one mark on each as one undo step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QRegion,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsOpacityEffect,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ui.desktop.annotations.marks import RegionItem, SourceMarks, load_marks, region_marks
from ui.desktop.app.settings import ImagePair as RememberedPair
from ui.desktop.app.settings import Settings
from ui.desktop.viewers.image.image_view import ImageView
from ui.desktop.viewers.image.pair_chooser import choose_pair
from ui.desktop.viewers.source_view import SourceView, read_source_view
from workstation.annotations.anchors import RegionAnchor
from workstation.core.library import Library
from workstation.geo.model import Affine, Georeference, GeorefError
from workstation.geo.overlap import overlapping
from workstation.geo.pairing import image_with_sha
from workstation.geo.pairs import ImagePair, PairService, get_pair, pair_between, pair_of
from workstation.geo.places import lonlat_pixel, pixel_lonlat
from workstation.geo.records import from_json
from workstation.geo.transform import (
    apply,
    check_shape,
    invert,
    pixel_similarity,
    scale_and_rotation,
)

if TYPE_CHECKING:
    from ui.desktop.annotations.commands import AnnotationCommands
    from ui.desktop.app.controller import LibraryController


@dataclass(frozen=True)
class CompareSide:
    """One picture to compare, as plain data read off the GUI thread."""

    source_id: int
    title: str
    captured: str | None
    path: Path
    sha256: str
    georeference: dict[str, Any]  # empty: none (or only a scale: no coordinates)
    marks: SourceMarks = field(default_factory=SourceMarks)  # its marks, drawn read-only

    @property
    def located(self) -> bool:
        """Whether it has coordinates (a CRS and a transform; the ground lock needs both)."""
        return bool(self.georeference.get("crs") and self.georeference.get("transform"))


Points = Sequence[tuple[float, float]]


@dataclass(frozen=True)
class PairShown:
    """What a Compare window opens on: two pictures, before first, and what is stored.

    Attributes:
        pair_id: The library pair (None: a suggestion, e.g. the best footprint overlap).
        alignment: The two-point alignment, (before's pixels, after's), or None.
        note: The pair's note.
    """

    sides: tuple[CompareSide, CompareSide]
    pair_id: int | None = None
    alignment: tuple[Points, Points] | None = None
    note: str | None = None


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


def _toggle(text: str, tip: str, slot: Callable[[bool], None]) -> QPushButton:
    button = QPushButton(text)
    button.setCheckable(True)
    button.setToolTip(tip)
    button.toggled.connect(slot)
    return button


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
        *,
        alignment: Affine | None = None,
        on_aligned: Callable[[Points, Points], None] | None = None,
        on_mark: Callable[[tuple[RegionAnchor, RegionAnchor]], None] | None = None,
        on_keep: Callable[[], None] | None = None,
        on_note: Callable[[str], None] | None = None,
        pair_id: int | None = None,
        note: str | None = None,
        reload_marks: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(f"Compare: {before.title} and {after.title}")
        self.sides = (before, after)
        self.views = (ImageView(), ImageView())
        self._georefs: tuple[Georeference, Georeference] | None = (
            (from_json(before.georeference), from_json(after.georeference))
            if before.located and after.located
            else None
        )
        self.alignment: Affine | None = None  # first picture's pixels -> the second's
        self.on_aligned = on_aligned
        self.clicked: tuple[list[QPointF], list[QPointF]] = ([], [])  # while aligning
        self.aligning = False
        self.on_mark = on_mark
        self.marking = False
        self._drag: tuple[int, QPointF, QPointF] | None = None  # picture, start, end
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
        self.align_button = _toggle(
            "Align by two points",
            "Click the same two places in each picture (left, right, left, right); "
            "the pictures are then locked in the first one's pixels, turned and scaled",
            self.start_aligning,
        )
        self.mark_button = _toggle(
            "Mark on both",
            "Drag a rectangle in either picture: it is marked on both, each in its own "
            "pixels (e.g. a new container stack)",
            self.start_marking,
        )
        self.mark_button.setVisible(on_mark is not None)
        self.pair_id = pair_id
        self.reload_marks = reload_marks
        self.keep_button = QPushButton("Keep as pair")
        self.keep_button.setToolTip(
            "Keep these two pictures as a before and after in the library (audited; a "
            "bundle holding both prints them on a before/after page)"
        )
        if on_keep is not None:
            self.keep_button.clicked.connect(on_keep)
        self.keep_button.setVisible(on_keep is not None and pair_id is None)
        self.pair_label = QLabel("")
        self.pair_label.setContentsMargins(6, 0, 6, 0)
        self.note = note
        self.on_note = on_note
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("A note on the pair (the dossier prints it)")
        self.note_edit.setToolTip("What the two pictures show; Enter keeps it (audited)")
        self.note_edit.editingFinished.connect(self._note_edited)
        self.mark_items: tuple[list[RegionItem], list[RegionItem]] = ([], [])
        self.status = QLabel("")
        self.status.setContentsMargins(6, 0, 6, 0)
        self.status.setWordWrap(True)
        self.stage = _Stage(self)
        self.swipe_line = _SwipeHandle(self.stage, self.slider)
        self.swipe_line.hide()
        self.labels: list[QLabel] = []
        dates = QHBoxLayout()
        dates.setContentsMargins(0, 0, 0, 0)
        for index, (side, view) in enumerate(zip(self.sides, self.views, strict=True)):
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
            view.loaded.connect(partial(self._draw_marks, index))
            view.zoomChanged.connect(lambda _z, i=index: self._rescale_marks(i))
            view.viewport().installEventFilter(self)
            view.open_image(derived_dir, side.path, side.sha256)
        self.swipe_line.raise_()
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 2, 6, 2)
        bar.addWidget(QLabel("View:"))
        bar.addWidget(self.mode_box)
        bar.addWidget(self.slider, 100)
        bar.addWidget(self.slider_label)
        bar.addStretch(1)  # side by side (no slider): the list keeps its size
        bar.addWidget(self.keep_button)
        bar.addWidget(self.mark_button)
        bar.addWidget(self.align_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addLayout(dates)
        pair_row = QHBoxLayout()
        pair_row.setContentsMargins(0, 0, 6, 0)
        pair_row.addWidget(self.pair_label)
        pair_row.addWidget(self.note_edit, 1)
        layout.addLayout(pair_row)
        layout.addWidget(self.status)
        layout.addWidget(self.stage, 1)
        self.set_mode("side")
        self.set_pair(pair_id, note)
        if alignment is not None:
            self.set_alignment(alignment)
        elif self._georefs is not None:
            self.views[1].set_rotation(-self._ground_turn())
        else:
            self.status.setText(
                "Not locked: the pictures do not both have coordinates. "
                "Align by two points to lock them."
            )

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
        """Put the other view on the same ground position and scale as ``leader``
        (or, aligned by hand, on the same place in the first picture's pixels)."""
        if self._syncing or any(v.pyramid is None for v in self.views):
            return
        index = self.views.index(leader)
        other = self.views[1 - index]
        centre = leader.view_to_image(QPointF(leader.viewport().rect().center()))
        target = self.map_point(index, centre.x(), centre.y())
        if target is None:
            return
        if self.alignment is not None:
            there = self.alignment if index == 0 else invert(self.alignment)
            ratio = 1 / scale_and_rotation(there)[0]
        else:
            assert self._georefs is not None  # map_point found a place
            mine, theirs = self._georefs[index], self._georefs[1 - index]
            if not mine.gsd or not theirs.gsd:
                return
            ratio = theirs.gsd / mine.gsd
        self._syncing = True
        try:
            other.set_zoom(leader.zoom * ratio)
            other.centerOn(other.image_to_scene(QPointF(*target)))
        finally:
            self._syncing = False

    def _ground_turn(self) -> float:
        """Degrees the second picture is turned against the first on the ground (0 for
        north-up pairs; below a hundredth of a degree counts as 0, so tiles stay snapped)."""
        a, b = self.map_point(0, 0, 0), self.map_point(0, 100, 0)
        if a is None or b is None:
            return 0.0
        turn = math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
        return 0.0 if abs(turn) < 0.01 else turn

    def map_point(self, index: int, x: float, y: float) -> tuple[float, float] | None:
        """Pixel (x, y) of picture ``index`` -> the same place in the other picture's
        pixels (through the alignment, else the ground); None when not locked."""
        if self.alignment is not None:
            return apply(self.alignment if index == 0 else invert(self.alignment), x, y)
        if self._georefs is None:
            return None
        lonlat = pixel_lonlat(self._georefs[index], x, y)
        return lonlat_pixel(self._georefs[1 - index], *lonlat) if lonlat is not None else None

    # --- one mark on both pictures -------------------------------------------------

    def start_marking(self, on: bool) -> None:
        """Begin (or stop) drawing a region that is marked on both pictures."""
        if on and self.aligning:
            self.start_aligning(False)
        self.marking = on and self.locked
        self._drag = None
        if self.mark_button.isChecked() != self.marking:
            self.mark_button.setChecked(self.marking)
        if on and not self.locked:
            self.status.setText("Mark on both needs the pictures locked: align them first")
        elif on:
            self.status.setText("Drag a rectangle in either picture: it is marked on both")
        for index, view in enumerate(self.views):
            view.set_overlay(partial(self._paint_drag, index) if self.marking else None)

    @property
    def locked(self) -> bool:
        """Whether a place in one picture has its place in the other."""
        return self.alignment is not None or self._georefs is not None

    def _paint_drag(self, side: int, painter: QPainter) -> None:
        """The rectangle being dragged, on picture ``side`` (mapped, on the other one)."""
        if self._drag is None:
            return
        index, start, end = self._drag
        corners: list[tuple[float, float] | None] = list(self._corners(start, end))
        if side != index:
            corners = [self.map_point(index, *p) for p in corners if p is not None]
        view = self.views[side]
        shown = [view.image_to_view(QPointF(*p)) for p in corners if p is not None]
        if len(shown) == 4:
            painter.setPen(QPen(QColor(255, 214, 0), 2))
            painter.drawPolygon(QPolygonF(shown))

    @staticmethod
    def _corners(a: QPointF, b: QPointF) -> list[tuple[float, float]]:
        left, right = sorted((a.x(), b.x()))
        top, bottom = sorted((a.y(), b.y()))
        return [(left, top), (right, top), (right, bottom), (left, bottom)]

    def mark_region(self, index: int, a: QPointF, b: QPointF) -> bool:
        """Mark the rectangle a-b of picture ``index`` on both: a rectangle there, its
        image (a polygon, when the pictures are turned) in the other; False if too small
        or not locked."""
        corners = self._corners(a, b)
        (left, top), _tr, (right, bottom), _bl = corners
        if right - left < 2 or bottom - top < 2 or self.on_mark is None:
            return False
        mapped = [self.map_point(index, x, y) for x, y in corners]
        theirs = tuple(p for p in mapped if p is not None)
        if len(theirs) != 4:
            return False
        drawn = RegionAnchor("rect", ((left, top), (right, bottom)))
        other = RegionAnchor("polygon", theirs)
        if self.alignment is None and all(
            math.isclose(p[0], q[0], abs_tol=1e-6) or math.isclose(p[1], q[1], abs_tol=1e-6)
            for p, q in zip(theirs, [*theirs[1:], theirs[0]], strict=True)
        ):  # north-up pictures: a rectangle stays one
            xs, ys = [p[0] for p in theirs], [p[1] for p in theirs]
            other = RegionAnchor("rect", ((min(xs), min(ys)), (max(xs), max(ys))))
        self.on_mark((drawn, other) if index == 0 else (other, drawn))
        self.status.setText("Marked on both pictures (one Ctrl+Z in the main window undoes both)")
        return True

    def _mark_event(self, index: int, view: ImageView, event: QMouseEvent) -> bool:
        here = view.view_to_image(event.position())
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self._drag = (index, here, here)
        elif kind == QEvent.Type.MouseMove and self._drag is not None:
            self._drag = (self._drag[0], self._drag[1], here)
        elif kind == QEvent.Type.MouseButtonRelease and self._drag is not None:
            start_index, start, _end = self._drag
            self._drag = None
            if start_index == index:
                self.mark_region(index, start, here)
        else:
            return False
        for v in self.views:
            v.overlay_changed()
        return True

    # --- two-point alignment ------------------------------------------------------

    def start_aligning(self, on: bool) -> None:
        """Begin (or give up) clicking two points in each picture; side by side meanwhile."""
        self.aligning = on
        self.clicked = ([], [])
        if on:
            self.start_marking(False)
        if self.align_button.isChecked() != on:
            self.align_button.setChecked(on)
        if on:
            self.set_mode("side")
        self.mode_box.setEnabled(not on)
        self._prompt()
        for index, view in enumerate(self.views):
            view.set_overlay(partial(self._paint_clicked, index) if on else None)

    def _paint_clicked(self, index: int, painter: QPainter) -> None:
        """The points clicked so far in picture ``index``, numbered."""
        view = self.views[index]
        painter.setPen(QPen(QColor(255, 214, 0), 2))
        for number, point in enumerate(self.clicked[index], 1):
            at = view.image_to_view(point)
            painter.drawLine(at + QPointF(-8, 0), at + QPointF(8, 0))
            painter.drawLine(at + QPointF(0, -8), at + QPointF(0, 8))
            painter.drawText(at + QPointF(6, -6), str(number))

    def _prompt(self) -> None:
        if not self.aligning:
            return
        mine, theirs = self.clicked
        n = len(mine) + len(theirs)
        side = "left" if len(mine) <= len(theirs) else "right"
        self.status.setText(
            f"Aligning: click point {len(mine) + 1 if side == 'left' else len(theirs) + 1} "
            f"in the {side} picture ({n} of 4 clicked; Esc or the button gives up)"
        )

    def add_point(self, index: int, pixel: QPointF) -> None:
        """A clicked point in picture ``index`` (0 left, 1 right); the fourth aligns."""
        mine, theirs = self.clicked
        expected = 0 if len(mine) <= len(theirs) else 1
        if not self.aligning or index != expected:
            return
        self.clicked[index].append(QPointF(pixel))
        self.views[index].overlay_changed()
        if len(theirs) < 2:
            self._prompt()
            return
        first = [(p.x(), p.y()) for p in mine]
        second = [(p.x(), p.y()) for p in theirs]
        try:
            alignment = pixel_similarity(first, second)
            check_shape(alignment)
        except GeorefError as exc:
            self.clicked = ([], [])
            self.status.setText(f"Cannot align: {exc.message}. Click the four points again.")
            return
        self.start_aligning(False)
        self.set_alignment(alignment)
        if self.on_aligned is not None:
            self.on_aligned(first, second)

    def set_alignment(self, alignment: Affine) -> None:
        """Lock the views in the first picture's pixels through ``alignment`` (first ->
        second): the second view is turned so both show the same way up."""
        self.alignment = alignment
        scale, rotation = scale_and_rotation(alignment)
        self.views[1].set_rotation(-rotation)
        self.status.setText(
            f"Aligned by two points: the right picture is {scale:.3g} × the left, "
            f"turned {rotation:.1f}°"
        )
        self.follow(self.views[0])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """While aligning, a left click in a picture is a point, not the start of a pan."""
        if (
            self.aligning
            and event.type() == QEvent.Type.MouseButtonPress
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
        ):
            for index, view in enumerate(self.views):
                if watched is view.viewport():
                    self.add_point(index, view.view_to_image(event.position()))
                    return True
        if self.marking and isinstance(event, QMouseEvent):
            for index, view in enumerate(self.views):
                if watched is view.viewport():
                    return self._mark_event(index, view, event)
        if (
            self.aligning
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            self.start_aligning(False)
            return True
        return super().eventFilter(watched, event)

    # --- the stored pair and the marks of each picture ---------------------------------

    def set_pair(self, pair_id: int | None, note: str | None = None) -> None:
        """Show whether the two are a library pair (its id and note) or a suggestion."""
        self.pair_id, self.note = pair_id, note
        if pair_id is None:
            self.pair_label.setText("A suggestion: Keep as pair to keep the two in the library")
        else:
            self.pair_label.setText(f"Image pair {pair_id} · note:")
            self.keep_button.hide()
        self.note_edit.setText(note or "")
        self.note_edit.setVisible(pair_id is not None and self.on_note is not None)

    def _note_edited(self) -> None:
        text = " ".join(self.note_edit.text().split())
        if self.on_note is not None and self.pair_id is not None and text != (self.note or ""):
            self.note = text or None
            self.on_note(text)

    def set_marks(self, index: int, marks: SourceMarks) -> None:
        """The marks of picture ``index`` (drawn read-only over it, in its own pixels)."""
        self.sides = (
            (replace(self.sides[0], marks=marks), self.sides[1])
            if index == 0
            else (self.sides[0], replace(self.sides[1], marks=marks))
        )
        self._draw_marks(index)

    def _draw_marks(self, index: int) -> None:
        view = self.views[index]
        if view.pyramid is None:
            return  # drawn once the picture is loaded
        scene = view.scene()
        for old in self.mark_items[index]:
            scene.removeItem(old)
        self.mark_items[index].clear()
        scale = view.transform().m11()
        for mark in region_marks(self.sides[index].marks):
            if mark.page is None:
                item = RegionItem(mark, scale)
                scene.addItem(item)
                self.mark_items[index].append(item)

    def _rescale_marks(self, index: int) -> None:
        scale = self.views[index].transform().m11()
        for item in self.mark_items[index]:
            item.set_scale(scale)

    def annotations_changed(self, source_id: object) -> None:
        """The main window wrote marks of ``source_id`` (None: any): read ours again."""
        if self.reload_marks is None:
            return
        for index, side in enumerate(self.sides):
            if source_id is None or source_id == side.source_id:
                self.reload_marks(index)

    def centre_of(self, index: int) -> QPointF:
        """The image pixel at the centre of view ``index`` (0: before, 1: after)."""
        view = self.views[index]
        return view.view_to_image(QPointF(view.viewport().rect().center()))


def _side_of(library: Library, session: Session, source_id: int) -> CompareSide:
    view = read_source_view(library, session, source_id)
    georeference = view.details.get("georeference") or {}
    return CompareSide(
        view.source_id,
        view.title,
        georeference.get("captured"),
        view.path,
        view.sha256,
        georeference,
        load_marks(library, session, source_id),
    )


def read_pair(library: Library, session: Session, source_id: int, other_id: int) -> PairShown:
    """Two pictures to compare (runs on the read pool): as stored when they are a pair,
    else the earlier capture first (unknown dates last), a suggestion."""
    stored = pair_between(session, source_id, other_id)
    if stored is not None:
        return read_stored(library, session, get_pair(session, stored.id))
    this = _side_of(library, session, source_id)
    other = _side_of(library, session, other_id)
    first, second = sorted((this, other), key=lambda s: (s.captured is None, s.captured or ""))
    return PairShown((first, second))


def read_stored(library: Library, session: Session, pair: ImagePair) -> PairShown:
    """A stored pair as the Compare window shows it (runs on the read pool)."""
    sides = (
        _side_of(library, session, pair.before.source_id),
        _side_of(library, session, pair.after.source_id),
    )
    return PairShown(sides, pair.id, pair.points if pair.alignment else None, pair.note)


def find_pair(
    library: Library, session: Session, source_id: int, remembered: RememberedPair | None = None
) -> PairShown | None:
    """What Compare opens for this picture (runs on the read pool): the library pair it
    was last put in; else the pair the desktop settings of an earlier version remembered
    (``remembered``, read, never written back: a suggestion until kept); else the
    georeferenced image overlapping it most (a suggestion)."""
    stored = pair_of(session, source_id)
    if stored is not None:
        return read_stored(library, session, stored)
    other = image_with_sha(session, remembered.other) if remembered else None
    if remembered is not None and other is not None and other != source_id:
        shown = read_pair(library, session, source_id, other)
        points = (list(remembered.mine), list(remembered.theirs))
        if shown.sides[0].source_id != source_id:
            points = (points[1], points[0])
        return replace(shown, alignment=points if points[0] else None)
    found = overlapping(session, source_id)
    if not found:
        return None
    return read_pair(library, session, source_id, found[0].source_id)


def keep_pair(
    library: Library, session: Session, shown: PairShown, points: tuple[Points, Points] | None
) -> PairShown:
    """Store the pictures as a library pair (or the stored one's new alignment) in the
    write transaction ``session``; returns it as stored."""
    service = PairService(library)
    before, after = (s.source_id for s in shown.sides)
    alignment = [(*a, *b) for a, b in zip(*points, strict=True)] if points else []
    found = pair_between(session, before, after)
    if found is None:
        pair = service.create(session, before, after, alignment=alignment)
    else:
        if found.before_id != before:  # stored the other way round: its points too
            alignment = [(p[2], p[3], p[0], p[1]) for p in alignment]
        pair = (
            service.align(session, found.id, alignment) if points else get_pair(session, found.id)
        )
    return read_stored(library, session, pair)


def show_compare(
    controller: LibraryController,
    shown: PairShown,
    commands: AnnotationCommands | None = None,
    on_message: Callable[[str], None] | None = None,
) -> CompareWindow:
    """Open a CompareWindow on ``shown``, aligned as stored. With ``commands`` (the main
    window's), Mark on both marks a region drawn in Compare on each source as one undo
    step, and the marks shown follow the main window's changes."""
    library = controller.library
    first, second = shown.sides
    alignment = None
    if shown.alignment is not None:
        try:
            alignment = pixel_similarity(*shown.alignment)
        except GeorefError:
            alignment = None  # a stored alignment that no longer fits: align again
    say = on_message or (lambda _m: None)

    def stored(result: PairShown) -> None:
        window.set_pair(result.pair_id, result.note)

    def keep(points: tuple[Points, Points] | None) -> None:
        current = replace(shown, pair_id=window.pair_id)
        controller.write(
            lambda session: keep_pair(library, session, current, points),
            stored,
            label="keeping the pair",
            on_error=lambda message: window.status.setText(f"Not kept: {message}"),
        )

    def note(text: str) -> None:
        pair_id = window.pair_id
        assert pair_id is not None  # the field is shown for stored pairs only
        controller.write(
            lambda session: PairService(library).set_note(session, pair_id, text).note,
            lambda saved: window.status.setText(
                f"Note kept with image pair {pair_id}" if saved else "Note removed"
            ),
            label="keeping the note",
            on_error=lambda message: window.status.setText(f"Note not kept: {message}"),
        )

    def on_mark(anchors: tuple[RegionAnchor, RegionAnchor]) -> None:
        assert commands is not None  # the button is shown only with them
        marks = [
            (side.source_id, anchor) for side, anchor in zip(shown.sides, anchors, strict=True)
        ]
        commands.create_marks(marks, "Mark on both")

    def reload(index: int) -> None:
        source_id = shown.sides[index].source_id
        controller.query(
            lambda session: load_marks(library, session, source_id),
            lambda marks: window.set_marks(index, marks),
            on_error=say,
        )

    window = CompareWindow(
        library.derived,
        first,
        second,
        alignment=alignment,
        on_aligned=lambda mine, theirs: keep((mine, theirs)),
        on_mark=on_mark if commands is not None else None,
        on_keep=lambda: keep(None),
        on_note=note,
        pair_id=shown.pair_id,
        note=shown.note,
        reload_marks=reload,
    )
    if commands is not None:
        commands.annotationsChanged.connect(window.annotations_changed)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.resize(1000, 680)
    window.show()
    _open_windows.append(window)
    window.destroyed.connect(lambda: _open_windows.remove(window))
    return window


def open_compare(
    controller: LibraryController,
    source: SourceView,
    on_message: Callable[[str], None],
    settings: Settings,
    *,
    choose: bool = False,
    commands: AnnotationCommands | None = None,
) -> None:
    """Compare the picture with its library pair (else the best overlap, a suggestion);
    with ``choose``, or when there is none, let the reviewer choose from a list: the
    chosen picture is kept as a library pair."""
    library = controller.library
    remembered = settings.image_pair(source.sha256)

    def done(shown: PairShown | None) -> None:
        if shown is None:
            on_message("No other georeferenced image overlaps this one: choose one to compare")
            choose_pair(controller, source, chosen, on_message)
            return
        _show(controller, shown, commands, on_message)

    def chosen(other_id: int) -> None:
        def write(session: Session) -> PairShown:
            shown = read_pair(library, session, source.source_id, other_id)
            return keep_pair(library, session, shown, None)

        controller.write(write, done, label="keeping the pair", on_error=on_message)

    if choose:
        choose_pair(controller, source, chosen, on_message)
        return
    controller.query(
        lambda session: find_pair(library, session, source.source_id, remembered),
        done,
        on_error=on_message,
    )


def open_stored_pair(
    controller: LibraryController,
    pair_id: int,
    on_message: Callable[[str], None],
    commands: AnnotationCommands | None = None,
) -> None:
    """Open the Compare window on library pair ``pair_id`` (as stored, with its alignment)."""
    library = controller.library
    controller.query(
        lambda session: read_stored(library, session, get_pair(session, pair_id)),
        lambda shown: _show(controller, shown, commands, on_message),
        on_error=on_message,
    )


def _show(
    controller: LibraryController,
    shown: PairShown,
    commands: AnnotationCommands | None,
    on_message: Callable[[str], None],
) -> None:
    show_compare(controller, shown, commands, on_message)


_open_windows: list[CompareWindow] = []  # shown compare windows, kept from the collector
