"""age encryption: round trips with the standard ``age`` tool, bad keys, damage, memory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.conftest import ROOT
from workstation.bundles.age import (
    AgeError,
    decrypt_file,
    encrypt_file,
    generate_identity,
    identity_file_text,
    is_age_file,
    read_identities,
)
from workstation.core.errors import CancelledError
from workstation.core.progress import CancelToken, Progress

AGE = shutil.which("age")
needs_age = pytest.mark.skipif(AGE is None, reason="the age command-line tool is not installed")


def _identity(folder: Path, name: str = "identity.txt") -> tuple[Path, str]:
    secret, public = generate_identity()
    path = folder / name
    path.write_text(identity_file_text(secret, public, "2026-01-01T00:00:00Z"))
    return path, public


def _plain(folder: Path, size: int = 300_000, name: str = "bag.zip") -> Path:
    path = folder / name
    path.write_bytes(os.urandom(size))
    return path


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_generate_identity_gives_age_key_pair() -> None:
    secret, public = generate_identity()
    assert secret.startswith("AGE-SECRET-KEY-1")
    assert public.startswith("age1")
    assert generate_identity() != (secret, public)


def test_round_trip_with_our_functions(tmp_path: Path) -> None:
    ident, public = _identity(tmp_path)
    src = _plain(tmp_path)
    enc = tmp_path / "bag.zip.age"
    encrypt_file(src, enc, [public])
    assert is_age_file(enc)
    assert not is_age_file(src)
    assert enc.read_bytes()[:22] == b"age-encryption.org/v1\n"
    out = tmp_path / "back.zip"
    decrypt_file(enc, out, ident)
    assert out.read_bytes() == src.read_bytes()
    assert _leftovers(tmp_path) == []


def test_every_recipient_can_decrypt(tmp_path: Path) -> None:
    one, pub_one = _identity(tmp_path, "one.txt")
    two, pub_two = _identity(tmp_path, "two.txt")
    src = _plain(tmp_path)
    enc = tmp_path / "bag.age"
    encrypt_file(src, enc, [pub_one, pub_two])
    for ident in (one, two):
        out = tmp_path / f"out-{ident.stem}"
        decrypt_file(enc, out, ident)
        assert out.read_bytes() == src.read_bytes()


@needs_age
def test_age_cli_decrypts_what_we_encrypt(tmp_path: Path) -> None:
    ident, public = _identity(tmp_path)
    src = _plain(tmp_path)
    enc = tmp_path / "bag.zip.age"
    encrypt_file(src, enc, [public])
    out = tmp_path / "by-age.zip"
    done = subprocess.run(
        [str(AGE), "-d", "-i", str(ident), "-o", str(out), str(enc)],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == src.read_bytes()


@needs_age
def test_we_decrypt_what_the_age_cli_encrypts_binary_and_armored(tmp_path: Path) -> None:
    ident, public = _identity(tmp_path)
    src = _plain(tmp_path)
    for armor in ([], ["-a"]):
        enc = tmp_path / f"cli{len(armor)}.age"
        done = subprocess.run(
            [str(AGE), *armor, "-r", public, "-o", str(enc), str(src)],
            capture_output=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert is_age_file(enc)
        out = tmp_path / f"ours{len(armor)}.zip"
        decrypt_file(enc, out, ident)
        assert out.read_bytes() == src.read_bytes()


@needs_age
def test_ssh_ed25519_recipient_round_trips_with_the_age_cli(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    line = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    private = tmp_path / "id_ed25519"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    )
    private.chmod(0o600)
    src = _plain(tmp_path)
    enc = tmp_path / "ssh.age"
    encrypt_file(src, enc, [line.decode() + " partner@host"])
    out = tmp_path / "ssh-by-age.zip"
    done = subprocess.run(
        [str(AGE), "-d", "-i", str(private), "-o", str(out), str(enc)],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == src.read_bytes()
    ours = tmp_path / "ssh-by-us.zip"
    decrypt_file(enc, ours, private)
    assert ours.read_bytes() == src.read_bytes()


def test_wrong_identity_is_one_line_error_and_leaves_nothing(tmp_path: Path) -> None:
    _, public = _identity(tmp_path, "right.txt")
    wrong, _ = _identity(tmp_path, "wrong.txt")
    src = _plain(tmp_path)
    enc = tmp_path / "bag.age"
    encrypt_file(src, enc, [public])
    out = tmp_path / "out.zip"
    with pytest.raises(AgeError, match="not encrypted to any identity") as caught:
        decrypt_file(enc, out, wrong)
    assert "\n" not in str(caught.value)
    assert not out.exists()
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_damaged_ciphertext_fails_and_no_partial_plaintext_is_left(
    tmp_path: Path, damage: str
) -> None:
    ident, public = _identity(tmp_path)
    src = _plain(tmp_path, size=2_000_000)
    enc = tmp_path / "bag.age"
    encrypt_file(src, enc, [public])
    data = bytearray(enc.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
    else:
        del data[len(data) // 2 :]
    enc.write_bytes(bytes(data))
    out = tmp_path / "out.zip"
    out.write_bytes(b"an older file of that name")
    with pytest.raises(AgeError, match="damaged or truncated"):
        decrypt_file(enc, out, ident)
    # The earlier file is untouched and the partial plaintext is gone.
    assert out.read_bytes() == b"an older file of that name"
    assert _leftovers(tmp_path) == []


def test_not_an_age_file(tmp_path: Path) -> None:
    ident, _ = _identity(tmp_path)
    src = _plain(tmp_path)
    with pytest.raises(AgeError, match="not an age-encrypted file"):
        decrypt_file(src, tmp_path / "out", ident)
    assert not (tmp_path / "out").exists()
    assert not is_age_file(tmp_path / "missing.age")


@pytest.mark.parametrize(
    ("recipient", "message"),
    [
        ("age1notavalidkey", "age1notavalidkey"),
        ("bob@example.org", "bob@example.org"),
        ("ssh-ed25519 AAAAbroken", "ssh-ed25519 AAAAbroken"),
        ("", "not an age public key"),
    ],
)
def test_bad_recipient_is_named(tmp_path: Path, recipient: str, message: str) -> None:
    _, good = _identity(tmp_path)
    src = _plain(tmp_path)
    dst = tmp_path / "bag.age"
    with pytest.raises(AgeError) as caught:
        encrypt_file(src, dst, [good, recipient])
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not dst.exists()
    assert _leftovers(tmp_path) == []


def test_secret_key_given_as_recipient_is_refused_without_echoing_it(tmp_path: Path) -> None:
    secret, _ = generate_identity()
    src = _plain(tmp_path)
    with pytest.raises(AgeError, match="SECRET") as caught:
        encrypt_file(src, tmp_path / "bag.age", [secret])
    assert secret not in str(caught.value)
    with pytest.raises(AgeError, match="at least one recipient"):
        encrypt_file(src, tmp_path / "bag.age", [])


def test_identity_file_errors(tmp_path: Path) -> None:
    secret, public = generate_identity()
    good = tmp_path / "good.txt"
    good.write_text(f"# a comment\n\n  {secret}  \n# another\n")
    assert len(read_identities(good)) == 1
    with pytest.raises(AgeError, match="cannot read identity file"):
        read_identities(tmp_path / "missing.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("# only comments\n")
    with pytest.raises(AgeError, match="holds no age identity"):
        read_identities(empty)
    bad = tmp_path / "bad.txt"
    bad.write_text(f"# ok\n{public}\n")
    with pytest.raises(AgeError, match="line 2 is not an age secret key"):
        read_identities(bad)
    damaged = tmp_path / "damaged.txt"
    damaged_secret = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "QQQQ")
    damaged.write_text(damaged_secret + "\n")
    with pytest.raises(AgeError, match="line 1 is a damaged") as caught:
        read_identities(damaged)
    assert damaged_secret not in str(caught.value)


def test_cancel_before_and_during_encryption_leaves_nothing(tmp_path: Path) -> None:
    _, public = _identity(tmp_path)
    src = _plain(tmp_path, size=24 * 1024 * 1024)
    dst = tmp_path / "bag.age"
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        encrypt_file(src, dst, [public], cancel=token)
    assert not dst.exists()
    assert _leftovers(tmp_path) == []

    token = CancelToken()
    seen: list[Progress] = []

    def on_progress(p: Progress) -> None:
        seen.append(p)
        token.cancel()  # the user presses Cancel after the first report

    with pytest.raises(CancelledError):
        encrypt_file(src, dst, [public], cancel=token, progress=on_progress)
    assert len(seen) == 1
    assert 0 < seen[0].done < seen[0].total == src.stat().st_size
    assert not dst.exists()
    assert _leftovers(tmp_path) == []


def test_progress_reaches_the_total(tmp_path: Path) -> None:
    _, public = _identity(tmp_path)
    src = _plain(tmp_path, size=10 * 1024 * 1024 + 5)
    seen: list[Progress] = []
    encrypt_file(src, tmp_path / "bag.age", [public], progress=seen.append)
    assert seen[-1].done == seen[-1].total == src.stat().st_size
    assert [p.done for p in seen] == sorted(p.done for p in seen)


_MEMORY_SCRIPT = textwrap.dedent(
    """
    import hashlib, json, os, sys, tracemalloc
    from pathlib import Path
    from workstation.bundles.age import (
        decrypt_file, encrypt_file, generate_identity, identity_file_text,
    )

    def kib(field):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise SystemExit(f"no {field} in /proc/self/status")

    folder = Path(sys.argv[1])
    size = int(sys.argv[2])
    src = folder / "big.bin"
    digest = hashlib.sha256()
    with open(src, "wb") as fh:
        for _ in range(size // (1 << 20)):
            block = os.urandom(1 << 20)
            digest.update(block)
            fh.write(block)
    secret, public = generate_identity()
    ident = folder / "id.txt"
    ident.write_text(identity_file_text(secret, public))
    # Reset the peak-RSS mark (VmHWM) so it measures the round trip alone;
    # ru_maxrss would also count the parent pytest's pages from before exec.
    Path("/proc/self/clear_refs").write_text("5")
    rss_before = kib("VmRSS")
    tracemalloc.start()
    encrypt_file(src, folder / "big.age", [public])
    decrypt_file(folder / "big.age", folder / "back.bin", ident)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_peak = kib("VmHWM")
    with open(folder / "back.bin", "rb") as fh:
        back = hashlib.file_digest(fh, "sha256").hexdigest()
    print(json.dumps({
        "same": back == digest.hexdigest(),
        "rss_before_kib": rss_before,
        "rss_peak_kib": rss_peak,
        "rss_growth_kib": rss_peak - rss_before,
        "traced_peak": traced_peak,
        "age_size": (folder / "big.age").stat().st_size,
    }))
    """
)


@pytest.mark.skipif(
    not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc peak-RSS accounting"
)
def test_64_mb_round_trip_in_flat_memory(tmp_path: Path) -> None:
    # A fresh interpreter, so the peak RSS belongs to this round trip alone.
    size = 64 * 1024 * 1024
    done = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT, str(tmp_path), str(size)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    print(f"64 MiB encrypt+decrypt: {result}")
    assert result["same"]
    assert result["age_size"] > size
    # Buffering the file would add 64 MiB or more; streaming adds almost nothing.
    assert result["rss_growth_kib"] < 16 * 1024, result
    assert result["traced_peak"] < 2 * 1024 * 1024, result


@pytest.mark.skipif(shutil.which("age-keygen") is None, reason="age-keygen is not installed")
def test_identity_file_text_is_read_by_age_keygen(tmp_path: Path) -> None:
    ident, public = _identity(tmp_path)
    done = subprocess.run(
        ["age-keygen", "-y", str(ident)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == public
