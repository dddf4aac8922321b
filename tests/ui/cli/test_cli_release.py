"""``workstation sign-release`` and ``verify-release``: a release signed with a library key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli, run_cli_subprocess

PASSPHRASE = "release passphrase"


@pytest.fixture
def signed(tmp_path: Path) -> tuple[Path, Path, str]:
    """A release folder signed by the library's key; the key's PEM and the library."""
    lib = str(tmp_path / "lib")
    assert run_cli("--library", lib, "init").returncode == 0
    (tmp_path / "pass.txt").write_text(PASSPHRASE + "\n")
    made = run_cli(
        "--library", lib, "keys", "generate", "--name", "Release team",
        "--passphrase-file", str(tmp_path / "pass.txt"), "--json",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    fp = made.stdout.split('"fingerprint": "')[1][:64]
    pem = tmp_path / "RELEASE-KEY.pem"
    pem.write_text(run_cli("--library", lib, "keys", "export", fp).stdout)
    folder = tmp_path / "dist"
    folder.mkdir()
    (folder / "evidence-workstation-0.1.0-linux-x86_64.tar.gz").write_bytes(b"\x1f\x8b" * 100)
    (folder / "wheelhouse").mkdir()
    (folder / "wheelhouse" / "requirements.txt").write_text("pkg==1.0\n")
    done = run_cli(
        "--library", lib, "sign-release", str(folder), "--key", fp,
        "--passphrase-file", str(tmp_path / "pass.txt"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"signed {folder / 'SHA256SUMS'} (2 file(s)) with key ")
    assert done.stdout.rstrip().endswith("(Release team)")
    return folder, pem, lib


def test_verify_release_with_the_key_file(signed: tuple[Path, Path, str]) -> None:
    folder, pem, _ = signed
    done = run_cli("verify-release", str(folder), "--key", str(pem))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("valid: 2 file(s) match SHA256SUMS, signed by trusted key ")


def test_verify_release_with_the_librarys_trusted_keys(signed: tuple[Path, Path, str]) -> None:
    folder, _, lib = signed
    done = run_cli("--library", lib, "verify-release", str(folder), "--json")
    assert done.returncode == 0, done.stderr
    assert '"valid": true' in done.stdout


def test_a_changed_file_stops_it_in_one_line(signed: tuple[Path, Path, str]) -> None:
    folder, pem, _ = signed
    (folder / "wheelhouse" / "requirements.txt").write_text("pkg==6.6.6\n")
    done = run_cli_subprocess("verify-release", str(folder), "--key", str(pem))
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        "workstation: changed since it was signed: wheelhouse/requirements.txt (SHA-256 differs)\n"
    )


def test_an_untrusted_signer_stops_it(signed: tuple[Path, Path, str], tmp_path: Path) -> None:
    folder, _, _ = signed
    other = tmp_path / "other"
    assert run_cli("--library", str(other), "init").returncode == 0
    made = run_cli(
        "--library", str(other), "keys", "generate", "--name", "Someone",
        "--passphrase-file", str(tmp_path / "pass.txt"), "--json",
    )  # fmt: skip
    fp = made.stdout.split('"fingerprint": "')[1][:64]
    (tmp_path / "other.pem").write_text(
        run_cli("--library", str(other), "keys", "export", fp).stdout
    )
    done = run_cli("verify-release", str(folder), "--key", str(tmp_path / "other.pem"))
    assert done.returncode == 1
    assert "which is not one you trust" in done.stderr
    assert done.stderr.count("\n") == 1


def test_no_trusted_key_says_how_to_give_one(
    signed: tuple[Path, Path, str], tmp_path: Path
) -> None:
    folder, _, _ = signed
    done = run_cli("--library", str(tmp_path / "nowhere"), "verify-release", str(folder))
    assert done.returncode == 1
    assert done.stderr.startswith("workstation: no trusted release key: give --key RELEASE-KEY.pem")
    assert not (tmp_path / "nowhere").exists()


def test_a_key_file_that_is_not_a_key(signed: tuple[Path, Path, str], tmp_path: Path) -> None:
    folder, _, _ = signed
    (tmp_path / "junk.pem").write_text("not a key\n")
    done = run_cli("verify-release", str(folder), "--key", str(tmp_path / "junk.pem"))
    assert done.returncode == 1
    assert done.stderr.startswith("workstation: not a public key")


def test_sign_release_with_a_wrong_passphrase_writes_nothing(tmp_path: Path) -> None:
    lib = str(tmp_path / "lib")
    run_cli("--library", lib, "init")
    (tmp_path / "pass.txt").write_text(PASSPHRASE + "\n")
    made = run_cli(
        "--library", lib, "keys", "generate", "--name", "R",
        "--passphrase-file", str(tmp_path / "pass.txt"), "--json",
    )  # fmt: skip
    fp = made.stdout.split('"fingerprint": "')[1][:64]
    (tmp_path / "wrong.txt").write_text("not the passphrase\n")
    folder = tmp_path / "dist"
    folder.mkdir()
    (folder / "a.tar.gz").write_bytes(b"a")
    done = run_cli(
        "--library", lib, "sign-release", str(folder), "--key", fp,
        "--passphrase-file", str(tmp_path / "wrong.txt"),
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.startswith("workstation: wrong passphrase for key ")
    assert sorted(p.name for p in folder.iterdir()) == ["a.tar.gz"]
