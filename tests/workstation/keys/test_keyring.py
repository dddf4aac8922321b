"""The keyring: reviewers' and partners' keys, trust and passphrases (workstation/keys)."""

from __future__ import annotations

import base64
import io
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select

from db.models import AuditEvent, Reviewer, SigningKey
from workstation.core.audit import verify_chain
from workstation.core.errors import AmbiguousError, NotFoundError
from workstation.core.library import Library
from workstation.keys.keyring import (
    KeyringError,
    KeyService,
    fingerprint_of,
    read_passphrase,
    short_fingerprint,
    verify_signature,
)

PASS = b"correct horse battery staple"


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
