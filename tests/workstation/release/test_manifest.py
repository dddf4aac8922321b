"""SHA256SUMS and its Ed25519 signature over a release folder: what passes, what fails, why."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from workstation.keys.keyring import Signer, fingerprint_of, load_public_key
from workstation.release.manifest import (
    KEY_FILE,
    OPENSSL_VERIFY,
    SIGNATURE_FILE,
    SUMS_FILE,
    ReleaseError,
    sign_release,
    verify_release,
)


@pytest.fixture
def signer() -> Signer:
    return Signer(Ed25519PrivateKey.generate(), "Release team")


@pytest.fixture
def release(tmp_path: Path, signer: Signer) -> Path:
    folder = tmp_path / "release"
    (folder / "wheels").mkdir(parents=True)
    (folder / "evidence-workstation-0.1.0-linux-x86_64.tar.gz").write_bytes(
        b"\x1f\x8b" + b"x" * 500
    )
    (folder / "wheels" / "pkg-1.0-py3-none-any.whl").write_bytes(b"PK wheel")
    (folder / "requirements.txt").write_text("pkg==1.0 --hash=sha256:00\n")
    sign_release(folder, signer)
    return folder


def _trusted(signer: Signer) -> list[object]:
    return [Ed25519PrivateKey.generate().public_key(), load_public_key(signer.public_pem)]


def test_a_signed_release_verifies(release: Path, signer: Signer) -> None:
    check = verify_release(release, _trusted(signer))  # type: ignore[arg-type]
    assert check.files == 3
    assert check.signer == signer.fingerprint
    lines = (release / SUMS_FILE).read_text().splitlines()
    assert [line.split("  ")[1] for line in lines] == [
        "evidence-workstation-0.1.0-linux-x86_64.tar.gz",
        "requirements.txt",
        "wheels/pkg-1.0-py3-none-any.whl",
    ]


def _fails(release: Path, signer: Signer) -> str:
    with pytest.raises(ReleaseError) as caught:
        verify_release(release, _trusted(signer))  # type: ignore[arg-type]
    message = caught.value.message
    assert "\n" not in message
    return message


def test_a_changed_file_is_named(release: Path, signer: Signer) -> None:
    (release / "wheels" / "pkg-1.0-py3-none-any.whl").write_bytes(b"PK wheel, patched")
    assert _fails(release, signer) == (
        "changed since it was signed: wheels/pkg-1.0-py3-none-any.whl (SHA-256 differs)"
    )


def test_a_missing_file_is_named(release: Path, signer: Signer) -> None:
    (release / "requirements.txt").unlink()
    assert _fails(release, signer) == f"missing: requirements.txt (listed in {SUMS_FILE})"


def test_an_extra_unlisted_file_is_named(release: Path, signer: Signer) -> None:
    (release / "wheels" / "evil-1.0-py3-none-any.whl").write_bytes(b"PK")
    assert _fails(release, signer) == (
        f"not part of the release (not in {SUMS_FILE}): wheels/evil-1.0-py3-none-any.whl"
    )


def test_an_edited_sums_file_breaks_the_signature(release: Path, signer: Signer) -> None:
    # Someone who changes a file and fixes its line in SHA256SUMS still cannot re-sign.
    (release / "requirements.txt").write_text("pkg==6.6.6\n")
    sums = (release / SUMS_FILE).read_text().splitlines()
    digest = hashlib.sha256(b"pkg==6.6.6\n").hexdigest()
    sums = [f"{digest}  requirements.txt" if s.endswith("requirements.txt") else s for s in sums]
    (release / SUMS_FILE).write_text("\n".join(sums) + "\n")
    assert _fails(release, signer).startswith(
        f"bad signature: {SIGNATURE_FILE} does not match {SUMS_FILE}"
    )


def test_a_damaged_signature_is_bad(release: Path, signer: Signer) -> None:
    sig = bytearray((release / SIGNATURE_FILE).read_bytes())
    sig[0] ^= 1
    (release / SIGNATURE_FILE).write_bytes(bytes(sig))
    assert _fails(release, signer).startswith("bad signature:")


def test_a_truncated_signature_is_bad(release: Path, signer: Signer) -> None:
    (release / SIGNATURE_FILE).write_bytes(b"short")
    assert _fails(release, signer) == (
        f"bad signature: {SIGNATURE_FILE} is 5 bytes, an Ed25519 signature is 64"
    )


def test_a_release_signed_by_an_untrusted_key_fails(tmp_path: Path, release: Path) -> None:
    stranger = Signer(Ed25519PrivateKey.generate(), "Someone else")
    sign_release(release, stranger)
    message = _fails(release, Signer(Ed25519PrivateKey.generate(), "the one we trust"))
    assert message.startswith(f"signed by key {stranger.fingerprint[:4]}")
    assert "which is not one you trust" in message
    assert stranger.fingerprint in message


def test_a_swapped_key_file_does_not_help(release: Path, signer: Signer) -> None:
    # Replacing the shipped key by a trusted one leaves the signature not matching.
    other = Ed25519PrivateKey.generate()
    (release / KEY_FILE).write_bytes(Signer(other, "x").public_pem)
    with pytest.raises(ReleaseError, match="^bad signature: "):
        verify_release(release, [load_public_key(signer.public_pem), other.public_key()])


def test_an_unsigned_folder_says_so(release: Path, signer: Signer) -> None:
    (release / SIGNATURE_FILE).unlink()
    assert _fails(release, signer) == f"{SIGNATURE_FILE} is missing: the release is not signed"
    (release / SUMS_FILE).unlink()
    assert _fails(release, signer) == (
        f"{SUMS_FILE} is missing: this is not a signed release folder"
    )


def test_a_sums_line_outside_the_folder_is_refused(tmp_path: Path, signer: Signer) -> None:
    folder = tmp_path / "r"
    folder.mkdir()
    sums = b"0" * 64 + b"  ../outside.txt\n"
    (folder / SUMS_FILE).write_bytes(sums)
    (folder / SIGNATURE_FILE).write_bytes(signer.sign(sums))
    (folder / KEY_FILE).write_bytes(signer.public_pem)
    assert _fails(folder, signer) == (
        f"{SUMS_FILE} line 1 names a file outside the release: ../outside.txt"
    )


def test_signing_again_replaces_the_old_signature_files(release: Path, signer: Signer) -> None:
    (release / "notes.txt").write_text("added before re-signing\n")
    sign_release(release, signer)
    assert verify_release(release, _trusted(signer)).files == 4  # type: ignore[arg-type]


def test_sha256sum_and_openssl_check_it_too(release: Path, signer: Signer) -> None:
    for tool in ("sha256sum", "openssl"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    sums = subprocess.run(
        ["sha256sum", "--check", "--strict", SUMS_FILE],
        cwd=release,
        capture_output=True,
        text=True,
        check=False,
    )
    assert sums.returncode == 0, sums.stdout + sums.stderr
    (release / "RELEASE-KEY.pem").write_bytes(signer.public_pem)
    ok = subprocess.run(
        OPENSSL_VERIFY.split(), cwd=release, capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Signature Verified Successfully" in ok.stdout
    (release / SUMS_FILE).write_bytes((release / SUMS_FILE).read_bytes() + b"\n")
    bad = subprocess.run(
        OPENSSL_VERIFY.split(), cwd=release, capture_output=True, text=True, check=False
    )
    assert bad.returncode != 0
    assert fingerprint_of(load_public_key(signer.public_pem)) == signer.fingerprint
