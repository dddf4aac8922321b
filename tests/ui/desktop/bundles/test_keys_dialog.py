"""The signing-keys dialog on a real library: make a key, import a partner's public
key (not trusted until the reviewer says so), trust it, export a public key, and
refuse what is not a key with one line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ui.desktop.app.controller import LibraryController
from ui.desktop.bundles.keys_dialog import FP_ROLE, KeysDialog, NewKeyDialog, grouped
from workstation.core.library import Library
from workstation.keys.keyring import KeyService, fingerprint_of, load_public_key, public_pem

PASSPHRASE = "a long passphrase"


@pytest.fixture
def controller(library: Library) -> Iterator[LibraryController]:
    ctl = LibraryController(library)
    yield ctl
    ctl.shutdown()


def _keys(library: Library) -> dict[str, tuple[str, bool, bool]]:
    with library.reader() as session:
        return {
            k.fingerprint: (k.name, k.has_private, k.trusted)
            for k in KeyService(library).list(session)
        }


def _dialog(qtbot: QtBot, controller: LibraryController) -> KeysDialog:
    dialog = KeysDialog(controller)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):  # the keys load on the read pool
        dialog.show()
    return dialog


def _wait_reload(qtbot: QtBot, dialog: KeysDialog, count: int) -> None:
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == count, timeout=10_000)


def test_new_key_form_checks_before_it_accepts(qtbot: QtBot) -> None:
    form = NewKeyDialog()
    qtbot.addWidget(form)
    form.name_edit.setText("Alice (MSMT)")
    form.passphrase_edit.setText("short")
    form.repeat_edit.setText("short")
    form.ok_button.click()
    assert "at least 8" in form.error_label.text()
    assert form.result() == 0
    form.passphrase_edit.setText(PASSPHRASE)
    form.repeat_edit.setText(PASSPHRASE + "x")
    form.ok_button.click()
    assert "differ" in form.error_label.text()
    form.repeat_edit.setText(PASSPHRASE)
    form.ok_button.click()
    assert form.result() == 1
    assert form.values() == ("Alice (MSMT)", PASSPHRASE.encode())


def test_make_import_trust_and_export_keys(
    qtbot: QtBot, controller: LibraryController, library: Library, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, controller)
    assert dialog.tree.topLevelItemCount() == 0
    assert "No keys yet" in dialog.hint_label.text()
    assert not dialog.export_button.isEnabled()

    changed: list[bool] = []
    dialog.keysChanged.connect(lambda: changed.append(True))
    dialog.generate("Alice (MSMT)", PASSPHRASE.encode())
    _wait_reload(qtbot, dialog, 1)
    (own_fp,) = _keys(library)
    assert _keys(library)[own_fp] == ("Alice (MSMT)", True, True)
    assert dialog.current_fingerprint() == own_fp
    assert dialog.fingerprint_label.text() == grouped(own_fp)
    assert "Your key" in dialog.hint_label.text()
    assert changed

    # A partner's key arrives as a PEM file: known, not trusted.
    partner = Ed25519PrivateKey.generate().public_key()
    partner_fp = fingerprint_of(partner)
    pem = tmp_path / "panel.pub.pem"
    pem.write_bytes(public_pem(partner))
    dialog.import_key(pem, "UN Panel of Experts")
    _wait_reload(qtbot, dialog, 2)
    assert _keys(library)[partner_fp] == ("UN Panel of Experts", False, False)
    assert dialog.current_fingerprint() == partner_fp
    assert "NOT trusted" in dialog.hint_label.text()
    assert dialog.trust_button.text() == "&Trust"

    # Trusting is one click on the selected key, and can be taken back.
    dialog.trust_button.click()
    qtbot.waitUntil(lambda: _keys(library)[partner_fp][2], timeout=10_000)
    qtbot.waitUntil(lambda: dialog.trust_button.text() == "Stop &Trusting", timeout=10_000)
    dialog.trust_button.click()
    qtbot.waitUntil(lambda: not _keys(library)[partner_fp][2], timeout=10_000)
    # The list is read again after the write: wait for it, not only for the database.
    qtbot.waitUntil(lambda: dialog.trust_button.text() == "&Trust", timeout=10_000)

    # Export writes the public part only, and it loads back as the same key.
    out = tmp_path / "alice.pub.pem"
    dialog.export_key(own_fp, out)
    text = out.read_text(encoding="ascii")
    assert "PRIVATE" not in text
    assert fingerprint_of(load_public_key(text)) == own_fp
    rows = {
        dialog.tree.topLevelItem(i).data(0, FP_ROLE): dialog.tree.topLevelItem(i).text(1)
        for i in range(dialog.tree.topLevelItemCount())
    }
    assert rows == {own_fp: "yours", partner_fp: "partner"}
    trust = {
        dialog.tree.topLevelItem(i).data(0, FP_ROLE): dialog.tree.topLevelItem(i)
        for i in range(dialog.tree.topLevelItemCount())
    }
    assert trust[partner_fp].text(2) == "NO"  # untrusted again after Stop Trusting
    assert trust[partner_fp].font(2).bold()  # bold, not a colour a dark palette hides
    dialog.copy_button.click()
    assert QApplication.clipboard().text() in (own_fp, partner_fp)
    dialog.grab().save(str(tmp_path / "keys.png"))


def test_bad_key_files_get_one_line_and_change_nothing(
    qtbot: QtBot, controller: LibraryController, library: Library, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, controller)
    rsa = tmp_path / "rsa.pub"
    rsa.write_text("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== someone\n", encoding="utf-8")
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"\xff\xfe not a key")
    huge = tmp_path / "huge.pem"
    huge.write_bytes(b"A" * (1 << 20))
    for path, words in [
        (rsa, "ed25519"),
        (garbage, "cannot read"),
        (huge, "too large"),
        (tmp_path / "missing.pem", "cannot read"),
    ]:
        dialog.error_label.clear()
        dialog.import_key(path, "whoever")
        qtbot.waitUntil(lambda: bool(dialog.error_label.text()), timeout=10_000)
        message = dialog.error_label.text()
        assert words in message.lower(), message
        assert "\n" not in message
    assert _keys(library) == {}


def test_a_new_age_identity_opens_bundles_sealed_for_its_public_key(
    qtbot: QtBot, controller: LibraryController, tmp_path: Path
) -> None:
    from workstation.bundles.age import decrypt_file, encrypt_file

    dialog = _dialog(qtbot, controller)
    identity = tmp_path / "me.txt"
    public = dialog.make_age_identity(identity)
    assert public is not None
    assert public.startswith("age1")
    assert public in dialog.hint_label.text()
    assert QApplication.clipboard().text() == public
    assert identity.stat().st_mode & 0o777 == 0o600
    # What a partner seals for that public key, this identity opens.
    plain = tmp_path / "plain.bin"
    plain.write_bytes(b"bundle bytes" * 1000)
    encrypt_file(plain, tmp_path / "sealed.age", [public])
    decrypt_file(tmp_path / "sealed.age", tmp_path / "back.bin", identity)
    assert (tmp_path / "back.bin").read_bytes() == plain.read_bytes()
    # Never over an existing file: a lost identity means bundles nobody can open.
    before = identity.read_bytes()
    assert dialog.make_age_identity(identity) is None
    assert "already exists" in dialog.error_label.text()
    assert identity.read_bytes() == before
