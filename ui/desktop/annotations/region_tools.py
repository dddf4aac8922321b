"""Drawing and reshaping region marks (rectangles, polygons, count markers) in a viewer.

One editor serves the image and the PDF panes: the viewer maps the mouse to source
coordinates (image pixels, PDF points on a page) and paints the overlay, the editor
keeps what is being drawn or dragged, so a shape stays put at any zoom. Drawing and
editing stay in one RegionEditor because the same press, move and release serve both,
by tool; the geometry they share is in region_geometry.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPolygonF

from ui.desktop.annotations.marks import (
    RegionMark,
    marker_radius,
    paint_count_markers,
    paint_region,
)
from ui.desktop.annotations.region_geometry import (
    Point,
    bbox,
    clamp,
    handles_of,
    inside,
    near_segment,
    resized,
    translated,
)
from workstation.annotations.anchors import RegionAnchor

DRAFT = QColor("#1f6feb")  # what is being drawn, before it has a category
HANDLE_SIZE = 8.0  # screen pixels
GRAB = 7.0  # how near (screen pixels) a press must be to take a handle or vertex
DRAG_START = 3.0  # screen pixels of movement before a press becomes a drag
MIN_SIZE = 1.0  # source units: a rectangle must keep some area


class Tool(enum.Enum):
    """The drawing tools next to each image and PDF pane."""

    RECT = "rect"
    POLYGON = "polygon"
    POINTS = "points"


class RegionSurface(Protocol):
    """What the editor needs from a viewer (positions are viewport pixels)."""

    def source_at(self, pos: QPointF) -> tuple[int | None, QPointF] | None:
        """(page, source point) under ``pos``; None between PDF pages. Images: page None."""
        ...

    def source_on(self, page: int | None, pos: QPointF) -> QPointF:
        """``pos`` in the coordinates of ``page``, even when it lies outside the page."""
        ...

    def view_of(self, page: int | None, point: Point) -> QPointF:
        """A source point on ``page`` in viewport pixels."""
        ...

    def bounds(self, page: int | None) -> tuple[float, float] | None:
        """Width and height of the image or page, None while unknown."""
        ...

    def scale(self, page: int | None) -> float:
        """Viewport pixels per source unit."""
        ...

    def show_regions(self) -> None:
        """Draw the editor's marks again (one may be hidden while it is dragged)."""
        ...

    def overlay_changed(self) -> None:
        """Repaint the overlay (what is being drawn, the selection and its handles)."""
        ...

    def set_hover_cursor(self, shape: Qt.CursorShape | None) -> None:
        """Show ``shape`` over a mark or handle; None gives the viewer its own cursor back."""
        ...


@dataclass
class _Drag:
    uuid: str
    page: int | None
    handle: int | None  # None moves the whole shape
    start: QPointF  # press in source coordinates
    press: QPointF  # press in viewport pixels
    original: list[Point]
    points: list[Point]
    moved: bool = False


def _area(mark: RegionMark) -> float:
    x0, y0, x1, y1 = bbox(mark.points)
    return (x1 - x0) * (y1 - y0)


_HANDLE_CURSORS = {
    0: Qt.CursorShape.SizeFDiagCursor,
    2: Qt.CursorShape.SizeFDiagCursor,
    1: Qt.CursorShape.SizeBDiagCursor,
    3: Qt.CursorShape.SizeBDiagCursor,
    4: Qt.CursorShape.SizeVerCursor,
    6: Qt.CursorShape.SizeVerCursor,
    5: Qt.CursorShape.SizeHorCursor,
    7: Qt.CursorShape.SizeHorCursor,
}

HINTS = {
    Tool.RECT: "Rectangle: drag over the region · Esc stops",
    Tool.POLYGON: (
        "Polygon: click each corner · double-click or Enter closes · "
        "Backspace removes the last corner · Esc cancels"
    ),
    Tool.POINTS: (
        "Count: click each object · Enter or double-click finishes · "
        "Backspace removes the last · Esc cancels"
    ),
}


NUDGES: dict[Qt.Key, tuple[float, float]] = {
    Qt.Key.Key_Left: (-1.0, 0.0),
    Qt.Key.Key_Right: (1.0, 0.0),
    Qt.Key.Key_Up: (0.0, -1.0),
    Qt.Key.Key_Down: (0.0, 1.0),
}


class RegionEditor:
    """The state of the region tools of one viewer.

    With a tool on, clicks draw; a finished shape goes to ``on_drawn`` as a RegionAnchor
    (the app then asks for a category). With no tool on, a click on a mark selects it,
    a drag moves it or (on a handle) reshapes it, and the new shape goes to
    ``on_edited(uuid, anchor)`` on release. Clicks elsewhere are left to the viewer.

    Args:
        surface: The viewer (coordinates, redraws, cursor).
        on_drawn: Called with the RegionAnchor of a finished shape.
        on_edited: Called with the uuid and new RegionAnchor of a moved or reshaped mark.
        on_hint: Called with one line telling the reviewer what the tool does next.
        on_delete: Called with the uuid of the selected mark when the reviewer presses
            Delete (the app deletes it through the service, undoable).
        on_select: Called with the uuid of a mark the reviewer clicked (it becomes the
            window's current mark).

    With a mark selected, the arrow keys nudge it by one source unit (a pixel of
    the image, a point of the PDF page), ten with Shift.
    """

    def __init__(
        self,
        surface: RegionSurface,
        on_drawn: Callable[[RegionAnchor], None],
        on_edited: Callable[[str, RegionAnchor], None],
        on_hint: Callable[[str], None] = lambda _text: None,
        on_delete: Callable[[str], None] = lambda _uuid: None,
        on_select: Callable[[str], None] = lambda _uuid: None,
    ) -> None:
        self.surface = surface
        self.on_select = on_select
        self.on_drawn = on_drawn
        self.on_edited = on_edited
        self.on_hint = on_hint
        self.on_delete = on_delete
        self.tool: Tool | None = None
        self.regions: list[RegionMark] = []
        self.selected: str | None = None
        self.draft: list[Point] = []  # polygon corners or count markers being placed
        self.draft_page: int | None = None
        self._rect: tuple[int | None, Point, Point] | None = None  # page, start, end
        self._hover: tuple[int | None, Point] | None = None
        self._drag: _Drag | None = None
        self._cursor: Qt.CursorShape | None = None
        self._wanted: str | None = None  # to select once the library's marks arrive
        # A shape just drawn, shown until the app stores it or drops it (while the
        # category picker is open it would otherwise vanish).
        self.pending: RegionAnchor | None = None
        self._boxes: dict[str, tuple[float, float, float, float]] = {}

    # --- state -----------------------------------------------------------------------------

    @property
    def hidden(self) -> str | None:
        """The mark being dragged: the overlay draws it, the viewer leaves it out."""
        return self._drag.uuid if self._drag is not None and self._drag.moved else None

    @property
    def busy(self) -> bool:
        """Whether a shape is half drawn or a mark is being dragged."""
        return bool(self.draft) or self._rect is not None or self._drag is not None

    def mark(self, uuid: str | None) -> RegionMark | None:
        """The mark with this uuid, if shown."""
        return next((m for m in self.regions if uuid and m.uuid == uuid), None)

    def set_regions(self, regions: list[RegionMark]) -> None:
        """New marks from the library (after any change); a selection that is gone ends."""
        self.regions = regions
        self._boxes = {m.uuid: bbox(m.points) for m in regions if m.editable and m.points}
        if self._wanted and self.mark(self._wanted) is not None:
            self.selected, self._wanted = self._wanted, None
        if self.mark(self.selected) is None:
            self.selected = None
        if self._drag is not None and self.mark(self._drag.uuid) is None:
            self._drag = None
        self.surface.show_regions()
        self.surface.overlay_changed()
        self._hint()

    def set_tool(self, tool: Tool | None) -> None:
        """Turn a tool on (None: select and edit marks); a half-drawn shape is dropped."""
        self.tool = tool
        self.cancel()
        if tool is not None:
            self.selected = None
        self._set_cursor(None)
        self.surface.overlay_changed()
        self._hint()

    def select(self, uuid: str | None) -> None:
        """Select a mark (shows its handles) or nothing; a mark not drawn yet is
        selected when it arrives (the marks of a source just opened load on a worker)."""
        self.selected = uuid if self.mark(uuid) is not None else None
        self._wanted = uuid if uuid and self.selected is None else None
        self.surface.overlay_changed()
        self._hint()

    def cancel(self) -> None:
        """Drop what is half drawn, and a drag in progress (the mark goes back)."""
        was_hidden = self.hidden
        self.draft = []
        self.draft_page = None
        self._rect = None
        self._drag = None
        if was_hidden:
            self.surface.show_regions()
        self.surface.overlay_changed()
        self._hint()

    def hint(self) -> str:
        """One line for the reviewer: what the tool or the selection does next."""
        if self.tool is Tool.POLYGON and self.draft:
            n = len(self.draft)
            more = "" if n >= 3 else f" (at least {3 - n} more)"
            return (
                f"Polygon: {n} corner{'s' if n != 1 else ''}{more} · double-click or Enter "
                "closes · Backspace removes the last corner · Esc cancels"
            )
        if self.tool is Tool.POINTS and self.draft:
            return (
                f"Count: {len(self.draft)} · Enter or double-click finishes · "
                "Backspace removes the last · Esc cancels"
            )
        if self.tool is not None:
            return HINTS[self.tool]
        selected = self.mark(self.selected)
        if selected is not None and selected.shape == "polygon":
            return (
                "Drag to move · drag a corner to reshape · double-click an edge adds a corner, "
                "a corner removes it · Del deletes · Esc deselects"
            )
        if selected is not None and selected.shape == "points":
            return (
                f"{len(selected.points)} counted · drag to move · double-click adds a marker, "
                "on a marker removes it · Del deletes · Esc deselects"
            )
        if self.selected:
            return (
                "Drag to move · drag a handle to reshape · arrows nudge · Del deletes · "
                "Esc deselects"
            )
        return ""

    def _hint(self) -> None:
        self.on_hint(self.hint())

    def _set_cursor(self, shape: Qt.CursorShape | None) -> None:
        if shape != self._cursor:
            self._cursor = shape
            self.surface.set_hover_cursor(shape)

    # --- hit testing (viewport pixels) --------------------------------------------------

    def _handle_at(self, mark: RegionMark, pos: QPointF) -> int | None:
        best: tuple[float, int] | None = None
        for index, point in enumerate(handles_of(mark.shape, mark.points)):
            view = self.surface.view_of(mark.page, point)
            distance = math.hypot(view.x() - pos.x(), view.y() - pos.y())
            reach = GRAB + (6 if mark.shape == "points" else 0)  # a marker is a big target
            if distance <= reach and (best is None or distance < best[0]):
                best = (distance, index)
        return None if best is None else best[1]

    def _contains(self, mark: RegionMark, pos: QPointF) -> bool:
        if mark.shape == "points":
            return self._handle_at(mark, pos) is not None
        view = [self.surface.view_of(mark.page, p) for p in mark.points]
        if mark.shape == "rect":
            return QRectF(view[0], view[1]).normalized().adjusted(-4, -4, 4, 4).contains(pos)
        polygon = QPolygonF(view)
        if polygon.containsPoint(pos, Qt.FillRule.OddEvenFill):
            return True
        return polygon.boundingRect().adjusted(-4, -4, 4, 4).contains(pos) and any(
            near_segment(pos, a, b, 4) for a, b in zip(view, view[1:] + view[:1], strict=True)
        )

    def mark_at(self, pos: QPointF) -> RegionMark | None:
        """The editable mark under a viewport position (the smallest, if they overlap)."""
        hit = self.surface.source_at(pos)
        if hit is None:
            return None
        page, where = hit
        # Bounding boxes in source units first: hovering must stay cheap with 5,000 marks.
        reach = (GRAB + 6 + 12) / max(self.surface.scale(page), 1e-6)
        x, y = where.x(), where.y()
        found = []
        for m in self.regions:
            box = self._boxes.get(m.uuid)
            if box is None or m.page != page:
                continue
            if not (
                box[0] - reach <= x <= box[2] + reach and box[1] - reach <= y <= box[3] + reach
            ):
                continue
            if self._contains(m, pos):
                found.append(m)
        return min(found, key=_area) if found else None

    def _in_selected_box(self, mark: RegionMark, pos: QPointF) -> bool:
        view = [self.surface.view_of(mark.page, p) for p in mark.points]
        return QPolygonF(view).boundingRect().adjusted(-4, -4, 4, 4).contains(pos)

    # --- events ------------------------------------------------------------------------

    def press(self, pos: QPointF) -> bool:
        """Left button down; True when the editor used it."""
        if self.tool is None:
            return self._press_select(pos)
        hit = self.surface.source_at(pos)
        if self.tool is Tool.RECT:
            if hit is None:
                return True
            page, where = hit
            start = clamp((where.x(), where.y()), self.surface.bounds(page))
            self._rect = (page, start, start)
            self.surface.overlay_changed()
            return True
        if not self.draft:
            if hit is None:
                return True
            self.draft_page = hit[0]
        page = self.draft_page
        raw = self.surface.source_on(page, pos)
        point: Point = (raw.x(), raw.y())
        bounds = self.surface.bounds(page)
        if self.tool is Tool.POINTS:
            if not inside(point, bounds):
                return True  # a marker where nobody clicked would miscount
            if not self.draft or not self._near_view(page, self.draft[-1], pos, 2):
                self.draft.append(point)
        else:
            point = clamp(point, bounds)
            if len(self.draft) >= 3 and self._near_view(page, self.draft[0], pos, GRAB + 1):
                self.finish()  # a click on the first corner closes, as in most editors
                return True
            if not self.draft or not self._near_view(page, self.draft[-1], pos, 2):
                self.draft.append(point)
        self._hover = (page, point)
        self.surface.overlay_changed()
        self._hint()
        return True

    def _near_view(self, page: int | None, point: Point, pos: QPointF, reach: float) -> bool:
        view = self.surface.view_of(page, point)
        return math.hypot(view.x() - pos.x(), view.y() - pos.y()) <= reach

    def _press_select(self, pos: QPointF) -> bool:
        current = self.mark(self.selected)
        handle = None
        mark = None
        if current is not None:
            handle = self._handle_at(current, pos)
            if handle is not None or self._contains(current, pos):
                mark = current
            elif current.shape == "points" and self._in_selected_box(current, pos):
                mark = current  # inside a selected set of markers: move them all
        if mark is None:
            mark = self.mark_at(pos)
            if mark is not None and mark.shape == "points":
                handle = self._handle_at(mark, pos)
        if mark is None:
            if self.selected is not None:
                self.select(None)
            return False  # the viewer pans or selects text
        self.selected = mark.uuid
        self.on_select(mark.uuid)
        start = self.surface.source_on(mark.page, pos)
        self._drag = _Drag(
            mark.uuid, mark.page, handle, start, QPointF(pos), list(mark.points), list(mark.points)
        )
        self.surface.overlay_changed()
        self._hint()
        return True

    def move(self, pos: QPointF, pressed: bool) -> bool:
        """The mouse moved (``pressed``: with the left button down)."""
        if self.tool is None:
            return self._move_select(pos, pressed)
        if self.tool is Tool.RECT:
            if self._rect is None:
                return True
            page, start, _end = self._rect
            point = self.surface.source_on(page, pos)
            end = clamp((point.x(), point.y()), self.surface.bounds(page))
            self._rect = (page, start, end)
        else:
            page = self.draft_page if self.draft else None
            if self.draft:
                point = self.surface.source_on(page, pos)
                self._hover = (page, (point.x(), point.y()))
            else:
                hit = self.surface.source_at(pos)
                self._hover = None if hit is None else (hit[0], (hit[1].x(), hit[1].y()))
        self.surface.overlay_changed()
        return True

    def _move_select(self, pos: QPointF, pressed: bool) -> bool:
        drag = self._drag
        if drag is None:
            if pressed:
                return False
            self._set_cursor(self._cursor_over(pos))
            return self._cursor is not None
        if not drag.moved:
            if math.hypot(pos.x() - drag.press.x(), pos.y() - drag.press.y()) < DRAG_START:
                return True
            drag.moved = True
            self.surface.show_regions()  # the dragged mark is drawn by the overlay now
        mark = self.mark(drag.uuid)
        if mark is None:
            return True
        bounds = self.surface.bounds(drag.page)
        point = self.surface.source_on(drag.page, pos)
        if drag.handle is None:
            dx, dy = point.x() - drag.start.x(), point.y() - drag.start.y()
            drag.points = translated(drag.original, dx, dy, bounds)
        elif mark.shape == "rect":
            drag.points = resized(drag.original, drag.handle, clamp((point.x(), point.y()), bounds))
        else:
            moved = list(drag.original)
            moved[drag.handle] = clamp((point.x(), point.y()), bounds)
            drag.points = moved
        self.surface.overlay_changed()
        return True

    def _cursor_over(self, pos: QPointF) -> Qt.CursorShape | None:
        current = self.mark(self.selected)
        if current is not None:
            handle = self._handle_at(current, pos)
            if handle is not None:
                if current.shape == "rect":
                    return _HANDLE_CURSORS[handle]
                return Qt.CursorShape.CrossCursor
            if self._contains(current, pos) or (
                current.shape == "points" and self._in_selected_box(current, pos)
            ):
                return Qt.CursorShape.SizeAllCursor
        if self.mark_at(pos) is not None:
            return Qt.CursorShape.PointingHandCursor
        return None

    def release(self, pos: QPointF) -> bool:
        """Left button up."""
        if self.tool is None:
            drag, self._drag = self._drag, None
            if drag is None:
                return False
            mark = self.mark(drag.uuid)
            if drag.moved and mark is not None:
                new = [(round(x, 2), round(y, 2)) for x, y in drag.points]
                x0, y0, x1, y1 = bbox(new)
                too_small = mark.shape == "rect" and (x1 - x0 < MIN_SIZE or y1 - y0 < MIN_SIZE)
                if new != [(round(x, 2), round(y, 2)) for x, y in drag.original] and not too_small:
                    # Shown where it was dropped until the library's answer redraws it.
                    mark.points = new
                    self._boxes[mark.uuid] = bbox(new)
                    self.on_edited(
                        mark.uuid,
                        RegionAnchor(mark.shape, tuple(new), mark.page),  # type: ignore[arg-type]
                    )
                self.surface.show_regions()
            self.surface.overlay_changed()
            self._set_cursor(self._cursor_over(pos))
            return True
        if self.tool is Tool.RECT and self._rect is not None:
            page, start, end = self._rect
            self._rect = None
            self.surface.overlay_changed()
            left, right = sorted((start[0], end[0]))
            top, bottom = sorted((start[1], end[1]))
            if right - left >= 2 and bottom - top >= 2:
                self._hand_on(RegionAnchor("rect", ((left, top), (right, bottom)), page))
        return True

    def double_click(self, pos: QPointF) -> bool:
        """A double-click closes a polygon or finishes a set of count markers (the press
        before it already placed the last point)."""
        if self.tool in (Tool.POLYGON, Tool.POINTS):
            # Normally the press before it placed the point; if it did not (a synthetic
            # double-click), place it now. A point where the last one is is not repeated.
            if not self.draft or not self._near_view(self.draft_page, self.draft[-1], pos, 2):
                self.press(pos)
            if self.draft:
                self.finish()
            return True
        if self.tool is None and self._edit_points(pos):
            return True
        return self.tool is not None or self.mark_at(pos) is not None

    def _edit_points(self, pos: QPointF) -> bool:
        """Double-click on the selected polygon or set of count markers: on a corner or
        marker removes it (a polygon keeps three, a count one); on a polygon's edge, or
        inside a set of markers, adds one there."""
        mark = self.mark(self.selected)
        if mark is None or mark.shape not in ("polygon", "points") or self._drag is not None:
            return False
        points = list(mark.points)
        handle = self._handle_at(mark, pos)
        raw = self.surface.source_on(mark.page, pos)
        where = clamp((raw.x(), raw.y()), self.surface.bounds(mark.page))
        if handle is not None:
            if len(points) <= (3 if mark.shape == "polygon" else 1):
                return True  # the hint says why nothing happened
            del points[handle]
        elif mark.shape == "polygon":
            views = [self.surface.view_of(mark.page, p) for p in points]
            edge = next(
                (
                    i
                    for i in range(len(views))
                    if near_segment(pos, views[i], views[(i + 1) % len(views)], GRAB)
                ),
                None,
            )
            if edge is None:
                return False
            points.insert(edge + 1, where)
        elif self._in_selected_box(mark, pos):
            points.append(where)
        else:
            return False
        new = [(round(x, 2), round(y, 2)) for x, y in points]
        mark.points = new
        self._boxes[mark.uuid] = bbox(new)
        self.surface.show_regions()
        self.surface.overlay_changed()
        self._hint()
        self.on_edited(mark.uuid, RegionAnchor(mark.shape, tuple(new), mark.page))  # type: ignore[arg-type]
        return True

    def key(self, key: Qt.Key, shift: bool = False) -> bool:
        """Enter finishes, Backspace removes the last point, Esc cancels or stops;
        with a mark selected, Delete deletes it and the arrows nudge it."""
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.draft:
            self.finish()
            return True
        if key == Qt.Key.Key_Backspace and self.draft:
            self.draft.pop()
            if not self.draft:
                self.draft_page = None
            self.surface.overlay_changed()
            self._hint()
            return True
        if key == Qt.Key.Key_Escape:
            if self.busy:
                self.cancel()
                return True
            if self.selected is not None:
                self.select(None)
                return True
        selected = self.mark(self.selected) if not self.busy else None
        if selected is None:
            return False
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.select(None)
            self.on_delete(selected.uuid)
            return True
        if key in NUDGES:
            dx, dy = NUDGES[key]
            step = 10.0 if shift else 1.0
            self._nudge(selected, dx * step, dy * step)
            return True
        return False

    def _nudge(self, mark: RegionMark, dx: float, dy: float) -> None:
        new = [
            (round(x, 2), round(y, 2))
            for x, y in translated(mark.points, dx, dy, self.surface.bounds(mark.page))
        ]
        if new == [(round(x, 2), round(y, 2)) for x, y in mark.points]:
            return  # at the edge already
        mark.points = new
        self._boxes[mark.uuid] = bbox(new)
        self.surface.show_regions()
        self.surface.overlay_changed()
        self.on_edited(mark.uuid, RegionAnchor(mark.shape, tuple(new), mark.page))  # type: ignore[arg-type]

    def wants_key(self, key: Qt.Key) -> bool:
        """Whether ``key`` means something now (so a window shortcut must not take it)."""
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return bool(self.draft)
        if key == Qt.Key.Key_Backspace:
            return bool(self.draft) or self.selected is not None
        if key == Qt.Key.Key_Escape:
            return self.busy or self.selected is not None or self.tool is not None
        if key == Qt.Key.Key_Delete or key in NUDGES:
            return self.selected is not None and not self.busy
        return False

    def finish(self) -> None:
        """Close the polygon or end the set of count markers and hand it on."""
        tool, points, page = self.tool, list(self.draft), self.draft_page
        if tool is Tool.POLYGON and len(points) < 3:
            return  # keep drawing: the hint says how many corners are missing
        if tool not in (Tool.POLYGON, Tool.POINTS) or not points:
            return
        self.draft = []
        self.draft_page = None
        self.surface.overlay_changed()
        self._hint()
        shape = "polygon" if tool is Tool.POLYGON else "points"
        self._hand_on(RegionAnchor(shape, tuple(points), page))  # type: ignore[arg-type]

    def _hand_on(self, anchor: RegionAnchor) -> None:
        self.pending = anchor
        self.surface.overlay_changed()
        self.on_drawn(anchor)

    def drop_pending(self) -> None:
        """The drawn shape was stored (the marks will show it) or given up."""
        if self.pending is not None:
            self.pending = None
            self.surface.overlay_changed()

    # --- painting ----------------------------------------------------------------------

    def paint(self, painter: QPainter) -> None:
        """The overlay, in viewport pixels: the shape being drawn, the selected mark's
        handles, and a mark being dragged."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_selection(painter)
        self._paint_draft(painter)
        self._paint_pending(painter)
        painter.restore()

    def _paint_pending(self, painter: QPainter) -> None:
        anchor = self.pending
        if anchor is None:
            return
        view = [self.surface.view_of(anchor.page, p) for p in anchor.points]
        fill = QColor(DRAFT)
        fill.setAlpha(40)
        paint_region(painter, QColor(DRAFT), QBrush(fill), anchor.shape, view)

    def _paint_selection(self, painter: QPainter) -> None:
        mark = self.mark(self.selected)
        if mark is None:
            return
        drag = self._drag
        points = drag.points if drag is not None and drag.moved else mark.points
        view = [self.surface.view_of(mark.page, p) for p in points]
        if drag is not None and drag.moved:
            paint_region(painter, mark.outline, mark.fill, mark.shape, view)
        if mark.shape != "rect":
            box = QPolygonF(view).boundingRect().adjusted(-3, -3, 3, 3)
            if mark.shape == "points":
                box = box.adjusted(-10, -10, 10, 10)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(QColor(0, 0, 0, 160), 1))
            painter.drawRect(box)
            dashed = QPen(DRAFT, 1, Qt.PenStyle.DashLine)
            painter.setPen(dashed)
            painter.drawRect(box)
        else:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(DRAFT, 1, Qt.PenStyle.DashLine))
            painter.drawRect(QRectF(view[0], view[1]).normalized())
        if mark.shape == "points":
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(DRAFT, 2))
            for n, point in enumerate(view, start=1):
                radius = marker_radius(n) + 3
                painter.drawEllipse(point, radius, radius)
            return
        half = HANDLE_SIZE / 2
        painter.setPen(QPen(DRAFT, 1.5))
        painter.setBrush(QBrush(QColor("#ffffff")))
        for point in (self.surface.view_of(mark.page, p) for p in handles_of(mark.shape, points)):
            painter.drawRect(QRectF(point.x() - half, point.y() - half, HANDLE_SIZE, HANDLE_SIZE))

    def _paint_draft(self, painter: QPainter) -> None:
        fill = QColor(DRAFT)
        fill.setAlpha(40)
        pen = QPen(DRAFT, 2)
        if self._rect is not None:
            page, start, end = self._rect
            painter.setPen(pen)
            painter.setBrush(fill)
            painter.drawRect(
                QRectF(self.surface.view_of(page, start), self.surface.view_of(page, end))
            )
            return
        page = self.draft_page
        view = [self.surface.view_of(page, p) for p in self.draft]
        hover = None
        if self._hover is not None and (not self.draft or self._hover[0] == page):
            hover = self.surface.view_of(self._hover[0], self._hover[1])
        if self.tool is Tool.POLYGON and view:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawPolygon(QPolygonF(view + ([hover] if hover is not None else [])))
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPolyline(QPolygonF(view))
            if hover is not None:
                painter.setPen(QPen(DRAFT, 1.5, Qt.PenStyle.DashLine))
                painter.drawLine(view[-1], hover)
                if len(view) >= 2:
                    painter.drawLine(hover, view[0])
            painter.setPen(QPen(DRAFT, 1.5))
            painter.setBrush(QBrush(QColor("#ffffff")))
            half = HANDLE_SIZE / 2 - 1
            for point in view:
                painter.drawEllipse(point, half, half)
        elif self.tool is Tool.POINTS:
            if view:
                paint_count_markers(painter, DRAFT, view)
            if hover is not None:
                # The number the next click gets, beside the cursor: the running count.
                ghost = QColor(DRAFT)
                ghost.setAlpha(110)
                paint_count_markers(painter, ghost, [hover + QPointF(16, -16)], first=len(view) + 1)
