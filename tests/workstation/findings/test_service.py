"""The findings service on real libraries: numbering, evidence, corroboration from
declared relations, publishers and near-duplicate texts, four eyes, policy and override,
a confirmed finding returned to review, and the audit trail staying bound."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import Source
from tests import samples
from workstation.annotations.service import AnnotationService, find_quote
from workstation.core.audit import iter_events
from workstation.core.check import check_library
from workstation.core.library import Library
from workstation.findings.policy import FindingError, Policy, confidence, partial_date
from workstation.findings.relations import relate_sources
from workstation.findings.service import FindingService, FourEyesError, PolicyError
from workstation.sources.ingest import ImportService
from workstation.sources.lookup import update_source

WIRE = (
    "The tanker Amber Tide was seen alongside the Sea Lark off Nampo on 17 May 2025, "
    "according to satellite images reviewed by analysts. The two ships stayed together for "
    "nine hours while hoses connected them, and the Amber Tide left riding visibly lower in "
    "the water. Port records list no cargo declaration for either ship that week, and the "
    "owner of the Sea Lark did not answer questions sent by email before publication."
)
REPUBLISHED = "Sanctions watchers flag night transfer. " + WIRE.replace("analysts", "our analysts")
OTHER = (
    "Customs officers in Vladivostok recorded three containers of machine tools declared as "
    "agricultural spare parts, loaded onto a bulk carrier bound for Rajin in early June. A "
    "shipping agent said the paperwork had been prepared by a trading company registered in "
    "Hong Kong last year, whose director could not be reached for comment on the shipment."
)
THIRD = (
    "A fishing cooperative in Chongjin reported that its vessels were ordered to stay in "
    "port for a week in late May while naval patrols closed the coastal lanes to civilian "
    "traffic, an unusual step that local traders linked to a visit by officials from the "
    "capital and to the arrival of two unregistered tankers at the northern oil terminal."
)


def _sources(library: Library, folder: Path, texts: dict[str, str]) -> dict[str, int]:
    for name, text in texts.items():
        samples.make_text(folder, text=text, name=f"{name}.txt")
    ImportService(library).import_paths([folder])
    with library.reader() as session:
        rows = session.scalars(select(Source)).all()
        return {Path(r.original_filename).stem: r.id for r in rows}


def _mark(library: Library, source_id: int, quote: str) -> str:
    with library.writer() as session:
        source = session.get(Source, source_id)
        assert source is not None
        anchor = find_quote(session, source, quote)
        return AnnotationService(library).create(session, source_id, anchor).uuid


@pytest.fixture
def marks(library: Library, tmp_path: Path) -> dict[str, str]:
    ids = _sources(
        library,
        tmp_path / "in",
        {"wire": WIRE, "copy": REPUBLISHED, "other": OTHER, "third": THIRD},
    )
    return {
        name: _mark(
            library,
            sid,
            WIRE[:20] if name in ("wire", "copy") else {"other": OTHER, "third": THIRD}[name][:20],
        )
        for name, sid in ids.items()
    } | {f"id:{name}": str(sid) for name, sid in ids.items()}


def _as(library: Library, reviewer: str) -> Library:
    return Library.open(library.root, reviewer=reviewer)


def _confirm_as_bob(library: Library, uuid: str) -> None:
    bob = _as(library, "bob")
    try:
        with bob.writer() as session:
            FindingService(bob).confirm(session, uuid)
    finally:
        bob.close()


def _draft(library: Library, marks: dict[str, str], *names: str) -> str:
    service = FindingService(library)
    with library.writer() as session:
        row = service.create(session, title="Amber Tide transfer", category="arms", claim="X")
        service.add_evidence(session, row.uuid, [marks[n] for n in names])
        return row.uuid


def test_numbers_count_up_and_are_never_reused(library: Library) -> None:
    service = FindingService(library)
    with library.writer() as session:
        first = service.create(session, title="one")
        second = service.create(session, title="two")
        assert (first.number, second.number) == (1, 2)
        session.delete(second)  # a finding removed (no command does it yet)
    with library.writer() as session:
        third = service.create(session, title="three")
        assert third.number == 3
        assert service.resolve(session, "F-0003").uuid == third.uuid
        assert service.resolve(session, "f-3").uuid == third.uuid
        assert service.resolve(session, third.uuid[:8]).uuid == third.uuid


def test_fields_are_checked(library: Library) -> None:
    assert confidence("Probable").term == "likely or probable"
    assert confidence("almost certain").range == "95-100 %"
    with pytest.raises(FindingError, match="PHIA"):
        confidence("fairly sure")
    assert partial_date("2025-05") == "2025-05"
    with pytest.raises(FindingError, match="not a date"):
        partial_date("2025-13")
    with pytest.raises(FindingError, match="no category"), library.writer() as session:
        FindingService(library).create(session, title="t", category="no-such-code")
    with pytest.raises(FindingError, match="ends"), library.writer() as session:
        FindingService(library).create(session, title="t", period_from="2025-05", period_to="2024")


def test_a_republished_story_is_one_source(library: Library, marks: dict[str, str]) -> None:
    uuid = _draft(library, marks, "wire", "copy", "other")
    with library.reader() as session:
        info = FindingService(library).show(session, uuid)
    assert info.sources == 3
    assert info.independent == 2
    assert info.badge == "2 independent of 3 sources"
    joined = next(g for g in info.groups if len(g.source_ids) == 2)
    assert sorted(joined.source_ids) == sorted(int(marks[f"id:{n}"]) for n in ("wire", "copy"))
    assert "one story" in joined.explanations[0]
    assert {e.role for e in info.evidence} == {"supports"}


def test_declared_relations_and_publishers_join_sources(
    library: Library, marks: dict[str, str]
) -> None:
    uuid = _draft(library, marks, "other", "third")
    other, third = int(marks["id:other"]), int(marks["id:third"])
    service = FindingService(library)
    with library.reader() as session:
        assert service.show(session, uuid).independent == 2
    with library.writer() as session:
        assert relate_sources(library, session, third, other, "derived_from")
    with library.reader() as session:
        info = service.show(session, uuid)
    assert info.independent == 1
    [because] = info.groups[0].explanations  # sources named by title, cut short, and id
    assert f"… (source {third}) is declared derived from " in because
    assert because.endswith(f"… (source {other})")
    with library.writer() as session:
        assert relate_sources(library, session, third, other, "derived_from", remove=True)
        update_source(library, session, other, publisher="Reuters")
        update_source(library, session, third, publisher=" reuters. ")
    with library.reader() as session:
        info = service.show(session, uuid)
    assert info.independent == 1
    assert "same publisher: Reuters" in info.groups[0].explanations[0]


def test_four_eyes_and_policy(library: Library, marks: dict[str, str]) -> None:
    uuid = _draft(library, marks, "wire", "copy")  # one story: one independent group
    service = FindingService(library)
    bob = _as(library, "bob")
    try:
        with pytest.raises(FourEyesError, match="only the author"), bob.writer() as session:
            FindingService(bob).submit(session, uuid)
    finally:
        bob.close()
    with library.writer() as session:
        service.submit(session, uuid)
    with pytest.raises(FourEyesError, match="^four eyes: alice"), library.writer() as session:
        service.confirm(session, uuid, override_reason="I am sure")
    bob = _as(library, "bob")
    try:
        with (
            pytest.raises(PolicyError, match="1 independent source group, 2 required"),
            bob.writer() as session,
        ):
            FindingService(bob).confirm(session, uuid)
        with bob.writer() as session:
            row = FindingService(bob).confirm(
                session, uuid, override_reason="the wire is first-hand"
            )
            assert row.status == "confirmed"
        with bob.reader() as session:
            info = FindingService(bob).show(session, uuid)
    finally:
        bob.close()
    assert info.confirmed_by == "bob"
    assert info.override_reason is not None
    assert info.override_reason.startswith("the wire is first-hand (policy: rests on 1")
    assert [(s.action, s.reviewer) for s in info.review] == [
        ("submit", "alice"),
        ("confirm", "bob"),
    ]


def test_policy_met_and_minimum_grade(library: Library, marks: dict[str, str]) -> None:
    uuid = _draft(library, marks, "wire", "other")
    service = FindingService(library)
    with library.writer() as session:
        service.submit(session, uuid)
        service.set_policy(session, Policy(2, "B2"))
        update_source(library, session, int(marks["id:wire"]), grade="A1")
        update_source(library, session, int(marks["id:other"]), grade="C3")
    bob = _as(library, "bob")
    try:
        with pytest.raises(PolicyError, match="graded B2 or better"), bob.writer() as session:
            FindingService(bob).confirm(session, uuid)
        with bob.writer() as session:
            update_source(bob, session, int(marks["id:other"]), grade="B1")
            assert FindingService(bob).confirm(session, uuid).status == "confirmed"
            assert FindingService(bob).show(session, uuid).override_reason is None
    finally:
        bob.close()


def test_changing_a_confirmed_finding_returns_it_to_review(
    library: Library, marks: dict[str, str]
) -> None:
    uuid = _draft(library, marks, "wire", "other")
    service = FindingService(library)
    with library.writer() as session:
        service.submit(session, uuid)
    _confirm_as_bob(library, uuid)
    with library.writer() as session:
        row = service.update(session, uuid, claim="A new claim")
        assert row.status == "in_review"
        assert row.confirmed_by_id is None
    with library.reader() as session:
        last = service.show(session, uuid).review[-1]
    assert (last.action, last.reviewer) == ("return", "alice")
    assert last.reason == "returned to review: its claim changed after it was confirmed"
    _confirm_as_bob(library, uuid)
    with library.writer() as session:
        row = service.remove_evidence(session, uuid, [marks["other"]])
        assert row.status == "in_review"
    with library.reader() as session:
        assert service.show(session, uuid).review[-1].reason == (
            "returned to review: its evidence changed after it was confirmed"
        )


def test_audit_names_each_step_and_check_stays_clean(
    library: Library, marks: dict[str, str]
) -> None:
    uuid = _draft(library, marks, "wire", "other")
    service = FindingService(library)
    with library.writer() as session:
        service.comment(session, uuid, "Is the second image the same night?")
        service.add_evidence(session, uuid, [marks["third"]], role="contradicts")
        service.submit(session, uuid)
    bob = _as(library, "bob")
    try:
        with bob.writer() as session:
            FindingService(bob).reject(session, uuid, reason="dates disagree")
        with bob.writer() as session:
            FindingService(bob).reopen(session, uuid, reason="new imagery")
    finally:
        bob.close()
    with library.reader() as session:
        events = [(e.action, e.actor) for e in iter_events(session) if e.object_id == uuid][::-1]
    assert events == [
        ("finding.create", "alice"),
        ("finding.evidence.add", "alice"),
        ("finding.comment", "alice"),
        ("finding.evidence.add", "alice"),
        ("finding.submit", "alice"),
        ("finding.reject", "bob"),
        ("finding.reopen", "bob"),
    ]
    assert check_library(library).audit.ok
    # An edit behind the program's back is caught: the finding's state no longer matches.
    library.close()
    with sqlite3.connect(library.db_path) as raw:
        raw.execute("update finding_reviews set reason = 'dates agree' where action = 'reject'")
    reopened = Library.open(library.root, reviewer="alice")
    try:
        report = check_library(reopened)
        assert not report.audit.ok
        assert any(uuid in str(p) for p in report.audit.state_problems)
    finally:
        reopened.close()
