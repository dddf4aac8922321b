"""Sign a confirmation: which of the reviewer's keys, and its passphrase.

Shown by the finding editor's Confirm when the library holds a key of the
reviewer's own. Unlocking runs on the controller's read pool (scrypt takes a
deliberate ~0.15 s); a wrong passphrase is said in the dialog, which stays open.
The reviewer may also confirm without signing, or cancel.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ui.desktop.app.controller import LibraryController
from workstation.keys.keyring import KeyInfo, KeyService, Signer

EXPLAIN = (
    "Sign your confirmation with your key: a partner can check it offline, and any "
    "later change to the finding or its evidence will show against the signature."
)


class SignDialog(QDialog):
    """Choose a key and unlock it; ``signed`` carries the unlocked key, ``unsigned`` asks
    for a confirmation without a signature."""

    signed = Signal(object)  # a Signer
    unsigned = Signal()

    def __init__(
        self, controller: LibraryController, keys: list[KeyInfo], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Sign the confirmation")
        explain = QLabel(EXPLAIN)
        explain.setWordWrap(True)
        self.key_box = QComboBox()
        for key in keys:
            self.key_box.addItem(f"{key.name} — {key.short}", key.fingerprint)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("passphrase of the signing key")
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #b00020")
        form = QFormLayout()
        form.addRow("&Key:", self.key_box)
        form.addRow("Pass&phrase:", self.passphrase)
        buttons = QDialogButtonBox()
        self.sign_button = QPushButton("Sign and Confirm")
        self.sign_button.setDefault(True)
        self.unsigned_button = QPushButton("Confirm Without Signing")
        buttons.addButton(self.sign_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.unsigned_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        self.sign_button.clicked.connect(self._sign)
        self.unsigned_button.clicked.connect(self._unsigned)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
        self.passphrase.setFocus()

    def _unsigned(self) -> None:
        self.accept()
        self.unsigned.emit()

    def _sign(self) -> None:
        fingerprint = self.key_box.currentData()
        passphrase = self.passphrase.text().encode("utf-8")
        if not passphrase:
            self.error.setText("Type the key's passphrase, or confirm without signing.")
            return
        library = self.controller.library
        self.sign_button.setEnabled(False)
        self.error.clear()

        def unlocked(signer: Signer) -> None:
            if isValid(self):
                self.accept()
                self.signed.emit(signer)

        def refused(message: str) -> None:
            if isValid(self):
                self.sign_button.setEnabled(True)
                self.error.setText(message[:1].upper() + message[1:])
                self.passphrase.selectAll()
                self.passphrase.setFocus()

        self.controller.query(
            lambda session: KeyService(library).signer(session, fingerprint, passphrase),
            unlocked,
            on_error=refused,
            label="unlocking the signing key",
        )
