"""Which viewer shows which kind of source."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ui.article_view import ArticleView
from ui.controller import LibraryController


def make_viewer(controller: LibraryController, source_id: int, kind: str) -> QWidget:
    """A viewer widget for the source (the pane owns it)."""
    return ArticleView(controller.library, source_id)
