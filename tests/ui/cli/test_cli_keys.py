"""`workstation keys ...` in process: generate, list, export, import, trust; errors."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tests.conftest import run_cli
from workstation.keys.keyring import (
    fingerprint_of,
    short_fingerprint,
)

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
