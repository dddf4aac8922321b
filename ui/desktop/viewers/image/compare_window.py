"""Before and after: two pictures of the same place side by side, pan and zoom locked on the map.

Each side is a tiled ImageView. Moving or zooming one moves the other to the same
ground position at the same ground scale (metres per screen pixel): the centre goes
pixel -> WGS84 -> the other picture's pixel, and the zoom is scaled by the ratio of
their ground sample distances. Both need coordinates; rotation between the two is
not matched (north-up scenes, the common case, line up).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget
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


class CompareWindow(QWidget):
    """Two georeferenced pictures side by side, labelled with their capture dates.

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
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.labels = []
        for column, (side, view) in enumerate(zip(self.sides, self.views, strict=True)):
            label = QLabel(f"{side.title} · {side.captured or 'capture date unknown'}")
            label.setContentsMargins(6, 2, 6, 2)
            self.labels.append(label)
            layout.addWidget(label, 0, column)
            layout.addWidget(view, 1, column)
            layout.setColumnStretch(column, 1)
            view.zoomChanged.connect(lambda _z, v=view: self.follow(v))
            view.horizontalScrollBar().valueChanged.connect(lambda _v, v=view: self.follow(v))
            view.verticalScrollBar().valueChanged.connect(lambda _v, v=view: self.follow(v))
            view.loaded.connect(lambda: self.follow(self.views[0]))
            view.open_image(derived_dir, side.path, side.sha256)

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
