"""File > Export Bundle: choose scope, recipient profile, signing and encryption,
and see what goes in (which sources travel as originals, which redacted) before
anything is written.

The preview is ``workstation.bundles.export.plan_export`` run on the read pool; the
export itself runs as an operation (``ui/operations/export.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy.orm import Session

from ui.desktop.app.controller import LibraryController
from ui.desktop.app.layout import fit_to_screen
from ui.desktop.app.settings import Settings
from ui.desktop.bundles.keys_dialog import KeysDialog
from ui.desktop.bundles.profiles_dialog import ProfilesDialog
from ui.desktop.widgets.colours import style_as
from workstation.bundles.export import ExportOptions
from workstation.bundles.plan import ExportPlan, ExportScope, check_space, plan_export
from workstation.bundles.profiles import (
    BUILT_IN,
    INTERNAL,
    PARTNER,
    Profile,
    list_profiles,
    with_built_ins,
)
from workstation.core.errors import WorkstationError
from workstation.keys.keyring import KeyInfo, KeyService, Signer
from workstation.sources.cases import list_cases
from workstation.taxonomy.tree import CategoryNode, list_categories

_TREATMENT = {
    "original": "original, byte for byte",
    "redacted": "redacted derivative",
    "metadata-stripped": "copy without EXIF/GPS",
    "sanitised": "cleaned copy (no original)",
}


def _size(n: int) -> str:
    value = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1000
    return f"{n} bytes"


@dataclass(frozen=True)
class _Choices:
    """What the form offers, read in one go."""

    cases: list[tuple[str, int]]
    profiles: list[Profile]
    categories: list[CategoryNode]
    keys: list[KeyInfo]


class ExportDialog(QDialog):
    """Choose what a bundle holds and how it is protected.

    Signals:
        previewed(object): a new ExportPlan (or None when the scope is empty).
    """

    previewed = Signal(object)

    def __init__(
        self,
        controller: LibraryController,
        parent: QWidget | None = None,
        selected: Sequence[int] = (),
        *,
        case: str | None = None,
        settings: Settings | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.plan: ExportPlan | None = None
        self.selected = tuple(selected)
        self.case = case  # the case the library list shows: the scope starts there
        self.settings = settings
        self.setWindowTitle("Export Evidence Bundle")
        self.resize(980, 640)
        self._keys: list[KeyInfo] = []
        self._generation = 0  # of the choices; a plan made for older ones is dropped
        self._build()
        self._load_choices()
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self._refresh_preview)
        self._schedule()

    # --- layout -----------------------------------------------------------------

    def _build(self) -> None:
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(splitter)
        form_box = QVBoxLayout(left)
        form_box.setContentsMargins(0, 0, 8, 0)

        scope = QGroupBox("What goes in", left)
        scope_form = QFormLayout(scope)
        self.case_combo = QComboBox(scope)
        self.case_combo.setAccessibleName("Case")
        scope_form.addRow("&Case:", self.case_combo)
        self.only_selected = QCheckBox(
            f"Only the {len(self.selected)} source(s) selected in the library", scope
        )
        self.only_selected.setChecked(bool(self.selected))  # what the reviewer chose
        self.only_selected.setVisible(bool(self.selected))
        self.only_selected.toggled.connect(self._schedule)
        scope_form.addRow("", self.only_selected)
        self.tag_list = QListWidget(scope)
        self.tag_list.setAccessibleName("Categories")
        self.tag_list.setToolTip("Tick categories to export only the marks tagged with them")
        self.tag_list.setMinimumHeight(96)  # the dialog must fit a 768 px screen
        self.tag_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tag_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scope_form.addRow("Cate&gories:", self.tag_list)
        form_box.addWidget(scope)

        recipient = QGroupBox("For whom", left)
        rec_form = QFormLayout(recipient)
        self.profile_combo = QComboBox(recipient)
        self.profile_combo.setAccessibleName("Recipient profile")
        self.profiles_button = QPushButton("Profiles…", recipient)
        self.profiles_button.setToolTip("Add, change or remove recipient profiles")
        self.profiles_button.clicked.connect(self._manage_profiles)
        profile_row = QHBoxLayout()
        profile_row.addWidget(self.profile_combo, 1)
        profile_row.addWidget(self.profiles_button)
        profile_label = QLabel("Recipient &profile:", recipient)
        profile_label.setBuddy(self.profile_combo)
        rec_form.addRow(profile_label, profile_row)
        self.marking_label = QLabel(recipient)
        self.marking_label.setWordWrap(True)
        bold = QFont(self.marking_label.font())
        bold.setBold(True)
        self.marking_label.setFont(bold)
        rec_form.addRow("Marking:", self.marking_label)
        self.redact_check = QCheckBox("Apply &redaction marks", recipient)
        rec_form.addRow("", self.redact_check)
        self.organisation_edit = QLineEdit(recipient)
        self.organisation_edit.setPlaceholderText("e.g. Multilateral Sanctions Monitoring Team")
        rec_form.addRow("&Organisation:", self.organisation_edit)
        self.contact_edit = QLineEdit(self.controller.library.reviewer, recipient)
        rec_form.addRow("Co&ntact:", self.contact_edit)
        self.description_edit = QPlainTextEdit(recipient)
        self.description_edit.setAccessibleName("Title and description")
        self.description_edit.setPlaceholderText(
            "What the bundle is and why it is sent (first line: its title)"
        )
        self.description_edit.setMaximumHeight(48)
        self.description_edit.setTabChangesFocus(True)
        rec_form.addRow("&Description:", self.description_edit)
        form_box.addWidget(recipient)

        protect = QGroupBox("Protection", left)
        prot_form = QFormLayout(protect)
        self.key_combo = QComboBox(protect)
        self.key_combo.setAccessibleName("Signing key")
        self.keys_button = QPushButton("&Keys…", protect)
        self.keys_button.setToolTip("Make a signing key, or import and trust partners' keys")
        self.keys_button.clicked.connect(self._manage_keys)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_combo, 1)
        key_row.addWidget(self.keys_button)
        sign_label = QLabel("&Sign with:", protect)
        sign_label.setBuddy(self.key_combo)  # a row holding a layout gets no buddy by itself
        prot_form.addRow(sign_label, key_row)
        self.passphrase_edit = QLineEdit(protect)
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setPlaceholderText("passphrase of the signing key")
        prot_form.addRow("Pass&phrase:", self.passphrase_edit)
        self.recipients_edit = QPlainTextEdit(protect)
        self.recipients_edit.setPlaceholderText(
            "age public keys (age1…), one per line; empty: no encryption"
        )
        self.recipients_edit.setMaximumHeight(48)
        self.recipients_edit.setTabChangesFocus(True)  # Tab moves on; keys are one per line
        prot_form.addRow("&Encrypt for:", self.recipients_edit)
        form_box.addWidget(protect)

        out_row = QHBoxLayout()
        self.out_edit = QLineEdit(left)
        self.out_edit.setAccessibleName("Output")
        self.out_edit.setPlaceholderText("where to write the bundle (folder, .zip or .age)")
        if self.settings is not None:  # the folder of the last export, a fresh name in it
            folder = Path(self.settings.folder("export"))
            self.out_edit.setText(str(folder / f"evidence-bundle-{date.today().isoformat()}.zip"))
        browse = QPushButton("Browse…", left)
        browse.clicked.connect(self._browse)
        out_row.addWidget(self.out_edit, 1)
        out_row.addWidget(browse)
        out_label = QLabel("&Write to:", left)
        out_label.setBuddy(self.out_edit)
        form_box.addWidget(out_label)
        form_box.addLayout(out_row)
        form_box.addStretch(1)

        right = QWidget(splitter)
        preview_box = QVBoxLayout(right)
        preview_box.setContentsMargins(8, 0, 0, 0)
        title = QLabel("Preview", right)
        title.setFont(bold)
        preview_box.addWidget(title)
        self.summary_label = QLabel("Reading the library…", right)
        self.summary_label.setWordWrap(True)
        preview_box.addWidget(self.summary_label)
        self.preview = QTreeWidget(right)
        self.preview.setAccessibleName("Preview of the bundle")
        self.preview.setHeaderLabels(
            ["Source", "Travels as", "Marks", "Redactions", "Also removed", "Size"]
        )
        self.preview.setRootIsDecorated(False)
        self.preview.setAlternatingRowColors(True)
        header = self.preview.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 6):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        preview_box.addWidget(self.preview, 1)
        self.warning_label = QLabel(right)
        self.warning_label.setWordWrap(True)
        style_as(self.warning_label, "warning")
        preview_box.addWidget(self.warning_label)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([420, 560])

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Cancel, Qt.Orientation.Horizontal, self
        )
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.error_label = QLabel(self)
        style_as(self.error_label, "error")
        self.error_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self.case_combo.currentIndexChanged.connect(self._schedule)
        self.tag_list.itemChanged.connect(self._schedule)
        self.profile_combo.currentIndexChanged.connect(self._profile_changed)
        self.redact_check.toggled.connect(self._schedule)
        self.key_combo.currentIndexChanged.connect(self._key_changed)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        fit_to_screen(self)  # Export and Cancel stay on a small screen

    # --- choices ----------------------------------------------------------------

    def _load_choices(self) -> None:
        """Read cases, categories, profiles and keys on the read pool, then fill the form."""
        library = self.controller.library

        def read(session: Session) -> _Choices:
            return _Choices(
                cases=[(case.name, count) for case, count in list_cases(session)],
                profiles=list_profiles(session),
                categories=list_categories(session),
                keys=[k for k in KeyService(library).list(session) if k.has_private],
            )

        def arrived(choices: _Choices) -> None:
            if isValid(self.case_combo):
                self._fill_choices(choices)

        self.controller.query(read, arrived)

    def _fill_choices(self, choices: _Choices) -> None:
        self._keys = choices.keys
        categories, profiles = choices.categories, choices.profiles
        self.case_combo.blockSignals(True)
        self.case_combo.addItem("Whole library", None)
        for name, count in choices.cases:
            self.case_combo.addItem(f"{name} ({count})", name)
        if self.case:
            self.case_combo.setCurrentIndex(max(0, self.case_combo.findData(self.case)))
        self.case_combo.blockSignals(False)
        for node in categories:
            item = QListWidgetItem(f"{'    ' * node.depth}{node.code} — {node.label}")
            item.setData(Qt.ItemDataRole.UserRole, node.code)
            item.setToolTip(f"{node.code} — {node.label}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.tag_list.addItem(item)
        self._fill_profiles(profiles, PARTNER.name)
        self._fill_keys()
        self._profile_changed()

    def _fill_profiles(self, profiles: list[Profile], select: str) -> None:
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        self._profiles = {p.name: p for p in with_built_ins(profiles)}
        built_in = [p.name for p in BUILT_IN]
        for name in sorted(
            self._profiles,
            key=lambda n: (n in built_in, built_in.index(n) if n in built_in else 0, n),
        ):
            profile = self._profiles[name]
            self.profile_combo.addItem(name, name)
            self.profile_combo.setItemData(
                self.profile_combo.count() - 1, profile.marking, Qt.ItemDataRole.ToolTipRole
            )
        # The safe choice first: redacted, without EXIF (internal is one step away).
        self.profile_combo.setCurrentIndex(max(0, self.profile_combo.findData(select)))
        self.profile_combo.blockSignals(False)

    def _manage_profiles(self) -> None:
        """Profiles…: the profile editor; the list here follows what it saved."""
        dialog = ProfilesDialog(self.controller, self)

        def reread() -> None:
            keep = self.profile_combo.currentData() or PARTNER.name

            def arrived(profiles: list[Profile]) -> None:
                if isValid(self.profile_combo):
                    self._fill_profiles(profiles, keep)
                    self._profile_changed()

            self.controller.query(list_profiles, arrived)

        dialog.profilesChanged.connect(reread)
        self.profiles_dialog = dialog
        dialog.open()

    def _fill_keys(self, select: str | None = None) -> None:
        self.key_combo.clear()
        self.key_combo.addItem("Do not sign", None)
        for key in self._keys:
            self.key_combo.addItem(f"{key.name}  ({key.short})", key.fingerprint)
        index = self.key_combo.findData(select) if select else -1
        if index < 0 and self._keys:
            index = 1
        self.key_combo.setCurrentIndex(max(index, 0))
        self._key_changed()

    def _manage_keys(self) -> None:

        dialog = KeysDialog(self.controller, self, self.settings)
        dialog.exec()
        library = self.controller.library
        keep = self.key_combo.currentData()

        def arrived(keys: list[KeyInfo]) -> None:
            if isValid(self.key_combo):
                self._keys = keys
                self._fill_keys(keep)

        self.controller.query(
            lambda session: [k for k in KeyService(library).list(session) if k.has_private],
            arrived,
        )

    def _profile_changed(self) -> None:
        profile = self._profiles.get(self.profile_combo.currentData() or INTERNAL.name, INTERNAL)
        self.marking_label.setText(profile.marking)
        self.redact_check.setChecked(profile.apply_redactions)
        self.redact_check.setEnabled(not profile.apply_redactions)
        self._schedule()

    def _key_changed(self) -> None:
        self.passphrase_edit.setEnabled(self.key_combo.currentData() is not None)

    def _browse(self) -> None:
        start = self.out_edit.text() or (self.settings.folder("export") if self.settings else "")
        path, _ = QFileDialog.getSaveFileName(
            self, "Write bundle to", start, "Zipped bag (*.zip);;Bag folder (*)"
        )
        if path:
            self.out_edit.setText(path)

    # --- preview ----------------------------------------------------------------

    def scope(self) -> ExportScope:
        """The scope the dialog describes."""
        tags = []
        for row in range(self.tag_list.count()):
            item = self.tag_list.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                tags.append(str(item.data(Qt.ItemDataRole.UserRole)))
        sources = self.selected if self.selected and self.only_selected.isChecked() else ()
        return ExportScope(case=self.case_combo.currentData(), tags=tuple(tags), sources=sources)

    def _schedule(self) -> None:
        """A choice changed: the shown plan is stale until the new one arrives, so
        Export waits for it (Enter right after a change must not write the old one)."""
        if not hasattr(self, "_timer"):
            return
        self._generation += 1
        self.plan = None
        self.export_button.setEnabled(False)
        self._timer.start()

    def _refresh_preview(self) -> None:
        scope = self.scope()
        profile = self.profile_combo.currentData()
        redact = self.redact_check.isChecked()
        library = self.controller.library
        generation = self._generation

        def done(plan: Any) -> None:
            if generation == self._generation:  # not overtaken by a change meanwhile
                self._show_plan(plan)

        def failed(message: str) -> None:
            if generation == self._generation:
                self._show_plan_error(message)

        self.controller.run(
            lambda: plan_export(library, scope, profile, redact=redact),
            on_done=done,
            on_error=failed,
        )

    def _show_plan(self, plan: Any) -> None:
        self.plan = plan
        self.preview.clear()
        self.error_label.clear()
        for ps in plan.sources:
            item = QTreeWidgetItem(
                [
                    ps.title or ps.filename,
                    _TREATMENT[ps.treatment],
                    str(len([a for a in ps.annotations if not a.redact])),
                    str(len(ps.redactions)) if ps.redacted else "—",
                    str(ps.occurrence_count) if ps.occurrences else "—",
                    _size(ps.size),
                ]
            )
            item.setToolTip(0, f"{ps.filename}\nSHA-256 {ps.sha256}")
            if ps.occurrences:
                item.setToolTip(
                    4,
                    "Other occurrences of passages marked for redaction, removed too:\n"
                    + "\n".join(o.describe() for o in ps.occurrences),
                )
            for col in (2, 3, 4, 5):
                item.setTextAlignment(
                    col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
            self.preview.addTopLevelItem(item)
        redacted = sum(1 for s in plan.sources if s.redacted)
        also = (
            f"{plan.occurrence_count} other occurrence(s) of redacted passages removed · "
            if plan.occurrences
            else ""
        )
        self.summary_label.setText(
            f"{len(plan.sources)} source(s), {redacted} redacted · "
            f"{plan.annotation_count} annotation(s) · "
            f"{plan.redaction_count} redaction(s) applied · {also}"
            f"sources {_size(plan.total_bytes)} as stored (copies without metadata and "
            f"redacted ones differ; the dossier comes on top) · marked {plan.profile.marking}"
        )
        self.warning_label.setText("\n".join(plan.warnings))
        self.export_button.setEnabled(True)
        self.previewed.emit(plan)

    def _show_plan_error(self, message: str) -> None:
        self.plan = None
        self.preview.clear()
        self.summary_label.setText("Nothing to export.")
        self.error_label.setText(message)
        self.export_button.setEnabled(False)
        self.previewed.emit(None)

    # --- accept -----------------------------------------------------------------

    def options(self) -> ExportOptions:
        """What the dialog says about writing (signer resolved on accept)."""
        recipients = tuple(
            line.strip() for line in self.recipients_edit.toPlainText().splitlines() if line.strip()
        )
        return ExportOptions(
            out=Path(self.out_edit.text().strip()).expanduser(),
            signer=getattr(self, "_signer", None),
            recipients=recipients,
            organisation=self.organisation_edit.text().strip() or None,
            contact=self.contact_edit.text().strip() or None,
            description=" ".join(self.description_edit.toPlainText().split()) or None,
        )

    def _accept(self) -> None:
        if self.plan is None:
            return
        if not self.out_edit.text().strip():
            self.error_label.setText("Choose where to write the bundle.")
            self.out_edit.setFocus()
            return
        options = self.options()
        folder = Path(options.out).absolute().parent
        if not folder.is_dir():
            self.error_label.setText(f"Folder {folder} does not exist.")
            self.out_edit.setFocus()
            return
        try:
            check_space(
                folder,
                self.plan,
                encrypted=bool(options.recipients),
                staging=self.controller.library.derived,  # where the plaintext is staged
            )
        except WorkstationError as exc:
            self.error_label.setText(exc.message[:1].upper() + exc.message[1:] + ".")
            self.out_edit.setFocus()
            return
        if self.settings is not None:
            self.settings.remember_folder("export", folder)
        self._signer = None
        fingerprint = self.key_combo.currentData()
        if fingerprint is None:
            self.accept()
            return
        # Unlocking the key takes scrypt's deliberate 0.15 s: on the read pool.
        library = self.controller.library
        passphrase = self.passphrase_edit.text().encode("utf-8")
        self.export_button.setEnabled(False)  # until the key is unlocked or refused

        def unlocked(signer: Signer) -> None:
            if isValid(self.buttons):
                self._signer = signer
                self.accept()

        def refused(message: str) -> None:
            if isValid(self.buttons):
                self.export_button.setEnabled(self.plan is not None)
                self.error_label.setText(message)
                self.passphrase_edit.selectAll()
                self.passphrase_edit.setFocus()

        self.controller.query(
            lambda session: KeyService(library).signer(session, fingerprint, passphrase),
            unlocked,
            on_error=refused,
            label="unlocking the signing key",
        )
