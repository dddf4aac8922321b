"""A bundle carries where its images lie: case.json, annotations.jsonld and the dossier."""

from __future__ import annotations

import json
from pathlib import Path

import pymupdf

from tests import samples
from tests.w3c_rules import problems
from workstation.annotations.anchors import RegionAnchor
from workstation.annotations.service import AnnotationService
from workstation.bundles.export import BundleExporter, ExportOptions
from workstation.bundles.plan import ExportScope, plan_export
from workstation.core.library import Library
from workstation.geo.labels import decimal_label
from workstation.geo.transform import pixel_to_lonlat
from workstation.sources.ingest import ImportService


def test_a_georeferenced_image_travels_with_its_place(library: Library, tmp_path: Path) -> None:
    tif = samples.make_geotiff(tmp_path / "in", size=(200, 100))
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
    assert f"Centre: {label}" in " ".join(text.split())
    assert label.startswith("42.2")


def test_an_image_without_a_place_has_no_georeference_key(library: Library, tmp_path: Path) -> None:
    ImportService(library).import_paths([samples.make_jpeg(tmp_path / "in")])
    out = tmp_path / "bundle"
    BundleExporter(library).export(
        plan_export(library, ExportScope(), None), ExportOptions(out=out)
    )
    case = json.loads((out / "data" / "case.json").read_text(encoding="utf-8"))
    assert "georeference" not in case["sources"][0]
