"""Image pairs in bundles: a before and after page in the dossier, carried in case.json
by the files' SHA-256, merged into a second real library, malformed ones refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pymupdf
import pytest
from sqlalchemy import select

from db.models import Provenance
from tests import samples
from tests.workstation.bundles import bag_samples
from tests.workstation.bundles.partners import merge, signed_export
from tests.workstation.bundles.refusals import assert_refused_in_one_line
from workstation.core.check import check_library
from workstation.core.library import Library
from workstation.geo.pairs import PairService, list_pairs
from workstation.sources.ingest import ImportService


def _import(lib: Library, *paths: Path) -> list[int]:
    ids = [r.source_id for r in ImportService(lib).import_paths(list(paths)).results]
    assert all(i is not None for i in ids)
    return [i for i in ids if i is not None]


def _pdf_text(bundle: Path) -> list[str]:
    with pymupdf.open(bundle / "data" / "report.pdf") as doc:
        return [" ".join(page.get_text().split()) for page in doc]


def test_a_pair_travels_prints_with_both_dates_and_merges(
    sender: Library, receiver: Library, tmp_path: Path
) -> None:
    before, after = samples.make_before_after(tmp_path / "geo")
    first, second, _t = samples.make_turned_pair(tmp_path / "plain")
    b, a, x, y = _import(sender, before, after, first, second)
    with sender.writer() as session:
        service = PairService(sender)
        service.create(session, a, b, note="five new container rows")
        service.create(session, x, y, alignment=[(60, 305, 1, 2), (520, 130, 300, 40)])
    bundle = signed_export(sender, tmp_path / "bundle").path

    case = json.loads((bundle / "data" / "case.json").read_text(encoding="utf-8"))
    shas = {s["title"] or s["filename"]: s["sha256"] for s in case["sources"]}
    geo, plain = case["pairs"]
    assert (geo["before"], geo["after"]) == (shas["before.tif"], shas["after.tif"])
    assert geo["note"] == "five new container rows"
    assert geo["alignment"] is None
    assert plain["alignment"] == [[60, 305, 1, 2], [520, 130, 300, 40]]

    pages = [p for p in _pdf_text(bundle) if "Before and after" in p and "shown:" in p]
    assert len(pages) == 2
    geo_page, plain_page = pages
    assert "Before · captured 2024-03-01" in geo_page
    assert "After · captured 2024-05-17" in geo_page
    assert "Note: five new container rows" in geo_page
    assert "shown: the ground both pictures cover (their shared footprint)" in geo_page
    assert "Scale bar" in geo_page
    assert "Before · date unknown" in plain_page
    assert "After · date unknown" in plain_page
    assert "shown: the whole pictures, scaled" in plain_page

    summary = merge(receiver, bundle)
    assert (summary.pairs_added, summary.pairs_unchanged) == (2, 0)
    with receiver.reader() as session:
        merged = list_pairs(session)
        kinds = session.scalars(select(Provenance.object_type)).all()
    assert [p.uuid for p in merged] == [geo["uuid"], plain["uuid"]]
    assert merged[0].before.captured == "2024-03-01"
    assert merged[0].made_by == "partner"  # the sender's maker, not the importer
    assert merged[1].alignment == ((60, 305, 1, 2), (520, 130, 300, 40))
    assert kinds.count("pair") == 2
    assert check_library(receiver).ok


def test_a_pair_goes_only_with_both_pictures_and_a_known_pair_is_kept(
    sender: Library, receiver: Library, tmp_path: Path
) -> None:
    before, after = samples.make_before_after(tmp_path / "geo")
    b, a = _import(sender, before, after)
    with sender.writer() as session:
        PairService(sender).create(session, b, a, note="theirs")
    # The receiver has the same two pictures paired already, with its own note.
    rb, ra = _import(receiver, before, after)
    with receiver.writer() as session:
        PairService(receiver).create(session, rb, ra, note="ours")
    summary = merge(receiver, signed_export(sender, tmp_path / "bundle").path)
    assert (summary.pairs_added, summary.pairs_unchanged) == (0, 1)
    with receiver.reader() as session:
        assert [p.note for p in list_pairs(session)] == ["ours"]


def _case(pairs: Any) -> dict[str, Any]:
    return {
        "bundle": {"id": "urn:uuid:x", "created": "2024-01-01T00:00:00Z"},
        "case": None,
        "sources": [
            {"sha256": "a" * 64, "bundle_path": "data/x"},
            {"sha256": "b" * 64, "bundle_path": "data/y"},
        ],
        "pairs": pairs,
    }


GOOD = {"uuid": "u", "before": "a" * 64, "after": "b" * 64}
BAD_PAIRS: dict[str, tuple[Any, str]] = {
    "not-an-array": ({"x": 1}, "case.json: pairs must be an array, not an object"),
    "not-an-object": (["x"], "pairs[0] must be an object, not a string"),
    "no-uuid": ([{**GOOD, "uuid": None}], "pairs[0] has no 'uuid'"),
    "stranger": ([{**GOOD, "after": "c" * 64}], "pairs[0].after names no source of the bundle"),
    "itself": ([{**GOOD, "after": "a" * 64}], "pairs[0] pairs a picture with itself"),
    "alignment": ([{**GOOD, "alignment": [[1, 2]]}], "alignment[0] must hold 4 numbers, not 2"),
    "note": ([{**GOOD, "note": 5}], "pairs[0].note must be a string, not a number"),
}


@pytest.mark.parametrize("case", sorted(BAD_PAIRS))
def test_a_malformed_pair_gets_one_line_and_nothing_merged(
    receiver: Library, tmp_path: Path, case: str
) -> None:
    pairs, expected = BAD_PAIRS[case]
    files = {
        "data/case.json": json.dumps(_case(pairs)).encode(),
        "data/annotations.jsonld": b'{"type": "AnnotationCollection", "first": {"items": []}}',
    }
    bag = bag_samples.write_folder(tmp_path / "bag", bag_samples.bag_members(files))
    assert_refused_in_one_line(receiver, bag, expected)
