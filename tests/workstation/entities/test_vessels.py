"""A vessel's registered size: checked, kept, removed, audited; vessels to compare with."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import AuditEvent
from tests import samples
from workstation.annotations.anchors import RegionAnchor
from workstation.annotations.service import AnnotationService
from workstation.core.library import Library
from workstation.entities.register import EntityError, add_entity, get_entity, link_annotation
from workstation.entities.vessels import set_vessel_size, vessel_choices, with_size
from workstation.sources.ingest import ImportService


def test_with_size_reads_figures_and_refuses_what_is_not_one() -> None:
    assert with_size("vessel", {"flag": "Togo"}, "183", " 32,5 m ") == {
        "flag": "Togo",
        "loa_metres": 183.0,
        "beam_metres": 32.5,
    }
    assert with_size("vessel", {"loa_metres": 90.0}, "", None) == {}
    assert with_size("company", {}, None, "") == {}
    for kind, loa, message in [
        ("vessel", "long", "LOA must be a number of metres, not 'long'"),
        ("vessel", "0", "LOA must be between 0 and 1000 metres"),
        ("vessel", "-3", "LOA must be between 0 and 1000 metres"),
        ("company", "50", "only a vessel has a registered LOA, not a company"),
    ]:
        with pytest.raises(EntityError, match=message):
            with_size(kind, {}, loa, None)


def test_set_vessel_size_keeps_what_is_not_given_and_is_audited(library: Library) -> None:
    with library.writer() as session:
        uuid = add_entity(library, session, "vessel", "SKY", attributes={"flag": "Togo"}).uuid
    with library.writer() as session:
        set_vessel_size(library, session, uuid, loa=183, beam="32")
    with library.writer() as session:
        set_vessel_size(library, session, uuid, beam=None)
    with library.reader() as session:
        assert get_entity(session, uuid).attributes == {"flag": "Togo", "loa_metres": 183.0}
        edits = session.scalars(select(AuditEvent).where(AuditEvent.action == "entity.edit")).all()
        assert len(edits) == 2


def test_vessels_linked_to_the_picture_come_first(library: Library, tmp_path: Path) -> None:
    picture = samples.make_geotiff(tmp_path)
    sid = ImportService(library).import_paths([picture]).results[0].source_id
    assert sid is not None
    with library.writer() as session:
        a = add_entity(library, session, "vessel", "ALPHA", attributes={"loa_metres": 90})
        add_entity(library, session, "company", "ACME")
        z = add_entity(library, session, "vessel", "ZULU")
        mark = AnnotationService(library).create(
            session, sid, RegionAnchor("rect", ((1, 1), (9, 9)))
        )
        link_annotation(library, session, mark.uuid, z.uuid)
    with library.reader() as session:
        choices = vessel_choices(session, sid)
    assert [(c.name, c.linked, c.sizes) for c in choices] == [
        ("ZULU", True, {}),
        ("ALPHA", False, {"loa_metres": 90.0}),
    ]
    assert choices[1].uuid == a.uuid
