"""One finding: its content, evidence, independence groups, review steps, comments and
right of reply.

Every read and write goes through the controller; a refused step (four eyes,
policy, wrong state) shows its one-line reason under the buttons. When the
policy refuses a confirmation the reviewer is asked for an override reason,
and the confirmation is tried again with it (the service records it). A reviewer
with a key of their own is asked to sign the confirmation (``sign_dialog``). Edits of
the content and the evidence are undoable (Edit > Undo, Ctrl+Z, shared with the
main window's marks); review steps are audit events, reversed only by Reopen.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenuBar,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ui.desktop.annotations.annotation_panel import short_date
from ui.desktop.annotations.commands import AnnotationCommands
from ui.desktop.app.controller import LibraryController
from ui.desktop.findings.finding_commands import FINDINGS, FindingCommands
from ui.desktop.findings.findings_panel import status_label
from ui.desktop.findings.replies_tab import RepliesTab
from ui.desktop.findings.sign_dialog import SignDialog
from ui.desktop.ops.changes import Changes
from workstation.findings.details import FindingDetails
from workstation.findings.policy import YARDSTICK
from workstation.findings.service import ROLES, FindingService
from workstation.keys.keyring import KeyInfo, KeyService, Signer
from workstation.taxonomy.tree import CategoryNode, list_categories

REVIEW_NOT_UNDONE = (
    "Submit, Confirm, Reject and Reopen are review steps in the audit trail: "
    "Undo does not take them back; Reopen reverses a decision, with a reason."
)
_CLI_HINT = re.compile(r"\s*\(give --reviewer NAME\)|;\s*confirm with --override-reason.*$")
QUOTE_CHARS = 120

Ask = Callable[[QWidget, str, str], str | None]


def ask_text(parent: QWidget, title: str, label: str) -> str | None:
    """A line of text from the reviewer (None when cancelled or empty)."""
    text, ok = QInputDialog.getText(parent, title, label)
    return text.strip() or None if ok else None


def plain(message: str) -> str:
    """A service message without the CLI's option hints."""
    return _CLI_HINT.sub("", message)


class FindingEditor(QDialog):
    """View and edit one finding (non-modal; one per finding is enough).

    Args:
        controller: reads and writes.
        finding_uuid: the finding shown.
        parent: the main window.
        commands: the main window's annotation commands, whose undo history the
            finding edits share (None: a history of this window's own).

    Attributes:
        ask: how a reason is asked for (``ask_text``; a test may answer itself).

    Signals:
        annotationActivated(str): the reviewer wants to see this piece of evidence.
    """

    annotationActivated = Signal(str)

    def __init__(
        self,
        controller: LibraryController,
        finding_uuid: str,
        parent: QWidget | None = None,
        *,
        commands: AnnotationCommands | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.service = FindingService(controller.library)
        if commands is None:  # standing alone: a history of its own, its errors shown here
            commands = AnnotationCommands(controller, self)
            commands.errorOccurred.connect(self._failed)
        self.commands = commands
        self.edits = FindingCommands(self.commands, self)
        self.uuid = finding_uuid
        self.details: FindingDetails | None = None
        self.ask: Ask = ask_text
        self.sign_dialog: SignDialog | None = None  # open while Confirm asks for a key
        self.setWindowTitle("Finding")
        self.resize(760, 640)

        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.title_edit = QLineEdit()
        self.claim_edit = QPlainTextEdit()
        self.claim_edit.setPlaceholderText("The sentence the report will carry")
        self.claim_edit.setFixedHeight(60)
        self.category_box = QComboBox()
        self.category_box.addItem("— no measure —", "")
        self.period_from = QLineEdit()
        self.period_to = QLineEdit()
        for edit in (self.period_from, self.period_to):
            edit.setPlaceholderText("2025, 2025-05 or 2025-05-17")
        self.confidence_box = QComboBox()
        self.confidence_box.addItem("—", "")
        for entry in YARDSTICK:
            self.confidence_box.addItem(f"{entry.term} ({entry.range})", entry.term)
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self.save)
        period = QHBoxLayout()
        period.addWidget(self.period_from)
        period.addWidget(QLabel("to"))
        period.addWidget(self.period_to)
        form = QFormLayout()
        form.addRow("Title", self.title_edit)
        form.addRow("Claim", self.claim_edit)
        form.addRow("Measure", self.category_box)
        form.addRow("Period", period)
        form.addRow("Confidence", self.confidence_box)

        self.evidence = QTreeWidget()
        self.evidence.setHeaderLabels(["Role", "Source", "Page", "Quote", "Grade"])
        self.evidence.setRootIsDecorated(False)
        header = self.evidence.header()
        header.setStretchLastSection(False)
        for column in (0, 2, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.evidence.setColumnWidth(1, 160)
        self.evidence.itemDoubleClicked.connect(
            lambda item, _col: self.annotationActivated.emit(item.data(0, Qt.ItemDataRole.UserRole))
        )
        self.evidence.currentItemChanged.connect(self._evidence_chosen)
        self.remove_button = QPushButton("Remove evidence")
        self.remove_button.setToolTip("Unlink the selected piece (Ctrl+Z undoes)")
        self.remove_button.clicked.connect(self.remove_selected)
        self.role_box = QComboBox()
        self.role_box.setToolTip("The selected piece's role (Ctrl+Z undoes a change)")
        for role in ROLES:
            self.role_box.addItem(role, role)
        self.role_box.setEnabled(False)
        self.role_box.activated.connect(lambda _at: self.set_role(self.role_box.currentData()))
        self.groups_label = QLabel()
        self.groups_label.setWordWrap(True)
        self.groups_label.setTextFormat(Qt.TextFormat.PlainText)

        self.submit_button = QPushButton("Submit")
        self.confirm_button = QPushButton("Confirm")
        self.reject_button = QPushButton("Reject")
        self.reopen_button = QPushButton("Reopen")
        self.submit_button.clicked.connect(self.submit)
        self.confirm_button.clicked.connect(lambda: self.confirm())
        self.reject_button.clicked.connect(self.reject_finding)
        self.reopen_button.clicked.connect(self.reopen)
        for button in (
            self.submit_button,
            self.confirm_button,
            self.reject_button,
            self.reopen_button,
        ):
            button.setToolTip(REVIEW_NOT_UNDONE)
        self.review_note = QLabel("Review steps are recorded, not undone (Reopen reverses).")
        self.review_note.setToolTip(REVIEW_NOT_UNDONE)
        self.review_note.setStyleSheet("color: palette(mid)")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setStyleSheet("color: #b00020")

        self.history = QListWidget()
        self.comment_edit = QLineEdit()
        self.comment_edit.setPlaceholderText("Add a comment and press Enter")
        self.comment_edit.returnPressed.connect(self.add_comment)
        comment_button = QPushButton("Comment")
        comment_button.clicked.connect(self.add_comment)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.heading)
        top_layout.addLayout(form)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        top_layout.addLayout(save_row)
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        evidence_row = QHBoxLayout()
        evidence_row.addWidget(QLabel("Evidence"))
        evidence_row.addStretch(1)
        evidence_row.addWidget(QLabel("Role"))
        evidence_row.addWidget(self.role_box)
        evidence_row.addWidget(self.remove_button)
        middle_layout.addLayout(evidence_row)
        middle_layout.addWidget(self.evidence, 1)
        middle_layout.addWidget(self.groups_label)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(QLabel("Review and comments"))
        bottom_layout.addWidget(self.history, 1)
        comment_row = QHBoxLayout()
        comment_row.addWidget(self.comment_edit, 1)
        comment_row.addWidget(comment_button)
        bottom_layout.addLayout(comment_row)
        splitter = QSplitter(Qt.Orientation.Vertical)
        for part in (top, middle, bottom):
            splitter.addWidget(part)
        splitter.setStretchFactor(1, 2)
        splitter.setStretchFactor(2, 1)
        buttons = QHBoxLayout()
        for button in (
            self.submit_button,
            self.confirm_button,
            self.reject_button,
            self.reopen_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.review_note)
        self.replies = RepliesTab(controller, finding_uuid)
        self.replies.errorOccurred.connect(lambda message: self.message.setText(plain(message)))
        self.tabs = QTabWidget()
        self.tabs.addTab(splitter, "Finding")
        self.tabs.addTab(self.replies, "Replies")
        layout = QVBoxLayout(self)
        layout.setMenuBar(self._menu_bar())
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        controller.changed.connect(self._changed)
        self.commands.historyChanged.connect(self._update_undo)
        self.commands.annotationsChanged.connect(lambda _sid: self._update_undo())
        self._update_undo()
        self._load_categories()
        self.reload()

    def _menu_bar(self) -> QMenuBar:
        bar = QMenuBar(self)
        edit = bar.addMenu("&Edit")
        self.undo_action = edit.addAction("&Undo", self.commands.undo)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = edit.addAction("&Redo", self.commands.redo)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit.addSeparator()
        note = edit.addAction("Review steps are not undone: Reopen reverses a decision")
        note.setEnabled(False)
        note.setToolTip(REVIEW_NOT_UNDONE)
        edit.setToolTipsVisible(True)
        for action in (self.undo_action, self.redo_action):
            action.setToolTip("Finding edits and marks share one history")
        return bar

    def _update_undo(self) -> None:
        self.undo_action.setEnabled(self.commands.can_undo)
        self.redo_action.setEnabled(self.commands.can_redo)

    # --- reading ---------------------------------------------------------------

    def set_finding(self, finding_uuid: str) -> None:
        """Show another finding."""
        self.uuid = finding_uuid
        self.message.clear()
        self.replies.set_finding(finding_uuid)
        self.reload()

    def reload(self) -> None:
        """Read the finding again."""
        service, uuid = self.service, self.uuid
        self.controller.query(
            lambda s: service.show(s, uuid), self._show, on_error=self.message.setText
        )

    def _load_categories(self) -> None:
        def load(session: Session) -> list[CategoryNode]:
            return list_categories(session)

        self.controller.query(load, self._fill_categories)

    def _fill_categories(self, nodes: list[CategoryNode]) -> None:
        chosen = self.category_box.currentData()
        self.category_box.clear()
        self.category_box.addItem("— no measure —", "")
        for node in nodes:
            self.category_box.addItem("    " * node.depth + node.label, node.code)
        if self.details is not None:
            chosen = self.details.category or ""
        self._choose(self.category_box, chosen or "")

    @staticmethod
    def _choose(box: QComboBox, value: str) -> None:
        at = box.findData(value)
        if at < 0 and value:
            box.addItem(value, value)
            at = box.count() - 1
        box.setCurrentIndex(max(0, at))

    def _show(self, details: FindingDetails) -> None:
        self.details = details
        self.setWindowTitle(f"{details.number} — {details.title}")
        self.heading.setText(
            f"{details.number} · {status_label(details.status)} · {details.badge}"
            f" · by {details.author}"
            + (f" · confirmed by {details.confirmed_by}" if details.confirmed_by else "")
            + (f", {details.signature}" if details.signature else "")
        )
        self.title_edit.setText(details.title)
        self.claim_edit.setPlainText(details.claim or "")
        self._choose(self.category_box, details.category or "")
        self.period_from.setText(details.period_from or "")
        self.period_to.setText(details.period_to or "")
        term = (details.confidence or {}).get("term", "")
        self._choose(self.confidence_box, term)
        chosen = self._chosen_annotation()
        self.evidence.clear()
        for piece in details.evidence:
            quote = " ".join((piece.quote or "").split())
            if not quote and piece.region:
                quote = "(region)"
            if len(quote) > QUOTE_CHARS:
                quote = quote[: QUOTE_CHARS - 1] + "…"
            item = QTreeWidgetItem(
                [
                    piece.role,
                    piece.title or f"source {piece.source_id}",
                    str(piece.page) if piece.page else "",
                    quote,
                    piece.grade or "—",
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, piece.annotation)
            item.setToolTip(3, piece.quote or "")
            self.evidence.addTopLevelItem(item)
            if piece.annotation == chosen:
                self.evidence.setCurrentItem(item)
        self._evidence_chosen()
        self.groups_label.setText(self._groups_text(details))
        self.history.clear()
        for step in details.review:
            why = f": {step.reason}" if step.reason else ""
            signed = f" · {step.signature['label']}" if step.signature else ""
            self.history.addItem(
                f"{short_date(step.at)} · {step.reviewer} · {step.action}{why}{signed}"
            )
        for note in details.comments:
            self.history.addItem(f"{short_date(note.at)} · {note.author} — {note.text}")
        status = details.status
        self.submit_button.setEnabled(status == "draft")
        self.confirm_button.setEnabled(status == "in_review")
        self.reject_button.setEnabled(status == "in_review")
        self.reopen_button.setEnabled(status != "draft")

    @staticmethod
    def _groups_text(details: FindingDetails) -> str:
        titles = {e.source_id: e.title or f"source {e.source_id}" for e in details.evidence}
        lines = [f"Corroboration: {details.badge}"]
        for number, group in enumerate(details.groups, 1):
            names = ", ".join(titles.get(s, f"source {s}") for s in group.source_ids)
            why = "; ".join(group.explanations)
            lines.append(f"Group {number}: {names}" + (f" ({why})" if why else ""))
        shortfall = details.policy.get("shortfall")
        if shortfall:
            lines.append(f"Policy: {shortfall}")
        if details.override_reason:
            lines.append(f"Override: {details.override_reason}")
        return "\n".join(lines)

    def _changed(self, changes: Changes) -> None:
        if changes.taxonomy:
            self._load_categories()
        if changes.findings or changes.annotations or changes.sources:
            self.reload()

    # --- writing ---------------------------------------------------------------

    def _write(self, change: Callable[[Session], Any], on_error: Any = None) -> None:
        self.message.clear()
        self.controller.write(
            change,
            changes=FINDINGS,
            on_error=on_error or self._failed,
        )

    def _failed(self, message: str) -> None:
        self.message.setText(plain(message))

    def _chosen_annotation(self) -> str | None:
        item = self.evidence.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def _evidence_chosen(self, *_items: Any) -> None:
        item = self.evidence.currentItem()
        self.role_box.setEnabled(item is not None)
        if item is not None:
            self.role_box.setCurrentIndex(max(0, self.role_box.findData(item.text(0))))

    def save(self) -> None:
        """Store the title, claim, measure, period and confidence (undoable)."""
        title = self.title_edit.text()
        content: dict[str, str] = {
            "claim": self.claim_edit.toPlainText(),
            "category": self.category_box.currentData() or "",
            "period_from": self.period_from.text().strip(),
            "period_to": self.period_to.text().strip(),
            "confidence_term": self.confidence_box.currentData() or "",
        }
        self.message.clear()
        self.edits.edit(self.uuid, title, dict(content), on_error=self._failed)

    def remove_selected(self) -> None:
        """Unlink the selected piece of evidence (undoable)."""
        annotation = self._chosen_annotation()
        if annotation is None:
            self.message.setText("Select a piece of evidence first.")
            return
        self.message.clear()
        self.edits.unlink(self.uuid, [annotation], on_error=self._failed)

    def set_role(self, role: str) -> None:
        """Give the selected piece of evidence another role (undoable)."""
        annotation = self._chosen_annotation()
        if annotation is None:
            self.message.setText("Select a piece of evidence first.")
            return
        self.message.clear()
        self.edits.link(self.uuid, [annotation], role, on_error=self._failed)

    def submit(self) -> None:
        """Draft -> in review (the author only)."""
        service, uuid = self.service, self.uuid
        self._write(lambda s: service.submit(s, uuid))

    def confirm(self) -> None:
        """In review -> confirmed. With a key of the reviewer's own in the library, the
        reviewer is asked to sign (or not); a policy refusal asks for an override reason."""
        library = self.controller.library
        self.message.clear()
        self.controller.query(
            lambda s: [k for k in KeyService(library).list(s) if k.has_private],
            self._choose_signing,
            on_error=self._failed,
        )

    def _choose_signing(self, own: list[KeyInfo]) -> None:
        if not own:
            self._confirm(None, None)
            return
        dialog = SignDialog(self.controller, own, self)
        dialog.signed.connect(lambda signer: self._confirm(None, signer))
        dialog.unsigned.connect(lambda: self._confirm(None, None))
        self.sign_dialog = dialog
        dialog.open()

    def _confirm(self, override_reason: str | None, signer: Signer | None) -> None:
        service, uuid = self.service, self.uuid

        def refused(message: str) -> None:
            self.message.setText(plain(message))
            if override_reason is None and message.startswith("policy:"):
                why = self.ask(self, "Confirm anyway", plain(message) + "\nOverride reason:")
                if why:
                    self._confirm(why, signer)

        self._write(
            lambda s: service.confirm(s, uuid, override_reason=override_reason, signer=signer),
            refused,
        )

    def reject_finding(self) -> None:
        """In review -> rejected, with a reason (asked); ``reject`` stays QDialog's (Escape)."""
        reason = self.ask(self, "Reject finding", "Why is it rejected?")
        if reason is not None:
            service, uuid = self.service, self.uuid
            self._write(lambda s: service.reject(s, uuid, reason=reason))

    def reopen(self) -> None:
        """Back to draft, with a reason (asked)."""
        reason = self.ask(self, "Reopen finding", "Why is it reopened?")
        if reason is not None:
            service, uuid = self.service, self.uuid
            self._write(lambda s: service.reopen(s, uuid, reason=reason))

    def add_comment(self) -> None:
        """Add the typed comment to the thread."""
        text = self.comment_edit.text().strip()
        if not text:
            return
        service, uuid = self.service, self.uuid
        self.comment_edit.clear()
        self._write(lambda s: service.comment(s, uuid, text))
