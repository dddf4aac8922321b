"""A bag's signature files: the tag manifest signed, checked, and openssl agrees."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from workstation.bundles.signing import (
    SIGNATURE_FILE,
    SIGNER_INFO_FILE,
    SIGNER_KEY_FILE,
    check_signature,
    signature_files,
)
from workstation.core.library import Library
from workstation.keys.keyring import (
    KeyService,
    Signer,
    verify_signature,
)

PASS = b"correct horse battery staple"
TAGMANIFEST = (
    b"0c5f0e1d9a7b8c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d  bagit.txt\n"
    b"1d6f1f2eab8c9d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e  bag-info.txt\n"
    b"2e7a2a3fbc9dae8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f  manifest-sha256.txt\n"
)


def _generate(lib: Library, name: str = "Alice (MSMT)", passphrase: bytes = PASS) -> Any:
    with lib.writer() as session:
        return KeyService(lib).generate(session, name, passphrase)


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
