"""What the viewer tests on OCR text share: a page's stored words, one word of them,
comparing boxes, making a word low-confidence, and the Inspector's facts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QPointF
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QFormLayout, QToolTip, QWidget
from sqlalchemy import select

from db.models import OcrLayer, OcrPage
from ui.desktop.app.main_window import MainWindow
from workstation.core.library import Library
from workstation.ocr.layers import ocr_words


def page_words(library: Library, source_id: int, page: int) -> list[list[Any]]:
    """The accepted OCR layer's words on a page."""
    with library.reader() as session:
        words = ocr_words(session, source_id, page)
    assert words
    return words


def word(words: list[list[Any]], text: str) -> list[Any]:
    """The first word reading ``text``."""
    return next(w for w in words if w[0] == text)


def boxes_close(got: list[tuple[float, ...]], want: list[tuple[float, ...]]) -> bool:
    """The same boxes, to a hundredth."""
    return len(got) == len(want) and all(
        abs(g - w) < 0.01
        for gs, ws in zip(got, want, strict=True)
        for g, w in zip(gs, ws, strict=True)
    )


def lower_confidence(
    library: Library, source_id: int, page: int, text: str, confidence: float
) -> None:
    """Store one word as read with ``confidence`` (a clean scan reads every word surely)."""
    with library.writer() as session:
        row = session.scalars(
            select(OcrPage)
            .join(OcrLayer, OcrLayer.id == OcrPage.layer_id)
            .where(
                OcrLayer.source_id == source_id,
                OcrLayer.accepted.is_(True),
                OcrPage.number == page,
            )
        ).one()
        row.words = [[*w[:5], confidence, w[6]] if w[0] == text else w for w in row.words]


def inspector_facts(window: MainWindow) -> dict[str, str]:
    """The Inspector's facts, label to value."""
    form = window.inspector.facts
    rows: dict[str, str] = {}
    for row in range(form.rowCount()):
        label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        if label is not None and field is not None:
            rows[label.widget().text()] = field.widget().text()  # type: ignore[attr-defined]
    return rows


def tooltip(widget: QWidget, at: QPointF) -> str:
    """The tooltip a hover at ``at`` shows ("" for none), asked as Qt asks: a ToolTip event."""
    QToolTip.hideText()
    point = at.toPoint()
    event = QHelpEvent(QEvent.Type.ToolTip, point, widget.mapToGlobal(point))
    QApplication.sendEvent(widget, event)
    return QToolTip.text() if QToolTip.isVisible() else ""
