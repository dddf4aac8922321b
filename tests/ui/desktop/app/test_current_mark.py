"""One current mark (issue 14): the mark just made, clicked on the page or chosen
in a list is the one Ctrl+K, Edit Note and the Inspector act on."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPlainTextEdit

from tests.ui.desktop.app.test_main_window import _ids, _select_in_report, _title_of
from tests.ui.desktop.conftest import wait_idle
from ui.desktop.app.main_window import MainWindow
from workstation.annotations.anchors import AnnotationData, RegionAnchor
from workstation.annotations.queries import AnnotationFilter
from workstation.annotations.service import AnnotationService, find_quote
from workstation.core.library import Library
from workstation.sources.lookup import resolve_source

# The offscreen platform cannot raise a popup or grab the keyboard for it; it says so.
pytestmark = pytest.mark.qt_log_ignore(
    "does not support raise", "does not support grabbing the keyboard"
)


def _marks(library: Library, source_id: int) -> list[AnnotationData]:
    with library.reader() as session:
        return list(AnnotationService(library).find(session, AnnotationFilter(source_id=source_id)))


def _quote_marks(library: Library, source_id: int, *quotes: str) -> list[AnnotationData]:
    """A mark on each quote, uncategorised."""
    with library.writer() as session:
        source = resolve_source(session, str(source_id))
        service = AnnotationService(library)
        return [service.create(session, source_id, find_quote(session, source, q)) for q in quotes]


def _report(window: MainWindow) -> int:
    return next(sid for sid in _ids(window) if _title_of(window, sid) == "Panel report")


def _open(window: MainWindow, qtbot: Any, source_id: int) -> tuple[Any, Any, Any]:
    """Open a PDF in the current pane: (pane, its viewer, the PdfView), loaded."""
    window.open_source(source_id)
    wait_idle(qtbot, window.controller)
    pane = window.documents.current
    viewer = pane.viewer
    qtbot.waitUntil(viewer.view.is_loaded, timeout=10_000)
    return pane, viewer, viewer.view


def test_ctrl_m_then_ctrl_k_acts_on_the_mark_just_made(
    window: MainWindow, qtbot: Any, filled: Library
) -> None:
    report = _report(window)
    with filled.writer() as session:
        source = resolve_source(session, str(report))
        older = AnnotationService(filled).create(
            session, report, find_quote(session, source, "SKY VENUS"), categories=["maritime"]
        )
    report, pane, _pdf = _select_in_report(window, qtbot, filled, "AMBER TIDE")
    panel = window.marks_panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10_000)
    assert panel.select(older.uuid)  # an older mark chosen in the list...
    assert window.current_mark == older.uuid

    window.mark_action.trigger()  # ...then Ctrl+M on a new passage
    picker = window._picker
    qtbot.waitUntil(picker.isVisible, timeout=5_000)
    picker.choose("arms")
    qtbot.waitUntil(lambda: len(_marks(filled, report)) == 2, timeout=10_000)
    new = next(m for m in _marks(filled, report) if m.uuid != older.uuid)
    qtbot.waitUntil(lambda: window.current_mark == new.uuid, timeout=10_000)
    qtbot.waitUntil(lambda: panel.current_uuid() == new.uuid, timeout=10_000)
    box = window.inspector.mark_box
    qtbot.waitUntil(lambda: box.annotation_uuid == new.uuid, timeout=10_000)
    assert "AMBER TIDE" in box.what.text()

    window.link_entities_action.trigger()  # Ctrl+K: the new mark, not the older one
    dialog = window._entity_link_dialog
    assert dialog.annotation_uuid == new.uuid
    wait_idle(qtbot, window.controller)
    dialog.close()

    window.edit_note_action.trigger()
    editor = window.note_editor
    qtbot.waitUntil(editor.isVisible, timeout=5_000)
    assert editor.annotation_uuid == new.uuid
    assert editor.edit.lineWrapMode() == QPlainTextEdit.LineWrapMode.WidgetWidth
    assert editor.isSizeGripEnabled()
    editor.edit.setPlainText("Matches the AIS gap of 3 March. " * 8)
    editor.accept()
    qtbot.waitUntil(
        lambda: next(m for m in _marks(filled, report) if m.uuid == new.uuid).note, timeout=10_000
    )
    assert not next(m for m in _marks(filled, report) if m.uuid == older.uuid).note
    qtbot.waitUntil(lambda: "AIS gap" in box.note.toPlainText(), timeout=10_000)


def test_clicking_a_region_on_the_page_makes_it_current(
    window: MainWindow, qtbot: Any, filled: Library
) -> None:
    report = _report(window)
    with filled.writer() as session:
        source = resolve_source(session, str(report))
        service = AnnotationService(filled)
        text = service.create(session, report, find_quote(session, source, "Summary"))
        region = service.create(
            session,
            report,
            RegionAnchor("rect", ((100, 100), (300, 250)), page=1),
            categories=["arms"],
            note="Crates on the quay",
        )
    pane, _viewer, pdf = _open(window, qtbot, report)
    qtbot.waitUntil(lambda: pane.marks_count == 2, timeout=10_000)
    window.set_current_mark(text.uuid)
    pdf.go_to_page(1)
    inside = pdf.page_to_viewport(1, 200, 170).toPoint()
    qtbot.mouseClick(pdf.viewport(), Qt.MouseButton.LeftButton, pos=inside)
    assert window.current_mark == region.uuid
    qtbot.waitUntil(lambda: window.marks_panel.current_uuid() == region.uuid, timeout=10_000)
    # The list names the region by its note, not by its size.
    row = window.marks_panel.view.currentIndex()
    assert row.data().startswith("Crates on the quay")
    wait_idle(qtbot, window.controller)
    assert window.current_mark == region.uuid  # a list still loading does not take it back
    qtbot.waitUntil(
        lambda: window.inspector.mark_box.annotation_uuid == region.uuid, timeout=10_000
    )


def test_escape_in_the_picker_keeps_the_region_without_a_category(
    window: MainWindow, qtbot: Any, filled: Library
) -> None:
    report = _report(window)
    _pane, viewer, pdf = _open(window, qtbot, report)
    viewer.draw_button.click()
    start = pdf.page_to_viewport(1, 100, 120).toPoint()
    end = pdf.page_to_viewport(1, 300, 200).toPoint()
    qtbot.mousePress(pdf.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(pdf.viewport(), pos=end)
    qtbot.mouseRelease(pdf.viewport(), Qt.MouseButton.LeftButton, pos=end)
    picker = window._picker
    qtbot.waitUntil(picker.isVisible, timeout=5_000)
    qtbot.keyClick(picker.picker.box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: len(_marks(filled, report)) == 1, timeout=10_000)
    (kept,) = _marks(filled, report)
    assert isinstance(kept.anchor, RegionAnchor)
    assert kept.categories == []
    qtbot.waitUntil(lambda: window.current_mark == kept.uuid, timeout=10_000)
    assert "without a category" in window.statusBar().currentMessage()
    # Ctrl+Z takes it back, as any mark.
    qtbot.waitUntil(window.undo_action.isEnabled, timeout=10_000)
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: _marks(filled, report) == [], timeout=10_000)


def test_with_no_mark_the_commands_say_what_to_do(window: MainWindow) -> None:
    assert window.current_mark is None
    window.edit_note_action.trigger()
    assert "Select a mark first" in window.statusBar().currentMessage()
    window.delete_mark_action.trigger()
    assert "then delete it" in window.statusBar().currentMessage()
    assert getattr(window, "_note_editor", None) is None


def test_the_picker_opens_on_the_screen_near_its_bottom_right_corner(
    window: MainWindow, qtbot: Any
) -> None:
    from ui.desktop.annotations.category_picker import CategoryPickerPopup

    popup = CategoryPickerPopup(window.controller, window.settings, window)
    area = window.screen().availableGeometry()
    popup.open_at(QPoint(area.right() - 5, area.bottom() - 5))  # where a drag ended
    qtbot.waitUntil(popup.isVisible)
    assert area.contains(popup.frameGeometry())
    popup.close()


def test_the_inspector_shows_the_marks_findings_and_edits_its_note_in_place(
    window: MainWindow, qtbot: Any, filled: Library
) -> None:
    from ui.desktop.ops.changes import Changes
    from workstation.findings.service import FindingService

    report = _report(window)
    cited, other = _quote_marks(filled, report, "SKY VENUS", "AMBER TIDE")
    findings = FindingService(filled)
    with filled.writer() as session:
        finding = findings.create(session, title="SKY VENUS met AMBER TIDE off Nampo")
        findings.add_evidence(session, finding.uuid, [cited.uuid])
    _open(window, qtbot, report)
    box = window.inspector.mark_box
    window.set_current_mark(cited.uuid)
    qtbot.waitUntil(lambda: box.annotation_uuid == cited.uuid, timeout=10_000)
    wait_idle(qtbot, window.controller)
    assert not box.findings.isHidden()
    assert box.findings.text() == "F-0001 · draft · supports: SKY VENUS met AMBER TIDE off Nampo"
    window.set_current_mark(other.uuid)
    qtbot.waitUntil(lambda: box.annotation_uuid == other.uuid, timeout=10_000)
    wait_idle(qtbot, window.controller)
    assert box.findings.isHidden()  # cited by none
    # A finding that starts citing the current mark shows at once.
    window.controller.write(
        lambda session: findings.add_evidence(session, finding.uuid, [other.uuid], "context"),
        changes=Changes(findings=True),
    )
    qtbot.waitUntil(lambda: "F-0001 · draft · context" in box.findings.text(), timeout=10_000)

    # The note, typed in place: wrapped, saved with Ctrl+Return, undoable.
    assert box.note.lineWrapMode() == box.note.LineWrapMode.WidgetWidth
    assert not box.save_note_button.isEnabled()
    box.note.setFocus()
    qtbot.keyClicks(box.note, "Seen alongside at the oil pier; " * 6)
    assert box.save_note_button.isEnabled()
    qtbot.keyClick(box.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    saved = ("Seen alongside at the oil pier; " * 6).strip()

    def note_of(uuid: str) -> str | None:
        return next(m for m in _marks(filled, report) if m.uuid == uuid).note

    qtbot.waitUntil(lambda: note_of(other.uuid) == saved, timeout=10_000)
    wait_idle(qtbot, window.controller)
    assert not box.save_note_button.isEnabled()
    assert box.note.toPlainText().strip() == saved
    # A note left typed is kept when another mark becomes current.
    box.note.setPlainText("Typed, not saved.")
    window.set_current_mark(cited.uuid)
    qtbot.waitUntil(lambda: note_of(other.uuid) == "Typed, not saved.", timeout=10_000)
    qtbot.waitUntil(lambda: box.annotation_uuid == cited.uuid, timeout=10_000)
    assert box.note.toPlainText() == ""
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: note_of(other.uuid) == saved, timeout=10_000)
    # The box never widens the Inspector past its dock.
    assert box.width() <= window.inspector.viewport().width()
