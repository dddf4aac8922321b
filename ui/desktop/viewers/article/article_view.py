"""Reader view of an article, a text note or an e-mail.

Shows the text the library extracted (never the page's HTML: nothing from
the source is rendered or fetched) under a header with its metadata.
Selectable, with find.

Signals:
    findResult(int, int): current match (1-based, 0 for none) and match count.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor, QTextBlockFormat, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextBrowser, QTextEdit, QVBoxLayout, QWidget

from ui.desktop.annotations.marks import SourceMarks, qt_spans
from ui.desktop.viewers.source_view import SourceView
from workstation.annotations.anchors import AnnotationData, TextAnchor
from workstation.annotations.quotes import quote_pattern


def title_opens(title: str, text: str) -> bool:
    """Whether ``text`` begins with ``title`` (a headline cut with … counts; a
    Markdown heading's marks and spacing are ignored)."""
    wanted = " ".join(title.removesuffix("…").split()).casefold()
    start = " ".join(text[: len(title) * 2 + 64].lstrip().lstrip("#").split()).casefold()
    return bool(wanted) and start.startswith(wanted)


class ArticleView(QWidget):
    """The extracted text of one source, with a metadata header."""

    findResult = Signal(int, int)

    def __init__(self, source: SourceView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source_id = source.source_id
        self.info = source.details
        self.pages = pages = list(source.pages)
        self.text = "\n\n".join(pages)
        # Where each page starts in the joined text, in code points.
        self._page_starts: list[int] = []
        offset = 0
        for page in pages:
            self._page_starts.append(offset)
            offset += len(page) + 2
        # Qt counts UTF-16 units; only text with characters outside the BMP
        # (emoji, rare CJK) needs converting.
        self._astral = any(ord(c) > 0xFFFF for c in self.text)
        self._notes: list[QTextEdit.ExtraSelection] = []
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        self.browser.setReadOnly(True)
        self.browser.document().setDocumentMargin(24)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
        self._render()
        self._matches: list[QTextCursor] = []
        self._current = -1

    def _render(self) -> None:
        info = self.info
        facts = [info.get("publisher"), info.get("author"), (info.get("published") or "")[:10]]
        byline = " · ".join(html.escape(str(f)) for f in facts if f)
        url = html.escape(info["url"]) if info.get("url") else ""
        title = info["title"] or info["original_filename"]
        # A title taken from the text's first line is not shown twice.
        heading = (
            ""
            if title_opens(title, self.text)
            else f"<h2 style='margin-bottom:2px'>{html.escape(title)}</h2>"
        )
        head = (
            heading
            + f"<p style='color:gray; margin-top:0'>{byline}"
            + (f"<br/><span style='font-family:monospace'>{url}</span>" if url else "")
            + "</p><hr/>"
        )
        self.browser.setHtml(head)
        cursor = self.browser.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        # A fresh block and character format: the body must not inherit the
        # header's rule or heading style.
        body = QTextBlockFormat()
        # Room between paragraphs and lines, as a reader expects; positions (and so
        # the code-point offsets of marks) are unchanged by block formats.
        body.setBottomMargin(9)
        body.setLineHeight(125, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
        cursor.insertBlock(body, QTextCharFormat())
        self._body_start = cursor.position()
        cursor.insertText(self.text)  # plain text: nothing from the source is interpreted
        self.browser.moveCursor(QTextCursor.MoveOperation.Start)

    # --- find ----------------------------------------------------------------

    def find_text(self, text: str) -> int:
        """Highlight every match of ``text`` in the body (case-insensitive, ’ for ', “ for ",
        no-break spaces, a word hyphenated at a line end: as a quote matches); go to the
        first. The body's own text is searched (Qt's find stops at each line end)."""
        self._matches = []
        self._current = -1
        if text.strip():
            for match in quote_pattern(text, ignore_case=True).finditer(self.text):
                cursor = QTextCursor(self.browser.document())
                cursor.setPosition(self._qt_pos(match.start()))
                cursor.setPosition(self._qt_pos(match.end()), QTextCursor.MoveMode.KeepAnchor)
                self._matches.append(cursor)
        self._paint()
        if self._matches:
            self.find_next()
        else:
            self.findResult.emit(0, 0)
        return len(self._matches)

    def find_next(self) -> None:
        """Go to the next match."""
        if self._matches:
            self._current = (self._current + 1) % len(self._matches)
            self._go()

    def find_previous(self) -> None:
        """Go to the previous match."""
        if self._matches:
            self._current = (self._current - 1) % len(self._matches)
            self._go()

    def _go(self) -> None:
        self._paint()
        cursor = QTextCursor(self._matches[self._current])
        self.browser.setTextCursor(cursor)
        self.browser.ensureCursorVisible()
        self.findResult.emit(self._current + 1, len(self._matches))

    # --- code points <-> Qt positions ------------------------------------------

    def _qt_pos(self, codepoint: int) -> int:
        if not self._astral:
            return self._body_start + codepoint
        return self._body_start + len(self.text[:codepoint].encode("utf-16-le")) // 2

    def _codepoint(self, qt_pos: int) -> int:
        units = max(0, qt_pos - self._body_start)
        if not self._astral:
            return min(units, len(self.text))
        count = 0
        for n, char in enumerate(self.text):
            if count >= units:
                return n
            count += 2 if ord(char) > 0xFFFF else 1
        return len(self.text)

    def selection(self) -> tuple[int, int, int] | None:
        """The selected passage as (1-based page, start, end) in code points of that page."""
        cursor = self.browser.textCursor()
        if not cursor.hasSelection():
            return None
        start = self._codepoint(cursor.selectionStart())
        end = self._codepoint(cursor.selectionEnd())
        if end <= start:
            return None
        for number in range(len(self._page_starts), 0, -1):
            first = self._page_starts[number - 1]
            if start >= first:
                last = first + len(self.pages[number - 1])
                if end > last:
                    return None  # a passage stays on one page
                return number, start - first, end - first
        return None

    def set_selection(self, page: int, start: int, end: int) -> None:
        """Select a passage (code points of ``page``)."""
        base = self._page_starts[page - 1]
        cursor = self.browser.textCursor()
        cursor.setPosition(self._qt_pos(base + start))
        cursor.setPosition(self._qt_pos(base + end), QTextCursor.MoveMode.KeepAnchor)
        self.browser.setTextCursor(cursor)

    def show_annotation(self, data: AnnotationData) -> None:
        """Select an annotated passage and scroll it into view."""
        anchor = data.anchor
        if isinstance(anchor, TextAnchor):
            self.set_selection(anchor.page, anchor.start, anchor.end)
            self.browser.ensureCursorVisible()

    def apply_marks(self, marks: SourceMarks) -> None:
        """Highlight the source's annotated passages."""
        self.set_annotations(qt_spans(marks))

    def set_annotations(self, spans: dict[int, list[tuple[QBrush, int, int]]]) -> None:
        """Highlight annotated passages: per page, (colour, start, end) in code points."""
        self._notes = []
        doc = self.browser.document()
        for page, items in spans.items():
            if not 1 <= page <= len(self._page_starts):
                continue
            base = self._page_starts[page - 1]
            for colour, start, end in items:
                sel = QTextEdit.ExtraSelection()
                cursor = QTextCursor(doc)
                cursor.setPosition(self._qt_pos(base + start))
                cursor.setPosition(self._qt_pos(base + end), QTextCursor.MoveMode.KeepAnchor)
                fmt = QTextCharFormat()
                fmt.setBackground(colour)
                sel.format = fmt
                sel.cursor = cursor
                self._notes.append(sel)
        self._paint()

    def _paint(self) -> None:
        selections = list(self._notes)
        for n, cursor in enumerate(self._matches):
            sel = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setBackground(QColor("#ff9632") if n == self._current else QColor("#ffe066"))
            fmt.setForeground(QColor("#000000"))
            sel.format = fmt
            sel.cursor = cursor
            selections.append(sel)
        self.browser.setExtraSelections(selections)

    def show_hit(self, page: int, quote: str) -> None:
        """Highlight a search hit (articles have one page)."""
        if quote:
            self.find_text(quote)

    def selected_text(self) -> str:
        """The selected text."""
        return self.browser.textCursor().selectedText().replace("\u2029", "\n")

    @property
    def current_match(self) -> int:
        """1-based number of the current match (0 when none)."""
        return self._current + 1 if self._matches else 0

    @property
    def match_count(self) -> int:
        """How many matches the last find highlighted."""
        return len(self._matches)
