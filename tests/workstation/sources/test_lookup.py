"""Listing, looking up and editing sources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import AuditEvent
from tests import samples
from workstation.core.errors import AmbiguousError, NotFoundError, WorkstationError
from workstation.core.library import Library
from workstation.sources.ingest import ImportService
from workstation.sources.lookup import (
    change_marker,
    resolve_source,
    rows_for,
    source_ids,
    update_source,
)


@pytest.fixture
def three(library: Library, tmp_path: Path) -> list[int]:
    samples.make_text(tmp_path, name="b.txt", text="Bravo memo")
    samples.make_text(tmp_path, name="a.txt", text="Alpha memo")
    samples.make_pdf(tmp_path, pages=2, title="Charlie report")
    report = ImportService(library).import_paths(
        [tmp_path / "b.txt", tmp_path / "a.txt", tmp_path / "sample.pdf"]
    )
    return [r.source_id for r in report.results if r.source_id is not None]


def test_ids_sort_and_filter(library: Library, three: list[int]) -> None:
    with library.reader() as session:
        assert source_ids(session) == three
        assert source_ids(session, sort="title") == [three[1], three[0], three[2]]
        assert source_ids(session, sort="title", descending=True) == [three[2], three[0], three[1]]
        assert source_ids(session, kind="pdf") == [three[2]]
        assert source_ids(session, text="alpha") == [three[1]]
        rows = rows_for(session, three)
        assert rows[three[2]].pages == 2
        assert rows[three[2]].title == "Charlie report"
        assert change_marker(session) == (3, max(three))
        with pytest.raises(ValueError, match="unknown sort key"):
            source_ids(session, sort="colour")


def test_resolve_by_id_and_prefix(library: Library, three: list[int]) -> None:
    with library.reader() as session:
        first = resolve_source(session, str(three[0]))
        assert resolve_source(session, first.sha256[:8]).id == first.id
        with pytest.raises(NotFoundError):
            resolve_source(session, "zzzz")
        with pytest.raises(NotFoundError):
            resolve_source(session, "12345")


def test_ambiguous_prefix(library: Library, tmp_path: Path) -> None:
    import hashlib

    seen: dict[str, str] = {}
    pair: tuple[str, str] | None = None
    for i in range(100_000):
        text = f"memo {i}"
        prefix = hashlib.sha256(text.encode()).hexdigest()[:4]
        if prefix in seen:
            pair = (seen[prefix], text)
            break
        seen[prefix] = text
    assert pair is not None
    for n, text in enumerate(pair):
        samples.make_text(tmp_path, name=f"{n}.txt", text=text)
    ImportService(library).import_paths([tmp_path])
    shared = hashlib.sha256(pair[0].encode()).hexdigest()[:4]
    with library.reader() as session, pytest.raises(AmbiguousError, match="several"):
        resolve_source(session, shared)


def test_edit_is_audited_and_validated(library: Library, three: list[int]) -> None:
    with library.writer() as session:
        update_source(
            library,
            session,
            three[0],
            title="  Bravo   memo (corrected) ",
            published="2024-03-15",
            grade="b2",
        )
    with library.reader() as session:
        source = resolve_source(session, str(three[0]))
        assert source.title == "Bravo memo (corrected)"
        assert source.published == "2024-03-15"
        assert (source.reliability, source.credibility) == ("B", 2)
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "source.edit")).one()
        assert json.loads(event.details)["grade"] == [None, "B2"]
    with library.writer() as session, pytest.raises(WorkstationError, match="Admiralty"):
        update_source(library, session, three[0], grade="G7")
    with library.writer() as session, pytest.raises(WorkstationError, match="not a date"):
        update_source(library, session, three[0], published="last Tuesday")
    for impossible in ("2025-13-45", "2025-02-30", "2025-00", "2025-06-10T25:00:00Z"):
        with library.writer() as session, pytest.raises(WorkstationError, match="not a date"):
            update_source(library, session, three[0], published=impossible)
    for fine in ("2025", "2025-06", "2024-02-29", "2025-06-10T09:00:00Z", "2025-06-10 09:00"):
        with library.writer() as session:
            update_source(library, session, three[0], published=fine)
    with library.writer() as session:
        update_source(library, session, three[0], grade="")
    with library.reader() as session:
        assert resolve_source(session, str(three[0])).reliability is None
