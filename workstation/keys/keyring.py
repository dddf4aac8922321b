"""Reviewers' Ed25519 signing keys: the keyring in the library, sealed private keys.

Keys sign evidence bundles (``bundles.signing``) and finding confirmations
(``findings.signatures``), so they live below both. Keys are stored and shipped
in formats OpenSSL reads (PEM); the fingerprint is the SHA-256 of the raw key.
"""

from __future__ import annotations

import builtins
import getpass
import hashlib
import os
import re
import sys
from dataclasses import dataclass
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, rsa, x448, x25519
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Reviewer, SigningKey
from workstation.core.dates import utc_now
from workstation.core.errors import (
    AmbiguousError,
    IntegrityError,
    NotFoundError,
    WorkstationError,
)
from workstation.core.library import Library

ALGORITHM = "Ed25519"
SIGNATURE_BYTES = 64
MIN_PASSPHRASE = 8
MIN_PREFIX = 8
MAX_NAME = 200
MAX_KEY_TEXT = 64 * 1024

_HEX_RE = re.compile(r"[0-9a-f]+")
_FINGERPRINT_RE = re.compile(r"[0-9a-f]{64}")

Trust = Literal["trusted", "known", "unknown"]


class KeyringError(WorkstationError):
    """A key cannot be made, read, imported or unlocked as asked."""


# --- plain data ------------------------------------------------------------


def fingerprint_of(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, in lowercase hex."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def short_fingerprint(fingerprint: str) -> str:
    """The form people read aloud: the first 16 hex digits in groups of 4."""
    head = fingerprint.replace(" ", "").lower()[:16]
    return " ".join(head[i : i + 4] for i in range(0, len(head), 4))


def public_pem(public_key: Ed25519PublicKey) -> bytes:
    """The key as PEM SubjectPublicKeyInfo (what ``openssl pkey -pubin`` reads)."""
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _kind_of(key: object) -> str:
    if isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey):
        return f"an RSA-{key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey):
        return f"an ECDSA ({key.curve.name})"
    if isinstance(key, dsa.DSAPublicKey | dsa.DSAPrivateKey):
        return "a DSA"
    if isinstance(key, ed448.Ed448PublicKey | ed448.Ed448PrivateKey):
        return "an Ed448"
    if isinstance(key, x25519.X25519PublicKey | x448.X448PublicKey):
        return "an X25519/X448 (encryption-only)"
    return f"a {type(key).__name__}"


def load_public_key(data: str | bytes) -> Ed25519PublicKey:
    """Read an Ed25519 public key from PEM (SubjectPublicKeyInfo) or an OpenSSH line.

    Raises:
        KeyringError: not a public key, or a key of another type.
    """
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_KEY_TEXT:
        raise KeyringError(f"not a public key: {len(raw)} bytes is far too large for one")
    text = raw.strip()
    if b"PRIVATE KEY-----" in text:
        raise KeyringError(
            "this is a private key: import only the public key (never share the private one)"
        )
    key: object
    if b"-----BEGIN " in text:
        block = text[text.index(b"-----BEGIN ") :]
        try:
            key = serialization.load_pem_public_key(block)
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise KeyringError("not a readable PEM public key (the block is damaged)") from exc
    elif re.match(rb"(ssh-|ecdsa-|sk-)[a-z0-9@.-]+ ", text):
        first = text.splitlines()[0]
        try:
            key = serialization.load_ssh_public_key(first)
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise KeyringError(
                "not a readable OpenSSH public key line (expected 'ssh-ed25519 AAAA...')"
            ) from exc
    else:
        raise KeyringError(
            "not a public key: expected a PEM 'BEGIN PUBLIC KEY' block "
            "or an OpenSSH 'ssh-ed25519 AAAA...' line"
        )
    if not isinstance(key, Ed25519PublicKey):
        raise KeyringError(
            f"this is {_kind_of(key)} key; bundles are signed with Ed25519 keys only"
        )
    return key


def verify_signature(public_pem: bytes, signature: bytes, data: bytes) -> bool:
    """Whether ``signature`` is a valid Ed25519 signature of ``data`` by that key.

    A key that cannot be read, or is not Ed25519, verifies nothing: False.
    """
    try:
        key = load_public_key(public_pem)
    except KeyringError:
        return False
    if len(signature) != SIGNATURE_BYTES:
        return False
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


@dataclass(frozen=True)
class KeyInfo:
    """A key in the library, without its private part.

    Attributes:
        fingerprint: SHA-256 of the raw public key, 64 hex digits.
        name: who the key belongs to, as the reviewer entered it.
        public_pem: PEM SubjectPublicKeyInfo.
        own: the private key is stored here (generated in this library).
        trusted: signatures by this key are accepted as trusted.
        created_at: when it was generated or imported (UTC).
        added_by: the reviewer who generated or imported it.
        already_present: set by ``import_public`` when the key was there
            before and nothing was changed.
    """

    fingerprint: str
    name: str
    public_pem: str
    own: bool
    trusted: bool
    created_at: str
    added_by: str | None
    already_present: bool = False

    @property
    def has_private(self) -> bool:
        """Same as ``own``: the private key is stored here, so it can sign."""
        return self.own

    @property
    def short(self) -> str:
        """``short_fingerprint`` of this key."""
        return short_fingerprint(self.fingerprint)

    def as_json(self) -> dict[str, Any]:
        """The shape ``keys list --json`` prints."""
        return {
            "fingerprint": self.fingerprint,
            "short": self.short,
            "name": self.name,
            "own": self.own,
            "trusted": self.trusted,
            "created_at": self.created_at,
            "added_by": self.added_by,
        }


class Signer:
    """An unlocked private key; lives only as long as the operation that signs."""

    def __init__(self, private_key: Ed25519PrivateKey, name: str) -> None:
        self._key = private_key
        self.name = name
        self.fingerprint = fingerprint_of(private_key.public_key())
        self.public_pem = public_pem(private_key.public_key())

    def sign(self, data: bytes) -> bytes:
        """The raw 64-byte Ed25519 signature of ``data``."""
        return self._key.sign(data)

    def __repr__(self) -> str:
        return f"Signer({self.name!r}, {short_fingerprint(self.fingerprint)})"


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines too) made one space."""
    return " ".join(text.split())


# --- the keyring in the library --------------------------------------------


def _clean_name(name: str) -> str:
    cleaned = one_line(name) if isinstance(name, str) else ""
    if not cleaned:
        raise KeyringError("a key needs a name (whose key it is, e.g. 'MSMT team Seoul')")
    if len(cleaned) > MAX_NAME:
        raise KeyringError(f"a key name is at most {MAX_NAME} characters")
    return cleaned


def _check_passphrase(passphrase: bytes) -> None:
    if not isinstance(passphrase, bytes):
        raise KeyringError("the passphrase must be given as bytes")
    if not passphrase:
        raise KeyringError("a passphrase is required to protect the private key")
    if len(passphrase) < MIN_PASSPHRASE:
        raise KeyringError(f"the passphrase is too short: use at least {MIN_PASSPHRASE} bytes")


def _normalise_prefix(fp_prefix: str) -> str:
    prefix = "".join(fp_prefix.split()).lower() if isinstance(fp_prefix, str) else ""
    if not prefix or _HEX_RE.fullmatch(prefix) is None:
        raise KeyringError(f"{fp_prefix!r} is not a key fingerprint (hex digits)")
    if len(prefix) < MIN_PREFIX:
        raise KeyringError(f"give at least {MIN_PREFIX} hex digits of the key fingerprint")
    return prefix


class KeyService:
    """Generates, imports, trusts and unlocks the Ed25519 keys of one library.

    Every change writes an audit event in the same transaction; the audit
    details name keys by fingerprint and never hold key material or passphrases.
    """

    def __init__(self, library: Library) -> None:
        self.library = library

    # --- reading -----------------------------------------------------------

    def _info(self, session: Session, row: SigningKey, *, already: bool = False) -> KeyInfo:
        added_by = session.scalar(select(Reviewer.name).where(Reviewer.id == row.added_by_id))
        return KeyInfo(
            fingerprint=row.fingerprint,
            name=row.name,
            public_pem=row.public_key,
            own=row.private_key is not None,
            trusted=bool(row.trusted),
            created_at=row.created_at,
            added_by=added_by,
            already_present=already,
        )

    def _row(self, session: Session, fp_prefix: str) -> SigningKey:
        prefix = _normalise_prefix(fp_prefix)
        rows = builtins.list(
            session.scalars(
                select(SigningKey).where(SigningKey.fingerprint.startswith(prefix)).limit(2)
            )
        )
        if not rows:
            raise NotFoundError(f"no key with fingerprint {short_fingerprint(prefix)}…")
        if len(rows) > 1:
            raise AmbiguousError(f"{fp_prefix} matches several keys; give more of the fingerprint")
        return rows[0]

    def list(self, session: Session) -> builtins.list[KeyInfo]:
        """All keys: own ones first, then by name."""
        rows = session.scalars(
            select(SigningKey).order_by(
                SigningKey.private_key.is_(None), SigningKey.name, SigningKey.fingerprint
            )
        )
        return [self._info(session, r) for r in rows]

    def get(self, session: Session, fp_prefix: str) -> KeyInfo:
        """The key whose fingerprint starts with ``fp_prefix``.

        Args:
            session: any session.
            fp_prefix: at least 8 hex digits; spaces (as in the short form)
                and case are ignored.

        Raises:
            KeyringError: not hex, or too short.
            NotFoundError: no such key.
            AmbiguousError: the prefix matches several keys.
        """
        return self._info(session, self._row(session, fp_prefix))

    def export_public(self, session: Session, fp: str) -> str:
        """The key's public part as PEM SubjectPublicKeyInfo."""
        return self._row(session, fp).public_key

    def trust_of(self, session: Session, key: str | bytes) -> Trust:
        """Whether a key is trusted here, known but not trusted, or unknown.

        Args:
            session: any session.
            key: a public key (PEM or OpenSSH line) or a full 64-digit
                fingerprint; a prefix is not enough for a trust decision.

        Raises:
            KeyringError: ``key`` is neither a fingerprint nor a public key.
        """
        text = key.decode("ascii", "replace") if isinstance(key, bytes) else key
        candidate = text.strip().lower()
        if _FINGERPRINT_RE.fullmatch(candidate):
            fingerprint = candidate
        else:
            fingerprint = fingerprint_of(load_public_key(key))
        trusted = session.scalar(
            select(SigningKey.trusted).where(SigningKey.fingerprint == fingerprint)
        )
        if trusted is None:
            return "unknown"
        return "trusted" if trusted else "known"

    # --- changing ----------------------------------------------------------

    def generate(self, session: Session, name: str, passphrase: bytes) -> KeyInfo:
        """Make a new own key (trusted), its private part encrypted with ``passphrase``.

        The current reviewer's key becomes this one if they had none.

        Raises:
            KeyringError: no name, or a passphrase under 8 bytes.
        """
        clean = _clean_name(name)
        _check_passphrase(passphrase)
        private = Ed25519PrivateKey.generate()
        fingerprint = fingerprint_of(private.public_key())
        encrypted = seal_private_key(private, passphrase)
        reviewer_id = self.library.reviewer_id(session)
        row = SigningKey(
            fingerprint=fingerprint,
            name=clean,
            public_key=public_pem(private.public_key()).decode("ascii"),
            private_key=encrypted.decode("ascii"),
            trusted=True,
            created_at=utc_now(),
            added_by_id=reviewer_id,
        )
        session.add(row)
        reviewer = session.get(Reviewer, reviewer_id)
        became_reviewer_key = False
        if reviewer is not None and not reviewer.key_fingerprint:
            reviewer.key_fingerprint = fingerprint
            became_reviewer_key = True
        session.flush()
        self.library.record(
            session,
            "key.generate",
            "key",
            fingerprint,
            {
                "name": clean,
                "algorithm": ALGORITHM,
                "trusted": True,
                "reviewer_key": became_reviewer_key,
            },
        )
        return self._info(session, row)

    def import_public(
        self, session: Session, pem: str | bytes, name: str, trusted: bool = False
    ) -> KeyInfo:
        """Add a partner's public key (PEM or an ``ssh-ed25519`` line).

        A key that is already in the library is left exactly as it is (name
        and trust included); the result has ``already_present`` set.

        Raises:
            KeyringError: not an Ed25519 public key, or no name.
        """
        key = load_public_key(pem)
        clean = _clean_name(name)
        fingerprint = fingerprint_of(key)
        existing = session.scalar(select(SigningKey).where(SigningKey.fingerprint == fingerprint))
        if existing is not None:
            return self._info(session, existing, already=True)
        row = SigningKey(
            fingerprint=fingerprint,
            name=clean,
            public_key=public_pem(key).decode("ascii"),
            private_key=None,
            trusted=bool(trusted),
            created_at=utc_now(),
            added_by_id=self.library.reviewer_id(session),
        )
        session.add(row)
        session.flush()
        self.library.record(
            session,
            "key.import",
            "key",
            fingerprint,
            {"name": clean, "algorithm": ALGORITHM, "trusted": bool(trusted)},
        )
        return self._info(session, row)

    def trust(self, session: Session, fp: str, trusted: bool = True) -> KeyInfo:
        """Trust a key (or, with ``trusted=False``, stop trusting it); audited when it changes."""
        row = self._row(session, fp)
        if bool(row.trusted) != bool(trusted):
            row.trusted = bool(trusted)
            session.flush()
            self.library.record(
                session,
                "key.trust" if trusted else "key.untrust",
                "key",
                row.fingerprint,
                {"name": row.name},
            )
        return self._info(session, row)

    # --- signing -----------------------------------------------------------

    def signer(self, session: Session, fp: str, passphrase: bytes) -> Signer:
        """Unlock an own key for signing.

        Raises:
            KeyringError: the key has no private part here, or the passphrase is wrong.
            IntegrityError: the stored private key does not match its fingerprint.
        """
        row = self._row(session, fp)
        short = short_fingerprint(row.fingerprint)
        if row.private_key is None:
            raise KeyringError(
                f"key {short} ({row.name}) is a public key only; sign with a key generated here"
            )
        if not isinstance(passphrase, bytes) or not passphrase:
            raise KeyringError(f"a passphrase is needed to unlock key {short}")
        try:
            private = open_private_key(row.private_key.encode("ascii"), passphrase)
        except (ValueError, TypeError) as exc:
            raise KeyringError(f"wrong passphrase for key {short}") from exc
        if not isinstance(private, Ed25519PrivateKey):
            raise IntegrityError(f"stored private key {short} is not an {ALGORITHM} key")
        if fingerprint_of(private.public_key()) != row.fingerprint:
            raise IntegrityError(f"stored private key {short} does not match its fingerprint")
        return Signer(private, row.name)


# --- private keys at rest --------------------------------------------------

#: scrypt cost (2**16 x 8 x 1: 64 MiB and about 0.2 s here) that stretches the
#: passphrase before PKCS#8 encryption. PKCS#8 as ``cryptography`` writes it uses
#: PBKDF2 with 2,048 iterations and no way to ask for more, too few against
#: guessing the passphrase of a stolen library offline.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**16, 8, 1
_SEAL_PREFIX = b"scrypt$"


def _stretch(passphrase: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase).hex().encode()


def seal_private_key(private: Ed25519PrivateKey, passphrase: bytes) -> bytes:
    """``scrypt$N$R$P$<salt hex>`` then the PKCS#8 PEM encrypted with the stretched passphrase."""
    salt = os.urandom(16)
    key = _stretch(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(key),
    )
    header = b"$".join(
        [b"scrypt", str(SCRYPT_N).encode(), str(SCRYPT_R).encode(), str(SCRYPT_P).encode()]
    )
    return header + b"$" + salt.hex().encode() + b"\n" + pem


def open_private_key(stored: bytes, passphrase: bytes) -> Any:
    """The private key ``seal_private_key`` stored (ValueError on a wrong passphrase)."""
    if not stored.startswith(_SEAL_PREFIX):
        return serialization.load_pem_private_key(stored, password=passphrase)
    header, _, pem = stored.partition(b"\n")
    _, n, r, p, salt = header.split(b"$")
    key = _stretch(passphrase, bytes.fromhex(salt.decode()), int(n), int(r), int(p))
    return serialization.load_pem_private_key(pem, password=key)


# --- passphrase input (CLI) ------------------------------------------------


def read_passphrase(file: str | None, *, confirm: bool, prompt: str) -> bytes:
    """A passphrase from the first line of ``file``, or typed at the terminal.

    Args:
        file: a file whose first line is the passphrase (trailing newline
            stripped), for scripts; None to ask with getpass.
        confirm: ask twice (when a new key is being made).
        prompt: what getpass shows.

    Raises:
        KeyringError: the file cannot be read or its first line is empty; no
            terminal to ask on; the two entries differ.
    """
    if file is not None:
        try:
            with open(file, "rb") as fh:
                first = fh.readline()
        except OSError as exc:
            raise KeyringError(
                f"cannot read passphrase file {file}: {exc.strerror or exc}"
            ) from exc
        passphrase = first.rstrip(b"\r\n")
        if not passphrase:
            raise KeyringError(f"passphrase file {file} has an empty first line")
        return passphrase
    if not sys.stdin.isatty():
        raise KeyringError("no terminal to ask for the passphrase; use --passphrase-file FILE")
    try:
        first_entry = getpass.getpass(prompt)
        if confirm and getpass.getpass("Repeat the passphrase: ") != first_entry:
            raise KeyringError("the two passphrases differ; nothing was done")
    except EOFError as exc:
        raise KeyringError("no passphrase given; nothing was done") from exc
    return first_entry.encode("utf-8")


__all__ = [
    "ALGORITHM",
    "MIN_PASSPHRASE",
    "SIGNATURE_BYTES",
    "KeyInfo",
    "KeyService",
    "KeyringError",
    "Signer",
    "Trust",
    "fingerprint_of",
    "load_public_key",
    "one_line",
    "open_private_key",
    "public_pem",
    "read_passphrase",
    "seal_private_key",
    "short_fingerprint",
    "verify_signature",
]
