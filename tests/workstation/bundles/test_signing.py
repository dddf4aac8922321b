"""Reviewer keys and bundle signatures: real libraries, real keys, OpenSSL where installed."""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select

from db.models import AuditEvent, Reviewer, SigningKey
from tests.conftest import run_cli
from workstation.bundles.signing import (
    SIGNATURE_FILE,
    SIGNER_INFO_FILE,
    SIGNER_KEY_FILE,
    check_signature,
    signature_files,
)
from workstation.core.audit import verify_chain
from workstation.core.errors import AmbiguousError, NotFoundError
from workstation.core.library import Library
from workstation.keys.keyring import (
    KeyringError,
    KeyService,
    Signer,
    fingerprint_of,
    read_passphrase,
    short_fingerprint,
    verify_signature,
)

PASS = b"correct horse battery staple"
TAGMANIFEST = (
    b"0c5f0e1d9a7b8c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d  bagit.txt\n"
    b"1d6f1f2eab8c9d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e  bag-info.txt\n"
    b"2e7a2a3fbc9dae8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f  manifest-sha256.txt\n"
)


def _events(lib: Library, prefix: str = "key.") -> list[AuditEvent]:
    with lib.reader() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.seq))
        return [e for e in rows if e.action.startswith(prefix)]


def _generate(lib: Library, name: str = "Alice (MSMT)", passphrase: bytes = PASS) -> Any:
    with lib.writer() as session:
        return KeyService(lib).generate(session, name, passphrase)


def _partner_pem() -> tuple[Ed25519PrivateKey, bytes]:
    key = Ed25519PrivateKey.generate()
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key, pem


# --- fingerprints ------------------------------------------------------------


def test_fingerprint_is_sha256_of_the_raw_key_and_short_form_groups_16_hex() -> None:
    import hashlib

    key = Ed25519PrivateKey.generate().public_key()
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    fp = fingerprint_of(key)
    assert fp == hashlib.sha256(raw).hexdigest()
    assert short_fingerprint("ab12cd34ef567890" + "0" * 48) == "ab12 cd34 ef56 7890"
    assert short_fingerprint(fp).replace(" ", "") == fp[:16]


# --- generate, list, export --------------------------------------------------


def test_generate_stores_an_own_trusted_key_that_exports_as_pem(library: Library) -> None:
    info = _generate(library)
    assert info.own
    assert info.has_private
    assert info.trusted
    assert info.added_by == "alice"
    with library.reader() as session:
        keys = KeyService(library).list(session)
        pem = KeyService(library).export_public(session, info.fingerprint[:8])
        row = session.scalar(select(SigningKey))
        reviewer = session.scalar(select(Reviewer).where(Reviewer.name == "alice"))
    assert [k.fingerprint for k in keys] == [info.fingerprint]
    loaded = serialization.load_pem_public_key(pem.encode())
    assert isinstance(loaded, Ed25519PublicKey)
    assert fingerprint_of(loaded) == info.fingerprint
    assert row is not None
    assert row.private_key is not None
    # The passphrase is stretched with scrypt before PKCS#8 encryption.
    header, _, pem = row.private_key.partition("\n")
    assert header.startswith("scrypt$65536$8$1$")
    assert pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    with pytest.raises(ValueError, match="password"):
        serialization.load_pem_private_key(pem.encode(), password=PASS)
    assert reviewer is not None
    assert reviewer.key_fingerprint == info.fingerprint
    [event] = _events(library)
    assert event.action == "key.generate"
    assert event.object_id == info.fingerprint
    with library.reader() as session:
        assert verify_chain(session).ok


def test_second_key_does_not_replace_the_reviewers_key_and_own_keys_list_first(
    library: Library,
) -> None:
    with library.writer() as session:
        partner = KeyService(library).import_public(session, _partner_pem()[1], "AAA partner")
    first = _generate(library, "Zed own")
    second = _generate(library, "Yan own")
    with library.reader() as session:
        reviewer = session.scalar(select(Reviewer).where(Reviewer.name == "alice"))
        names = [k.name for k in KeyService(library).list(session)]
    assert reviewer is not None
    assert reviewer.key_fingerprint == first.fingerprint
    assert second.fingerprint != first.fingerprint
    assert names == ["Yan own", "Zed own", partner.name]


@pytest.mark.parametrize("passphrase", [b"", b"1234567"])
def test_short_or_empty_passphrase_refused_and_nothing_stored(
    library: Library, passphrase: bytes
) -> None:
    with pytest.raises(KeyringError, match="passphrase"):
        _generate(library, passphrase=passphrase)
    with library.reader() as session:
        assert KeyService(library).list(session) == []
    assert _events(library) == []


def test_eight_byte_passphrase_is_enough(library: Library) -> None:
    info = _generate(library, passphrase=b"12345678")
    with library.reader() as session:
        signer = KeyService(library).signer(session, info.fingerprint, b"12345678")
    assert signer.fingerprint == info.fingerprint


def test_empty_name_refused(library: Library) -> None:
    with pytest.raises(KeyringError, match="name"):
        _generate(library, name="  \n ")


def test_wrong_passphrase_refused_right_one_signs(library: Library) -> None:
    info = _generate(library)
    service = KeyService(library)
    with library.reader() as session:
        with pytest.raises(KeyringError) as caught:
            service.signer(session, info.fingerprint, b"not the passphrase")
        signer = service.signer(session, info.short, PASS)
    assert str(caught.value) == f"wrong passphrase for key {info.short}"
    assert "\n" not in str(caught.value)
    signature = signer.sign(b"payload")
    assert len(signature) == 64
    assert verify_signature(signer.public_pem, signature, b"payload")
    assert not verify_signature(signer.public_pem, signature, b"payload!")


def test_passphrase_and_private_key_never_in_clear_on_disk_or_in_audit(
    library: Library,
) -> None:
    passphrase = b"Sup3r-secret-phrase-for-grep"
    info = _generate(library, passphrase=passphrase)
    with library.reader() as session:
        stored = session.scalar(
            select(SigningKey.private_key).where(SigningKey.fingerprint == info.fingerprint)
        )
    assert stored is not None
    from workstation.keys.keyring import open_private_key

    private = open_private_key(stored.encode(), passphrase)
    assert isinstance(private, Ed25519PrivateKey)
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    clear_der = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    needles = [
        passphrase,
        raw,
        raw.hex().encode(),
        base64.b64encode(raw),
        base64.b64encode(clear_der),
    ]
    library.close()
    blobs = b"".join(p.read_bytes() for p in library.root.rglob("library.sqlite*") if p.is_file())
    assert blobs  # the database (and its WAL) was read
    for needle in needles:
        assert needle not in blobs
    lib = Library.open(library.root, reviewer="alice")
    try:
        with lib.reader() as session:
            details = [e.details for e in session.scalars(select(AuditEvent))]
    finally:
        lib.close()
    joined = "\n".join(details)
    for needle in (passphrase.decode(), "PRIVATE KEY", stored.splitlines()[1]):
        assert needle not in joined


def test_get_by_prefix_rules(library: Library) -> None:
    info = _generate(library)
    service = KeyService(library)
    with library.writer() as session:
        reviewer_id = library.reviewer_id(session)
        for fp in ("abcdabcd" + "1" * 56, "abcdabcd" + "2" * 56):
            session.add(
                SigningKey(
                    fingerprint=fp,
                    name=f"twin {fp[-1]}",
                    public_key=_partner_pem()[1].decode(),
                    private_key=None,
                    trusted=False,
                    created_at="2026-01-01T00:00:00.000000Z",
                    added_by_id=reviewer_id,
                )
            )
    with library.reader() as session:
        assert service.get(session, info.fingerprint.upper()[:10]).name == info.name
        assert service.get(session, short_fingerprint(info.fingerprint)).name == info.name
        assert service.get(session, "abcdabcd1").name == "twin 1"
        with pytest.raises(AmbiguousError):
            service.get(session, "abcdabcd")
        with pytest.raises(KeyringError, match="at least 8"):
            service.get(session, info.fingerprint[:7])
        with pytest.raises(KeyringError, match="hex"):
            service.get(session, "zzzzzzzzzz")
        with pytest.raises(NotFoundError):
            service.get(session, "0123456789" if info.fingerprint[:2] != "01" else "fedcba9876")


# --- import and trust --------------------------------------------------------


def test_import_pem_and_ssh_line_and_reimport_changes_nothing(library: Library) -> None:
    key_a, pem_a = _partner_pem()
    key_b = Ed25519PrivateKey.generate()
    ssh_line = key_b.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    service = KeyService(library)
    with library.writer() as session:
        a = service.import_public(session, pem_a, "Seoul team", trusted=True)
        b = service.import_public(session, ssh_line.decode() + " bob@laptop\n", "Tokyo team")
    assert (a.own, a.trusted, a.already_present) == (False, True, False)
    assert a.fingerprint == fingerprint_of(key_a.public_key())
    assert b.fingerprint == fingerprint_of(key_b.public_key())
    assert not b.trusted
    # The OpenSSH key is stored as PEM so OpenSSL can use it.
    assert b.public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    before = len(_events(library))
    with library.writer() as session:
        again = service.import_public(session, pem_a, "Another name", trusted=False)
    assert again.already_present
    assert again.name == "Seoul team"
    assert again.trusted
    assert len(_events(library)) == before == 2
    assert [e.action for e in _events(library)] == ["key.import", "key.import"]


def test_import_own_public_key_is_already_present(library: Library) -> None:
    own = _generate(library)
    with library.writer() as session:
        again = KeyService(library).import_public(session, own.public_pem, "copy")
    assert again.already_present
    assert again.own
    assert again.name == own.name


def _rsa_pem() -> bytes:
    return (
        rsa.generate_private_key(65537, 2048)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def _rsa_ssh() -> bytes:
    return (
        rsa.generate_private_key(65537, 2048)
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    )


def _ec_pem() -> bytes:
    return (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def _private_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_rsa_pem, "RSA-2048 key"),
        (_rsa_ssh, "RSA-2048 key"),
        (_ec_pem, "ECDSA"),
        (_private_pem, "private key"),
        (lambda: b"hello, this is not a key at all", "not a public key"),
        (lambda: b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "damaged"),
        (lambda: b"ssh-ed25519 AAAAnotbase64!!", "OpenSSH"),
        (lambda: b"\x00\xff" * 40000, "too large"),
    ],
)
def test_import_refuses_other_keys_and_garbage_in_one_line(
    library: Library, make: Any, message: str
) -> None:
    with library.writer() as session, pytest.raises(KeyringError) as caught:
        KeyService(library).import_public(session, make(), "bad")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    with library.reader() as session:
        assert KeyService(library).list(session) == []
    assert _events(library) == []


def test_trust_and_untrust_are_audited_and_trust_of_answers(library: Library) -> None:
    _, pem = _partner_pem()
    service = KeyService(library)
    with library.writer() as session:
        info = service.import_public(session, pem, "Partner")
    with library.reader() as session:
        assert service.trust_of(session, pem) == "known"
        assert service.trust_of(session, info.fingerprint) == "known"
        assert service.trust_of(session, _partner_pem()[1]) == "unknown"
        assert service.trust_of(session, "0" * 64) == "unknown"
        # A prefix never decides trust: it is read as a key and refused.
        with pytest.raises(KeyringError):
            service.trust_of(session, info.fingerprint[:16])
    with library.writer() as session:
        assert service.trust(session, info.fingerprint[:12]).trusted
        assert service.trust(session, info.fingerprint).trusted  # no change, no event
    with library.reader() as session:
        assert service.trust_of(session, pem.decode()) == "trusted"
    with library.writer() as session:
        assert not service.trust(session, info.fingerprint, trusted=False).trusted
    with library.reader() as session:
        assert service.trust_of(session, info.fingerprint) == "known"
    actions = [(e.action, e.object_id) for e in _events(library)]
    assert actions == [
        ("key.import", info.fingerprint),
        ("key.trust", info.fingerprint),
        ("key.untrust", info.fingerprint),
    ]


def test_partner_key_cannot_sign(library: Library) -> None:
    with library.writer() as session:
        info = KeyService(library).import_public(session, _partner_pem()[1], "Partner")
    with library.reader() as session, pytest.raises(KeyringError, match="public key only"):
        KeyService(library).signer(session, info.fingerprint, PASS)


# --- bundle signature files -------------------------------------------------


def _signed(signer: Signer, tagmanifest: bytes = TAGMANIFEST) -> dict[str, bytes]:
    return signature_files(signer, tagmanifest)


def test_signature_files_check_good(library: Library) -> None:
    info = _generate(library)
    with library.reader() as session:
        signer = KeyService(library).signer(session, info.fingerprint, PASS)
    files = _signed(signer)
    assert set(files) == {SIGNATURE_FILE, SIGNER_KEY_FILE, SIGNER_INFO_FILE}
    assert len(files[SIGNATURE_FILE]) == 64
    text = files[SIGNER_INFO_FILE].decode()
    assert info.fingerprint in text
    assert info.name in text
    assert "Ed25519" in text
    assert "openssl pkeyutl -verify" in text
    others = {"bagit.txt": b"BagIt-Version: 1.0\n", **files}
    assert check_signature(others, TAGMANIFEST) == check_signature(files, TAGMANIFEST)
    check = check_signature(files, TAGMANIFEST)
    assert (check.status, check.fingerprint, check.reason) == ("good", info.fingerprint, None)


def test_one_byte_of_the_tagmanifest_changed_is_bad() -> None:
    files = _signed(Signer(Ed25519PrivateKey.generate(), "S"))
    tampered = bytearray(TAGMANIFEST)
    tampered[10] ^= 0x01
    check = check_signature(files, bytes(tampered))
    assert check.status == "bad"
    assert "does not match" in (check.reason or "")


def test_signature_swapped_for_another_keys_is_bad() -> None:
    ours = Signer(Ed25519PrivateKey.generate(), "ours")
    theirs = Signer(Ed25519PrivateKey.generate(), "theirs")
    files = _signed(ours)
    files[SIGNATURE_FILE] = theirs.sign(TAGMANIFEST)
    check = check_signature(files, TAGMANIFEST)
    assert check.status == "bad"
    assert check.fingerprint == ours.fingerprint


def test_all_three_files_swapped_verify_but_name_the_other_signer() -> None:
    # Replacing the whole signature is detectable only by trust: the
    # fingerprint is the other key's, which the trust check then rejects.
    ours = Signer(Ed25519PrivateKey.generate(), "ours")
    theirs = Signer(Ed25519PrivateKey.generate(), "theirs")
    check = check_signature(_signed(theirs), TAGMANIFEST)
    assert check.status == "good"
    assert check.fingerprint == theirs.fingerprint != ours.fingerprint


def test_key_file_swapped_and_signer_txt_disagreeing_are_bad() -> None:
    ours = Signer(Ed25519PrivateKey.generate(), "ours")
    theirs = Signer(Ed25519PrivateKey.generate(), "theirs")
    files = _signed(ours)
    files[SIGNER_KEY_FILE] = theirs.public_pem
    assert check_signature(files, TAGMANIFEST).status == "bad"
    files = _signed(ours)
    files[SIGNER_INFO_FILE] = _signed(theirs)[SIGNER_INFO_FILE]
    check = check_signature(files, TAGMANIFEST)
    assert check.status == "bad"
    assert SIGNER_INFO_FILE in (check.reason or "")


def test_missing_signature_files() -> None:
    files = _signed(Signer(Ed25519PrivateKey.generate(), "S"))
    check = check_signature({"bagit.txt": b"BagIt-Version: 1.0\n"}, TAGMANIFEST)
    assert (check.status, check.fingerprint) == ("unsigned", None)
    for missing in (SIGNATURE_FILE, SIGNER_KEY_FILE):
        partial = {k: v for k, v in files.items() if k != missing}
        check = check_signature(partial, TAGMANIFEST)
        assert check.status == "bad"
        assert missing in (check.reason or "")
    without_info = {k: v for k, v in files.items() if k != SIGNER_INFO_FILE}
    assert check_signature(without_info, TAGMANIFEST).status == "good"


def test_truncated_signature_and_garbage_key_are_bad() -> None:
    files = _signed(Signer(Ed25519PrivateKey.generate(), "S"))
    short = {**files, SIGNATURE_FILE: files[SIGNATURE_FILE][:63]}
    assert check_signature(short, TAGMANIFEST).status == "bad"
    garbage = {**files, SIGNER_KEY_FILE: b"not a key"}
    check = check_signature(garbage, TAGMANIFEST)
    assert check.status == "bad"
    assert check.fingerprint is None
    assert not verify_signature(b"not a key", files[SIGNATURE_FILE], TAGMANIFEST)


def _write(folder: Path, files: dict[str, bytes], tagmanifest: bytes) -> None:
    (folder / "tagmanifest-sha256.txt").write_bytes(tagmanifest)
    for name, data in files.items():
        (folder / name).write_bytes(data)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_openssl_verifies_our_signature_files_and_rejects_tampering(tmp_path: Path) -> None:
    signer = Signer(Ed25519PrivateKey.generate(), "Alice")
    _write(tmp_path, _signed(signer), TAGMANIFEST)
    command = [
        "openssl",
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        SIGNER_KEY_FILE,
        "-rawin",
        "-in",
        "tagmanifest-sha256.txt",
        "-sigfile",
        SIGNATURE_FILE,
    ]
    # The command signer.txt tells the recipient to run is exactly this one.
    assert " ".join(command) in (tmp_path / SIGNER_INFO_FILE).read_text()
    good = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert good.returncode == 0, good.stderr
    assert "Signature Verified Successfully" in good.stdout
    (tmp_path / "tagmanifest-sha256.txt").write_bytes(TAGMANIFEST.replace(b"bagit", b"bagiT"))
    bad = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert bad.returncode != 0


@pytest.mark.skipif(
    not all(shutil.which(t) for t in ("openssl", "sh", "tail", "sha256sum")),
    reason="needs openssl, sh, tail and sha256sum",
)
def test_fingerprint_command_in_signer_txt_gives_our_fingerprint(tmp_path: Path) -> None:
    signer = Signer(Ed25519PrivateKey.generate(), "Alice")
    _write(tmp_path, _signed(signer), TAGMANIFEST)
    info = (tmp_path / SIGNER_INFO_FILE).read_text().splitlines()
    [command] = [line.strip() for line in info if "sha256sum" in line]
    out = subprocess.run(
        ["sh", "-c", command], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert out.stdout.split()[0] == signer.fingerprint


# --- passphrase input ----------------------------------------------------------


def test_read_passphrase_from_file_first_line(tmp_path: Path) -> None:
    f = tmp_path / "pass.txt"
    f.write_bytes(b"first line secret\r\nsecond line\n")
    assert read_passphrase(str(f), confirm=True, prompt="x") == b"first line secret"
    f.write_bytes(b"no newline at all")
    assert read_passphrase(str(f), confirm=False, prompt="x") == b"no newline at all"
    f.write_bytes(b"\nsecond")
    with pytest.raises(KeyringError, match="empty first line"):
        read_passphrase(str(f), confirm=False, prompt="x")
    with pytest.raises(KeyringError, match="cannot read passphrase file") as caught:
        read_passphrase(str(tmp_path / "missing.txt"), confirm=False, prompt="x")
    assert "\n" not in str(caught.value)


def test_read_passphrase_without_file_or_terminal_says_use_the_option(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with pytest.raises(KeyringError, match="--passphrase-file"):
        read_passphrase(None, confirm=False, prompt="x")


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_read_passphrase_confirms_at_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # The terminal is the edge of the machine: stand in for the person typing.
    monkeypatch.setattr(sys, "stdin", _Tty())
    answers = iter(["typed-secret", "typed-secret", "one", "other"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert read_passphrase(None, confirm=True, prompt="p: ") == b"typed-secret"
    with pytest.raises(KeyringError, match="differ"):
        read_passphrase(None, confirm=True, prompt="p: ")


# --- the CLI -------------------------------------------------------------------


def _ok(*args: str) -> str:
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def _fails(*args: str) -> str:
    result = run_cli(*args)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def test_cli_keys_generate_list_export_import_trust(tmp_path: Path) -> None:
    lib = str(tmp_path / "lib")
    _ok("init", "--library", lib)
    pass_file = tmp_path / "pass.txt"
    pass_file.write_text("a long cli passphrase\n")
    made = json.loads(
        _ok(
            "--library",
            lib,
            "keys",
            "generate",
            "--name",
            "Alice",
            "--passphrase-file",
            str(pass_file),
            "--json",
        )
    )
    fp = made["fingerprint"]
    [listed] = json.loads(_ok("--library", lib, "keys", "list", "--json"))
    assert (listed["fingerprint"], listed["own"], listed["trusted"]) == (fp, True, True)
    assert "Alice" in _ok("--library", lib, "keys", "list")

    pem = _ok("--library", lib, "keys", "export", fp[:8])
    key = serialization.load_pem_public_key(pem.encode())
    assert isinstance(key, Ed25519PublicKey)
    assert fingerprint_of(key) == fp
    out = tmp_path / "alice.pub.pem"
    _ok("--library", lib, "keys", "export", fp[:12], "--out", str(out))
    assert out.read_text() == pem
    # An existing file is never overwritten.
    out.write_text("someone's notes", encoding="utf-8")
    assert "already exists" in _fails(
        "--library", lib, "keys", "export", fp[:12], "--out", str(out)
    )
    assert out.read_text(encoding="utf-8") == "someone's notes"

    partner = Ed25519PrivateKey.generate()
    ssh_file = tmp_path / "partner.pub"
    ssh_file.write_bytes(
        partner.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        + b" partner@host\n"
    )
    pfp = fingerprint_of(partner.public_key())
    shown = _ok("--library", lib, "keys", "import", str(ssh_file), "--name", "Seoul")
    assert "imported" in shown
    assert short_fingerprint(pfp) in shown
    again = _ok("--library", lib, "keys", "import", str(ssh_file), "--name", "Seoul", "--trust")
    assert "nothing changed" in again
    assert "not trusted" in _ok("--library", lib, "keys", "trust", pfp[:8], "--revoke")
    assert "trusted" in _ok("--library", lib, "keys", "trust", pfp[:8])
    assert "not trusted" in _ok("--library", lib, "keys", "trust", pfp[:8], "--revoke")
    rows = {
        r["fingerprint"]: r for r in json.loads(_ok("--library", lib, "keys", "list", "--json"))
    }
    assert rows[pfp]["own"] is False
    assert rows[pfp]["trusted"] is False

    events = json.loads(_ok("--library", lib, "audit", "log", "--json", "--limit", "20"))
    actions = [e["action"] for e in events if e["action"].startswith("key.")]
    assert sorted(actions) == ["key.generate", "key.import", "key.trust", "key.untrust"]
    secret = "a long cli passphrase"
    assert all(secret not in json.dumps(e) for e in events)


def test_cli_keys_errors_are_one_line(tmp_path: Path) -> None:
    lib = str(tmp_path / "lib")
    _ok("init", "--library", lib)
    short = tmp_path / "short.txt"
    short.write_text("short\n")
    assert "at least 8" in _fails(
        "--library", lib, "keys", "generate", "--name", "A", "--passphrase-file", str(short)
    )
    # run_cli gives no terminal: the prompt cannot be shown.
    assert "--passphrase-file" in _fails("--library", lib, "keys", "generate", "--name", "A")
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("this is not a key\n")
    assert "not a public key" in _fails(
        "--library", lib, "keys", "import", str(garbage), "--name", "G"
    )
    assert "cannot read" in _fails(
        "--library", lib, "keys", "import", str(tmp_path / "nope.pem"), "--name", "G"
    )
    assert "no key" in _fails("--library", lib, "keys", "export", "0123456789abcdef")
