"""Edit > Edit Selected Sources: one case, publisher, grade or date for every source
selected in the library list (blank fields are left as they are; "Clear" empties a field
on every source)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ui.desktop.app.controller import LibraryController
from ui.desktop.ops.changes import Changes
from workstation.sources.bulk_edit import SourcesEdit, edit_sources
from workstation.sources.cases import list_cases


def _blank(text: str) -> str | None:
    return " ".join(text.split()) or None


class SourcesEditDialog(QDialog):
    """The fields to set on several sources; Apply writes them all or none."""

    def __init__(
        self,
        controller: LibraryController,
        source_ids: Sequence[int],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.source_ids = list(source_ids)
        self.setWindowTitle(f"Edit {len(self.source_ids)} Sources")
        self.case_box = QComboBox()
        self.case_box.setEditable(True)
        case_line = self.case_box.lineEdit()
        assert case_line is not None  # editable
        case_line.setPlaceholderText("unchanged (or a new case's name)")
        self.case_box.setToolTip("Add every selected source to this case")
        self.publisher_edit = QLineEdit()
        self.grade_edit = QLineEdit()
        self.grade_edit.setMaxLength(2)
        self.grade_edit.setToolTip("Admiralty grade: reliability A-F and credibility 1-6")
        self.date_edit = QLineEdit()
        for edit, hint in (
            (self.publisher_edit, "unchanged"),
            (self.grade_edit, "unchanged (e.g. B2)"),
            (self.date_edit, "unchanged (YYYY-MM-DD)"),
        ):
            edit.setPlaceholderText(hint)
        self.publisher_clear = self._clear_box(self.publisher_edit, "publisher")
        self.grade_clear = self._clear_box(self.grade_edit, "grade")
        self.date_clear = self._clear_box(self.date_edit, "date")
        form = QFormLayout()
        form.addRow("Add to case", self.case_box)
        form.addRow("Publisher", self._with_clear(self.publisher_edit, self.publisher_clear))
        form.addRow("Grade", self._with_clear(self.grade_edit, self.grade_clear))
        form.addRow("Date", self._with_clear(self.date_edit, self.date_clear))
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        # OK's role makes it the default: Enter applies; the dialog closes once written.
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.apply_button.setText("Apply")
        self.apply_button.setToolTip("Change every selected source (recorded in the audit trail)")
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        note = QLabel(
            f"{len(self.source_ids)} sources selected. Blank fields are left alone; "
            "Clear empties a field on every one."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(380)

        def names(session: Session) -> list[str]:
            return [case.name for case, _count in list_cases(session)]

        def arrived(cases: list[str]) -> None:
            typed = self.case_box.currentText()
            self.case_box.clear()
            self.case_box.addItems(["", *cases])
            self.case_box.setEditText(typed)

        controller.query(names, arrived)

    @staticmethod
    def _clear_box(edit: QLineEdit, what: str) -> QCheckBox:
        """A "Clear" box: checked, the field is emptied on every source (and typing is off)."""
        box = QCheckBox("Clear")
        box.setToolTip(f"Remove the {what} from every selected source")

        def toggled(on: bool) -> None:
            edit.setEnabled(not on)
            if on:
                edit.clear()

        box.toggled.connect(toggled)
        return box

    @staticmethod
    def _with_clear(edit: QLineEdit, box: QCheckBox) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(edit, 1)
        layout.addWidget(box)
        return row

    def edit(self) -> SourcesEdit:
        """What the fields ask for: None leaves a field alone, "" (Clear) empties it."""

        def field(edit: QLineEdit, clear: QCheckBox) -> str | None:
            return "" if clear.isChecked() else _blank(edit.text())

        grade = field(self.grade_edit, self.grade_clear)
        return SourcesEdit(
            case=_blank(self.case_box.currentText()),
            publisher=field(self.publisher_edit, self.publisher_clear),
            grade=grade.upper() if grade else grade,
            published=field(self.date_edit, self.date_clear),
        )

    def apply(self) -> None:
        """Write the edit to every source (one transaction); close when done, else say why."""
        edit = self.edit()
        if edit.empty:
            self.error_label.setText("Fill in at least one field.")
            return
        library = self.controller.library
        ids = list(self.source_ids)
        self.apply_button.setEnabled(False)
        self.error_label.setText("")

        def failed(message: str) -> None:
            self.apply_button.setEnabled(True)
            self.error_label.setText(message)

        self.controller.write(
            lambda session: edit_sources(library, session, ids, edit),
            lambda _count: self.accept(),
            changes=Changes(source_set=edit.case is not None, sources=frozenset(ids)),
            on_error=failed,
        )
