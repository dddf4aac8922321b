"""SHA256SUMS for a release folder, its Ed25519 signature, and the check a reviewer runs.

The files are the ones ``sha256sum -c`` and ``openssl pkeyutl -verify -rawin``
read, so a release can be checked with no software of ours (README.md of
packaging/ shows how). The signature covers the exact bytes of SHA256SUMS,
which lists every other file of the folder; a file that is listed and missing,
changed, or present and not listed fails the check, as does a signature that
does not match or a key the reviewer does not trust.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from workstation.core.errors import WorkstationError

# The project's own Ed25519 keys (the same keys sign evidence bundles and confirmations).
from workstation.keys.keyring import (
    Signer,
    fingerprint_of,
    load_public_key,
    short_fingerprint,
)

SUMS_FILE = "SHA256SUMS"
SIGNATURE_FILE = "SHA256SUMS.sig"
KEY_FILE = "SHA256SUMS.key.pem"
RELEASE_FILES = frozenset({SUMS_FILE, SIGNATURE_FILE, KEY_FILE})
SIGNATURE_BYTES = 64
_LINE_RE = re.compile(r"([0-9a-f]{64}) [ *](.+)")
_CHUNK = 1 << 20

OPENSSL_VERIFY = (
    f"openssl pkeyutl -verify -pubin -inkey RELEASE-KEY.pem -rawin "
    f"-in {SUMS_FILE} -sigfile {SIGNATURE_FILE}"
)


class ReleaseError(WorkstationError):
    """A release folder fails its check, or cannot be signed; the message says why."""


@dataclass(frozen=True)
class ReleaseCheck:
    """A release that passed: how many files, and who signed it.

    Attributes:
        files: the files SHA256SUMS lists, all present and matching.
        signer: the signing key's fingerprint (one of the trusted keys).
    """

    files: int
    signer: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def release_files(folder: Path) -> Iterator[str]:
    """Every file under ``folder`` but the signature files, as sorted POSIX paths.

    Raises:
        ReleaseError: a name sha256sum could not list on one line, or a
            symbolic link (what it points at is not part of the release).
    """
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in filenames:
            path = Path(dirpath, name)
            rel = path.relative_to(folder).as_posix()
            if rel in RELEASE_FILES:
                continue
            if "\n" in rel or "\\" in rel:
                raise ReleaseError(f"{rel!r}: a release file name may not hold a newline or \\")
            if path.is_symlink():
                raise ReleaseError(f"{rel} is a symbolic link; a release holds plain files only")
            found.append(rel)
    yield from sorted(found)


def sums_text(folder: Path) -> bytes:
    """The SHA256SUMS of ``folder``: ``<hex>  <path>`` lines, as ``sha256sum`` writes them."""
    lines = [f"{_sha256(folder / rel)}  {rel}\n" for rel in release_files(folder)]
    if not lines:
        raise ReleaseError(f"{folder} holds no files to release")
    return "".join(lines).encode("utf-8")


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def sign_release(folder: Path, signer: Signer) -> Path:
    """Write SHA256SUMS, its signature and the signer's public key into ``folder``.

    Returns:
        The path of SHA256SUMS.

    Raises:
        ReleaseError: not a folder, an empty one, or a name that cannot be listed.
    """
    if not folder.is_dir():
        raise ReleaseError(f"{folder} is not a folder")
    for name in RELEASE_FILES:
        (folder / name).unlink(missing_ok=True)
    sums = sums_text(folder)
    _write(folder / KEY_FILE, signer.public_pem)
    _write(folder / SIGNATURE_FILE, signer.sign(sums))
    _write(folder / SUMS_FILE, sums)
    return folder / SUMS_FILE


def _read(folder: Path, name: str, what: str) -> bytes:
    try:
        return (folder / name).read_bytes()
    except FileNotFoundError:
        raise ReleaseError(f"{name} is missing: {what}") from None
    except OSError as exc:
        raise ReleaseError(f"cannot read {name}: {exc.strerror or exc}") from exc


def _parse_sums(sums: bytes) -> dict[str, str]:
    listed: dict[str, str] = {}
    try:
        text = sums.decode("utf-8")
    except UnicodeDecodeError:
        raise ReleaseError(f"{SUMS_FILE} is not UTF-8 text") from None
    for n, line in enumerate(text.splitlines(), 1):
        match = _LINE_RE.fullmatch(line)
        if match is None:
            raise ReleaseError(f"{SUMS_FILE} line {n} is not '<sha256>  <file>'")
        name = match.group(2)
        if name.startswith("/") or ".." in name.split("/"):
            raise ReleaseError(f"{SUMS_FILE} line {n} names a file outside the release: {name}")
        listed[name] = match.group(1)
    return listed


def _signer_key(folder: Path, sums: bytes, trusted: Iterable[Ed25519PublicKey]) -> Ed25519PublicKey:
    signature = _read(folder, SIGNATURE_FILE, "the release is not signed")
    if len(signature) != SIGNATURE_BYTES:
        raise ReleaseError(
            f"bad signature: {SIGNATURE_FILE} is {len(signature)} bytes, "
            f"an Ed25519 signature is {SIGNATURE_BYTES}"
        )
    keys = {fingerprint_of(k): k for k in trusted}
    if not keys:
        raise ReleaseError("no trusted release key to check the signature against")
    shipped = (folder / KEY_FILE).read_bytes() if (folder / KEY_FILE).is_file() else None
    if shipped is not None:
        try:
            named = fingerprint_of(load_public_key(shipped))
        except WorkstationError as exc:
            raise ReleaseError(f"{KEY_FILE}: {exc.message}") from exc
        if named not in keys:
            raise ReleaseError(
                f"signed by key {short_fingerprint(named)}, which is not one you trust "
                f"(compare its fingerprint {named} with the one the release team gave you)"
            )
        candidates = [keys[named]]
    else:
        candidates = list(keys.values())
    for key in candidates:
        try:
            key.verify(signature, sums)
        except InvalidSignature:
            continue
        return key
    raise ReleaseError(
        f"bad signature: {SIGNATURE_FILE} does not match {SUMS_FILE} "
        "(changed after signing, or signed by another key)"
    )


def _several(names: list[str]) -> str:
    shown = ", ".join(names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def verify_release(folder: Path, trusted: Iterable[Ed25519PublicKey]) -> ReleaseCheck:
    """Check a release folder: signature by a trusted key, then every file against SHA256SUMS.

    Raises:
        ReleaseError: one line saying what is wrong: not signed, a bad
            signature, an untrusted key, a file changed, missing or not listed.
    """
    if not folder.is_dir():
        raise ReleaseError(f"{folder} is not a folder")
    sums = _read(folder, SUMS_FILE, "this is not a signed release folder")
    key = _signer_key(folder, sums, trusted)
    listed = _parse_sums(sums)
    present = set(release_files(folder))
    missing = sorted(set(listed) - present)
    if missing:
        raise ReleaseError(f"missing: {_several(missing)} (listed in {SUMS_FILE})")
    changed = sorted(rel for rel, digest in listed.items() if _sha256(folder / rel) != digest)
    if changed:
        raise ReleaseError(f"changed since it was signed: {_several(changed)} (SHA-256 differs)")
    extra = sorted(present - set(listed))
    if extra:
        raise ReleaseError(f"not part of the release (not in {SUMS_FILE}): {_several(extra)}")
    return ReleaseCheck(files=len(listed), signer=fingerprint_of(key))
