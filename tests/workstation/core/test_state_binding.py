"""The audit trail binds the state of every record: edits behind the program's back,
cut chains and emptied trails are caught on a real library edited with sqlite3."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import AuditEvent, Source
from tests.conftest import run_cli, run_cli_subprocess
from tests.workstation.core.evidence import Made, build, copy_library, sql
from workstation.annotations.service import AnnotationService
from workstation.core import audit, state
from workstation.core.check import check_library
from workstation.core.library import Library
from workstation.core.witness import WITNESS_NAME
from workstation.entities.register import add_entity, merge_entities
from workstation.taxonomy.tree import merge_categories


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    """One library for the module; each test tampers with its own copy."""
    return build(tmp_path_factory.mktemp("evidence"))


@pytest.fixture
def copy(made: Made, tmp_path: Path) -> Path:
    return copy_library(made, tmp_path / "lib")


def _problems(root: Path) -> list[str]:
    with Library.open(root, reviewer="alice") as lib:
        report = check_library(lib)
    assert report.ok == (report.problems() == []), report.problems()
    return report.problems()


def _verify(root: Path, *witness: str) -> tuple[int, str]:
    result = run_cli("--library", str(root), "audit", "verify", *witness)
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout


# --- binding -------------------------------------------------------------------------


def test_the_library_as_built_is_consistent(made: Made) -> None:
    assert _problems(made.root) == []
    code, out = _verify(made.root)
    assert code == 0, out
    assert "record states match" in out


def test_every_event_carries_the_state_its_transaction_left(copy: Path) -> None:
    with Library.open(copy, reviewer="bob") as lib:
        service = AnnotationService(lib)
        made_uuid = None
        with lib.writer() as session:
            note = service.create(
                session, 1, service.get(session, _first_annotation(lib)).anchor, note="first"
            )
            made_uuid = note.uuid
            # A later change in the same transaction: the event carries the final state.
            service.update(session, made_uuid, note="second")
        with lib.reader() as session:
            events = session.scalars(
                select(AuditEvent).where(AuditEvent.object_id == made_uuid).order_by(AuditEvent.seq)
            ).all()
            now = state.compute(session, state.KINDS["annotation"], keys=[made_uuid])[made_uuid]
    assert [e.action for e in events] == ["annotation.create", "annotation.edit"]
    assert {json.loads(e.details)["record_state"] for e in events} == {now}


def _first_annotation(lib: Library) -> str:
    from db.models import Annotation

    with lib.reader() as session:
        found = session.scalar(
            select(Annotation.uuid).where(Annotation.source_id == 1).order_by(Annotation.id)
        )
    assert found is not None
    return found


def test_changes_to_records_no_event_names_are_bound_too(copy: Path) -> None:
    """A category merge moves annotations' tags, an entity merge their links and removes
    an entity, deleting a profile removes a row: all bound, so check stays quiet."""
    with Library.open(copy, reviewer="bob") as lib:
        with lib.writer() as session:
            merge_categories(lib, session, "arms", "wmd")
            other = add_entity(lib, session, "vessel", "Chon Ma San II")
        with lib.writer() as session:
            merge_entities(lib, session, other.uuid, _entity_of(lib))
        from workstation.bundles.profiles import delete_profile

        with lib.writer() as session:
            delete_profile(lib, session, "MSMT partners")
        report = check_library(lib)
    assert report.ok, report.problems()


def _entity_of(lib: Library) -> str:
    from db.models import Entity

    with lib.reader() as session:
        found = session.scalar(select(Entity.uuid).where(Entity.name == "CHON MA SAN"))
    assert found is not None
    return found


def test_a_change_no_code_path_recorded_is_bound_and_visible(copy: Path) -> None:
    with Library.open(copy, reviewer="bob") as lib:
        with lib.writer() as session:
            source = session.get(Source, 1)
            assert source is not None
            source.title = "retitled without an event"
        with lib.reader() as session:
            last = audit.iter_events(session, limit=1)[0]
        report = check_library(lib)
    assert last.action == audit.UNRECORDED_ACTION
    assert "1" in json.loads(last.details)["other_states"]["source"]
    assert report.ok, report.problems()


def test_events_are_recorded_only_in_writer_sessions(library: Library) -> None:
    with library.reader() as session, pytest.raises(RuntimeError, match="writer session"):
        library.record(session, "test.event", "thing", 1)
    with library.writer() as session, pytest.raises(ValueError, match="reserved"):
        library.record(session, "test.event", "thing", 1, {"record_state": "x"})


def test_every_table_is_bound_or_named_unbound() -> None:
    from db.models import Base

    bound = set(state.KIND_OF_TABLE) | set(state.OWNER_OF_TABLE)
    assert set(Base.metadata.tables) - state.UNBOUND_TABLES == bound
    assert bound.isdisjoint(state.UNBOUND_TABLES)


# --- direct edits of rows --------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "kind", "attr"),
    [
        ("update annotations set redact = 0 where uuid = ?", "annotation", "redaction"),
        ("update annotations set note = 'nothing seen' where uuid = ?", "annotation", "note"),
        (
            "update annotations set deleted_at = '2025-01-01T00:00:00Z' where uuid = ?",
            "annotation",
            "note",
        ),
        (
            "delete from annotation_categories where annotation_id = "
            "(select id from annotations where uuid = ?)",
            "annotation",
            "redaction",
        ),
        (
            "delete from annotation_entities where annotation_id = "
            "(select id from annotations where uuid = ?)",
            "annotation",
            "note",
        ),
        ("update sources set title = 'Harmless memo' where id = ?", "source", "text_source"),
        (
            "update sources set reliability = 'A', credibility = 1 where id = ?",
            "source",
            "pdf_source",
        ),
        ("update pages set text = 'nothing here' where source_id = ?", "source", "text_source"),
        ("update entities set name = 'OTHER SHIP' where uuid = ?", "entity", "entity"),
        (
            "update entity_identifiers set value = '9074731' where entity_id = "
            "(select id from entities where uuid = ?)",
            "entity",
            "entity",
        ),
        ("update findings set status = 'confirmed' where uuid = ?", "finding", "finding"),
    ],
)
def test_a_direct_edit_of_a_row_names_the_record(
    copy: Path, made: Made, statement: str, kind: str, attr: str
) -> None:
    key = str(getattr(made, attr))
    sql(copy, statement, params=(key,))
    problems = _problems(copy)
    assert any(
        p.startswith(
            f"{kind} {key} changed outside the program: its state does not match audit event"
        )
        for p in problems
    ), problems
    code, out = _verify(copy)
    assert code == 1
    assert f"{kind} {key} changed outside the program" in out


def test_other_records_edited_directly_are_named(copy: Path) -> None:
    sql(
        copy,
        "update recipient_profiles set include_originals = 1 - include_originals",
        "update signing_keys set trusted = 0",
        "update categories set legal_basis = 'none' where code = 'petroleum'",
        "update cases set name = 'Unrelated'",
        "update reviewers set name = 'mallory' where name = 'alice'",
    )
    problems = "\n".join(_problems(copy))
    for named in ("profile MSMT partners", "key ", "category petroleum", "case ", "reviewer 1"):
        assert f"\n{named}" in f"\n{problems}", named
    assert problems.count("changed outside the program") == 5


def test_a_row_added_or_removed_behind_the_programs_back(copy: Path, made: Made) -> None:
    sql(
        copy,
        "insert into entities (uuid, kind, name, aliases, attributes, created_at) values "
        "('00000000-0000-0000-0000-00000000beef', 'company', 'Front LLC', '[]', '{}', "
        "'2025-01-01T00:00:00Z')",
    )
    sql(copy, "delete from finding_annotations")
    sql(copy, "delete from findings where uuid = ?", params=(made.finding,))
    problems = _problems(copy)
    assert (
        "entity 00000000-0000-0000-0000-00000000beef has no audit event that created it "
        "(added outside the program, or its events were removed)"
    ) in problems
    assert any(
        p.startswith(f"finding {made.finding} is gone, but no audit event records its deletion")
        for p in problems
    ), problems


def test_a_tampered_library_fails_check_as_a_subprocess(copy: Path, made: Made) -> None:
    sql(copy, "update annotations set redact = 0 where uuid = ?", params=(made.redaction,))
    result = run_cli_subprocess("--library", str(copy), "check", "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert [(r["kind"], r["key"], r["problem"]) for r in report["records"]] == [
        ("annotation", made.redaction, "changed")
    ]


# --- cut and emptied chains ------------------------------------------------------------


def _cut(root: Path, keep: int) -> None:
    """Delete the events after ``keep`` and set the head to match: a consistent chain."""
    sql(
        root,
        f"delete from audit_events where seq > {keep}",
        "update library_info set value = (select seq || ':' || hash from audit_events "
        "order by seq desc limit 1) where key = 'audit_head'",
    )


def test_deleting_the_last_events_and_rewriting_the_head_is_caught(copy: Path) -> None:
    with sqlite3.connect(copy / "library.sqlite") as raw:
        last = raw.execute("select max(seq) from audit_events").fetchone()[0]
    raw.close()
    _cut(copy, last - 2)
    with Library.open(copy, reviewer="alice") as lib, lib.reader() as session:
        assert audit.verify_chain(session).ok  # the chain itself is consistent
    problems = _problems(copy)
    assert any(
        f"witnessed event {last} (" in p and f"chain ends at event {last - 2}" in p
        for p in problems
    ), problems
    code, out = _verify(copy)
    assert code == 1
    assert "events were removed" in out


def test_a_consistent_rewrite_is_caught_by_a_head_that_left_the_machine(
    copy: Path, tmp_path: Path
) -> None:
    """Whoever can write the laptop can undo a change, cut its event, re-head the chain
    and truncate the witness file: the library then agrees with itself. A copy of a
    head that left the machine (a partner's bundle, a witness copied off) still shows it."""
    with Library.open(copy, reviewer="alice") as lib, lib.writer() as session:
        add_entity(lib, session, "company", "Front LLC")
    sent = tmp_path / "witness-copied-off.log"
    shutil.copy(copy / WITNESS_NAME, sent)
    with sqlite3.connect(copy / "library.sqlite") as raw:
        last, digest = raw.execute(
            "select seq, hash from audit_events order by seq desc limit 1"
        ).fetchone()
    raw.close()
    sql(copy, "delete from entities where name = 'Front LLC'")
    _cut(copy, last - 1)
    lines = (copy / WITNESS_NAME).read_text().splitlines()
    (copy / WITNESS_NAME).write_text("\n".join(lines[:-1]) + "\n")
    code, out = _verify(copy)
    assert code == 0, out  # consistent: nothing on the laptop contradicts it
    code, out = _verify(copy, "--witness", str(sent))
    assert code == 1
    assert f"witnessed event {last} ({digest[:12]}…), but the chain ends at event {last - 1}" in out


def test_deleting_every_event_while_sources_remain_is_caught(copy: Path) -> None:
    sql(copy, "delete from audit_events", "delete from library_info where key = 'audit_head'")
    problems = _problems(copy)
    assert any("no event binds the state of the records" in p for p in problems), problems
    assert any("events were removed" in p for p in problems), problems


def test_an_emptied_trail_is_not_laundered_into_a_baseline(copy: Path) -> None:
    """Deleting the events, the binding flag and the witness file too: the next open
    does not vouch for what is there now."""
    sql(
        copy,
        "delete from audit_events",
        "delete from library_info where key in ('audit_head', 'audit_binding')",
    )
    (copy / WITNESS_NAME).unlink()
    problems = _problems(copy)
    assert any("no event binds the state of the records" in p for p in problems), problems


def test_a_missing_witness_file_is_a_problem(copy: Path) -> None:
    (copy / WITNESS_NAME).unlink()
    assert any(f"{WITNESS_NAME} is missing" in p for p in _problems(copy))


def test_a_witness_that_falls_behind_is_a_note(copy: Path) -> None:
    lines = (copy / WITNESS_NAME).read_text().splitlines()
    (copy / WITNESS_NAME).write_text("\n".join(lines[:-1]) + "\n")  # a crash before the append
    with Library.open(copy, reviewer="alice") as lib:
        report = check_library(lib)
    assert report.ok, report.problems()
    assert any("a crash between a commit and its witness line" in n for n in report.notes())


# --- libraries from before state binding ---------------------------------------------


def _as_the_previous_version_left_it(root: Path) -> None:
    """The chain without state fields or binding events, re-hashed, no witness file."""
    with sqlite3.connect(root / "library.sqlite") as raw:
        rows = raw.execute(
            "select seq, at, actor, action, object_type, object_id, details from audit_events "
            "order by seq"
        ).fetchall()
        raw.execute("delete from audit_events")
        raw.execute("delete from library_info where key = 'audit_binding'")
        prev, seq = audit.GENESIS, 0
        for _, at, actor, action, otype, oid, details in rows:
            if action == audit.BIND_ACTION:
                continue
            fields = json.loads(details)
            fields.pop("record_state", None)
            fields.pop("other_states", None)
            seq += 1
            event = AuditEvent(
                seq=seq,
                at=at,
                actor=actor,
                action=action,
                object_type=otype,
                object_id=oid,
                details=audit.canonical_json(fields),
                prev_hash=prev,
            )
            event.hash = audit.hash_of(event)
            raw.execute(
                "insert into audit_events values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, at, actor, action, otype, oid, event.details, prev, event.hash),
            )
            prev = event.hash
        raw.execute(
            "update library_info set value = ? where key = 'audit_head'", (f"{seq}:{prev}",)
        )
    raw.close()
    (root / WITNESS_NAME).unlink()


def test_an_older_library_gets_a_baseline_on_first_open(copy: Path, made: Made) -> None:
    _as_the_previous_version_left_it(copy)
    with Library.open(copy, reviewer="alice") as lib:
        with lib.reader() as session:
            events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
            records = len(state.compute_all(session))
        report = check_library(lib)
    baselines = [e for e in events if e.action == audit.BASELINE_ACTION]
    assert len(baselines) == records
    assert events[-1].action == audit.BIND_ACTION
    assert json.loads(events[-1].details)["baseline"] == records
    assert report.ok, report.problems()
    # From then on, edits are caught.
    sql(copy, "update annotations set redact = 0 where uuid = ?", params=(made.redaction,))
    assert any(made.redaction in p for p in _problems(copy))


def test_an_older_library_with_a_broken_chain_gets_no_baseline(copy: Path) -> None:
    _as_the_previous_version_left_it(copy)
    sql(copy, "update audit_events set actor = 'mallory' where seq = 3")
    problems = _problems(copy)
    assert any(p.startswith("audit trail: event 3 was altered") for p in problems), problems
    assert any("no event binds the state of the records" in p for p in problems), problems
