"""File > Signing Keys: the reviewer's own Ed25519 keys and partner teams' public keys.

Everything goes through ``workstation.keys.keyring.KeyService`` on the controller's
pools; the dialog only shows what the service says. A fingerprint is shown in
full, in groups of four, because trusting a partner's key means reading it out
to them over another channel and comparing.

Signals:
    keysChanged(): a key was added or its trust changed (the export dialog reloads).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy.orm import Session

from ui.desktop.app.controller import LibraryController
from ui.desktop.app.settings import Settings
from ui.desktop.ops.changes import KEYS
from ui.desktop.widgets.colours import style_as
from workstation.bundles.age import write_identity_file
from workstation.core.errors import WorkstationError
from workstation.keys.keyring import MIN_PASSPHRASE, KeyInfo, KeyService

FP_ROLE = Qt.ItemDataRole.UserRole + 40
NAME_COLUMN, KIND_COLUMN, TRUST_COLUMN, FP_COLUMN, ADDED_COLUMN = range(5)
#: How large a public key file may be before it is refused unread.
MAX_KEY_FILE = 64 * 1024


def grouped(fingerprint: str, groups: int | None = None) -> str:
    """``1d181f65…`` as ``1d18 1f65 …``; ``groups`` keeps only the first ones."""
    parts = [fingerprint[i : i + 4] for i in range(0, len(fingerprint), 4)]
    return " ".join(parts if groups is None else parts[:groups])


class NewKeyDialog(QDialog):
    """Name and passphrase (typed twice) for a new signing key."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New signing key")
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("e.g. Alice Kim (MSMT)")
        self.passphrase_edit = QLineEdit(self)
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setPlaceholderText(f"at least {MIN_PASSPHRASE} characters")
        self.repeat_edit = QLineEdit(self)
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error_label = QLabel(self)
        style_as(self.error_label, "error")
        self.error_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Passphrase:", self.passphrase_edit)
        form.addRow("&Repeat:", self.repeat_edit)
        note = QLabel(
            "The private key stays in this library, encrypted with the passphrase. "
            "Nobody can recover a forgotten passphrase.",
            self,
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Create Key")
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def _check(self) -> None:
        if not self.name_edit.text().strip():
            self.error_label.setText("Give the key a name: who signs with it.")
        elif len(self.passphrase_edit.text().encode("utf-8")) < MIN_PASSPHRASE:
            self.error_label.setText(f"Use a passphrase of at least {MIN_PASSPHRASE} characters.")
        elif self.passphrase_edit.text() != self.repeat_edit.text():
            self.error_label.setText("The two passphrases differ.")
            self.repeat_edit.selectAll()
            self.repeat_edit.setFocus()
        else:
            self.accept()

    def values(self) -> tuple[str, bytes]:
        """The name and the passphrase as bytes."""
        return self.name_edit.text().strip(), self.passphrase_edit.text().encode("utf-8")


class KeysDialog(QDialog):
    """The keys of the library; see the module docstring."""

    keysChanged = Signal()
    loaded = Signal()

    def __init__(
        self,
        controller: LibraryController,
        parent: QWidget | None = None,
        settings: Settings | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.controller = controller
        self.setWindowTitle("Signing keys")
        self.keys: list[KeyInfo] = []

        self.tree = QTreeWidget(self)
        self.tree.setAccessibleName("Signing keys")
        self.tree.setHeaderLabels(["Name", "Whose", "Trusted", "Fingerprint", "Added"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(NAME_COLUMN, Qt.SortOrder.AscendingOrder)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Stretch)
        for column in (KIND_COLUMN, TRUST_COLUMN, FP_COLUMN, ADDED_COLUMN):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.currentItemChanged.connect(lambda *_: self._show_current())

        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.fingerprint_label = QLabel(self)
        self.fingerprint_label.setFont(mono)
        self.fingerprint_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint_label.setWordWrap(True)
        self.hint_label = QLabel(self)
        self.hint_label.setWordWrap(True)
        self.error_label = QLabel(self)
        style_as(self.error_label, "error")
        self.error_label.setWordWrap(True)

        self.new_button = QPushButton("&New Key…", self)
        self.new_button.clicked.connect(self._new_key)
        self.import_button = QPushButton("&Import Partner Key…", self)
        self.import_button.clicked.connect(self._choose_import)
        self.age_button = QPushButton("New &Age Identity…", self)
        self.age_button.setToolTip(
            "A key pair for receiving encrypted bundles: the file stays with you, the public "
            "key (age1…) goes to partners"
        )
        self.age_button.clicked.connect(self._choose_age_identity)
        self.export_button = QPushButton("&Export Public Key…", self)
        self.export_button.clicked.connect(self._choose_export)
        self.copy_button = QPushButton("&Copy Fingerprint", self)
        self.copy_button.clicked.connect(self._copy_fingerprint)
        self.trust_button = QPushButton("&Trust", self)
        self.trust_button.clicked.connect(self._toggle_trust)

        actions = QHBoxLayout()
        actions.addWidget(self.new_button)
        actions.addWidget(self.import_button)
        actions.addWidget(self.age_button)
        actions.addStretch(1)
        actions.addWidget(self.copy_button)
        actions.addWidget(self.export_button)
        actions.addWidget(self.trust_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tree, 1)
        layout.addWidget(QLabel("Fingerprint (SHA-256 of the public key):", self))
        layout.addWidget(self.fingerprint_label)
        layout.addWidget(self.hint_label)
        layout.addLayout(actions)
        layout.addWidget(self.error_label)
        layout.addWidget(close)
        self.resize(860, 420)
        self.reload()

    # --- reading -----------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        """Read the keys again (on the read pool); ``select`` a fingerprint after."""
        library = self.controller.library
        wanted = select or self.current_fingerprint()

        def load(session: Session) -> list[KeyInfo]:
            return KeyService(library).list(session)

        def done(keys: Any) -> None:
            if not isValid(self.tree):
                return  # closed and deleted while the keys were read
            self._fill(keys, wanted)
            self.loaded.emit()

        self.controller.query(load, done, on_error=self._error)

    def _fill(self, keys: list[KeyInfo], select: str | None) -> None:
        self.keys = keys
        self.tree.setSortingEnabled(False)
        self.tree.clear()
        chosen: QTreeWidgetItem | None = None
        for key in keys:
            item = QTreeWidgetItem(
                [
                    key.name,
                    "yours" if key.has_private else "partner",
                    "yes" if key.trusted else "NO",
                    grouped(key.fingerprint, 4),
                    key.created_at[:10],
                ]
            )
            item.setData(NAME_COLUMN, FP_ROLE, key.fingerprint)
            item.setToolTip(FP_COLUMN, grouped(key.fingerprint))
            if not key.trusted:
                # Bold, not a colour: readable on a light or a dark palette alike.
                bold = item.font(TRUST_COLUMN)
                bold.setBold(True)
                item.setFont(TRUST_COLUMN, bold)
            self.tree.addTopLevelItem(item)
            if key.fingerprint == select:
                chosen = item
        self.tree.setSortingEnabled(True)
        if chosen is None and self.tree.topLevelItemCount():
            chosen = self.tree.topLevelItem(0)
        if chosen is not None:
            self.tree.setCurrentItem(chosen)
        self._show_current()

    def current_fingerprint(self) -> str | None:
        """The selected key's fingerprint."""
        item = self.tree.currentItem()
        return None if item is None else str(item.data(NAME_COLUMN, FP_ROLE))

    def current_key(self) -> KeyInfo | None:
        """The selected key."""
        fp = self.current_fingerprint()
        return next((k for k in self.keys if k.fingerprint == fp), None)

    def _show_current(self) -> None:
        key = self.current_key()
        for button in (self.export_button, self.copy_button, self.trust_button):
            button.setEnabled(key is not None)
        if key is None:
            self.fingerprint_label.setText("—")
            self.hint_label.setText(
                "No keys yet. Create your own key to sign bundles, and import the public "
                "keys of the teams whose bundles you receive."
            )
            return
        self.fingerprint_label.setText(grouped(key.fingerprint))
        self.trust_button.setText("Stop &Trusting" if key.trusted else "&Trust")
        self.trust_button.setEnabled(not key.has_private or not key.trusted)
        if key.has_private:
            self.hint_label.setText(
                "Your key: it signs the bundles you export. Give partners the public key "
                "(Export Public Key) and read them the fingerprint over another channel."
            )
        elif key.trusted:
            self.hint_label.setText("Trusted: bundles this key signed import without a warning.")
        else:
            self.hint_label.setText(
                "Known but NOT trusted: compare the fingerprint with the partner (by phone, "
                "not by the channel the key came through) before trusting it."
            )

    # --- changing ------------------------------------------------------------------

    def _write(self, fn: Callable[[Session], KeyInfo], select: str | None = None) -> None:
        self.error_label.clear()

        def done(result: Any) -> None:
            if not isValid(self.tree):
                return
            fp = getattr(result, "fingerprint", None) or select
            self.reload(fp)
            self.keysChanged.emit()

        self.controller.write(fn, done, changes=KEYS, label="saving keys", on_error=self._error)

    def _new_key(self) -> None:
        form = NewKeyDialog(self)
        if form.exec() == QDialog.DialogCode.Accepted:
            self.generate(*form.values())

    def generate(self, name: str, passphrase: bytes) -> None:
        """Make a new own key."""
        library = self.controller.library

        def write(session: Session) -> KeyInfo:
            return KeyService(library).generate(session, name, passphrase)

        self._write(write)

    def _key_file(self, path: str, start: str = "") -> str:
        """Where a key file dialog starts (the last folder of key files, or home),
        and, given what it chose, remember that folder."""
        if path:
            if self.settings is not None:
                self.settings.remember_folder("keys", path)
            return path
        folder = self.settings.folder("keys") if self.settings is not None else str(Path.home())
        return str(Path(folder) / start)

    def _choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Partner public key",
            self._key_file(""),
            "Public keys (*.pem *.pub);;All files (*)",
        )
        if path:
            self._key_file(path)
            self.import_key(Path(path), Path(path).stem, trusted=False)

    def import_key(self, path: Path, name: str, *, trusted: bool = False) -> None:
        """Add a partner's public key from a PEM or ``ssh-ed25519`` file."""
        try:
            if path.stat().st_size > MAX_KEY_FILE:
                self._error(f"{path.name} is too large to be a public key")
                return
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self._error(f"cannot read {path.name}: {getattr(exc, 'strerror', None) or exc}")
            return
        library = self.controller.library

        def write(session: Session) -> KeyInfo:
            return KeyService(library).import_public(session, text, name, trusted=trusted)

        self._write(write)

    def _choose_age_identity(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Save the new age identity (keep it secret)",
            self._key_file("", "age-identity.txt"),
        )
        if path:
            self._key_file(path)
            self.make_age_identity(Path(path))

    def make_age_identity(self, path: Path) -> str | None:
        """Write a new age identity file; shows and returns its public key."""

        if path.exists():  # the save dialog asked to replace it: a secret is never replaced
            self._error(f"{path.name} already exists; choose another name")
            return None
        try:
            public = write_identity_file(path)
        except WorkstationError as exc:
            self._error(exc.message)
            return None
        self.error_label.clear()
        QGuiApplication.clipboard().setText(public)
        self.hint_label.setText(
            f"age identity saved to {path} — keep it secret. Its public key, copied to the "
            f"clipboard, is what partners enter under Encrypt for: {public}"
        )
        return public

    def _choose_export(self) -> None:
        key = self.current_key()
        if key is None:
            return
        suggested = "".join(c if c.isalnum() else "-" for c in key.name).strip("-") or "key"
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Save public key",
            self._key_file("", f"{suggested}.pub.pem"),
            "PEM (*.pem);;All files (*)",
        )
        if path:
            self._key_file(path)
            self.export_key(key.fingerprint, Path(path))

    def export_key(self, fingerprint: str, path: Path) -> None:
        """Write a key's public part (PEM) to ``path``; never the private part."""
        key = next((k for k in self.keys if k.fingerprint == fingerprint), None)
        if key is None:
            self._error("choose a key first")
            return
        try:
            path.write_text(key.public_pem, encoding="ascii")
        except OSError as exc:
            self._error(f"cannot write {path.name}: {exc.strerror or exc}")
            return
        self.error_label.clear()
        self.hint_label.setText(f"Public key written to {path}.")

    def _toggle_trust(self) -> None:
        key = self.current_key()
        if key is not None:
            self.set_trust(key.fingerprint, not key.trusted)

    def set_trust(self, fingerprint: str, trusted: bool) -> None:
        """Trust a key, or stop trusting it."""
        library = self.controller.library

        def write(session: Session) -> KeyInfo:
            return KeyService(library).trust(session, fingerprint, trusted)

        self._write(write, fingerprint)

    def _copy_fingerprint(self) -> None:
        key = self.current_key()
        if key is not None:
            QGuiApplication.clipboard().setText(key.fingerprint)

    def _error(self, message: str) -> None:
        if isValid(self.error_label):
            self.error_label.setText(message)
