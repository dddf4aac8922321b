"""Recipient profiles, managed in the window: add one, change its marking and what
it lets travel, remove it (the CLI's `profiles add/remove`, audited the same way).

The built-in profiles (``partner``, ``internal``) are listed too; saving one
under its own name gives the library its own version, which then wins.

Signals:
    profilesChanged(): a profile was saved or removed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy.orm import Session

from ui.desktop.app.controller import LibraryController
from ui.desktop.ops.changes import Changes
from ui.desktop.widgets.colours import style_as
from workstation.bundles.profiles import (
    BUILT_IN,
    Profile,
    delete_profile,
    list_profiles,
    save_profile,
    with_built_ins,
)

PROFILE_ROLE = Qt.ItemDataRole.UserRole + 1
OWN_ROLE = Qt.ItemDataRole.UserRole + 2


class ProfilesDialog(QDialog):
    """The library's recipient profiles: a list, and a form for the one chosen."""

    profilesChanged = Signal()

    def __init__(self, controller: LibraryController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Recipient profiles")
        self.list = QListWidget(self)
        self.list.setAccessibleName("Profiles")
        self.name_edit = QLineEdit(self)
        self.marking_edit = QLineEdit(self)
        self.marking_edit.setPlaceholderText("e.g. RESTRICTED — MSMT PARTNERS ONLY")
        self.originals_check = QCheckBox("Originals travel (where not redacted)", self)
        self.exif_check = QCheckBox("Strip EXIF and GPS from images", self)
        self.redact_check = QCheckBox("Apply redaction marks", self)
        self.new_button = QPushButton("&New", self)
        self.save_button = QPushButton("&Save", self)
        self.remove_button = QPushButton("&Remove", self)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Marking:", self.marking_edit)
        form.addRow("", self.originals_check)
        form.addRow("", self.exif_check)
        form.addRow("", self.redact_check)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.save_button, self.remove_button):
            buttons.addWidget(button)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addLayout(buttons)
        right.addWidget(self.message)
        right.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.list, 2)
        body.addLayout(right, 3)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        close.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(close)
        self.resize(640, 320)
        self.list.currentItemChanged.connect(self._chosen)
        self.new_button.clicked.connect(self.new_profile)
        self.save_button.clicked.connect(self.save)
        self.remove_button.clicked.connect(self.remove)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        """Read the profiles (on the read pool) and list them."""

        def arrived(own: list[Profile]) -> None:
            if isValid(self.list):
                self._fill(own, select)

        self.controller.query(list_profiles, arrived)

    def _fill(self, own: list[Profile], select: str | None) -> None:
        keep = select or (self.list.currentItem().text() if self.list.currentItem() else None)
        own_names = {p.name for p in own}
        self.list.clear()
        for profile in with_built_ins(own):
            built_in = profile.name not in own_names
            item = QListWidgetItem(profile.name + (" (built in)" if built_in else ""))
            item.setData(PROFILE_ROLE, profile)
            item.setData(OWN_ROLE, not built_in)
            item.setToolTip(profile.marking)
            self.list.addItem(item)
            if profile.name == keep or item.text() == keep:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)

    def names(self) -> list[str]:
        """The profile names listed."""
        return [self.list.item(i).data(PROFILE_ROLE).name for i in range(self.list.count())]

    def _chosen(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        if item is None:
            return
        profile: Profile = item.data(PROFILE_ROLE)
        self.name_edit.setText(profile.name)
        self.marking_edit.setText(profile.marking)
        self.originals_check.setChecked(profile.include_originals)
        self.exif_check.setChecked(profile.strip_exif)
        self.redact_check.setChecked(profile.apply_redactions)
        own = bool(item.data(OWN_ROLE))
        self.remove_button.setEnabled(own)
        self.remove_button.setToolTip("" if own else "Built in: it cannot be removed")
        self.message.clear()

    def new_profile(self) -> None:
        """An empty form with the safe choices ticked."""
        self.list.clearSelection()
        self.name_edit.clear()
        self.marking_edit.clear()
        self.originals_check.setChecked(False)
        self.exif_check.setChecked(True)
        self.redact_check.setChecked(True)
        self.remove_button.setEnabled(False)
        self.name_edit.setFocus()

    def form(self) -> Profile:
        """The profile the form describes."""
        return Profile(
            name=self.name_edit.text(),
            marking=self.marking_edit.text(),
            include_originals=self.originals_check.isChecked(),
            strip_exif=self.exif_check.isChecked(),
            apply_redactions=self.redact_check.isChecked(),
        )

    def save(self) -> None:
        """Add the profile, or change the one of that name (audited)."""
        profile = self.form()
        library = self.controller.library

        def write(session: Session) -> Profile:
            return save_profile(library, session, profile)

        def done(saved: Profile) -> None:
            self._said(f"Saved {saved.name}.")
            self.reload(saved.name)
            self.profilesChanged.emit()

        self.controller.write(
            write, done, changes=Changes(keys=True), label="saving", on_error=self._failed
        )

    def remove(self) -> None:
        """Remove the chosen profile (bundles already written keep their marking)."""
        item = self.list.currentItem()
        if item is None or not item.data(OWN_ROLE):
            return
        name = item.data(PROFILE_ROLE).name
        library = self.controller.library

        def done(_: None) -> None:
            built_in = name in {p.name for p in BUILT_IN}
            self._said(f"Removed {name}" + (" (the built-in one is back)." if built_in else "."))
            self.reload()
            self.profilesChanged.emit()

        self.controller.write(
            lambda session: delete_profile(library, session, name),
            done,
            changes=Changes(keys=True),
            label="removing",
            on_error=self._failed,
        )

    def _said(self, text: str) -> None:
        if isValid(self.message):
            self.message.setStyleSheet("")
            self.message.setText(text)

    def _failed(self, message: str) -> None:
        if isValid(self.message):
            style_as(self.message, "error")
            self.message.setText(message)
