"""A bundle carries what was worked out about its sources: georeferences and OCR layers,
merged into a second real library from a real signed bundle under the bundle rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from db.models import AuditEvent, Provenance, Source
from tests import samples
from tests.workstation.bundles import bag_samples
from tests.workstation.bundles.partners import merge, signed_export
from tests.workstation.bundles.refusals import (
    assert_cli_refuses_in_one_line,
    assert_refused_in_one_line,
)
from workstation.core.library import Library
from workstation.geo.reading import read_geotiff
from workstation.geo.records import georeference_of
from workstation.geo.service import GeorefService
from workstation.sources.ingest import ImportService


def _only_source(lib: Library) -> Source:
    with lib.reader() as session:
        found = list(session.scalars(select(Source)))
    assert len(found) == 1
    return found[0]


# --- georeferences ---------------------------------------------------------------------


def test_a_stripped_picture_regains_its_coordinates(
    sender: Library, receiver: Library, tmp_path: Path
) -> None:
    tif = samples.make_geotiff(
        tmp_path / "in", gdal_metadata={"ACQUISITIONDATETIME": "2024-05-17", "PROVIDER": "Maxar"}
    )
    ImportService(sender).import_paths([tif])
    bundle = signed_export(sender, tmp_path / "bundle", profile="partner-state").path

    case = json.loads((bundle / "data" / "case.json").read_text(encoding="utf-8"))
    record = case["sources"][0]
    assert record["treatment"] == "metadata-stripped"
    travelled = bundle / record["bundle_path"]
    assert read_geotiff(travelled) is None  # the copy's own tags are gone

    summary = merge(receiver, bundle)
    assert (summary.sources_added, summary.georeferences_added) == (1, 1)
    assert summary.conflicts == []
    source = _only_source(receiver)
    assert source.sha256 == record["sha256"]
    with receiver.reader() as session:
        g = georeference_of(session, source.id)
        events = list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == "source.georeference"))
        )
        provenance = session.scalar(
            select(Provenance).where(Provenance.object_type == "georeference")
        )
    assert g is not None
    assert (g.origin, g.crs) == ("file", "EPSG:32652")
    assert g.transform == tuple(record["georeference"]["transform"])
    assert (g.capture.captured, g.capture.provider) == ("2024-05-17", "Maxar")
    assert g.made_by == record["georeference"]["made_by"]
    assert len(events) == 1
    assert "from bundle" in events[0].details
    assert provenance is not None
    assert provenance.action == "added"
    assert provenance.object_key == source.sha256

    again = merge(receiver, bundle)
    assert again.already_imported


def test_a_local_georeference_is_kept_and_a_differing_one_is_a_conflict(
    sender: Library, receiver: Library, tmp_path: Path
) -> None:
    jpeg = samples.make_jpeg(tmp_path / "in", size=(200, 100))
    for lib in (sender, receiver):
        sid = ImportService(lib).import_paths([jpeg]).results[0].source_id
        assert sid is not None
        with lib.writer() as session:
            GeorefService(lib).by_gsd(session, sid, 0.5 if lib is sender else 2.0)
    bundle = signed_export(sender, tmp_path / "bundle").path

    summary = merge(receiver, bundle)
    assert summary.georeferences_added == 0
    assert [c["kind"] for c in summary.conflicts] == ["georeference"]
    assert "has its own georeference here" in summary.conflict_lines()[0]
    with receiver.reader() as session:
        g = georeference_of(session, _only_source(receiver).id)
    assert g is not None
    assert g.gsd == 2.0


def test_the_same_georeference_is_no_conflict(
    sender: Library, receiver: Library, tmp_path: Path
) -> None:
    tif = samples.make_geotiff(tmp_path / "in")
    for lib in (sender, receiver):
        ImportService(lib).import_paths([tif])
    summary = merge(receiver, signed_export(sender, tmp_path / "bundle").path)
    assert (summary.georeferences_added, summary.georeferences_unchanged) == (0, 1)
    assert summary.conflicts == []


def _case_with_georef(georef: Any) -> dict[str, Any]:
    return {
        "bundle": {"id": "urn:uuid:x", "created": "2024-01-01T00:00:00Z"},
        "case": None,
        "sources": [{"sha256": "a" * 64, "bundle_path": "data/x", "georeference": georef}],
    }


BAD_GEOREFS: dict[str, tuple[Any, str]] = {
    "not-an-object": ("EPSG:4326", "sources[0].georeference must be an object, not a string"),
    "origin": ({"origin": "guess"}, "sources[0].georeference.origin must be one of file"),
    "no-transform": ({"origin": "file"}, "sources[0].georeference has no 'transform'"),
    "short-transform": (
        {"origin": "hand", "transform": [1, 2, 3]},
        "sources[0].georeference.transform must hold 6 numbers, not 3",
    ),
    "text-in-transform": (
        {"origin": "hand", "transform": [1, 2, 3, 4, 5, "6"]},
        "sources[0].georeference.transform[5] must be a number, not a string",
    ),
    "gsd": ({"origin": "gsd", "gsd_metres": -1}, "gsd_metres must be a positive number"),
    "control-point": (
        {"origin": "hand", "transform": [1, 0, 0, 0, -1, 0], "control_points": [[1, 2]]},
        "control_points[0] must hold 4 numbers, not 2",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_GEOREFS))
def test_a_malformed_georeference_gets_one_line_and_nothing_merged(
    receiver: Library, tmp_path: Path, case: str
) -> None:
    georef, expected = BAD_GEOREFS[case]
    files = {
        "data/case.json": json.dumps(_case_with_georef(georef)).encode(),
        "data/annotations.jsonld": b'{"type": "AnnotationCollection", "first": {"items": []}}',
    }
    bag = bag_samples.write_folder(tmp_path / "bag", bag_samples.bag_members(files))
    assert_refused_in_one_line(receiver, bag, expected)


def test_the_cli_refuses_a_malformed_georeference_in_one_line(
    receiver: Library, tmp_path: Path
) -> None:
    files = {
        "data/case.json": json.dumps(_case_with_georef({"origin": "file"})).encode(),
        "data/annotations.jsonld": b'{"type": "AnnotationCollection", "first": {"items": []}}',
    }
    bag = bag_samples.write_folder(tmp_path / "bag", bag_samples.bag_members(files))
    assert_cli_refuses_in_one_line(receiver, bag, "has no 'transform'")
