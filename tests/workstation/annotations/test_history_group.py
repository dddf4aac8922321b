"""Compound undo: changes made inside ``AnnotationHistory.group`` are one step."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests import samples
from workstation.annotations.anchors import RegionAnchor
from workstation.annotations.service import AnnotationFilter, AnnotationHistory, AnnotationService
from workstation.core.errors import NotFoundError
from workstation.core.library import Library
from workstation.entities.register import add_entity
from workstation.sources.ingest import ImportService


@pytest.fixture
def pictures(library: Library, tmp_path: Path) -> tuple[int, int]:
    before, after = samples.make_before_after(tmp_path)
    report = ImportService(library).import_paths([before, after])
    first, second = (r.source_id for r in report.results)
    assert first is not None
    assert second is not None
    return first, second


def _marks(library: Library, source_id: int) -> int:
    with library.reader() as session:
        found = AnnotationService(library).find(session, AnnotationFilter(source_id=source_id))
        return len(found)


BOX = RegionAnchor("rect", ((10, 10), (40, 30)))


def test_one_undo_takes_back_both_marks_and_one_redo_makes_both(
    library: Library, pictures: tuple[int, int]
) -> None:
    history = AnnotationHistory(AnnotationService(library))
    first, second = pictures
    with library.writer() as session:
        history.create(session, first, RegionAnchor("rect", ((0, 0), (5, 5))))  # its own step
        with history.group("Mark on both"):
            a = history.create(session, first, BOX).uuid
            b = history.create(session, second, BOX).uuid
    assert (_marks(library, first), _marks(library, second)) == (2, 1)
    assert history.label("undo") == "Mark on both"
    with library.writer() as session:
        assert history.undo(session) == b
    assert history.last_changed == (a, b)
    assert (_marks(library, first), _marks(library, second)) == (1, 0)
    assert history.can_undo  # the single mark before the group is still there to undo
    with library.writer() as session:
        history.redo(session)
    assert (_marks(library, first), _marks(library, second)) == (2, 1)
    assert not history.can_redo
    with library.writer() as session:
        history.undo(session)
        history.undo(session)
    assert (_marks(library, first), _marks(library, second)) == (0, 0)
    assert not history.can_undo


def test_a_mark_and_its_vessel_link_are_one_step(
    library: Library, pictures: tuple[int, int]
) -> None:
    history = AnnotationHistory(AnnotationService(library))
    with library.writer() as session:
        vessel = add_entity(library, session, "vessel", "AMBER TIDE").uuid
        with history.group("Measurement"):
            made = history.create(session, pictures[0], BOX).uuid
            history.link(session, made, vessel)
    with library.writer() as session:
        history.undo(session)
        assert not history.can_undo
    assert _marks(library, pictures[0]) == 0
    with library.writer() as session:
        history.redo(session)
        assert AnnotationService(library).get(session, made).entities == [vessel]


def test_a_failed_group_leaves_no_step_and_no_marks(
    library: Library, pictures: tuple[int, int]
) -> None:
    history = AnnotationHistory(AnnotationService(library))

    def both(session: Session) -> None:
        with history.group("Mark on both"):
            history.create(session, pictures[0], BOX)
            history.create(session, 999, BOX)  # no such source: the second mark fails

    with pytest.raises(NotFoundError), library.writer() as session:
        both(session)
    assert not history.can_undo
    assert _marks(library, pictures[0]) == 0
    with library.writer() as session, history.group("nothing"):
        pass
    assert not history.can_undo
