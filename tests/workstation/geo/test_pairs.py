"""Image pairs kept in a real library: made, aligned, noted, removed; audited and checked."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from db.engine import make_engine
from db.migrate import downgrade
from db.models import AuditEvent
from db.models import ImagePair as PairRow
from tests import samples
from workstation.core.check import check_library
from workstation.core.errors import NotFoundError
from workstation.core.library import Library
from workstation.geo.pairs import PairError, PairService, list_pairs, pair_json, pair_of
from workstation.sources.ingest import ImportService


def _import(library: Library, *paths: Path) -> list[int]:
    report = ImportService(library).import_paths(list(paths))
    ids = [r.source_id for r in report.results]
    assert all(i is not None for i in ids), [r.error for r in report.results]
    return [i for i in ids if i is not None]


def _events(library: Library, action: str) -> list[dict[str, object]]:
    with library.reader() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == action))
        return [json.loads(r.details) for r in rows]


def test_the_earlier_capture_is_the_before_and_every_change_is_audited(
    library: Library, tmp_path: Path
) -> None:
    before, after = samples.make_before_after(tmp_path)
    b, a = _import(library, before, after)
    service = PairService(library)
    with library.writer() as session:  # chosen the wrong way round: the dates decide
        points = [(1, 2, 3, 4), (50, 60, 70, 80)]
        made = service.create(session, a, b, note="  new   container stack ", alignment=points)
    assert (made.before.source_id, made.after.source_id) == (b, a)
    assert (made.before.captured, made.after.captured) == ("2024-03-01", "2024-05-17")
    assert made.alignment == ((3, 4, 1, 2), (70, 80, 50, 60))  # swapped with the pictures
    assert made.note == "new container stack"
    assert made.made_by == library.reviewer
    with library.writer() as session:
        service.align(session, made.id, [(10, 10, 20, 20), (110, 10, 120, 20)])
        service.set_note(session, made.id, "")
    with library.reader() as session:
        (stored,) = list_pairs(session)
        assert pair_of(session, b) == stored
        assert pair_of(session, a) == stored
    assert stored.alignment == ((10, 10, 20, 20), (110, 10, 120, 20))
    assert stored.note is None
    doc = pair_json(stored)
    assert doc["before"]["captured"] == "2024-03-01"
    created = _events(library, "pair.create")
    assert len(created) == 1
    assert created[0]["note"] == "new container stack"
    assert created[0]["record_state"] is not None
    assert len(_events(library, "pair.align")) == 1
    assert len(_events(library, "pair.note")) == 1
    report = check_library(library)
    assert report.ok, report.problems()
    with library.writer() as session:
        gone = service.remove(session, made.id)
    assert gone.uuid == made.uuid
    (removed,) = _events(library, "pair.remove")
    assert removed["record_state"] is None
    with library.reader() as session:
        assert list_pairs(session) == []
    assert check_library(library).ok


def test_without_both_dates_the_order_is_as_chosen(library: Library, tmp_path: Path) -> None:
    first, second, _t = samples.make_turned_pair(tmp_path)
    x, y = _import(library, first, second)
    with library.writer() as session:
        made = PairService(library).create(session, y, x)
    assert (made.before.source_id, made.after.source_id) == (y, x)
    assert made.before.captured is None
    assert made.alignment == ()


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("twice", "a pair is two different pictures, not source"),
        ("pdf", "is a pdf, not an image: only pictures pair"),
        ("unknown", "no source 999"),
        ("duplicate", "are already image pair 1"),
        ("alignment", "an alignment needs at least 2 points"),
        ("collapsed", "the alignment points do not fit"),
    ],
)
def test_bad_pairs_are_refused_in_one_line_and_leave_nothing(
    library: Library, tmp_path: Path, case: str, message: str
) -> None:
    before, after = samples.make_before_after(tmp_path)
    b, a, pdf = _import(library, before, after, samples.make_pdf(tmp_path))
    service = PairService(library)
    with library.writer() as session:
        service.create(session, b, a)
    args = {
        "twice": (b, b, ()),
        "pdf": (b, pdf, ()),
        "unknown": (b, 999, ()),
        "duplicate": (a, b, ()),
        "alignment": (b, a, [(1, 2, 3, 4)]),
        "collapsed": (b, a, [(1, 2, 3, 4), (1, 2, 3, 4)]),
    }[case]
    if case in ("alignment", "collapsed"):
        with library.writer() as session:
            service.remove(session, 1)
    with (
        pytest.raises((PairError, NotFoundError), match=message) as caught,
        library.writer() as session,
    ):
        service.create(session, args[0], args[1], alignment=args[2])
    assert "\n" not in str(caught.value)
    with library.reader() as session:
        assert len(list_pairs(session)) == (0 if case in ("alignment", "collapsed") else 1)


def test_an_unknown_pair_is_named(library: Library) -> None:
    with pytest.raises(NotFoundError, match="no image pair 7"), library.writer() as session:
        PairService(library).remove(session, 7)


def test_an_edit_behind_the_programs_back_is_found(library: Library, tmp_path: Path) -> None:
    b, a = _import(library, *samples.make_before_after(tmp_path))
    with library.writer() as session:
        made = PairService(library).create(session, b, a, note="quay")
    library.close()
    raw = sqlite3.connect(library.root / "library.sqlite")
    with raw:
        raw.execute("UPDATE image_pairs SET note = 'moved' WHERE id = ?", (made.id,))
    raw.close()
    with Library.open(library.root, reviewer="alice") as again:
        report = check_library(again)
    assert any(p.startswith(f"pair {made.uuid} changed outside") for p in report.problems())


def test_a_library_at_0011_with_pictures_upgrades_and_pairs(
    library_path: Path, tmp_path: Path
) -> None:
    lib = Library.open(library_path, reviewer="alice", create=True)
    b, a = _import(lib, *samples.make_before_after(tmp_path))
    lib.close()
    engine = make_engine(library_path / "library.sqlite", writer=True)
    downgrade(engine, "0011")
    engine.dispose()
    with sqlite3.connect(library_path / "library.sqlite") as raw:
        tables = {r[0] for r in raw.execute("select name from sqlite_master where type='table'")}
    assert "image_pairs" not in tables
    assert "georeferences" in tables
    with Library.open(library_path, reviewer="alice") as again:
        assert again.migration is not None
        assert (again.migration.before, again.migration.after) == ("0011", "0012")
        with again.writer() as session:
            made = PairService(again).create(session, a, b)
        assert made.before.captured == "2024-03-01"  # the georeferences came through
        with again.reader() as session:
            assert session.scalar(select(PairRow.uuid)) == made.uuid
        assert check_library(again).ok
