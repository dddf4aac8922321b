"""The detached signature on an evidence bundle.

A partner state must be able to check who signed a bundle with standard tools
only: the signature is a raw Ed25519 signature (keys: ``workstation.keys``)
over the exact bytes of the bag's tag manifest, shipped with the signer's PEM
public key and a ``signer.txt`` saying how to check both with OpenSSL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from cryptography.exceptions import InvalidSignature

from workstation.keys.keyring import (
    ALGORITHM,
    SIGNATURE_BYTES,
    KeyringError,
    Signer,
    fingerprint_of,
    load_public_key,
    one_line,
    short_fingerprint,
)

#: The bag's tag manifest, the one file the signature covers (it lists every
#: other manifest, which list every payload file).
SIGNED_FILE = "tagmanifest-sha256.txt"
SIGNATURE_FILE = "tagmanifest-sha256.txt.sig"
SIGNER_KEY_FILE = "signer-ed25519.pub.pem"
SIGNER_INFO_FILE = "signer.txt"

OPENSSL_VERIFY = (
    f"openssl pkeyutl -verify -pubin -inkey {SIGNER_KEY_FILE} -rawin "
    f"-in {SIGNED_FILE} -sigfile {SIGNATURE_FILE}"
)
# The fingerprint is the SHA-256 of the raw key: the last 32 bytes of the
# 44-byte DER SubjectPublicKeyInfo of an Ed25519 key.
OPENSSL_FINGERPRINT = (
    f"openssl pkey -pubin -in {SIGNER_KEY_FILE} -outform DER | tail -c 32 | sha256sum"
)


# --- bundle signature files ------------------------------------------------


def signer_info(signer: Signer) -> bytes:
    """The human-readable ``signer.txt``: who signed, and how to check it."""
    lines = [
        f"Signer: {one_line(signer.name)}",
        f"Fingerprint: {signer.fingerprint}",
        f"Short-Fingerprint: {short_fingerprint(signer.fingerprint)}",
        f"Algorithm: {ALGORITHM} (RFC 8032), raw {SIGNATURE_BYTES}-byte signature",
        f"Signed-File: {SIGNED_FILE}",
        f"Signature-File: {SIGNATURE_FILE}",
        f"Public-Key-File: {SIGNER_KEY_FILE}",
        "",
        "Check the signature with OpenSSL 3 (prints 'Signature Verified Successfully'):",
        f"  {OPENSSL_VERIFY}",
        "",
        "Check the fingerprint (SHA-256 of the raw 32-byte public key) against the",
        "one the signer gave you by another channel:",
        f"  {OPENSSL_FINGERPRINT}",
        "",
        f"The signature covers {SIGNED_FILE}, which lists the SHA-256 of every other",
        "manifest, which list the SHA-256 of every payload file: check those with any",
        "BagIt validator (e.g. 'bagit.py --validate .').",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def signature_files(signer: Signer, tagmanifest: bytes) -> dict[str, bytes]:
    """The tag files that sign a bag: signature, signer's public key, signer.txt.

    Args:
        signer: the unlocked key.
        tagmanifest: the exact bytes of ``tagmanifest-sha256.txt`` as written.

    Returns:
        File name (at the bag's top level) -> content.
    """
    return {
        SIGNATURE_FILE: signer.sign(tagmanifest),
        SIGNER_KEY_FILE: signer.public_pem,
        SIGNER_INFO_FILE: signer_info(signer),
    }


@dataclass(frozen=True)
class SignatureCheck:
    """What the signature files of a bag say.

    Attributes:
        status: ``good`` (valid signature), ``bad`` (present but invalid,
            damaged or incomplete) or ``unsigned`` (no signature files).
        fingerprint: the signer's key, when its public key could be read.
        reason: for ``bad`` and ``unsigned``, one line saying why.
    """

    status: Literal["good", "bad", "unsigned"]
    fingerprint: str | None
    reason: str | None


def _stated_fingerprint(info: bytes) -> str | None:
    for line in info.decode("utf-8", "replace").splitlines():
        if line.startswith("Fingerprint:"):
            return line.partition(":")[2].strip().lower()
    return None


def check_signature(tag_files: Mapping[str, bytes], tagmanifest: bytes) -> SignatureCheck:
    """Check a bag's signature files against its tag manifest.

    A bag with none of the three files is unsigned. A bag with some of them
    but not the signature and the key is ``bad``: a half-removed signature is
    a sign of tampering, not of a bag that was never signed.

    Args:
        tag_files: the bag's top-level tag files (name -> bytes); files other
            than the signature files are ignored.
        tagmanifest: the exact bytes of the bag's ``tagmanifest-sha256.txt``.
    """
    signature = tag_files.get(SIGNATURE_FILE)
    key_pem = tag_files.get(SIGNER_KEY_FILE)
    info = tag_files.get(SIGNER_INFO_FILE)
    if signature is None and key_pem is None and info is None:
        return SignatureCheck("unsigned", None, "the bundle is not signed")
    if key_pem is None:
        return SignatureCheck("bad", None, f"{SIGNER_KEY_FILE} is missing")
    try:
        key = load_public_key(key_pem)
    except KeyringError as exc:
        return SignatureCheck("bad", None, f"{SIGNER_KEY_FILE}: {exc.message}")
    fingerprint = fingerprint_of(key)
    if signature is None:
        return SignatureCheck("bad", fingerprint, f"{SIGNATURE_FILE} is missing")
    if len(signature) != SIGNATURE_BYTES:
        return SignatureCheck(
            "bad",
            fingerprint,
            f"{SIGNATURE_FILE} is {len(signature)} bytes; "
            f"an {ALGORITHM} signature is {SIGNATURE_BYTES}",
        )
    stated = _stated_fingerprint(info) if info is not None else None
    if stated is not None and stated != fingerprint:
        return SignatureCheck(
            "bad",
            fingerprint,
            f"{SIGNER_INFO_FILE} names key {short_fingerprint(stated)} but "
            f"{SIGNER_KEY_FILE} holds {short_fingerprint(fingerprint)}",
        )
    try:
        key.verify(signature, tagmanifest)
    except InvalidSignature:
        return SignatureCheck(
            "bad",
            fingerprint,
            f"the signature does not match {SIGNED_FILE} "
            f"(changed after signing, or signed by another key)",
        )
    return SignatureCheck("good", fingerprint, None)


__all__ = [
    "OPENSSL_FINGERPRINT",
    "OPENSSL_VERIFY",
    "SIGNATURE_FILE",
    "SIGNED_FILE",
    "SIGNER_INFO_FILE",
    "SIGNER_KEY_FILE",
    "SignatureCheck",
    "check_signature",
    "signature_files",
    "signer_info",
]
