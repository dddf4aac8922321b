"""Findings travel in bundles, on real libraries and real signed bundles: A's finding,
with its evidence, status, review history, comments and letters, arrives in B as it
left; the same bundle twice changes nothing; a finding from another signer that reuses
a local UUID is a conflict and changes nothing; ``check`` stays clean on both sides."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from db.models import Finding, FindingReview, Provenance, Source
from tests import samples
from tests.conftest import run_cli
from tests.workstation.bundles.test_bundles_from_others import (  # the same two libraries
    QUOTE,
    _export,
    _know,
    _merge,
    _open,
    _signer,
)
from workstation.annotations.service import AnnotationService, find_quote
from workstation.bundles.export import BundleExporter, ExportOptions
from workstation.bundles.merge_findings import EXTERNAL_NUMBER
from workstation.bundles.plan import ExportScope, plan_export
from workstation.core.check import check_library
from workstation.core.library import Library
from workstation.findings.replies import ReplyService
from workstation.findings.service import FindingService

OTHER = "shells at Rajin"


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    """The same bytes in both libraries: the same source."""
    text = f"Informant {QUOTE} reported {OTHER}."
    return samples.make_pdf(tmp_path / "shared", pages=1, texts=[text], name="report.pdf")


@pytest.fixture
def a(tmp_path: Path, pdf: Path) -> Iterator[Library]:
    lib = _open(tmp_path / "a", "alice", pdf)
    yield lib
    lib.close()


@pytest.fixture
def b(tmp_path: Path, pdf: Path) -> Iterator[Library]:
    lib = _open(tmp_path / "b", "bruno", pdf)
    yield lib
    lib.close()


def _mark(lib: Library, quote: str) -> str:
    with lib.writer() as session:
        source = session.scalar(select(Source))
        assert source is not None
        anchor = find_quote(session, source, quote)
        return AnnotationService(lib).create(session, source.id, anchor, categories=["arms"]).uuid


def _case_json(bundle: Path) -> dict[str, Any]:
    if bundle.is_dir():
        found = next(bundle.rglob("case.json"))
        return dict(json.loads(found.read_text(encoding="utf-8")))
    with zipfile.ZipFile(bundle) as z:
        name = next(n for n in z.namelist() if n.endswith("data/case.json"))
        return dict(json.loads(z.read(name)))


def _finding_in_review(lib: Library) -> tuple[str, list[str]]:
    """Alice's finding on two marks, submitted, confirmed by bob with an override, a
    comment and a letter with its reply."""
    marks = [_mark(lib, QUOTE), _mark(lib, OTHER)]
    service = FindingService(lib)
    with lib.writer() as session:
        row = service.create(
            session, title="Rajin shelling", category="arms", claim="Shells moved at Rajin."
        )
        service.add_evidence(session, row.uuid, marks[:1])
        service.add_evidence(session, row.uuid, marks[1:], role="context")
        service.comment(session, row.uuid, "One informant only so far.")
        service.submit(session, row.uuid)
        uuid = row.uuid
    bob = Library.open(lib.root, reviewer="bob")
    try:
        with bob.writer() as session:
            FindingService(bob).confirm(session, uuid, override_reason="informant well placed")
    finally:
        bob.close()
    with lib.writer() as session:
        letter = ReplyService(lib).add_letter(
            session,
            service.resolve(session, uuid),
            addressee="DPRK mission",
            sent="2026-03-03",
            deadline="2026-04-03",
        )
        ReplyService(lib).record_reply(
            session, letter.uuid, received="2026-03-20", text="We deny it."
        )
    return uuid, marks


def test_a_finding_arrives_whole_and_a_second_import_changes_nothing(
    a: Library, b: Library, tmp_path: Path
) -> None:
    uuid, marks = _finding_in_review(a)
    signer = _signer(a, "Alice")
    _know(b, a, signer, trusted=True)
    bundle = _export(a, tmp_path / "a.zip", signer)
    sent = _case_json(bundle)["findings"][0]
    assert sent["evidence"] == sorted(
        [{"annotation": marks[0], "role": "supports"}, {"annotation": marks[1], "role": "context"}],
        key=lambda e: e["annotation"],
    )
    assert sent["evidence_withheld"] == 0

    first = _merge(b, bundle)
    assert (first.findings_added, first.conflicts) == (1, [])
    with b.reader() as session:
        shown = FindingService(b).show(session, uuid).to_json()
    assert shown["number"] == "F-0001"
    assert shown["status"] == "confirmed"
    assert shown["category"] == "arms"
    assert {(e["annotation"], e["role"]) for e in shown["evidence"]} == {
        (marks[0], "supports"),
        (marks[1], "context"),
    }
    assert [(s["action"], s["reviewer"]) for s in shown["review"]] == [
        ("submit", "alice"),
        ("confirm", "bob"),
    ]
    assert shown["reply_status"] == "replied"
    assert "We deny it." in json.dumps(shown["replies"])
    with b.reader() as session:
        kinds = set(session.scalars(select(Provenance.action).where(Provenance.object_key == uuid)))
    assert kinds == {"added"}

    # The same content again, in a newer bundle of the same signer: nothing changes.
    again = _merge(b, _export(a, tmp_path / "a2.zip", signer))
    assert (again.findings_added, again.findings_updated, again.findings_unchanged) == (0, 0, 1)
    assert again.conflicts == []
    with b.reader() as session:
        assert session.scalar(select(func.count()).select_from(Finding)) == 1
        assert session.scalar(select(func.count()).select_from(FindingReview)) == 2
    assert check_library(a).audit.ok
    assert check_library(b).audit.ok


def test_a_newer_version_from_the_same_signer_updates(
    a: Library, b: Library, tmp_path: Path
) -> None:
    uuid, _marks = _finding_in_review(a)
    signer = _signer(a, "Alice")
    _merge(b, _export(a, tmp_path / "a.zip", signer))
    with a.writer() as session:
        FindingService(a).comment(session, uuid, "A second informant came forward.")
    later = _merge(b, _export(a, tmp_path / "a2.zip", signer))
    assert (later.findings_updated, later.conflicts) == (1, [])
    with b.reader() as session:
        comments = FindingService(b).show(session, uuid).to_json()["comments"]
    assert "A second informant came forward." in json.dumps(comments)
    assert check_library(b).audit.ok


def test_another_signer_reusing_a_local_uuid_is_a_conflict(
    a: Library, b: Library, tmp_path: Path
) -> None:
    uuid, _marks = _finding_in_review(a)
    signer = _signer(a, "Alice")
    _merge(b, _export(a, tmp_path / "a.zip", signer))
    with b.reader() as session:
        before = FindingService(b).show(session, uuid).to_json()
    # Someone else's key signs a bundle whose finding reuses the UUID with other content.
    with a.writer() as session:
        FindingService(a).comment(session, uuid, "Withdraw this.")
    mallory = _signer(a, "Mallory")
    summary = _merge(b, _export(a, tmp_path / "m.zip", mallory))
    assert summary.findings_updated == 0
    assert [(c["kind"], c["uuid"]) for c in summary.conflicts] == [("finding", uuid)]
    assert "another sender" in summary.conflicts[0]["reason"]
    with b.reader() as session:
        assert FindingService(b).show(session, uuid).to_json() == before
    assert check_library(b).audit.ok


def test_a_taken_number_gives_the_next_local_one_and_keeps_the_senders(
    a: Library, b: Library, tmp_path: Path
) -> None:
    uuid, _marks = _finding_in_review(a)
    with b.writer() as session:
        FindingService(b).create(session, title="Bruno's own")
    summary = _merge(b, _export(a, tmp_path / "a.zip", _signer(a, "Alice")))
    assert summary.findings_added == 1
    with b.reader() as session:
        row = session.scalar(select(Finding).where(Finding.uuid == uuid))
        assert row is not None
        assert row.number == 2
        steps = session.scalars(
            select(FindingReview.reason).where(
                FindingReview.finding_id == row.id, FindingReview.action == "import"
            )
        ).all()
    assert len(steps) == 1
    assert steps[0] is not None
    assert steps[0].startswith(f"{EXTERNAL_NUMBER} F-0001")
    assert check_library(b).audit.ok


def test_redaction_withholds_evidence_and_scrubs_the_finding(a: Library, tmp_path: Path) -> None:
    named = _mark(a, QUOTE)
    place = _mark(a, OTHER)
    with a.writer() as session:
        source = session.scalar(select(Source))
        assert source is not None
        AnnotationService(a).create(
            session, source.id, find_quote(session, source, QUOTE), redact=True
        )
        row = FindingService(a).create(
            session, title=f"{QUOTE} saw the shells", claim=f"{QUOTE} reported it."
        )
        FindingService(a).add_evidence(session, row.uuid, [named, place])
    out = tmp_path / "r.zip"
    BundleExporter(a).export(
        plan_export(a, ExportScope(), redact=True),
        ExportOptions(out=out, signer=_signer(a, "Alice")),
    )
    case = _case_json(out)
    [sent] = case["findings"]
    assert sent["evidence"] == [{"annotation": place, "role": "supports"}]
    assert sent["evidence_withheld"] == 1
    assert QUOTE not in json.dumps(case)


def test_import_bundle_says_how_many_findings_arrived(
    a: Library, b: Library, tmp_path: Path
) -> None:
    _finding_in_review(a)
    bundle = _export(a, tmp_path / "a.zip", _signer(a, "Alice"))
    r = run_cli("--library", str(b.root), "import-bundle", str(bundle), "--accept-untrusted")
    assert r.returncode == 0, r.stderr
    assert "findings: 1 added, 0 updated, 0 unchanged" in r.stdout
