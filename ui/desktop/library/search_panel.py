"""Full-text search box and its ranked hits with highlighted snippets.

The query runs on a pool thread; a newer query supersedes an older one.
Activating a hit asks to open the source at the hit's page.

Signals:
    hitActivated(int, int, str): source id, 1-based page, text to highlight.
    hitSelected(int): a hit was chosen with one click or the arrow keys (its source
        id, for the Inspector).
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ui.desktop.app.controller import LibraryController
from ui.desktop.widgets.icons import icon
from workstation.search.service import SearchHit, SearchResults, SearchService

HIT_ROLE = Qt.ItemDataRole.UserRole + 10
HTML_ROLE = Qt.ItemDataRole.UserRole + 11


def hit_html(hit: SearchHit, highlight: str) -> str:
    """Title line and snippet with the matched spans marked."""
    parts: list[str] = []
    pos = 0
    for start, end in hit.highlights:
        parts.append(html.escape(hit.snippet[pos:start]))
        parts.append(
            f'<span style="background:{highlight}; font-weight:600">'
            f"{html.escape(hit.snippet[start:end])}</span>"
        )
        pos = end
    parts.append(html.escape(hit.snippet[pos:]))
    title = html.escape(hit.title or f"source {hit.source_id}")
    return (
        f"<b>{title}</b> <span style='color:gray'>· p. {hit.page} · {hit.kind}</span>"
        f"<br/>{''.join(parts)}"
    )


class HitDelegate(QStyledItemDelegate):
    """Draws a hit's rich-text title and snippet."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        self.initStyleOption(option, index)
        doc = QTextDocument()
        doc.setHtml(index.data(HTML_ROLE) or "")
        doc.setTextWidth(option.rect.width() - 8)
        style = option.widget.style() if option.widget else None
        option.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        painter.save()
        painter.translate(option.rect.left() + 4, option.rect.top() + 3)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        if option.state & QStyle.StateFlag.State_Selected:
            ctx.palette.setColor(
                QPalette.ColorRole.Text, option.palette.color(QPalette.ColorRole.HighlightedText)
            )
        doc.documentLayout().draw(painter, ctx)
        painter.restore()

    def sizeHint(  # noqa: N802
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        doc = QTextDocument()
        doc.setHtml(index.data(HTML_ROLE) or "")
        width = option.rect.width() if option.rect.width() > 50 else 320
        doc.setTextWidth(width - 8)
        return QSize(width, int(doc.size().height()) + 6)


class SearchPanel(QWidget):
    """Query box, hit count and hit list."""

    hitActivated = Signal(int, int, str)
    hitSelected = Signal(int)

    def __init__(self, controller: LibraryController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.box = QLineEdit()
        self.box.setPlaceholderText('Search all text: words, "a phrase", prefix*, OR, -not')
        self.box.setClearButtonEnabled(True)
        self.box.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.box.setToolTip(
            'Words are ANDed; "quotes" for a phrase; word* for a prefix; OR; -word or NOT '
            "word; parentheses group. Korean, Japanese, Chinese and Russian work too."
        )
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.hits = QListWidget()
        self.hits.setItemDelegate(HitDelegate(self.hits))
        self.hits.setWordWrap(True)
        self.hits.setUniformItemSizes(False)
        self.hits.itemActivated.connect(self._activate)
        self.hits.itemDoubleClicked.connect(self._activate)
        self.hits.currentItemChanged.connect(self._selected)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.box)
        layout.addWidget(self.status)
        layout.addWidget(self.hits, 1)
        self.box.returnPressed.connect(self.run_query)
        self._generation = 0
        self.results: SearchResults | None = None

    def run_query(self) -> None:
        """Search for what is in the box, off the GUI thread."""
        query = self.box.text().strip()
        self._generation += 1
        generation = self._generation
        if not query:
            self.hits.clear()
            self.status.setText("")
            return
        self.status.setText("Searching…")
        library = self.controller.library

        def search(session: Session) -> SearchResults:
            return SearchService(session, library.search_index).search(query, limit=50)

        def done(results: Any) -> None:
            if generation == self._generation:
                self.show_results(results)

        def failed(message: str) -> None:
            if generation == self._generation:
                self.hits.clear()
                self.status.setText(message)

        self.controller.query(search, done, label="searching", on_error=failed)

    def show_results(self, results: SearchResults) -> None:
        """Fill the hit list."""
        self.results = results
        self.hits.clear()
        highlight = self.palette().color(QPalette.ColorRole.Highlight)
        mark = highlight.lighter(160).name() if highlight.lightness() < 160 else highlight.name()
        if self.palette().color(QPalette.ColorRole.Base).lightness() < 128:
            mark = highlight.darker(130).name()
        for hit in results.hits:
            item = QListWidgetItem()
            item.setData(HIT_ROLE, hit)
            item.setData(HTML_ROLE, hit_html(hit, mark))
            item.setToolTip(f"{hit.title} — page {hit.page}")
            self.hits.addItem(item)
        shown = len(results.hits)
        total = results.total
        self.status.setText(
            f"{total} matching page{'s' if total != 1 else ''}"
            + (f", best {shown} shown" if total > shown else "")
        )

    def _selected(self, item: QListWidgetItem | None, _previous: object) -> None:
        if item is not None:
            hit: SearchHit = item.data(HIT_ROLE)
            self.hitSelected.emit(hit.source_id)

    def _activate(self, item: QListWidgetItem) -> None:
        hit: SearchHit = item.data(HIT_ROLE)
        quote = hit.snippet[hit.highlights[0][0] : hit.highlights[0][1]] if hit.highlights else ""
        self.hitActivated.emit(hit.source_id, hit.page, quote)
