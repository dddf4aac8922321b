"""Images of the same place: footprint overlap between georeferenced pictures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import samples
from tests.conftest import run_cli
from workstation.core.library import Library
from workstation.geo.overlap import overlap_share, overlapping
from workstation.sources.ingest import ImportService

SQUARE = [[130.0, 42.0], [130.1, 42.0], [130.1, 42.1], [130.0, 42.1], [130.0, 42.0]]


def _shifted(ring: list[list[float]], dlon: float, dlat: float) -> list[list[float]]:
    return [[lon + dlon, lat + dlat] for lon, lat in ring]


def test_overlap_shares() -> None:
    assert overlap_share(SQUARE, SQUARE) == pytest.approx(1.0)
    assert overlap_share(SQUARE, _shifted(SQUARE, 0.05, 0.0)) == pytest.approx(0.5, rel=1e-9)
    assert overlap_share(SQUARE, _shifted(SQUARE, 0.05, 0.05)) == pytest.approx(0.25, rel=1e-3)
    assert overlap_share(SQUARE, _shifted(SQUARE, 0.2, 0.0)) == 0.0
    # A small picture inside a big one: all of the smaller is shared.
    small = [[130.02, 42.02], [130.03, 42.02], [130.03, 42.03], [130.02, 42.03]]
    assert overlap_share(SQUARE, small) == pytest.approx(1.0)
    # Winding does not matter.
    assert overlap_share(SQUARE[::-1], _shifted(SQUARE, 0.05, 0.0)) == pytest.approx(0.5)


def test_pictures_of_the_same_place_are_found(library: Library, tmp_path: Path) -> None:
    # 200 x 100 px at 0.5 m: 100 m x 50 m. The second starts 50 m east (half over the
    # first), the third 10 km away.
    before, after = samples.make_before_after(tmp_path)
    far = samples.make_geotiff(tmp_path / "c", name="far.tif", origin=(610_000.0, 4_680_000.0))
    plain = samples.make_jpeg(tmp_path / "d", name="plain.jpg")
    ids = {
        Path(r.path).name: r.source_id
        for r in ImportService(library).import_paths([before, after, far, plain]).results
    }
    with library.reader() as session:
        found = overlapping(session, ids["before.tif"] or 0)
        assert overlapping(session, ids["plain.jpg"] or 0) == []
    assert [(o.source_id, o.captured) for o in found] == [(ids["after.tif"], "2024-05-17")]
    assert found[0].share == pytest.approx(0.5, rel=0.01)


def test_overlaps_from_the_cli(tmp_path: Path) -> None:
    path = str(tmp_path / "lib")
    assert run_cli("init", "--library", path).returncode == 0
    samples.make_geotiff(tmp_path / "in", name="a.tif")
    samples.make_geotiff(tmp_path / "in", name="b.tif", origin=(600_020.0, 4_679_990.0))
    assert run_cli("--library", path, "import", str(tmp_path / "in")).returncode == 0
    out = json.loads(run_cli("--library", path, "overlaps", "1", "--json").stdout)
    assert [o["source_id"] for o in out] == [2]
    assert 0.5 < out[0]["overlap"] < 0.9
    text = run_cli("--library", path, "overlaps", "2").stdout
    assert "capture date unknown" in text
