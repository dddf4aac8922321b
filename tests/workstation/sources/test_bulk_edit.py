"""One edit to several sources (issue 14): every source gets the case, publisher, grade
and date, each change audited; a bad value changes none of them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.models import AuditEvent, Case, CaseSource, Source
from tests import samples
from workstation.core.errors import NotFoundError, WorkstationError
from workstation.core.library import Library
from workstation.sources.bulk_edit import SourcesEdit, edit_sources
from workstation.sources.ingest import ImportService


@pytest.fixture
def three(library: Library, tmp_path: Path) -> list[int]:
    folder = tmp_path / "in"
    samples.make_pdf(folder, name="a.pdf")
    samples.make_text(folder, name="b.txt")
    samples.make_jpeg(folder)
    ImportService(library).import_paths([folder])
    with library.reader() as session:
        return list(session.scalars(select(Source.id).order_by(Source.id)))


def _facts(library: Library) -> list[tuple[str | None, str | None, int | None, str | None, int]]:
    with library.reader() as session:
        return [
            (
                s.publisher,
                s.reliability,
                s.credibility,
                s.published,
                session.scalar(select(func.count()).where(CaseSource.source_id == s.id)) or 0,
            )
            for s in session.scalars(select(Source).order_by(Source.id))
        ]


def test_every_selected_source_gets_the_edit(library: Library, three: list[int]) -> None:
    edit = SourcesEdit(case="Nampo", publisher="  Harbour  Watch ", grade="B2", published="2025-06")
    with library.writer() as session:
        assert edit_sources(library, session, three[:2], edit) == 2
    facts = _facts(library)
    assert facts[:2] == [("Harbour Watch", "B", 2, "2025-06", 1)] * 2
    assert facts[2][0] is None  # the third was not selected
    assert facts[2][4] == 0
    with library.reader() as session:
        edits = session.scalars(
            select(AuditEvent.object_id).where(AuditEvent.action == "source.edit")
        ).all()
    assert sorted(edits) == sorted(str(i) for i in three[:2])


def test_only_the_fields_given_change(library: Library, three: list[int]) -> None:
    with library.writer() as session:
        edit_sources(library, session, three, SourcesEdit(grade="C3"))
        edit_sources(library, session, three, SourcesEdit(publisher="Daily"))
    assert {(f[0], f[1], f[2]) for f in _facts(library)} == {("Daily", "C", 3)}


@pytest.mark.parametrize(
    ("edit", "error"),
    [
        (SourcesEdit(case="Nampo", grade="Z9"), WorkstationError),
        (SourcesEdit(case="Nampo", published="18th of never"), WorkstationError),
        (SourcesEdit(case="   "), WorkstationError),
    ],
)
def test_a_bad_value_changes_no_source(
    library: Library, three: list[int], edit: SourcesEdit, error: type[Exception]
) -> None:
    before = _facts(library)
    with pytest.raises(error), library.writer() as session:
        edit_sources(library, session, three, edit)
    assert _facts(library) == before
    with library.reader() as session:
        assert session.scalar(select(func.count(Case.id))) == 0  # the case was not kept


def test_a_missing_source_changes_none(library: Library, three: list[int]) -> None:
    before = _facts(library)
    with pytest.raises(NotFoundError), library.writer() as session:
        edit_sources(library, session, [*three, 999], SourcesEdit(publisher="Daily"))
    assert _facts(library) == before
