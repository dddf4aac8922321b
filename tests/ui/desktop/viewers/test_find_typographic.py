"""The find bars match a typed quote across typographic variants (issue 14), as
`annotate --quote` does: ’ for ', “ ” for ", a no-break space or a line end for a
space, a word hyphenated at a line end; other letters still do not match."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests import samples
from tests.ui.desktop.app.test_main_window import _ids, _title_of
from tests.ui.desktop.conftest import wait_idle
from ui.desktop.app.main_window import MainWindow
from ui.desktop.viewers.article.article_view import ArticleView
from ui.desktop.viewers.pdf.pdf_view import PdfView
from workstation.core.library import Library
from workstation.sources.ingest import ImportService

TYPESET = (
    "The master’s log says the “SKY VENUS” left Nampo\u00a0at dawn.\n"
    "Coal was trans-\nshipped to a lighter off the pier.\n"
)
TYPED = [
    ("master's log", "master’s log"),
    ('the "sky venus" left', "the “SKY VENUS” left"),
    ("transshipped to", "trans-\nshipped to"),
]


@pytest.fixture
def pdf_view(qtbot: Any, tmp_path: Path) -> PdfView:
    path = samples.make_pdf(tmp_path, texts=[TYPESET, "Nothing here."], name="typeset.pdf")
    view = PdfView(path)
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    qtbot.waitUntil(view.is_loaded)
    return view


def _find_in_pdf(qtbot: Any, view: PdfView, typed: str) -> str:
    view.show_find_bar()
    bar = view.find_bar
    bar.edit.clear()
    qtbot.keyClicks(bar.edit, typed)
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.find_running and bar.status.text() != "")
    return bar.status.text()


@pytest.mark.parametrize(("typed", "typeset"), TYPED)
def test_the_pdf_find_bar_matches_typographic_variants(
    qtbot: Any, pdf_view: PdfView, typed: str, typeset: str
) -> None:
    assert _find_in_pdf(qtbot, pdf_view, typed) == "1 of 1"
    ((page, start, end),) = pdf_view.hits()
    assert page == 1
    text = pdf_view.document.page_text(1).text  # type: ignore[union-attr]
    # The hit is the typeset passage ("left" ends the PDF's first line: a line end for a space).
    assert " ".join(text[start:end].split()) == " ".join(typeset.split())


def test_the_pdf_find_bar_still_needs_the_same_letters(qtbot: Any, pdf_view: PdfView) -> None:
    assert _find_in_pdf(qtbot, pdf_view, "masters log") == "No matches"
    assert _find_in_pdf(qtbot, pdf_view, "sky venus left") == "No matches"  # quotes missing


def test_the_reader_find_bar_matches_typographic_variants(
    qtbot: Any, library: Library, tmp_path: Path
) -> None:
    from PySide6.QtCore import QSettings

    from ui.desktop.app.controller import LibraryController

    samples.make_text(tmp_path / "in", name="typeset.txt", text="Log\n\n" + TYPESET)
    ImportService(library).import_paths([tmp_path / "in"])
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(LibraryController(library), settings=settings)
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, window.controller)
    (memo,) = [sid for sid in _ids(window) if _title_of(window, sid) == "Log"]
    window.open_source(memo)
    wait_idle(qtbot, window.controller)
    viewer = window.documents.current.viewer
    assert isinstance(viewer, ArticleView)
    window.find_in_document()
    bar = window.documents.current.find_bar
    for typed, _typeset in TYPED:
        bar.edit.setText(typed)
        bar._enter()
        assert bar.count.text() == "1 of 1", typed
    bar.edit.setText("Nampo at dawn")  # a no-break space in the text
    bar._enter()
    assert bar.count.text() == "1 of 1"
    bar.edit.setText("masters log")
    bar._enter()
    assert bar.count.text() != "1 of 1"
    window.close()
