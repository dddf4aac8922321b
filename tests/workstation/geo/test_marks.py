"""Region marks on georeferenced images carry their place: GeoJSON in WGS84, in lists and W3C."""

from __future__ import annotations

import json
from pathlib import Path

import pyproj
import pytest

from tests import samples
from tests.conftest import run_cli
from tests.w3c_rules import problems
from workstation.annotations.anchors import RegionAnchor
from workstation.annotations.queries import AnnotationFilter, annotation_page
from workstation.annotations.service import AnnotationService
from workstation.annotations.w3c import from_w3c, to_w3c
from workstation.core.library import Library
from workstation.geo.labels import decimal_label, dms_label, geometry_label
from workstation.geo.model import ControlPoint
from workstation.geo.service import GeorefService
from workstation.sources.ingest import ImportService

TO_GEO = pyproj.Transformer.from_crs("EPSG:32652", "EPSG:4326", always_xy=True)


def _lonlat(x: float, y: float) -> tuple[float, float]:
    lon, lat = TO_GEO.transform(600_000 + x * 0.5, 4_680_000 - y * 0.5)
    return lon, lat


@pytest.fixture
def scene(library: Library, tmp_path: Path) -> int:
    report = ImportService(library).import_paths([samples.make_geotiff(tmp_path)])
    sid = report.results[0].source_id
    assert sid is not None
    return sid


def _mark(library: Library, sid: int, anchor: RegionAnchor) -> str:
    with library.writer() as session:
        return AnnotationService(library).create(session, sid, anchor).uuid


def test_a_rectangle_becomes_a_counter_clockwise_polygon(library: Library, scene: int) -> None:
    uuid = _mark(library, scene, RegionAnchor("rect", ((20.0, 10.0), (120.0, 60.0))))
    with library.reader() as session:
        found = AnnotationService(library).get(session, uuid)
        listed = annotation_page(session, AnnotationFilter(source_id=scene))
    geo = found.geo
    assert geo is not None
    assert listed[0].geo == geo  # the batched list says the same as the single read
    assert geo["type"] == "Polygon"
    ring = geo["coordinates"][0]
    assert len(ring) == 5
    assert ring[0] == ring[-1]
    corners = {
        tuple(round(v, 6) for v in _lonlat(x, y))
        for x, y in ((20, 10), (120, 10), (120, 60), (20, 60))
    }
    assert {tuple(round(v, 6) for v in p) for p in ring} == corners
    area2 = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))
    assert area2 > 0  # counter-clockwise, as RFC 7946 asks


def test_polygons_and_count_markers(library: Library, scene: int) -> None:
    poly = _mark(library, scene, RegionAnchor("polygon", ((0.0, 0.0), (50.0, 0.0), (25.0, 40.0))))
    dots = _mark(library, scene, RegionAnchor("points", ((5.0, 5.0), (9.0, 9.0))))
    with library.reader() as session:
        service = AnnotationService(library)
        poly_geo, dots_geo = service.get(session, poly).geo, service.get(session, dots).geo
    assert poly_geo is not None
    assert dots_geo is not None
    assert poly_geo["type"] == "Polygon"
    assert dots_geo == {
        "type": "MultiPoint",
        "coordinates": [
            [pytest.approx(c, abs=1e-8) for c in _lonlat(x, y)] for x, y in ((5, 5), (9, 9))
        ],
    }


def test_no_georeference_no_geo_and_it_follows_a_change(library: Library, tmp_path: Path) -> None:
    report = ImportService(library).import_paths([samples.make_jpeg(tmp_path, size=(400, 300))])
    sid = report.results[0].source_id
    assert sid is not None
    uuid = _mark(library, sid, RegionAnchor("rect", ((0.0, 0.0), (10.0, 10.0))))
    with library.reader() as session:
        assert AnnotationService(library).get(session, uuid).geo is None
    with library.writer() as session:
        GeorefService(library).by_gsd(session, sid, 0.5)
    with library.reader() as session:
        assert AnnotationService(library).get(session, uuid).geo is None  # a scale has no place
    # Two control points put it on the map.
    points = [
        ControlPoint(x, y, _lonlat(x, y)[1], _lonlat(x, y)[0]) for x, y in ((0, 0), (400, 300))
    ]
    with library.writer() as session:
        GeorefService(library).by_points(session, sid, points, "EPSG:32652")
    with library.reader() as session:
        geo = AnnotationService(library).get(session, uuid).geo
    assert geo is not None
    top_left = [round(v, 7) for v in _lonlat(0, 0)]
    assert top_left in [[round(v, 7) for v in p] for p in geo["coordinates"][0]]


def test_w3c_carries_geo_as_a_json_literal_and_reads_it_back(library: Library, scene: int) -> None:
    uuid = _mark(library, scene, RegionAnchor("rect", ((20.0, 10.0), (120.0, 60.0))))
    with library.reader() as session:
        data = AnnotationService(library).get(session, uuid)
    doc = to_w3c(data)
    assert doc["ew:geo"] == data.geo
    assert doc["@context"][1]["ew:geo"] == {"@type": "@json"}
    assert problems(doc) == []
    assert from_w3c(json.loads(json.dumps(doc))) == data


def test_annotations_json_and_w3c_from_the_cli(tmp_path: Path) -> None:
    path = str(tmp_path / "lib")
    assert run_cli("init", "--library", path).returncode == 0
    tif = samples.make_geotiff(tmp_path / "in")
    assert run_cli("--library", path, "import", str(tif)).returncode == 0
    made = run_cli("--library", path, "annotate", "1", "--region", "20,10,100,50")
    assert made.returncode == 0, made.stderr
    listed = json.loads(run_cli("--library", path, "annotations", "--format", "json").stdout)
    assert listed[0]["geo"]["type"] == "Polygon"
    w3c = json.loads(run_cli("--library", path, "annotations", "--format", "w3c").stdout)
    assert w3c["first"]["items"][0]["ew:geo"] == listed[0]["geo"]


def test_labels() -> None:
    assert decimal_label(130.3105, 42.2423) == "42.2423° N, 130.3105° E"
    assert decimal_label(-70.5, -33.25) == "33.2500° S, 70.5000° W"
    assert dms_label(130.3105, 42.2423) == "42° 14′ 32.3″ N, 130° 18′ 37.8″ E"
    square = {
        "type": "Polygon",
        "coordinates": [[[130, 42], [131, 42], [131, 43], [130, 43], [130, 42]]],
    }
    assert geometry_label(square) == "42.5000° N, 130.5000° E"
    assert geometry_label(None) is None
