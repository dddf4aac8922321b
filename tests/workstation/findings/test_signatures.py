"""Signed confirmations on real libraries: a confirmation signed with the reviewer's
Ed25519 key verifies, names no text of the finding, stops verifying as "valid" when
the finding or its evidence changes afterwards (and the finding returns to review),
and a tampered statement, signature or key is reported invalid."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import Annotation, FindingReview
from tests.conftest import run_cli, run_cli_subprocess
from tests.workstation.findings.test_service import _as, _draft, marks  # noqa: F401
from workstation.core.check import check_library
from workstation.core.library import Library
from workstation.findings.service import FindingService
from workstation.findings.signatures import canonical
from workstation.keys.keyring import KeyService, Signer

PASSPHRASE = b"correct horse battery"


def _bobs_key(library: Library) -> Signer:
    keys = KeyService(library)
    with library.writer() as session:
        made = keys.generate(session, "Bob (Panel)", PASSPHRASE)
    with library.reader() as session:
        return keys.signer(session, made.fingerprint, PASSPHRASE)


def _signed(library: Library, marks: dict[str, str]) -> tuple[str, Signer]:  # noqa: F811
    uuid = _draft(library, marks, "wire", "other")
    with library.writer() as session:
        FindingService(library).submit(session, uuid)
    bob = _as(library, "bob")
    try:
        signer = _bobs_key(bob)
        with bob.writer() as session:
            FindingService(bob).confirm(session, uuid, signer=signer)
    finally:
        bob.close()
    return uuid, signer


def _confirm_step(library: Library, uuid: str) -> FindingReview:
    with library.reader() as session:
        step = session.scalars(select(FindingReview).where(FindingReview.action == "confirm")).one()
        session.expunge(step)
        return step


def test_a_signed_confirmation_verifies_and_names_no_text(
    library: Library,
    marks: dict[str, str],  # noqa: F811
) -> None:
    uuid, signer = _signed(library, marks)
    with library.reader() as session:
        info = FindingService(library).show(session, uuid)
    assert info.status == "confirmed"
    assert (info.signed, info.signature) == (True, "signature valid")
    confirm = info.review[-1]
    assert confirm.action == "confirm"
    assert confirm.signed
    assert confirm.signature is not None
    assert (confirm.signature["state"], confirm.signature["trust"]) == ("valid", "trusted")
    assert confirm.signature["key"] == signer.fingerprint
    submit = info.review[0]
    assert (submit.action, submit.signed, submit.signature) == ("submit", False, None)

    step = _confirm_step(library, uuid)
    assert step.payload is not None
    assert step.signature is not None
    statement = json.loads(step.payload)
    assert canonical(statement).decode() == step.payload  # stored as signed: canonical
    assert statement["finding"] == uuid
    assert statement["reviewer"] == "bob"
    assert len(statement["evidence"]) == 2
    # Digests only: the statement travels in bundles, whose text may be redacted.
    assert "Amber" not in step.payload
    assert "Nampo" not in step.payload
    assert check_library(library).audit.ok


def test_an_edit_after_signing_returns_to_review_and_the_signature_says_why(
    library: Library,
    marks: dict[str, str],  # noqa: F811
) -> None:
    uuid, _signer = _signed(library, marks)
    service = FindingService(library)
    with library.writer() as session:
        service.update(session, uuid, claim="The transfer was of refined petroleum.")
    with library.reader() as session:
        info = service.show(session, uuid)
    assert info.status == "in_review"
    assert (info.signed, info.signature) == (False, None)  # no confirmation stands
    old = next(s for s in info.review if s.action == "confirm")
    assert old.signature is not None
    assert old.signature["state"] == "changed"
    assert old.signature["reason"] == "its content changed"
    assert info.review[-1].reason == (
        "returned to review: its claim changed after it was confirmed"
    )


def test_a_mark_changed_under_a_signed_finding_is_seen(
    library: Library,
    marks: dict[str, str],  # noqa: F811
) -> None:
    uuid, _signer = _signed(library, marks)
    with library.writer() as session:  # behind the finding service's back
        mark = session.scalars(select(Annotation).where(Annotation.uuid == marks["wire"])).one()
        mark.exact = "something else entirely"
    with library.reader() as session:
        info = FindingService(library).show(session, uuid)
    assert info.signature is not None
    assert info.signature.startswith("signature valid for the finding as confirmed; since then")
    assert "1 piece(s) of evidence changed role, source or anchor" in info.signature


@pytest.mark.parametrize(
    ("column", "spoil", "reason"),
    [
        ("signature", lambda s: base64.b64encode(bytes(64)).decode(), "does not match"),
        ("payload", lambda s: s.replace('"bob"', '"eve"'), "does not match"),
        ("signature", lambda s: "not base64!", "cannot be read"),
        ("public_key", lambda s: None, "incomplete"),
    ],
)
def test_a_tampered_signature_is_invalid(
    library: Library,
    marks: dict[str, str],  # noqa: F811
    column: str,
    spoil: object,
    reason: str,
) -> None:
    uuid, _signer = _signed(library, marks)
    with library.writer() as session:
        step = session.scalars(select(FindingReview).where(FindingReview.action == "confirm")).one()
        setattr(step, column, spoil(getattr(step, column)))  # type: ignore[operator]
    with library.reader() as session:
        info = FindingService(library).show(session, uuid)
    assert info.signature is not None
    assert info.signature.startswith("signature INVALID: ")
    assert reason in info.signature


def test_a_statement_moved_to_another_step_is_invalid(
    library: Library,
    marks: dict[str, str],  # noqa: F811
) -> None:
    uuid, _signer = _signed(library, marks)
    with library.writer() as session:
        step = session.scalars(select(FindingReview).where(FindingReview.action == "confirm")).one()
        step.at = "2020-01-01T00:00:00Z"  # the signed statement names another time
    with library.reader() as session:
        info = FindingService(library).show(session, uuid)
    assert info.signature == (
        "signature INVALID: it was made for another finding, step or reviewer"
    )


def _cli_library(library: Library, marks: dict[str, str], tmp_path: Path) -> Path:  # noqa: F811
    uuid = _draft(library, marks, "wire", "other")
    with library.writer() as session:
        FindingService(library).submit(session, uuid)
    secret = tmp_path / "pass.txt"
    secret.write_bytes(PASSPHRASE + b"\n")
    return secret


def test_cli_confirm_sign_and_show(
    library: Library,
    library_path: Path,
    marks: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    secret = _cli_library(library, marks, tmp_path)
    no_key = run_cli(
        "--library", str(library_path), "--reviewer", "bob", "finding", "confirm", "F-0001",
        "--sign", "--passphrase-file", str(secret),
    )  # fmt: skip
    assert no_key.returncode != 0
    assert "no signing key: make one with 'workstation keys generate'" in no_key.stderr
    made = run_cli(
        "--library", str(library_path), "--reviewer", "bob", "keys", "generate",
        "--name", "Bob (Panel)", "--passphrase-file", str(secret), "--json",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    done = run_cli(
        "--library", str(library_path), "--reviewer", "bob", "finding", "confirm", "F-0001",
        "--sign", "--passphrase-file", str(secret), "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["status"] == "confirmed"
    assert out["signed_by_key"] == json.loads(made.stdout)["fingerprint"]
    shown = run_cli("--library", str(library_path), "finding", "show", "F-0001", "--json")
    info = json.loads(shown.stdout)
    assert info["signature"] == "signature valid"
    assert info["review"][-1]["signature"]["state"] == "valid"
    text = run_cli("--library", str(library_path), "finding", "show", "F-0001").stdout
    assert "confirmed   by bob, signature valid" in text
    assert "confirm by bob  [signature valid]" in text


def test_cli_wrong_passphrase_is_one_line_and_confirms_nothing(
    library: Library,
    library_path: Path,
    marks: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    secret = _cli_library(library, marks, tmp_path)
    made = run_cli(
        "--library", str(library_path), "--reviewer", "bob", "keys", "generate",
        "--name", "Bob (Panel)", "--passphrase-file", str(secret),
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n")
    result = run_cli_subprocess(
        "--library", str(library_path), "--reviewer", "bob", "finding", "confirm", "F-0001",
        "--sign", "--passphrase-file", str(wrong),
    )  # fmt: skip
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("workstation: ")
    assert "passphrase" in lines[0]
    with library.reader() as session:
        assert FindingService(library).show(session, "F-0001").status == "in_review"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_openssl_checks_a_confirmation_as_docs_findings_md_says(
    library: Library,
    marks: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    uuid, _signer = _signed(library, marks)
    step = _confirm_step(library, uuid)
    assert step.payload is not None
    assert step.signature is not None
    assert step.public_key is not None
    (tmp_path / "statement.json").write_bytes(step.payload.encode("utf-8"))
    (tmp_path / "statement.sig").write_bytes(base64.b64decode(step.signature))
    (tmp_path / "key.pem").write_text(step.public_key)
    command = [
        "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin",
        "-in", "statement.json", "-sigfile", "statement.sig",
    ]  # fmt: skip
    good = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert good.returncode == 0, good.stderr
    assert "Signature Verified Successfully" in good.stdout
    (tmp_path / "statement.json").write_bytes(step.payload.replace("bob", "eve").encode())
    bad = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert bad.returncode != 0
