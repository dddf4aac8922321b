"""The right side: what a source is, where it came from, what to edit; above
it, the window's current mark (``annotations/current_mark_box.py``).

Title, date and Admiralty grade are editable (saved through the source
service on the write thread, audited); provenance is read-only. A PDF kept
locked on import (password-protected) offers Unlock…, which asks for the
password and reads the PDF on the write thread; the password is not kept.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy.orm import Session

from ui.desktop.annotations.current_mark_box import CurrentMarkBox
from ui.desktop.app.controller import LibraryController
from ui.desktop.entities.entity_window import page_ranges
from ui.desktop.ops.changes import Changes
from workstation.annotations.anchors import AnnotationData
from workstation.core.printable import printable
from workstation.findings.citing import CitingFinding
from workstation.ocr.viewing import OcrOrigin, ocr_origin
from workstation.sources.flags import FLAG_LOCKED, describe_flag
from workstation.sources.lookup import bundle_line, source_details, update_source
from workstation.sources.unlock import unlock_source

RELIABILITY = ["", "A", "B", "C", "D", "E", "F"]
CREDIBILITY = ["", "1", "2", "3", "4", "5", "6"]
RELIABILITY_TIPS = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY_TIPS = {
    "1": "confirmed by other sources",
    "2": "probably true",
    "3": "possibly true",
    "4": "doubtful",
    "5": "improbable",
    "6": "truth cannot be judged",
}


def ocr_line(origin: OcrOrigin | None, *, image: bool = False) -> str:
    """Where the text of OCRed pages came from: 'OCR on pages 1–3: tesseract 5.5.4, kor+eng
    (detected); mean confidence 88 %' ('OCR: …' for an image, which has no pages); ""
    when no page's text is from OCR."""
    if origin is None or not origin.pages:
        return ""
    languages = "+".join(origin.read_as) or origin.languages
    if origin.languages == "auto" and origin.read_as:
        languages += " (detected)"
    confidence = origin.mean_confidence
    said = "no words read" if confidence is None else f"mean confidence {confidence:.0f} %"
    where = ""
    if not image:
        noun = "page" if len(origin.pages) == 1 else "pages"
        where = f" on {noun} {page_ranges(origin.pages)}"
    return f"OCR{where}: {origin.engine}, {languages}; {said}"


def _selectable(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    label.setToolTip(text)
    # Long unbroken values (hashes, file names) must not widen the dock.
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(40)
    # Top-aligned: a wrapped value may get more height than it needs.
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label


class Inspector(QScrollArea):
    """Metadata, provenance, flags and edits of the selected source."""

    def __init__(self, controller: LibraryController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.source_id: int | None = None
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        self.setWidget(body)
        layout = QVBoxLayout(body)

        self.heading = QLabel("No source selected")
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        self.mark_box = CurrentMarkBox()
        self.noteRequested = self.mark_box.noteRequested
        self.noteSaved = self.mark_box.noteSaved
        self.categoryRequested = self.mark_box.categoryRequested
        self.entitiesRequested = self.mark_box.entitiesRequested
        layout.addWidget(self.mark_box)

        edit_box = QGroupBox("Reviewer's record")
        form = QFormLayout(edit_box)
        self.title_edit = QLineEdit()
        self.date_edit = QLineEdit()
        self.date_edit.setPlaceholderText("YYYY-MM-DD")
        self.reliability = QComboBox()
        self.credibility = QComboBox()
        for code in RELIABILITY:
            self.reliability.addItem(
                f"{code} {RELIABILITY_TIPS[code]}" if code else "Reliability –", code
            )
        for code in CREDIBILITY:
            self.credibility.addItem(
                f"{code} {CREDIBILITY_TIPS[code]}" if code else "Credibility –", code
            )
        for box in (self.reliability, self.credibility):
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.setMinimumContentsLength(8)
        self.reliability.setToolTip("Admiralty grade: reliability of the source (A-F)")
        self.credibility.setToolTip("Admiralty grade: credibility of the information (1-6)")
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Save title, date and grade (recorded in the audit trail)")
        self.save_button.clicked.connect(self.save)
        for edit in (self.title_edit, self.date_edit):
            edit.returnPressed.connect(self.save)  # Enter saves, as in any form
        self.message = QLabel("")
        self.message.setWordWrap(True)
        form.addRow("Title", self.title_edit)
        form.addRow("Date", self.date_edit)
        form.addRow("Source", self.reliability)
        form.addRow("Information", self.credibility)
        form.addRow(self.save_button, self.message)
        layout.addWidget(edit_box)

        self.facts_box = QGroupBox("Source")
        self.facts = QFormLayout(self.facts_box)
        layout.addWidget(self.facts_box)
        self.provenance_box = QGroupBox("Provenance")
        self.provenance = QFormLayout(self.provenance_box)
        layout.addWidget(self.provenance_box)
        self.flags_label = QLabel("")
        self.flags_label.setWordWrap(True)
        layout.addWidget(self.flags_label)
        self.unlock_button = QPushButton("Unlock…")
        self.unlock_button.setToolTip(
            "Give the PDF's password to read its text; the password is not kept"
        )
        self.unlock_button.clicked.connect(self.ask_password)
        self.unlock_button.hide()
        layout.addWidget(self.unlock_button)
        self.password_dialog: QInputDialog | None = None
        layout.addStretch(1)
        self._reads = 0
        self._set_enabled(False)
        self.facts_box.hide()
        self.provenance_box.hide()
        controller.sourceEdited.connect(self._edited)

    def show_mark(
        self, data: AnnotationData | None, findings: Sequence[CitingFinding] = ()
    ) -> None:
        """Show the window's current mark, and the findings citing it, above the
        source's record (None: no mark)."""
        self.mark_box.show_mark(data, findings)

    def _set_enabled(self, on: bool) -> None:
        for w in (
            self.title_edit,
            self.date_edit,
            self.reliability,
            self.credibility,
            self.save_button,
        ):
            w.setEnabled(on)

    @staticmethod
    def _clear(form: QFormLayout) -> None:
        while form.rowCount():
            form.removeRow(0)

    def show_source(self, source_id: int, *, keep_message: str | None = None) -> None:
        """Show the source with this id; edits left unsaved on the one shown before are
        saved first (as a form commits when you move on), and the message says so."""
        leaving = self.source_id is not None and source_id != self.source_id and self._dirty()
        if leaving:
            self.save(leaving=self.heading.text())
        self.source_id = source_id
        self._reads += 1
        generation = self._reads

        def shown(info: dict[str, Any]) -> None:
            if generation == self._reads and isValid(self.heading):
                # The save of the edits left behind may have reported first: keep its word.
                note = self.message.text() if leaving else keep_message
                self._fill(info)
                if note is not None:
                    self.message.setText(note)

        self.controller.query(
            lambda session: {
                **source_details(session, source_id),
                "ocr": ocr_origin(session, source_id),
            },
            shown,
        )

    def _edits(self) -> tuple[str, str, str]:
        grade = (self.reliability.currentData() or "") + (self.credibility.currentData() or "")
        return self.title_edit.text().strip(), self.date_edit.text().strip(), grade

    def _dirty(self) -> bool:
        return getattr(self, "_shown", None) is not None and self._edits() != self._shown

    def _fill(self, info: dict[str, Any]) -> None:
        self.heading.setText(printable(info["title"] or info["original_filename"]))
        self.title_edit.setText(info["title"] or "")
        self.title_edit.setCursorPosition(0)
        self.date_edit.setText(info["published"] or "")
        grade = info["grade"] or ""
        self.reliability.setCurrentIndex(max(0, RELIABILITY.index(grade[:1]) if grade else 0))
        self.credibility.setCurrentIndex(max(0, CREDIBILITY.index(grade[1:]) if grade else 0))
        self._shown = self._edits()  # what the fields hold before the reviewer types
        self.message.setText("")
        self._set_enabled(True)
        self.facts_box.show()
        self.provenance_box.show()

        self._clear(self.facts)
        rows = [
            ("Type", f"{info['kind']} ({info['media_type']})"),
            ("Pages", str(info["pages"]) if info["pages"] else ""),
            ("Text", ocr_line(info.get("ocr"), image=info["kind"] == "image")),
            ("Author", info["author"]),
            ("Publisher", info["publisher"]),
            ("Language", info["language"]),
            ("URL", info["url"]),
            ("Cases", ", ".join(info["cases"])),
            ("Marks", str(info["annotations"]) if info["annotations"] else ""),
        ]
        meta = info["metadata"]
        if info["kind"] == "image":
            rows.append(("Size", f"{meta.get('width', '?')} × {meta.get('height', '?')} px"))
            rows.append(("Captured", meta.get("captured")))
            make, model = str(meta.get("camera_make") or ""), str(meta.get("camera_model") or "")
            camera = model if model.startswith(make) else f"{make} {model}"
            rows.append(("Camera", camera.strip()))
            gps = meta.get("gps")
            if isinstance(gps, dict) and "lat" in gps:
                rows.append(("GPS", f"{gps['lat']:.5f}, {gps['lon']:.5f}"))
        for label, value in rows:
            if value:
                self.facts.addRow(label, _selectable(str(value)))

        self._clear(self.provenance)
        for label, value in [
            ("Original name", printable(info["original_filename"])),
            ("Imported", info["imported_at"][:19].replace("T", " ") + " UTC"),
            ("By", info["imported_by"]),
            # Four lines of 16: two of 32 were wider than a narrow dock and got clipped.
            ("SHA-256", "\n".join(info["sha256"][i : i + 16] for i in range(0, 64, 16))),
            ("Size", f"{info['size']:,} bytes"),
            ("Attached to", ", ".join(f"source {p['source_id']}" for p in info["attached_to"])),
            (
                "Attachments",
                ", ".join(f"{c['name']} (source {c['source_id']})" for c in info["attachments"]),
            ),
            ("Bundles", "\n".join(bundle_line(b) for b in info.get("bundles", []))),
        ]:
            if value:
                shown = _selectable(str(value))
                if label == "SHA-256":
                    mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
                    mono.setPointSizeF(max(7.0, shown.font().pointSizeF() * 0.9))
                    shown.setFont(mono)
                    shown.setToolTip(info["sha256"])
                self.provenance.addRow(label, shown)
        flags = [describe_flag(f) for f in info["flags"]]
        self.flags_label.setText("⚠ This file " + "; ".join(flags) + "." if flags else "")
        self.flags_label.setToolTip(json.dumps(info["flags"]))
        self.unlock_button.setVisible(FLAG_LOCKED in info["flags"])

    def ask_password(self) -> None:
        """Ask for the password of the locked PDF shown (a window-modal dialog)."""
        if self.source_id is None:
            return
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Unlock PDF")
        dialog.setLabelText(
            f"Password for “{self.heading.text()}”\n(used once to read the PDF; it is not kept)"
        )
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        source_id = self.source_id
        dialog.textValueSelected.connect(lambda password: self.unlock(source_id, password))
        dialog.finished.connect(dialog.deleteLater)
        self.password_dialog = dialog
        dialog.open()

    def unlock(self, source_id: int, password: str) -> None:
        """Read the locked PDF with ``password`` on the write thread, then index it."""
        if not password:
            self.message.setText("No password given; nothing was changed.")
            return
        library = self.controller.library
        self.message.setText("Unlocking…")

        def indexed(_: int) -> None:
            self.message.setText("Unlocked: its text is read and searchable.")

        def done(_: object) -> None:
            self.controller.run(
                library.index_pending,
                write=True,
                label="indexing",
                on_done=indexed,
                on_error=self.message.setText,
            )

        self.controller.write(
            lambda session: unlock_source(library, session, source_id, password),
            done,
            changes=Changes.of_sources(source_id),
            label="unlocking",
            on_error=self.message.setText,
        )

    def save(self, leaving: str | None = None) -> None:
        """Save the edits on the write thread (``leaving``: the title of a source being
        switched away from, named in the message)."""
        if self.source_id is None:
            return
        source_id = self.source_id
        title = self.title_edit.text()
        date = self.date_edit.text()
        grade = (self.reliability.currentData() or "") + (self.credibility.currentData() or "")
        where = f" to “{leaving}”" if leaving else ""
        if len(grade) == 1:
            self.message.setText(f"Edits{where} not saved: give both parts of the grade, e.g. B2.")
            return
        library = self.controller.library

        def write(session: Session) -> None:
            update_source(library, session, source_id, title=title, published=date, grade=grade)

        def done(_: None) -> None:
            self.message.setText(f"Saved your edits{where}." if leaving else "Saved.")

        def failed(message: str) -> None:
            self.message.setText(f"Edits{where} not saved: {message}" if leaving else message)

        self.controller.write(
            write, done, changes=Changes.of_sources(source_id), label="saving", on_error=failed
        )

    def _edited(self, source_id: int) -> None:
        if source_id == self.source_id:
            self.show_source(source_id, keep_message=self.message.text())
