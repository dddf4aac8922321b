"""Reviewing across laptops, on two real libraries and real signed bundles: Alice's
finding in review goes to Bruno, who confirms it with a signed confirmation and sends it
back; Alice's library takes the confirmation, with Bruno's signature checked against
her content and evidence. An edit on Alice's side since, an untrusted sender or a
signature that does not hold each make a conflict that changes nothing."""

# ruff: noqa: F401, F811  (the fixtures a, b and pdf are imported from test_bundle_findings)
from __future__ import annotations

import zipfile
from pathlib import Path

import pymupdf
from sqlalchemy import select

from db.models import FindingReview
from tests.conftest import run_cli
from tests.workstation.bundles.test_bundle_findings import (  # the same two libraries
    OTHER,
    _case_json,
    _mark,
    a,
    b,
    pdf,
)
from tests.workstation.bundles.test_bundles_from_others import (
    QUOTE,
    _export,
    _know,
    _merge,
    _open,
    _signer,
)
from workstation.core.check import check_library
from workstation.core.library import Library
from workstation.findings.service import FindingService
from workstation.keys.keyring import Signer


def _sent_for_review(alice: Library, bruno: Library, tmp_path: Path) -> tuple[str, Signer]:
    """Alice's finding, submitted, in Bruno's library; Alice's signer."""
    marks = [_mark(alice, QUOTE), _mark(alice, OTHER)]
    service = FindingService(alice)
    with alice.writer() as session:
        row = service.create(session, title="Rajin shelling", category="arms", claim="Moved.")
        service.add_evidence(session, row.uuid, marks)
        service.submit(session, row.uuid)
        uuid = row.uuid
    a_key = _signer(alice, "Alice")
    _know(bruno, alice, a_key, trusted=True)
    first = _merge(bruno, _export(alice, tmp_path / "to-bruno.zip", a_key))
    assert (first.findings_added, first.conflicts) == (1, [])
    return uuid, a_key


def _confirmed_by_bruno(
    alice: Library, bruno: Library, uuid: str, *, trusted: bool = True
) -> tuple[Signer, dict[str, object]]:
    b_key = _signer(bruno, "Bruno")
    with bruno.writer() as session:
        FindingService(bruno).confirm(
            session, uuid, override_reason="one informant, well placed", signer=b_key
        )
    _know(alice, bruno, b_key, trusted=trusted)
    with alice.reader() as session:
        before = FindingService(alice).show(session, uuid).to_json()
    return b_key, before


def test_a_confirmation_made_elsewhere_comes_home_signed(
    a: Library, b: Library, tmp_path: Path
) -> None:
    alice, bruno = a, b
    uuid, _a_key = _sent_for_review(alice, bruno, tmp_path)
    b_key, _before = _confirmed_by_bruno(alice, bruno, uuid)
    back = _export(bruno, tmp_path / "to-alice.zip", b_key)
    carried = _case_json(back)["findings"][0]["review"][-1]
    assert carried["action"] == "confirm"
    assert carried["signature"]["key"] == b_key.fingerprint
    # The bundle's dossier lists the finding as the sender's library checked it.
    with zipfile.ZipFile(back) as z:
        name = next(n for n in z.namelist() if n.endswith("data/report.pdf"))
        with pymupdf.open(stream=z.read(name), filetype="pdf") as pdf:
            text = " ".join(" ".join(page.get_text().split()) for page in pdf)
    assert "Findings" in text
    assert "F-0001 Rajin shelling Moved. confirmed by bruno, signature valid 2" in text

    home = _merge(alice, back)
    assert (home.findings_updated, home.conflicts) == (1, [])
    assert home.finding_lines() == ["F-0001 confirmed by bruno, signature valid"]
    assert home.as_json()["findings"][0]["signature"] == "signature valid"
    with alice.reader() as session:
        info = FindingService(alice).show(session, uuid)
    assert (info.status, info.confirmed_by) == ("confirmed", "bruno")
    assert info.override_reason is not None
    assert info.override_reason.startswith("one informant, well placed (policy:")
    assert info.signature == "signature valid"
    step = info.review[-1]
    assert step.signature is not None
    assert (step.signature["state"], step.signature["trust"]) == ("valid", "trusted")
    assert [s.action for s in info.review] == ["submit", "confirm"]
    # The same bundle again changes nothing; check stays clean on both sides.
    again = _merge(alice, back)
    assert (again.findings_updated, again.conflicts) == (0, [])
    assert check_library(alice).audit.ok
    assert check_library(bruno).audit.ok


def test_an_edit_here_since_sending_makes_a_conflict(
    a: Library, b: Library, tmp_path: Path
) -> None:
    alice, bruno = a, b
    uuid, _a_key = _sent_for_review(alice, bruno, tmp_path)
    b_key, _before = _confirmed_by_bruno(alice, bruno, uuid)
    with alice.writer() as session:
        FindingService(alice).update(session, uuid, claim="Moved twice.")
    with alice.reader() as session:
        before = FindingService(alice).show(session, uuid).to_json()
    home = _merge(alice, _export(bruno, tmp_path / "to-alice.zip", b_key))
    assert home.findings_updated == 0
    assert [(c["kind"], c["uuid"]) for c in home.conflicts] == [("finding", uuid)]
    assert home.conflicts[0]["reason"] == "made in this library, not brought by a bundle"
    with alice.reader() as session:
        assert FindingService(alice).show(session, uuid).to_json() == before


def test_an_untrusted_reviewer_cannot_confirm_from_afar(
    a: Library, b: Library, tmp_path: Path
) -> None:
    alice, bruno = a, b
    uuid, _a_key = _sent_for_review(alice, bruno, tmp_path)
    b_key, before = _confirmed_by_bruno(alice, bruno, uuid, trusted=False)
    home = _merge(alice, _export(bruno, tmp_path / "to-alice.zip", b_key))
    assert home.findings_updated == 0
    assert home.conflicts[0]["reason"] == "made in this library, not brought by a bundle"
    with alice.reader() as session:
        assert FindingService(alice).show(session, uuid).to_json() == before


def test_a_confirmation_whose_signature_does_not_hold_is_a_conflict(
    a: Library, b: Library, tmp_path: Path
) -> None:
    alice, bruno = a, b
    uuid, _a_key = _sent_for_review(alice, bruno, tmp_path)
    b_key, before = _confirmed_by_bruno(alice, bruno, uuid)
    with bruno.writer() as session:  # a statement spoilt before the bundle is signed
        step = session.scalars(select(FindingReview).where(FindingReview.action == "confirm")).one()
        assert step.payload is not None
        step.payload = step.payload.replace('"bruno"', '"brunx"')
    home = _merge(alice, _export(bruno, tmp_path / "to-alice.zip", b_key))
    assert home.findings_updated == 0
    assert home.conflicts[0]["reason"] == (
        "the confirm by bruno: signature INVALID: it does not match the statement or its key"
    )
    with alice.reader() as session:
        assert FindingService(alice).show(session, uuid).to_json() == before


def test_the_author_cannot_confirm_their_own_finding_from_another_laptop(
    a: Library, tmp_path: Path, pdf: Path
) -> None:
    alice = a
    other = _open(tmp_path / "alices-other-laptop", "alice", pdf)
    try:
        uuid, _a_key = _sent_for_review(alice, other, tmp_path)
        # On her other laptop Alice is the author; she confirms as 'alice' by renaming
        # nothing: the service refuses, so the step is forged into the library directly.
        key = _signer(other, "Alice laptop 2")
        with other.writer() as session:
            service = FindingService(other)
            row = service.resolve(session, uuid)
            row.status = "confirmed"
            service._step(session, row, "confirm", None, key)
        _know(alice, other, key, trusted=True)
        home = _merge(alice, _export(other, tmp_path / "back.zip", key))
        assert home.findings_updated == 0
        assert home.conflicts[0]["reason"] == "four eyes: the author (alice) cannot confirm it"
    finally:
        other.close()


def test_the_import_command_says_who_confirmed_and_that_the_signature_holds(
    a: Library, b: Library, tmp_path: Path
) -> None:
    alice, bruno = a, b
    uuid, _a_key = _sent_for_review(alice, bruno, tmp_path)
    b_key, _before = _confirmed_by_bruno(alice, bruno, uuid)
    back = _export(bruno, tmp_path / "to-alice.zip", b_key)
    result = run_cli("--library", str(alice.root), "import-bundle", str(back))
    assert result.returncode == 0, result.stderr
    assert "  findings: 0 added, 1 updated, 0 unchanged" in result.stdout
    assert "    F-0001 confirmed by bruno, signature valid" in result.stdout
