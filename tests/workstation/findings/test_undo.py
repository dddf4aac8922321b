"""Undoable finding edits on a real library: content, a link, a new role and an unlink
are each taken back and made again through the service (audited), in one history with
annotation changes; review steps are not in it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import Finding, Source
from tests import samples
from tests.workstation.findings.stored import evidence_roles
from workstation.annotations.service import AnnotationHistory, AnnotationService, find_quote
from workstation.core.audit import iter_events
from workstation.core.check import check_library
from workstation.core.library import Library
from workstation.findings import undo
from workstation.findings.policy import FindingError
from workstation.findings.service import FindingService
from workstation.sources.ingest import ImportService

TEXT = "The tanker Amber Tide met the Sea Lark off Nampo. Both ships then sailed north."


@pytest.fixture
def marks(library: Library, tmp_path: Path) -> list[str]:
    samples.make_text(tmp_path / "in", text=TEXT, name="sighting.txt")
    ImportService(library).import_paths([tmp_path / "in"])
    service = AnnotationService(library)
    with library.writer() as session:
        source = session.scalars(select(Source)).one()
        return [
            service.create(session, source.id, find_quote(session, source, quote)).uuid
            for quote in ("Amber Tide met the Sea Lark", "sailed north")
        ]


@pytest.fixture
def history(library: Library) -> AnnotationHistory:
    return AnnotationHistory(AnnotationService(library))


@pytest.fixture
def finding(library: Library) -> str:
    with library.writer() as session:
        return FindingService(library).create(session, title="Transfer off Nampo").uuid


def _row(library: Library, finding: str) -> tuple[str, str | None, str | None]:
    with library.reader() as session:
        row = session.scalars(select(Finding).where(Finding.uuid == finding)).one()
        return row.title, row.claim, row.period_from


def test_content_edit_is_undone_and_redone(
    library: Library, history: AnnotationHistory, finding: str
) -> None:
    service = FindingService(library)
    with library.writer() as session:
        undo.edit(
            history, service, session, finding, title="STS transfer", claim="X met Y.",
            period_from="2025-05",
        )  # fmt: skip
    assert _row(library, finding) == ("STS transfer", "X met Y.", "2025-05")
    with library.writer() as session:
        assert history.undo(session) == finding
    assert _row(library, finding) == ("Transfer off Nampo", None, None)
    with library.writer() as session:
        history.redo(session)
    assert _row(library, finding) == ("STS transfer", "X met Y.", "2025-05")
    with library.reader() as session:
        edits = [e for e in iter_events(session) if e.action == "finding.edit"]
    assert len(edits) == 3  # the edit, its undo and its redo, each audited
    assert check_library(library).audit.ok


def test_an_edit_that_changes_nothing_leaves_no_step(
    library: Library, history: AnnotationHistory, finding: str
) -> None:
    with library.writer() as session:
        undo.edit(history, FindingService(library), session, finding, title="Transfer off Nampo")
    assert not history.can_undo


def test_link_role_and_unlink_are_undone_step_by_step(
    library: Library, history: AnnotationHistory, finding: str, marks: list[str]
) -> None:
    service = FindingService(library)
    first, second = marks
    with library.writer() as session:
        undo.link(history, service, session, finding, [first], "supports")
    with library.writer() as session:
        undo.link(history, service, session, finding, [first, second], "contradicts")
    with library.writer() as session:
        undo.unlink(history, service, session, finding, [first])
    assert evidence_roles(library, finding) == {second: "contradicts"}

    with library.writer() as session:
        history.undo(session)  # the unlink: back with the role it had
    assert evidence_roles(library, finding) == {first: "contradicts", second: "contradicts"}
    with library.writer() as session:
        history.undo(session)  # the new role, and the second link
    assert evidence_roles(library, finding) == {first: "supports"}
    with library.writer() as session:
        history.undo(session)  # the first link
    assert evidence_roles(library, finding) == {}
    assert not history.can_undo
    with library.writer() as session:
        history.redo(session)
        history.redo(session)
    assert evidence_roles(library, finding) == {first: "contradicts", second: "contradicts"}


def test_one_history_with_annotation_changes(
    library: Library, history: AnnotationHistory, finding: str, marks: list[str]
) -> None:
    service = FindingService(library)
    with library.writer() as session:
        history.update(session, marks[0], note="seen on AIS")
    with library.writer() as session:
        undo.edit(history, service, session, finding, title="Renamed")
    assert history.pending("undo") is not None  # the finding's edit comes back first
    with library.writer() as session:
        history.undo(session)
    assert _row(library, finding)[0] == "Transfer off Nampo"
    with library.reader() as session:
        assert AnnotationService(library).get(session, marks[0]).note == "seen on AIS"
    assert history.pending("undo") is None  # next: the annotation's own step
    with library.writer() as session:
        history.undo(session)
        assert not AnnotationService(library).get(session, marks[0]).note


def test_review_steps_are_not_in_the_history(
    library: Library, history: AnnotationHistory, finding: str
) -> None:
    service = FindingService(library)
    with library.writer() as session:
        undo.edit(history, service, session, finding, claim="X met Y.")
    with library.writer() as session:
        service.submit(session, finding)
    with library.writer() as session:
        history.undo(session)  # takes back the claim; the submission stands
    with library.reader() as session:
        details = service.show(session, finding)
    assert (details.status, details.claim) == ("in_review", None)
    assert not history.can_undo


def test_a_refused_edit_leaves_no_step(
    library: Library, history: AnnotationHistory, finding: str
) -> None:
    with pytest.raises(FindingError, match="period ends"), library.writer() as session:
        undo.edit(
            history,
            FindingService(library),
            session,
            finding,
            period_from="2025-06",
            period_to="2025-05",
        )
    assert not history.can_undo
    assert _row(library, finding) == ("Transfer off Nampo", None, None)
