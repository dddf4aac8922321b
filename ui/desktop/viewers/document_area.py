"""The centre of the window: one or more panes, each showing a source.

Panes split side by side or top/bottom (nested splitters), take sources
dropped from the library list, and close back down to one pane.

Signals (DocumentArea):
    currentPaneChanged(object): the pane with focus changed.
    regionDrawn(object, object): a pane and the RegionAnchor drawn in it.
    markSelected(str): the reviewer clicked a mark on a page (its uuid).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollBar,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy.orm import Session

from ui.desktop.annotations.marks import SourceMarks, load_marks
from ui.desktop.app.controller import LibraryController
from ui.desktop.library.source_list_model import MIME_SOURCES
from ui.desktop.viewers.frames import make_viewer
from ui.desktop.viewers.source_view import SourceView, read_source_view
from ui.desktop.widgets.elided_label import ElidedLabel
from ui.desktop.widgets.icons import icon, kind_icon
from workstation.core.errors import WorkstationError

ViewerFactory = Callable[[LibraryController, SourceView], QWidget]


def default_viewer(controller: LibraryController, source: SourceView) -> QWidget:
    """The viewer for a source of its kind."""
    return make_viewer(controller, source)


class FindBar(QFrame):
    """Find in the current document: Enter next, Shift+Enter previous, Esc hides."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("Find in document")
        self.edit.setClearButtonEnabled(True)
        self.count = QLabel("")
        prev_button = QToolButton()
        prev_button.setText("▲")
        prev_button.setToolTip("Previous match (Shift+Enter)")
        next_button = QToolButton()
        next_button.setText("▼")
        next_button.setToolTip("Next match (Enter)")
        close = QToolButton()
        close.setIcon(icon("close"))
        close.setToolTip("Close (Esc)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.count)
        layout.addWidget(prev_button)
        layout.addWidget(next_button)
        layout.addWidget(close)
        self.target: Any = None
        self._last = ""
        self.edit.returnPressed.connect(self._enter)
        prev_button.clicked.connect(self.previous)
        next_button.clicked.connect(self.next)
        close.clicked.connect(self.hide)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.hide)
        QShortcut(QKeySequence("Shift+Return"), self.edit, self.previous)
        self.hide()

    def open_for(self, target: Any) -> None:
        """Show the bar for a viewer with find_text/find_next/find_previous."""
        self.target = target
        self._last = ""
        self.count.setText("")
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()

    def _enter(self) -> None:
        if self.edit.text() != self._last:
            self._run()
        else:
            self.next()

    def _run(self) -> None:
        self._last = self.edit.text()
        if self.target is None or not hasattr(self.target, "find_text"):
            return
        found = self.target.find_text(self._last)
        self._show_count(1 if found else 0, int(found or 0))

    def next(self) -> None:
        """Next match."""
        if self.target is not None and hasattr(self.target, "find_next"):
            self.target.find_next()
            self._update()

    def previous(self) -> None:
        """Previous match."""
        if self.target is not None and hasattr(self.target, "find_previous"):
            self.target.find_previous()
            self._update()

    def _update(self) -> None:
        current = getattr(self.target, "current_match", None)
        total = getattr(self.target, "match_count", None)
        if isinstance(current, int) and isinstance(total, int):
            self._show_count(current, total)

    def _show_count(self, current: int, total: int) -> None:
        self.count.setText(f"{current} of {total}" if total else "no matches")


class DocumentPane(QFrame):
    """A pane: a header with the source's title, and its viewer.

    Signals:
        focused(): the pane got focus (it becomes the current pane).
        closeRequested(): the close button was pressed.
        viewerChanged(): the pane shows another source (or none).
        marksChanged(): the pane's annotations were (re)drawn.
        regionDrawn(object): the viewer drew a region (a RegionAnchor) to mark.
        regionEdited(str, object): a region mark was moved or resized (uuid, RegionAnchor).
        deleteRequested(str): the reviewer pressed Delete on a selected region mark.
        markSelected(str): the reviewer clicked a mark on the page (its uuid).
    """

    focused = Signal()
    closeRequested = Signal()
    viewerChanged = Signal()
    marksChanged = Signal()
    regionDrawn = Signal(object)
    regionEdited = Signal(str, object)
    deleteRequested = Signal(str)
    markSelected = Signal(str)

    def __init__(
        self,
        controller: LibraryController,
        factory: ViewerFactory,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.factory = factory
        self.source_id: int | None = None
        self._opening = 0
        self.viewer: QWidget | None = None
        self.marks_count = 0
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.kind_label = QLabel()
        self.title = ElidedLabel("Empty pane")  # a long title never widens the window
        close = QToolButton()
        close.setIcon(icon("close"))
        close.setAutoRaise(True)
        close.setToolTip("Close pane (Ctrl+W)")
        close.clicked.connect(self.closeRequested)
        header = QHBoxLayout()
        header.setContentsMargins(6, 2, 2, 2)
        header.addWidget(self.kind_label)
        header.addWidget(self.title, 1)
        header.addWidget(close)
        self.header = QFrame()
        self.header.setObjectName("paneHeader")
        self.header.setLayout(header)

        self.placeholder = QLabel(
            "Double-click a source in the library, or drag it here.\n"
            "Ctrl+\\ splits side by side, Ctrl+Shift+\\ top and bottom."
        )
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setEnabled(False)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.find_bar = FindBar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.find_bar)
        self.set_current(False)

    def set_current(self, current: bool) -> None:
        """Mark the pane as the one menus act on."""
        self.setProperty("current", current)
        self.header.setStyleSheet(
            "#paneHeader { border-bottom: 2px solid palette(highlight); }"
            if current
            else "#paneHeader { border-bottom: 2px solid transparent; }"
        )

    def open_source(
        self,
        source_id: int,
        page: int | None = None,
        quote: str = "",
        *,
        on_shown: Callable[[QWidget], None] | None = None,
    ) -> None:
        """Show a source; go to ``page`` and highlight ``quote`` when given.

        The source is read on the read pool and the viewer built when it
        arrives (then ``on_shown(viewer)``); a later call wins over one still
        being read.
        """
        self._opening += 1
        opening = self._opening
        library = self.controller.library

        def read(session: Session) -> SourceView:
            return read_source_view(library, session, source_id)

        def arrived(source: SourceView) -> None:
            if opening == self._opening and isValid(self.stack):
                self._show(source, page, quote)
                if on_shown is not None and self.viewer is not None:
                    on_shown(self.viewer)

        self.controller.query(read, arrived)

    def _show(self, source: SourceView, page: int | None, quote: str) -> None:
        source_id, kind, title = source.source_id, source.kind, source.title
        if self.source_id != source_id or self.viewer is None:
            viewer = self.factory(self.controller, source)
            self._replace_viewer(viewer)
            self.source_id = source_id
        self.kind_label.setPixmap(kind_icon(kind).pixmap(16, 16))
        self.title.setText(title)
        self.title.setToolTip(f"{title} (source {source_id})")
        if (page or quote) and self.viewer is not None and hasattr(self.viewer, "show_hit"):
            self.viewer.show_hit(page or 1, quote)
        self.reload_marks()

    def reload_marks(self) -> None:
        """Read this source's annotations on a worker and have the viewer draw them."""
        viewer, source_id = self.viewer, self.source_id
        if viewer is None or source_id is None or not hasattr(viewer, "apply_marks"):
            return
        library = self.controller.library

        def apply(marks: SourceMarks) -> None:
            if self.viewer is viewer:  # still showing the same document
                viewer.apply_marks(marks)
                self.marks_count = marks.count
                self.marksChanged.emit()

        self.controller.query(lambda session: load_marks(library, session, source_id), apply)

    def _drop_viewer(self) -> None:
        if self.viewer is not None:
            self.stack.removeWidget(self.viewer)
            closer = getattr(self.viewer, "close_document", None)
            if callable(closer):
                closer()
            self.viewer.deleteLater()
            self.viewer = None

    def _replace_viewer(self, viewer: QWidget) -> None:
        self._drop_viewer()
        self.viewer = viewer
        self.stack.addWidget(viewer)
        self.stack.setCurrentWidget(viewer)
        viewer.installEventFilter(self)
        for child in viewer.findChildren(QWidget):
            child.installEventFilter(self)
        for name, to in (
            ("regionDrawn", self.regionDrawn),
            ("regionEdited", self.regionEdited),
            ("regionDeleteRequested", self.deleteRequested),
            ("regionSelected", self.markSelected),
        ):
            signal = getattr(viewer, name, None)
            if signal is not None:
                signal.connect(to)
        self.viewerChanged.emit()

    def clear(self) -> None:
        """Back to the empty pane."""
        self._drop_viewer()
        self.source_id = None
        self.kind_label.clear()
        self.title.setText("Empty pane")
        self.find_bar.hide()

    def show_find(self) -> None:
        """Open the find bar for this pane's viewer (or the viewer's own)."""
        if self.viewer is None:
            return
        own = getattr(self.viewer, "show_find", None)
        if callable(own):
            own()
        else:
            self.find_bar.open_for(self.viewer)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in (QEvent.Type.FocusIn, QEvent.Type.MouseButtonPress):
            self.focused.emit()
        return False

    def focusInEvent(self, event: Any) -> None:  # noqa: N802
        self.focused.emit()
        super().focusInEvent(event)

    def mousePressEvent(self, event: Any) -> None:  # noqa: N802
        self.focused.emit()
        super().mousePressEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasFormat(MIME_SOURCES):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        data = event.mimeData()
        if not data.hasFormat(MIME_SOURCES):
            event.ignore()
            return
        ids = json.loads(bytes(data.data(MIME_SOURCES).data()).decode())
        if ids:
            event.acceptProposedAction()
            self.focused.emit()
            try:
                self.open_source(int(ids[0]))
            except WorkstationError as exc:
                self.controller.errorOccurred.emit(exc.message)


class DocumentArea(QWidget):
    """Nested splitters of DocumentPanes; see the module docstring."""

    currentPaneChanged = Signal(object)
    regionDrawn = Signal(object, object)
    regionEdited = Signal(object, str, object)
    deleteRequested = Signal(str)
    markSelected = Signal(str)

    def __init__(
        self,
        controller: LibraryController,
        factory: ViewerFactory = default_viewer,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.factory = factory
        self.root = QSplitter(Qt.Orientation.Horizontal)
        self.root.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.root)
        self.current: DocumentPane = self._new_pane()
        self.root.addWidget(self.current)
        self._make_current(self.current)

    def _new_pane(self) -> DocumentPane:
        pane = DocumentPane(self.controller, self.factory)
        pane.focused.connect(lambda p=pane: self._make_current(p))
        pane.closeRequested.connect(lambda p=pane: self.close_pane(p))
        pane.viewerChanged.connect(self._relink)
        pane.regionDrawn.connect(lambda anchor, p=pane: self.regionDrawn.emit(p, anchor))
        pane.regionEdited.connect(lambda u, anchor, p=pane: self.regionEdited.emit(p, u, anchor))
        pane.deleteRequested.connect(self.deleteRequested)
        pane.markSelected.connect(self.markSelected)
        return pane

    def _make_current(self, pane: DocumentPane) -> None:
        if getattr(self, "current", None) is not None and self.current is not pane:
            self.current.set_current(False)
        self.current = pane
        pane.set_current(True)
        self.currentPaneChanged.emit(pane)

    def panes(self) -> list[DocumentPane]:
        """Every pane, in layout order (left to right, top to bottom); findChildren's
        order is not that (a restored session came back mirrored)."""
        found: list[DocumentPane] = []

        def walk(splitter: QSplitter) -> None:
            for index in range(splitter.count()):
                widget = splitter.widget(index)
                if isinstance(widget, DocumentPane):
                    found.append(widget)
                elif isinstance(widget, QSplitter):
                    walk(widget)

        walk(self.root)
        return found

    def split(self, orientation: Qt.Orientation = Qt.Orientation.Horizontal) -> DocumentPane:
        """Split the current pane; the new, empty pane becomes current."""
        pane = self.current
        parent = pane.parentWidget()
        assert isinstance(parent, QSplitter)
        new = self._new_pane()
        index = parent.indexOf(pane)
        if parent.orientation() == orientation or parent.count() == 1:
            parent.setOrientation(orientation)
            parent.insertWidget(index + 1, new)
            sizes = [1] * parent.count()
            parent.setSizes([s * 1000 for s in sizes])
        else:
            sizes = parent.sizes()
            inner = QSplitter(orientation)
            inner.setChildrenCollapsible(False)
            # insertWidget hands the new splitter to Qt's ownership (PySide's
            # replaceWidget does not, and the splitter would die with `inner`).
            parent.insertWidget(index, inner)
            inner.addWidget(pane)
            inner.addWidget(new)
            inner.setSizes([1000, 1000])
            parent.setSizes(sizes)
        self._make_current(new)
        return new

    def close_pane(self, pane: DocumentPane | None = None) -> None:
        """Close a pane (the current one by default); the last pane just empties."""
        pane = pane or self.current
        order = self.panes()
        if len(order) <= 1:
            pane.clear()
            return
        # The pane before it (else the one after) takes over, as in an editor.
        at = order.index(pane)
        successor = order[at - 1] if at > 0 else order[at + 1]
        parent = pane.parentWidget()
        assert isinstance(parent, QSplitter)
        pane.clear()
        pane.setParent(None)
        pane.deleteLater()
        # Collapse splitters left with a single child.
        while parent is not self.root and parent.count() == 1:
            grand = parent.parentWidget()
            assert isinstance(grand, QSplitter)
            only = parent.widget(0)
            assert only is not None
            grand.insertWidget(grand.indexOf(parent), only)
            parent.setParent(None)
            parent.deleteLater()
            parent = grand
        self._make_current(successor)
        successor.setFocus()

    # --- linked scrolling ----------------------------------------------------

    def set_linked_scrolling(self, on: bool) -> None:
        """Scroll every pane together, by the same fraction of its length.

        For reading two versions of one document side by side; panes without
        a vertical scroll bar (images) are left alone.
        """
        self._linked = on
        for bar in getattr(self, "_linked_bars", []):
            # A bar whose viewer is gone raises; that link is gone with it.
            with contextlib.suppress(RuntimeError):
                bar.valueChanged.disconnect(self._follow)
        self._linked_bars: list[QScrollBar] = []
        if not on:
            return
        for pane in self.panes():
            bar = _vertical_bar(pane.viewer)
            if bar is not None:
                bar.valueChanged.connect(self._follow)
                self._linked_bars.append(bar)

    def _relink(self) -> None:
        if self.linked_scrolling:
            self.set_linked_scrolling(True)

    @property
    def linked_scrolling(self) -> bool:
        """Whether panes scroll together."""
        return getattr(self, "_linked", False)

    def _follow(self, _value: int) -> None:
        if getattr(self, "_following", False):
            return
        source = self.sender()
        if not isinstance(source, QScrollBar) or source.maximum() <= 0:
            return
        fraction = source.value() / source.maximum()
        self._following = True
        try:
            for pane in self.panes():
                bar = _vertical_bar(pane.viewer)
                if bar is not None and bar is not source:
                    bar.setValue(round(fraction * bar.maximum()))
        finally:
            self._following = False

    def focus_next(self, step: int = 1) -> DocumentPane:
        """Make the next (or previous, step=-1) pane current and give it focus."""
        panes = self.panes()
        index = panes.index(self.current) if self.current in panes else 0
        pane = panes[(index + step) % len(panes)]
        self._make_current(pane)
        target = pane.viewer if pane.viewer is not None else pane
        target.setFocus()
        return pane

    def open_source(self, source_id: int, page: int | None = None, quote: str = "") -> None:
        """Open in the current pane, or go to the pane already showing the source (so a
        search hit or a mark does not replace the document beside it)."""
        showing = next((p for p in self.panes() if p.source_id == source_id), None)
        if showing is not None and showing is not self.current:
            self._make_current(showing)
        self.current.open_source(source_id, page, quote)

    def close_all(self) -> None:
        """Release every document (window closing)."""
        for pane in self.panes():
            pane.clear()


def _vertical_bar(viewer: QWidget | None) -> QScrollBar | None:
    """The scroll bar that moves through a viewer's document, if it has one."""
    if viewer is None:
        return None
    bars = [
        b for b in viewer.findChildren(QScrollBar) if b.orientation() == Qt.Orientation.Vertical
    ]
    # The document's bar is the longest-ranged one (page strips have their own).
    return max(bars, key=lambda b: b.maximum(), default=None)


def focus_pane_of(widget: QWidget | None) -> DocumentPane | None:
    """The pane that contains ``widget``."""
    while widget is not None:
        if isinstance(widget, DocumentPane):
            return widget
        widget = widget.parentWidget()
    return None
