"""A bundle carries where its images lie: case.json, annotations.jsonld and the dossier."""

from __future__ import annotations

import json
from pathlib import Path

import pymupdf
import pytest

from tests import samples
from tests.w3c_rules import problems
from workstation.annotations.anchors import RegionAnchor
from workstation.annotations.service import AnnotationService
from workstation.bundles.dossier.scale_bar import length_label, nice_length
from workstation.bundles.export import BundleExporter, ExportOptions
from workstation.bundles.plan import ExportScope, plan_export
from workstation.core.library import Library
from workstation.geo.labels import decimal_label
from workstation.geo.model import Georeference
from workstation.geo.places import north_angle
from workstation.geo.transform import pixel_to_lonlat
from workstation.sources.ingest import ImportService


def test_a_georeferenced_image_travels_with_its_place(library: Library, tmp_path: Path) -> None:
    tif = samples.make_geotiff(
        tmp_path / "in",
        size=(200, 100),
        gdal_metadata={"ACQUISITIONDATETIME": "2024-05-17", "PROVIDER": "Maxar"},
    )
    sid = ImportService(library).import_paths([tif]).results[0].source_id
    assert sid is not None
    with library.writer() as session:
        mark = AnnotationService(library).create(
            session, sid, RegionAnchor("rect", ((20.0, 10.0), (120.0, 60.0))), note="barge"
        )
    out = tmp_path / "bundle"
    plan = plan_export(library, ExportScope(), None)
    BundleExporter(library).export(plan, ExportOptions(out=out))

    case = json.loads((out / "data" / "case.json").read_text(encoding="utf-8"))
    georef = case["sources"][0]["georeference"]
    assert (georef["origin"], georef["crs"]) == ("file", "EPSG:32652")
    footprint = georef["footprint"]["coordinates"][0]
    corner = pixel_to_lonlat("EPSG:32652", tuple(georef["transform"]), 200, 100)  # type: ignore[arg-type]
    assert [round(v, 7) for v in corner] in [[round(v, 7) for v in p] for p in footprint]

    jsonld = json.loads((out / "data" / "annotations.jsonld").read_text(encoding="utf-8"))
    item = jsonld["first"]["items"][0]
    assert item["ew:geo"] == mark.geo
    assert problems(jsonld) == []

    centre = pixel_to_lonlat("EPSG:32652", tuple(georef["transform"]), 70, 35)  # type: ignore[arg-type]
    label = decimal_label(*centre)
    with pymupdf.open(out / "data" / "report.pdf") as doc:
        text = " ".join(page.get_text() for page in doc)
    flat = " ".join(text.split())
    assert f"Centre: {label} · captured 2024-05-17 · Maxar" in flat
    assert label.startswith("42.2")
    # 100 x 50 px region at 0.5 m, with a margin: a crop about 74 m wide; a bar of 10 m.
    assert "Scale bar 10 m · the arrow points to true north" in flat


def test_an_image_without_a_place_has_no_georeference_key(library: Library, tmp_path: Path) -> None:
    ImportService(library).import_paths([samples.make_jpeg(tmp_path / "in")])
    out = tmp_path / "bundle"
    BundleExporter(library).export(
        plan_export(library, ExportScope(), None), ExportOptions(out=out)
    )
    case = json.loads((out / "data" / "case.json").read_text(encoding="utf-8"))
    assert "georeference" not in case["sources"][0]


def test_scale_bar_lengths_and_the_north_arrow() -> None:

    assert [nice_length(v) for v in (0.7, 3.0, 18.5, 74.0, 4999.0)] == [
        0.5,
        2.0,
        10.0,
        50.0,
        2000.0,
    ]
    assert [length_label(v) for v in (0.5, 50.0, 2000.0)] == ["0.5 m", "50 m", "2 km"]
    wgs84 = Georeference("file", "EPSG:4326", (0.001, 0.0, 130.0, 0.0, -0.001, 42.5))
    assert north_angle(wgs84, 0, 0) == pytest.approx(0.0, abs=1e-9)
    # Rows run east, columns north: north is to the right (90 degrees clockwise from up),
    # less the UTM grid's convergence at 130.2 E (zone 52's meridian is 129 E).
    turned = Georeference("file", "EPSG:32652", (0.0, 0.5, 600_000.0, 0.5, 0.0, 4_680_000.0))
    assert north_angle(turned, 0, 0) == pytest.approx(89.2, abs=0.1)
