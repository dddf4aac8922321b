"""The window's import reads scanned pages by the library's OCR setting, in its worker,
with the import's progress dialog and Cancel; the import stands whatever OCR meets."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from db.models import OcrLayer, Source
from tests.samples import make_pdf
from tests.scans import ScanLook, make_scanned_image, make_scanned_pdf
from tests.ui.desktop.conftest import wait_idle
from tests.ui.desktop.viewers import conftest as viewers
from tests.workstation.ocr.support import needs_models
from ui.desktop.app.main_window import MainWindow
from ui.desktop.ops.ocr import OCR_STEP
from ui.desktop.ops.workers import Task
from ui.desktop.viewers.frames import ImageSourceView, PdfSourceView
from workstation.core.library import Library
from workstation.ocr.settings import write_settings
from workstation.sources.lookup import page_text

pytestmark = needs_models
window = viewers.window  # the real main window on the test library

PAGES = [
    ["The tanker SKY VENUS met AMBER TIDE", "off Nampo on 12 March 2024."],
    ["Cargo: coal, about 4,000 tonnes.", "Declared port of loading: Taganrog."],
    ["IMO 9321483 was seen at Nampo again", "on 19 March 2024 by the same vessel."],
]
CLEAN = ScanLook(skew=0.0, blur=0.3, speckle=0.0, jpeg_quality=None, photocopy=False)


def _summary(qtbot: QtBot) -> QMessageBox:
    def boxes() -> list[QMessageBox]:
        return [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()
        ]

    qtbot.waitUntil(lambda: bool(boxes()), timeout=120_000)
    box = boxes()[-1]
    box.close()
    return box


def _layers(library: Library) -> int:
    with library.reader() as session:
        return session.scalar(select(func.count()).select_from(OcrLayer)) or 0


def _source(library: Library) -> int:
    with library.reader() as session:
        (source_id,) = session.scalars(select(Source.id))
    return source_id


def test_the_window_import_reads_scanned_pages_and_says_so(
    window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    with library.writer() as session:  # the library's languages are the ones read with
        write_settings(session, languages="eng")
    pdf = make_scanned_pdf(tmp_path / "in", PAGES[:2], "eng", look=CLEAN)
    lines: list[str] = []
    task = window.import_paths([str(pdf)])
    assert isinstance(task, Task)
    task.signals.progress.connect(lambda _done, _total, line: lines.append(line))
    text = _summary(qtbot).text()
    assert "1 imported" in text
    assert "OCR read 2 page(s) of 1 file(s)." in text
    assert any(line.startswith(f"{OCR_STEP}: ") for line in lines)
    with library.reader() as session:
        assert "AMBER TIDE" in page_text(session, _source(library), 1)
    assert _layers(library) == 1
    with library.reader() as session:
        assert session.scalars(select(OcrLayer.languages)).one() == "eng"


def test_no_ocr_when_the_library_says_off(
    window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    with library.writer() as session:
        write_settings(session, mode="off")
    pdf = make_scanned_pdf(tmp_path / "in", PAGES[:1], "eng", look=CLEAN)
    window.import_paths([str(pdf)])
    text = _summary(qtbot).text()
    assert "1 imported" in text
    assert "OCR" not in text
    assert _layers(library) == 0


def test_cancel_during_ocr_keeps_the_import_and_stores_no_layer(
    window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    pdf = make_scanned_pdf(tmp_path / "in", PAGES, "eng", look=CLEAN)
    task = window.import_paths([str(pdf)])
    assert isinstance(task, Task)

    def cancel_when_reading(_done: int, _total: int, line: str) -> None:
        if line.startswith(OCR_STEP):
            task.cancel.cancel()  # as the dialog's Cancel does

    task.signals.progress.connect(cancel_when_reading)
    text = _summary(qtbot).text()
    assert "1 imported" in text
    assert "OCR was cancelled" in text
    assert _layers(library) == 0
    with library.reader() as session:
        assert "AMBER" not in page_text(session, _source(library), 1)


def test_a_missing_model_leaves_the_import_standing_and_names_the_package(
    window: MainWindow,
    qtbot: QtBot,
    library: Library,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path / "no-models"))
    pdf = make_scanned_pdf(tmp_path / "in", PAGES[:1], "eng", look=CLEAN)
    window.import_paths([str(pdf)])
    text = _summary(qtbot).text()
    assert "1 imported" in text
    assert "Not read by OCR:" in text
    assert "tesseract-ocr-" in text
    assert _layers(library) == 0


def test_run_ocr_on_an_open_scan_gives_its_viewer_the_text(
    window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    with library.writer() as session:
        write_settings(session, mode="off", languages="eng")
    pdf = make_scanned_pdf(tmp_path / "in", PAGES[:2], "eng", look=CLEAN)
    window.import_paths([str(pdf)])
    _summary(qtbot)
    source_id = _source(library)
    window.open_source(source_id)
    wait_idle(qtbot, window.controller)
    viewer = window.documents.current.viewer
    assert isinstance(viewer, PdfSourceView)
    qtbot.waitUntil(viewer.view.is_loaded, timeout=10_000)
    assert viewer.view.document is not None
    assert viewer.view.document.text(1).strip() == ""  # a scan: no text yet

    task = window.run_ocr()  # File > Run OCR on Selected Sources, whatever the library's mode
    assert isinstance(task, Task)
    assert _summary(qtbot).text() == "OCR read 2 page(s) of 1 file(s)."
    document = viewer.view.document
    qtbot.waitUntil(lambda: document.has_text_layer(1), timeout=10_000)
    assert "AMBER TIDE" in document.text(1)
    assert _layers(library) == 1


def test_run_ocr_on_an_open_picture_gives_its_viewer_the_text(
    window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    with library.writer() as session:
        write_settings(session, mode="off", languages="eng")
    picture = make_scanned_image(tmp_path / "in", [*PAGES[0], *PAGES[1], *PAGES[2]], look=CLEAN)
    window.import_paths([str(picture)])
    _summary(qtbot)
    window.open_source(_source(library))
    wait_idle(qtbot, window.controller)
    viewer = window.documents.current.viewer
    assert isinstance(viewer, ImageSourceView)
    qtbot.waitUntil(lambda: viewer.view.pyramid is not None, timeout=10_000)
    wait_idle(qtbot, window.controller)
    assert not viewer.text_layer.has_text  # a picture: no text yet

    window.run_ocr()
    assert _summary(qtbot).text() == "OCR read 1 page(s) of 1 file(s)."
    qtbot.waitUntil(lambda: viewer.text_layer.has_text, timeout=10_000)
    assert viewer.find_text("amber tide") == 1


def test_a_born_digital_import_says_nothing_of_ocr_and_run_ocr_says_none_was_needed(
    window: MainWindow, qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    window.import_paths([str(make_pdf(tmp_path / "d", pages=2))])
    assert "OCR" not in _summary(qtbot).text()
    window.open_source(_source(library))
    wait_idle(qtbot, window.controller)
    window.run_ocr()
    assert _summary(qtbot).text() == "No page needed OCR."
    assert _layers(library) == 0
