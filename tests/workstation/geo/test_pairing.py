"""Choosing a picture to pair by hand: every other image, overlapping ones first."""

from __future__ import annotations

from pathlib import Path

from tests import samples
from workstation.core.library import Library
from workstation.geo.pairing import image_with_sha, pair_candidates
from workstation.sources.ingest import ImportService


def test_every_other_image_is_a_candidate_overlapping_ones_first(
    library: Library, tmp_path: Path
) -> None:
    before, after = samples.make_before_after(tmp_path)
    plain, turned, _t = samples.make_turned_pair(tmp_path)
    far = samples.make_geotiff(tmp_path / "far", origin=(700_000.0, 4_600_000.0), name="far.tif")
    text = samples.make_text(tmp_path)
    results = ImportService(library).import_paths([before, turned, far, after, plain, text])
    ids = [r.source_id for r in results.results]
    with library.reader() as session:
        found = pair_candidates(session, ids[0])
        assert [c.title for c in found] == [
            "after.tif",
            "far.tif",
            "quay-after.png",
            "quay-before.png",
        ]
        assert found[0].overlap is not None
        assert 0.4 < found[0].overlap < 0.6
        assert found[0].label == "after.tif · 2024-05-17 · overlaps 50 %"
        assert found[1].label == "far.tif · georeferenced elsewhere"
        assert found[2].label == "quay-after.png · no coordinates (align by two points)"
        # By content: the same picture is found again in this library, a text is not a picture.
        sha = [r.sha256 for r in results.results]
        assert sha[4] is not None
        assert sha[5] is not None
        assert image_with_sha(session, sha[4]) == ids[4]
        assert image_with_sha(session, sha[5]) is None
        assert image_with_sha(session, "0" * 64) is None
