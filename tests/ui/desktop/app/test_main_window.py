"""The main window driven as a reviewer would, offscreen, on a real library."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox
from sqlalchemy import func, select

from db.models import AuditEvent
from tests import samples
from tests.conftest import ROOT
from tests.ui.desktop.conftest import settle, wait_idle
from ui.desktop.app.controller import LibraryController
from ui.desktop.app.main_window import MainWindow
from ui.desktop.library.source_list_model import MIME_SOURCES
from ui.desktop.viewers.document_area import DocumentPane
from workstation.core.library import Library
from workstation.sources.ingest import ImportService


def _ids(win: MainWindow) -> list[int]:
    settle(win.controller)
    model = win.library_panel.model
    return [model.source_id_at(r) for r in range(model.rowCount())]


def _title_of(win: MainWindow, sid: int) -> str:
    model = win.library_panel.model
    row = model.row_of(sid)
    assert row is not None
    model.data(model.index(row, 0))  # asks for the row's block
    settle(win.controller)
    return str(model.data(model.index(row, 0)))


def test_lists_sources_and_filters(window: MainWindow, qtbot: object) -> None:
    assert len(_ids(window)) == 4
    panel = window.library_panel
    panel.kind_box.setCurrentIndex(panel.kind_box.findData("pdf"))
    assert [_title_of(window, sid) for sid in _ids(window)] == ["Panel report"]
    panel.kind_box.setCurrentIndex(0)
    panel.filter_edit.setText("memo")
    assert len(_ids(window)) == 1
    panel.filter_edit.clear()
    assert len(_ids(window)) == 4
    assert "4 sources" in window.size_label.text()


def test_open_split_drop_and_close(window: MainWindow, qtbot: object) -> None:
    ids = _ids(window)
    window.open_source(ids[0])
    wait_idle(qtbot, window.controller)
    first = window.documents.current
    assert first.source_id == ids[0]
    assert first.viewer is not None

    window.split_h_action.trigger()
    panes = window.documents.panes()
    assert len(panes) == 2
    second = window.documents.current
    assert second is not first
    assert second.source_id is None

    # Drag a source from the list onto the second pane.
    mime = QMimeData()
    mime.setData(MIME_SOURCES, json.dumps([ids[2]]).encode())
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    second.dropEvent(drop)
    wait_idle(qtbot, window.controller)
    assert second.source_id == ids[2]
    assert first.source_id == ids[0]

    window.split_v_action.trigger()
    assert len(window.documents.panes()) == 3
    window.close_pane_action.trigger()
    window.close_pane_action.trigger()
    remaining = window.documents.panes()
    assert len(remaining) == 1
    assert remaining[0].source_id == ids[0]


def test_search_and_jump_to_hit(window: MainWindow, qtbot: object) -> None:
    window.focus_search()
    panel = window.search_panel
    panel.box.setText('"sky venus"')
    panel.run_query()
    qtbot.waitUntil(lambda: panel.hits.count() == 1, timeout=10_000)  # type: ignore[attr-defined]
    assert "1 matching page" in panel.status.text()
    item = panel.hits.item(0)
    panel.hits.itemActivated.emit(item)
    wait_idle(qtbot, window.controller)
    pane = window.documents.current
    assert pane.source_id is not None
    assert window.inspector.heading.text() == "Panel report"
    viewer = pane.viewer
    assert viewer is not None
    assert getattr(viewer, "match_count", 1) >= 1


def test_bad_query_shows_message_not_crash(window: MainWindow, qtbot: object) -> None:
    panel = window.search_panel
    panel.box.setText('"unbalanced')
    panel.run_query()
    qtbot.waitUntil(lambda: panel.status.text() not in ("", "Searching…"), timeout=10_000)  # type: ignore[attr-defined]
    assert panel.hits.count() == 0
    assert "\n" not in panel.status.text()


def test_find_in_article(window: MainWindow, qtbot: object) -> None:
    memo = next(sid for sid in _ids(window) if _title_of(window, sid).startswith("Memo"))
    window.open_source(memo)
    wait_idle(qtbot, window.controller)
    window.find_in_document()
    pane = window.documents.current
    bar = pane.find_bar
    assert bar.isVisible()
    bar.edit.setText("pier 3")
    bar._enter()
    assert bar.count.text() == "1 of 1"
    bar.edit.setText("rajin")  # twice in the body (the title, its first line, is not repeated)
    bar._enter()
    assert bar.count.text() == "1 of 2"
    bar.next()
    assert bar.count.text() == "2 of 2"
    bar.next()
    assert bar.count.text() == "1 of 2"
    bar.previous()
    assert bar.count.text() == "2 of 2"


def test_inspector_edit_is_saved_and_audited(
    window: MainWindow, qtbot: object, filled: Library
) -> None:
    sid = _ids(window)[0]
    window.library_panel.select_source(sid)
    inspector = window.inspector
    assert inspector.source_id == sid
    inspector.title_edit.setText("Corrected title")
    inspector.reliability.setCurrentIndex(inspector.reliability.findData("B"))
    inspector.credibility.setCurrentIndex(inspector.credibility.findData("2"))
    inspector.save()
    qtbot.waitUntil(lambda: inspector.message.text() == "Saved.", timeout=10_000)  # type: ignore[attr-defined]
    assert _title_of(window, sid) == "Corrected title"
    with filled.reader() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "source.edit" in actions

    inspector.date_edit.setText("not a date")
    inspector.save()
    qtbot.waitUntil(lambda: "not a date" in inspector.message.text(), timeout=10_000)  # type: ignore[attr-defined]
    # Enter in the title saves too.
    inspector.date_edit.setText("2024-03-15")
    inspector.title_edit.setText("Title by Enter")
    qtbot.keyClick(inspector.title_edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: _title_of(window, sid) == "Title by Enter", timeout=10_000)  # type: ignore[attr-defined]


def test_the_inspector_hash_fits_a_narrow_dock(window: MainWindow, filled: Library) -> None:
    from PySide6.QtWidgets import QLabel

    sid = _ids(window)[0]
    window.inspector.show_source(sid)
    settle(window.controller)
    shown = next(
        w
        for w in window.inspector.provenance_box.findChildren(QLabel)
        if len(w.text().replace("\n", "")) == 64 and "\n" in w.text()
    )
    lines = shown.text().split("\n")
    assert [len(line) for line in lines] == [16, 16, 16, 16]
    assert shown.fontMetrics().horizontalAdvance(lines[0]) < 200  # beside its label, in 300 px


def test_switching_source_saves_edits_left_in_the_inspector(
    window: MainWindow, qtbot: object, filled: Library
) -> None:
    first, second = _ids(window)[:2]
    window.library_panel.select_source(first)
    wait_idle(qtbot, window.controller)
    inspector = window.inspector
    inspector.title_edit.setText("Typed, never saved by hand")
    window.library_panel.select_source(second)  # moving on, as a reviewer does
    assert inspector.source_id == second
    qtbot.waitUntil(
        lambda: _title_of(window, first) == "Typed, never saved by hand", timeout=10_000
    )  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "Saved your edits to" in inspector.message.text(), timeout=10_000)  # type: ignore[attr-defined]
    # Nothing typed: moving on writes nothing.
    with filled.reader() as session:
        before = session.scalar(select(func.count(AuditEvent.seq)))
    window.library_panel.select_source(first)
    wait_idle(qtbot, window.controller)
    window.library_panel.select_source(second)
    wait_idle(qtbot, window.controller)
    with filled.reader() as session:
        assert session.scalar(select(func.count(AuditEvent.seq))) == before


def test_import_by_drop_runs_in_background(
    window: MainWindow, qtbot: object, tmp_path: Path
) -> None:
    folder = tmp_path / "dropped"
    for i in range(200):
        samples.make_text(folder, name=f"{i:03}.txt", text=f"dropped note {i} about Chongjin")
    samples.make_empty(folder)
    ticks = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    drop = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(drop)

    def summary_boxes() -> list[QMessageBox]:
        return [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()
        ]

    # The summary appears when the worker is done (the list may refresh
    # earlier, from the poll that notices new sources).
    qtbot.waitUntil(lambda: bool(summary_boxes()), timeout=120_000)  # type: ignore[attr-defined]
    timer.stop()
    assert len(_ids(window)) == 204
    # The event loop kept serving the timer while 200 files were imported.
    assert len(ticks) >= 5
    boxes = summary_boxes()
    assert "200 imported" in boxes[-1].text()
    assert "1 failed" in boxes[-1].text()
    assert "empty" in boxes[-1].detailedText()
    for box in boxes:
        box.close()


def test_notices_cli_import(window: MainWindow, qtbot: object, tmp_path: Path) -> None:
    samples.make_text(tmp_path / "cli", name="cli.txt", text="imported by another process")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ui.cli.main",
            "--library",
            str(window.controller.library.root),
            "import",
            str(tmp_path / "cli"),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    qtbot.waitUntil(lambda: len(_ids(window)) == 5, timeout=15_000)  # type: ignore[attr-defined]


def test_geometry_is_restored(filled: Library, tmp_path: Path, qtbot: object) -> None:
    settings = QSettings(str(tmp_path / "geo.ini"), QSettings.Format.IniFormat)
    first = MainWindow(LibraryController(filled), settings=settings)
    qtbot.addWidget(first)  # type: ignore[attr-defined]
    first.resize(760, 560)  # within the offscreen screen, which clamps
    first.move(QPoint(40, 30))
    first.show()
    first.close()
    lib2 = Library.open(filled.root, reviewer="alice")
    second = MainWindow(LibraryController(lib2), settings=settings)
    qtbot.addWidget(second)  # type: ignore[attr-defined]
    assert (second.width(), second.height()) == (760, 560)
    second.close()


def test_pane_types(window: MainWindow, qtbot: Any) -> None:
    for sid in _ids(window):
        window.open_source(sid)
        wait_idle(qtbot, window.controller)
        pane = window.documents.current
        assert isinstance(pane, DocumentPane)
        assert pane.viewer is not None


def test_keyboard_moves_between_panes(window: MainWindow) -> None:
    first = window.documents.current
    window.split_h_action.trigger()
    second = window.documents.current
    assert second is not first
    window.next_pane_action.trigger()
    assert window.documents.current is first
    window.previous_pane_action.trigger()
    assert window.documents.current is second
    window.focus_library_action.trigger()
    assert window.left_tabs.currentWidget() is window.library_panel


def test_open_another_library_swaps_the_window(
    filled: Library, tmp_path: Path, qtbot: object
) -> None:
    from ui.desktop.app.app import AppShell

    settings = QSettings(str(tmp_path / "shell.ini"), QSettings.Format.IniFormat)
    shell = AppShell("alice", settings)
    first = shell.open(filled.root)
    qtbot.addWidget(first)  # type: ignore[attr-defined]
    assert first.windowTitle().startswith("lib")
    other = tmp_path / "second-library"
    second = shell.open(other, create=True)
    qtbot.addWidget(second)  # type: ignore[attr-defined]
    assert shell.window is second
    assert not first.isVisible()
    assert second.windowTitle().startswith("second-library")
    assert second.library_panel.model.rowCount() == 0
    recent = settings.value("recentLibraries")
    assert isinstance(recent, list)
    assert recent[:2] == [str(other), str(filled.root)]
    second.close()


def test_linked_scrolling(window: MainWindow, qtbot: object, tmp_path: Path) -> None:
    long_a = "\n".join(f"Line {i} of version A about Rajin." for i in range(400))
    long_b = "\n".join(f"Line {i} of version B about Rajin." for i in range(400))
    samples.make_text(tmp_path / "v", name="a.txt", text=long_a)
    samples.make_text(tmp_path / "v", name="b.txt", text=long_b)
    results = ImportService(window.controller.library).import_paths([tmp_path / "v"]).results
    a, b = (r.source_id for r in results)
    assert a is not None
    assert b is not None
    window.open_source(a)
    wait_idle(qtbot, window.controller)
    window.split_h_action.trigger()
    window.open_source(b)
    wait_idle(qtbot, window.controller)
    window.link_scroll_action.trigger()
    assert window.documents.linked_scrolling
    from ui.desktop.viewers.document_area import _vertical_bar

    left, right = window.documents.panes()
    bar_left, bar_right = _vertical_bar(left.viewer), _vertical_bar(right.viewer)
    assert bar_left is not None
    assert bar_right is not None
    qtbot.waitUntil(lambda: bar_left.maximum() > 0 and bar_right.maximum() > 0)  # type: ignore[attr-defined]
    bar_left.setValue(bar_left.maximum() // 2)
    assert abs(bar_right.value() - bar_right.maximum() // 2) <= 2
    window.link_scroll_action.trigger()
    bar_left.setValue(0)
    assert bar_right.value() > 0


def test_cancel_import_from_the_progress_dialog(
    window: MainWindow, qtbot: object, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QProgressDialog

    folder = tmp_path / "many"
    for i in range(600):
        samples.make_text(folder, name=f"{i:03}.txt", text=f"note {i} on the Nampo transfer")
    window.import_paths([str(folder)])

    def dialog() -> QProgressDialog | None:
        found = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QProgressDialog) and w.isVisible()
        ]
        return found[0] if found else None

    qtbot.waitUntil(lambda: dialog() is not None and dialog().value() > 5, timeout=60_000)  # type: ignore[attr-defined, union-attr]
    progress = dialog()
    assert progress is not None
    from PySide6.QtWidgets import QPushButton

    button = progress.findChild(QPushButton)
    assert button is not None
    assert button.text() == "Cancel"
    button.click()

    def summary() -> QMessageBox | None:
        boxes = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()
        ]
        return boxes[0] if boxes else None

    qtbot.waitUntil(lambda: summary() is not None, timeout=60_000)  # type: ignore[attr-defined]
    box = summary()
    assert box is not None
    assert box.windowTitle() == "Import cancelled"
    assert "(cancelled)" in box.text()
    box.close()
    imported = len(_ids(window)) - 4
    assert 0 < imported < 600


def test_mark_selection_highlights_and_undo_redo(
    window: MainWindow, qtbot: object, filled: Library
) -> None:
    from workstation.annotations.queries import AnnotationFilter
    from workstation.annotations.service import AnnotationService

    memo = next(sid for sid in _ids(window) if _title_of(window, sid).startswith("Memo"))
    window.open_source(memo)
    wait_idle(qtbot, window.controller)
    pane = window.documents.current
    viewer = pane.viewer
    assert viewer is not None
    text = viewer.text  # type: ignore[attr-defined]
    start = text.index("pier 3")
    viewer.set_selection(1, start, start + len("pier 3"))  # type: ignore[attr-defined]
    assert viewer.selection() == (1, start, start + 6)  # type: ignore[attr-defined]
    window.mark_selection("maritime.sts-transfer")

    def stored() -> list[object]:
        with filled.reader() as session:
            return list(AnnotationService(filled).find(session, AnnotationFilter(source_id=memo)))

    qtbot.waitUntil(lambda: pane.marks_count == 1, timeout=10_000)  # type: ignore[attr-defined]
    marks = stored()
    assert len(marks) == 1
    assert marks[0].anchor.exact == "pier 3"  # type: ignore[attr-defined]
    assert marks[0].categories == ["maritime.sts-transfer"]  # type: ignore[attr-defined]
    assert viewer._notes  # type: ignore[attr-defined]  # the highlight is drawn
    assert window.undo_action.isEnabled()
    # The pane's marks list and the library-wide list show it.
    qtbot.waitUntil(lambda: window.marks_panel.model.rowCount() == 1, timeout=10_000)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: window.all_marks_panel.model.rowCount() == 1, timeout=10_000)  # type: ignore[attr-defined]
    # Activating it from the library-wide list, with another source open, goes there.
    window.open_source(next(s for s in _ids(window) if s != memo))
    wait_idle(qtbot, window.controller)
    window.all_marks_panel.annotationActivated.emit(marks[0].uuid, 1)  # type: ignore[attr-defined]
    wait_idle(qtbot, window.controller)
    assert window.documents.current.source_id == memo
    shown = window.documents.current.viewer
    assert shown is not None
    assert shown.selected_text() == "pier 3"  # type: ignore[attr-defined]

    window.undo_action.trigger()
    qtbot.waitUntil(lambda: pane.marks_count == 0, timeout=10_000)  # type: ignore[attr-defined]
    assert stored() == []
    window.redo_action.trigger()
    qtbot.waitUntil(lambda: pane.marks_count == 1, timeout=10_000)  # type: ignore[attr-defined]
    assert len(stored()) == 1


def test_mark_without_selection_says_what_to_do(window: MainWindow, qtbot: Any) -> None:
    window.open_source(_ids(window)[0])
    wait_idle(qtbot, window.controller)
    window.mark_selection("arms")
    assert "Select a passage first" in window.statusBar().currentMessage()


def _select_in_report(
    window: MainWindow, qtbot: Any, filled: Library, quote: str
) -> tuple[int, Any, Any]:
    """Open the Panel report and select ``quote`` on its page 2: (source id, pane, PdfView)."""
    from workstation.sources.lookup import page_text

    report = next(sid for sid in _ids(window) if _title_of(window, sid) == "Panel report")
    window.open_source(report)
    wait_idle(qtbot, window.controller)
    pane = window.documents.current
    pdf = pane.viewer.view  # type: ignore[union-attr]
    qtbot.waitUntil(pdf.is_loaded, timeout=10_000)
    with filled.reader() as session:
        text = page_text(session, report, 2)
    start = text.index(quote)
    pdf.set_selection(2, start, start + len(quote))
    return report, pane, pdf


def test_mark_a_pdf_passage(window: MainWindow, qtbot: object, filled: Library) -> None:
    report = next(sid for sid in _ids(window) if _title_of(window, sid) == "Panel report")
    window.open_source(report)
    wait_idle(qtbot, window.controller)
    pane = window.documents.current
    source_view = pane.viewer
    assert source_view is not None
    pdf = source_view.view  # type: ignore[attr-defined]
    qtbot.waitUntil(pdf.is_loaded, timeout=10_000)  # type: ignore[attr-defined]
    page_text = "The tanker SKY VENUS met AMBER TIDE off Nampo."
    with filled.reader() as session:
        from workstation.sources.lookup import page_text as stored_text

        text = stored_text(session, report, 2)
    assert page_text in text
    start = text.index("AMBER TIDE")
    pdf.set_selection(2, start, start + len("AMBER TIDE"))
    window.mark_selection("maritime")
    qtbot.waitUntil(lambda: pane.marks_count == 1, timeout=10_000)  # type: ignore[attr-defined]
    assert 2 in pdf._note_spans
    from workstation.annotations.queries import AnnotationFilter
    from workstation.annotations.service import AnnotationService

    with filled.reader() as session:
        (mark,) = AnnotationService(filled).find(session, AnnotationFilter(source_id=report))
    assert mark.anchor.page == 2  # type: ignore[union-attr]
    assert mark.anchor.exact == "AMBER TIDE"  # type: ignore[union-attr]
    # The page strip shows where the marks are.
    from ui.desktop.viewers.pdf.page_strip import MARKS_ROLE

    strip = source_view.strip.thumbnails  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bool(strip.index(1).data(MARKS_ROLE)), timeout=10_000)  # type: ignore[attr-defined]
    assert strip.index(0).data(MARKS_ROLE) == []
    assert strip.index(1).data(Qt.ItemDataRole.ToolTipRole) == "Page 2: 1 mark"


def test_a_search_hit_goes_to_the_pane_showing_its_source_and_the_marks_follow(
    window: MainWindow, qtbot: object, filled: Library
) -> None:
    ids = _ids(window)
    report = next(sid for sid in ids if _title_of(window, sid) == "Panel report")
    other = next(sid for sid in ids if sid != report)
    window.open_source(report)
    wait_idle(qtbot, window.controller)
    left = window.documents.current
    window.split_h_action.trigger()
    window.open_source(other)
    wait_idle(qtbot, window.controller)
    right = window.documents.current
    assert window.marks_panel.source_id == other
    window.open_hit(report, 2, "AMBER TIDE")  # the report is already open on the left
    assert window.documents.current is left
    assert right.source_id == other  # the document beside it stays
    assert window.marks_panel.source_id == report  # not the other source's marks


def test_ctrl_m_asks_for_a_category_then_tags_the_passage(
    window: MainWindow, qtbot: object, filled: Library
) -> None:
    from workstation.annotations.queries import AnnotationFilter
    from workstation.annotations.service import AnnotationService

    report, pane, _pdf = _select_in_report(window, qtbot, filled, "AMBER TIDE")
    window.mark_action.trigger()  # as the menu and Ctrl+M do: triggered(bool) and all
    popup = window._picker
    qtbot.waitUntil(popup.isVisible, timeout=5_000)  # type: ignore[attr-defined]
    wait_idle(qtbot, window.controller)  # the categories are read
    qtbot.keyClicks(popup.picker.box, "maritime")  # type: ignore[attr-defined]
    qtbot.keyClick(popup.picker.box, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: pane.marks_count == 1, timeout=10_000)  # type: ignore[attr-defined]
    with filled.reader() as session:
        (mark,) = AnnotationService(filled).find(session, AnnotationFilter(source_id=report))
    assert mark.categories == ["maritime"]


def test_add_and_remove_a_category_on_a_mark(
    window: MainWindow, qtbot: object, filled: Library
) -> None:
    from workstation.annotations.service import AnnotationService, find_quote
    from workstation.sources.lookup import resolve_source

    report = next(sid for sid in _ids(window) if _title_of(window, sid) == "Panel report")
    with filled.writer() as session:
        made = AnnotationService(filled).create(
            session, report, find_quote(session, resolve_source(session, str(report)), "AMBER TIDE")
        )

    def codes() -> list[str]:
        with filled.reader() as session:
            return AnnotationService(filled).get(session, made.uuid).categories

    window.add_category_to(made.uuid)  # the picker, as "Add category…" opens it
    wait_idle(qtbot, window.controller)
    popup = window._picker
    qtbot.waitUntil(popup.isVisible, timeout=5_000)  # type: ignore[attr-defined]
    wait_idle(qtbot, window.controller)
    qtbot.keyClicks(popup.picker.box, "petroleum")  # type: ignore[attr-defined]
    qtbot.keyClick(popup.picker.box, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: codes() == ["petroleum"], timeout=10_000)  # type: ignore[attr-defined]
    window.add_category_to(made.uuid, "maritime")
    qtbot.waitUntil(lambda: codes() == ["maritime", "petroleum"], timeout=10_000)  # type: ignore[attr-defined]
    window.marks_panel.categoriesChanged.emit(made.uuid, ["maritime"])  # "Remove category"
    qtbot.waitUntil(lambda: codes() == ["maritime"], timeout=10_000)  # type: ignore[attr-defined]
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: codes() == ["maritime", "petroleum"], timeout=10_000)  # type: ignore[attr-defined]


def test_redact_a_passage_and_a_whole_page_from_the_menu(
    window: MainWindow, qtbot: object, filled: Library
) -> None:
    from workstation.annotations.anchors import PageAnchor
    from workstation.annotations.queries import AnnotationFilter
    from workstation.annotations.service import AnnotationService

    window.redact_action.trigger()  # nothing open: a hint, nothing stored
    assert "Select a passage" in window.statusBar().currentMessage()
    report, pane, pdf = _select_in_report(window, qtbot, filled, "SKY VENUS")
    window.redact_action.trigger()
    qtbot.waitUntil(lambda: pane.marks_count == 1, timeout=10_000)  # type: ignore[attr-defined]
    pdf.go_to_page(1)
    qtbot.waitUntil(lambda: pdf.current_page == 1, timeout=10_000)
    window.redact_page_action.trigger()
    qtbot.waitUntil(lambda: pane.marks_count == 2, timeout=10_000)  # type: ignore[attr-defined]
    with filled.reader() as session:
        marks = AnnotationService(filled).find(session, AnnotationFilter(source_id=report))
    assert all(m.redact and m.categories == [] for m in marks)
    assert {getattr(m.anchor, "exact", None) for m in marks} == {"SKY VENUS", None}
    assert any(m.anchor == PageAnchor(1) for m in marks)
    window.undo_action.trigger()  # undoable like any mark
    qtbot.waitUntil(lambda: pane.marks_count == 1, timeout=10_000)  # type: ignore[attr-defined]


def test_draw_a_rectangle_on_an_image(window: MainWindow, qtbot: object, filled: Library) -> None:

    image = next(
        sid
        for sid in _ids(window)
        if window.library_panel.model.item(window.library_panel.model.row_of(sid)).kind  # type: ignore[arg-type, union-attr]
        == "image"
    )
    window.open_source(image)
    wait_idle(qtbot, window.controller)
    pane = window.documents.current
    source_view = pane.viewer
    assert source_view is not None
    view = source_view.view  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: view.pyramid is not None, timeout=10_000)  # type: ignore[attr-defined]
    source_view.draw_button.click()  # type: ignore[attr-defined]
    drawn: list[object] = []
    pane.regionDrawn.connect(drawn.append)
    viewport = view.viewport()
    width, height = view.pyramid.full_size  # type: ignore[attr-defined]
    from PySide6.QtCore import QPointF as _P

    start = view.image_to_view(_P(width * 0.2, height * 0.2)).toPoint()
    end = view.image_to_view(_P(width * 0.6, height * 0.7)).toPoint()
    expected_a = view.view_to_image(start.toPointF())
    expected_b = view.view_to_image(end.toPointF())
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)  # type: ignore[attr-defined]
    qtbot.mouseMove(viewport, pos=end)  # type: ignore[attr-defined]
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)  # type: ignore[attr-defined]
    assert len(drawn) == 1
    # Drawing opens the category picker at the mouse; here the test picks directly.
    picker = window._picker
    assert picker.isVisible()
    anchor = drawn[0]
    (x0, y0), (x1, y1) = anchor.points  # type: ignore[attr-defined]
    assert abs(x0 - expected_a.x()) < 1
    assert abs(y1 - expected_b.y()) < 1
    picker.choose("maritime")
    qtbot.waitUntil(lambda: pane.marks_count == 1, timeout=10_000)  # type: ignore[attr-defined]
    assert len(source_view._mark_items) == 1  # type: ignore[attr-defined]
    from workstation.annotations.queries import AnnotationFilter
    from workstation.annotations.service import AnnotationService

    with filled.reader() as session:
        (mark,) = AnnotationService(filled).find(session, AnnotationFilter(source_id=image))
    assert mark.anchor.shape == "rect"  # type: ignore[union-attr]
    assert mark.categories == ["maritime"]


def test_redaction_marks_are_hatched(window: MainWindow, qtbot: object, filled: Library) -> None:
    from PySide6.QtCore import Qt as _Qt

    from workstation.annotations.anchors import PageAnchor
    from workstation.annotations.service import AnnotationService, find_quote
    from workstation.sources.lookup import resolve_source

    memo = next(sid for sid in _ids(window) if _title_of(window, sid).startswith("Memo"))
    report = next(sid for sid in _ids(window) if _title_of(window, sid) == "Panel report")
    with filled.writer() as session:
        source = resolve_source(session, str(memo))
        AnnotationService(filled).create(
            session, memo, find_quote(session, source, "pier 3"), redact=True
        )
        AnnotationService(filled).create(session, report, PageAnchor(1), redact=True)
    window.open_source(memo)
    wait_idle(qtbot, window.controller)
    pane = window.documents.current
    qtbot.waitUntil(lambda: pane.marks_count == 1, timeout=10_000)  # type: ignore[attr-defined]
    notes = pane.viewer._notes  # type: ignore[union-attr]
    assert notes[0].format.background().style() == _Qt.BrushStyle.BDiagPattern
    window.open_source(report)
    wait_idle(qtbot, window.controller)
    pdf = pane.viewer.view  # type: ignore[union-attr]
    qtbot.waitUntil(pdf.is_loaded, timeout=10_000)
    pane.reload_marks()
    qtbot.waitUntil(lambda: 1 in pdf._note_regions, timeout=10_000)  # type: ignore[attr-defined]
    _outline, fill, shape, _points = pdf._note_regions[1][0]
    assert shape == "rect"
    assert fill.style() == _Qt.BrushStyle.BDiagPattern


def test_draw_a_rectangle_on_a_pdf_page(window: MainWindow, qtbot: object, filled: Library) -> None:
    report = next(sid for sid in _ids(window) if _title_of(window, sid) == "Panel report")
    window.open_source(report)
    wait_idle(qtbot, window.controller)
    pane = window.documents.current
    source_view = pane.viewer
    assert source_view is not None
    pdf = source_view.view  # type: ignore[attr-defined]
    qtbot.waitUntil(pdf.is_loaded, timeout=10_000)
    source_view.draw_button.click()  # type: ignore[attr-defined]
    drawn: list[object] = []
    pane.regionDrawn.connect(drawn.append)
    start = pdf.page_to_viewport(1, 100, 120).toPoint()
    end = pdf.page_to_viewport(1, 300, 200).toPoint()
    viewport = pdf.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)  # type: ignore[attr-defined]
    qtbot.mouseMove(viewport, pos=end)  # type: ignore[attr-defined]
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)  # type: ignore[attr-defined]
    picker = window._picker
    assert len(drawn) == 1
    anchor = drawn[0]
    assert anchor.page == 1  # type: ignore[attr-defined]
    (x0, y0), (x1, y1) = anchor.points  # type: ignore[attr-defined]
    # Within two screen pixels, in page points (the pane is narrow on an 800 px screen).
    near = max(2.0, 2 / pdf.zoom)
    assert abs(x0 - 100) < near
    assert abs(y0 - 120) < near
    assert abs(x1 - 300) < near
    assert abs(y1 - 200) < near
    picker.choose("arms")
    qtbot.waitUntil(lambda: pane.marks_count == 1, timeout=10_000)  # type: ignore[attr-defined]
    assert 1 in pdf._note_regions


def test_taxonomy_editor_opens_from_the_menu(window: MainWindow) -> None:
    window.taxonomy_action.trigger()
    editor = window._taxonomy_editor
    settle(window.controller)
    assert editor.isVisible()
    assert "maritime" in editor.top_level_codes()
    editor.close()


def test_signing_keys_open_from_the_file_menu(window: MainWindow) -> None:
    from ui.desktop.bundles.keys_dialog import KeysDialog

    window.keys_action.trigger()
    dialog = next(w for w in window.findChildren(KeysDialog) if w.isVisible())
    assert dialog.windowTitle() == "Signing keys"
    dialog.close()


def test_note_and_redaction_from_the_marks_panel(
    window: MainWindow, qtbot: object, filled: Library
) -> None:
    from workstation.annotations.service import AnnotationService, find_quote
    from workstation.sources.lookup import resolve_source

    memo = next(sid for sid in _ids(window) if _title_of(window, sid).startswith("Memo"))
    with filled.writer() as session:
        source = resolve_source(session, str(memo))
        made = AnnotationService(filled).create(
            session, memo, find_quote(session, source, "pier 3")
        )
    window.open_source(memo)
    wait_idle(qtbot, window.controller)
    window.edit_note(made.uuid, "Seen on imagery of 28 April")
    window.marks_panel.redactToggled.emit(made.uuid, True)

    def current() -> object:
        with filled.reader() as session:
            return AnnotationService(filled).get(session, made.uuid)

    qtbot.waitUntil(lambda: current().redact, timeout=10_000)  # type: ignore[attr-defined]
    assert current().note == "Seen on imagery of 28 April"  # type: ignore[attr-defined]
    qtbot.waitUntil(window.undo_action.isEnabled, timeout=10_000)  # type: ignore[attr-defined]
    window.undo_action.trigger()  # the redaction
    qtbot.waitUntil(lambda: not current().redact, timeout=10_000)  # type: ignore[attr-defined]


def test_undo_and_redo_are_in_the_edit_menu_too(window: MainWindow) -> None:
    menus = {m.title(): m for m in window.menuBar().findChildren(QMenu)}
    edit = next(m for title, m in menus.items() if title.replace("&", "") == "Edit")
    assert edit.actions()[:2] == [window.undo_action, window.redo_action]


def test_the_status_bar_counts_the_pages_an_unlocked_pdf_brings(
    qtbot: Any, library: Library, tmp_path: Path
) -> None:
    pdf = samples.make_encrypted_pdf(tmp_path, user_password="s3cret")
    [result] = ImportService(library).import_paths([pdf]).results
    assert result.source_id is not None
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    controller = LibraryController(library)
    win = MainWindow(controller, settings=settings)
    qtbot.addWidget(win)
    win.show()
    wait_idle(qtbot, controller)
    try:
        assert "0 pages" in win.size_label.text()
        win.inspector.show_source(result.source_id)
        wait_idle(qtbot, controller)
        win.inspector.ask_password()
        dialog = win.inspector.password_dialog
        assert dialog is not None
        dialog.setTextValue("s3cret")
        dialog.accept()
        qtbot.waitUntil(lambda: "· 1 page ·" in win.size_label.text(), timeout=20_000)
    finally:
        win.close()
