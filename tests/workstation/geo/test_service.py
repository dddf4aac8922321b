"""Georeferences in a real library: read on import, made by hand, removed; audited and checked."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyproj
import pytest
from sqlalchemy import func, select

from db.models import AuditEvent, Source
from db.models import Georeference as GeorefRow
from tests import samples
from workstation.core.check import check_library
from workstation.core.library import Library
from workstation.geo.model import ControlPoint, GeorefError
from workstation.geo.places import pixel_lonlat
from workstation.geo.records import georeference_of
from workstation.geo.service import GeorefService
from workstation.sources.ingest import ImportService


def _import(library: Library, path: Path) -> int:
    report = ImportService(library).import_paths([path])
    result = report.results[0]
    assert result.status == "imported", result.error
    assert result.source_id is not None
    return result.source_id


def _events(library: Library, action: str) -> int:
    with library.reader() as session:
        stmt = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        return session.scalar(stmt) or 0


def test_a_geotiff_is_georeferenced_on_import(library: Library, tmp_path: Path) -> None:
    sid = _import(
        library,
        samples.make_geotiff(
            tmp_path, gdal_metadata={"ACQUISITIONDATETIME": "2024-05-17", "SENSOR": "WV03"}
        ),
    )
    with library.reader() as session:
        g = georeference_of(session, sid)
    assert g is not None
    assert (g.origin, g.crs, g.made_by) == ("file", "EPSG:32652", library.reviewer)
    assert g.gsd == pytest.approx(0.5, rel=0.002)  # grid metres vs metres on the ground
    assert g.capture.captured == "2024-05-17"
    assert g.capture.sensor == "WV03"
    report = check_library(library)
    assert report.ok, report.problems()


def test_a_world_file_beside_a_jpeg_is_read_on_import(library: Library, tmp_path: Path) -> None:
    picture = samples.make_jpeg(tmp_path, name="port.jpg", size=(400, 300))
    world = samples.make_world_file(picture, [0.5, 0, 0, -0.5, 600_000.25, 4_679_999.75])
    world.with_suffix(".prj").write_text(pyproj.CRS("EPSG:32652").to_wkt(), encoding="utf-8")
    sid = _import(library, picture)
    with library.reader() as session:
        g = georeference_of(session, sid)
    assert g is not None
    assert (g.origin, g.crs) == ("world-file", "EPSG:32652")


def test_corrupt_geokeys_import_the_picture_without_a_georeference(
    library: Library, tmp_path: Path
) -> None:
    sid = _import(library, samples.make_geotiff(tmp_path, keys=[1, 1, 0, 9, 1024, 0, 1, 1]))
    with library.reader() as session:
        assert georeference_of(session, sid) is None
        source = session.get(Source, sid)
        assert source is not None
        assert "announces 9 keys" in source.meta["georeference_problem"]


def _corner_points(truth_crs: str = "EPSG:32652") -> list[ControlPoint]:
    to_geo = pyproj.Transformer.from_crs(truth_crs, "EPSG:4326", always_xy=True)
    points = []
    for x, y in ((0, 0), (400, 0), (0, 300), (400, 300)):
        lon, lat = to_geo.transform(600_000 + x * 0.5, 4_680_000 - y * 0.5)
        points.append(ControlPoint(x, y, lat, lon))
    return points


def test_georeference_by_hand_then_remove(library: Library, tmp_path: Path) -> None:
    sid = _import(library, samples.make_jpeg(tmp_path, size=(400, 300)))
    service = GeorefService(library)
    with library.writer() as session:
        g = service.by_points(session, sid, _corner_points()[:2])
    assert (g.origin, g.crs, g.residual) == ("hand", "EPSG:32652", None)
    with library.writer() as session:
        g = service.by_points(session, sid, _corner_points())
    assert g.residual == pytest.approx(0.0, abs=1e-3)
    assert g.gsd == pytest.approx(0.5, rel=0.002)
    lonlat = pixel_lonlat(g, 400, 300)
    assert lonlat == pytest.approx((_corner_points()[3].lon, _corner_points()[3].lat), abs=1e-7)
    assert _events(library, "source.georeference") == 2
    report = check_library(library)
    assert report.ok, report.problems()
    with library.writer() as session:
        assert service.remove(session, sid) is True
        assert service.remove(session, sid) is False
    assert _events(library, "source.georeference_remove") == 1
    report = check_library(library)
    assert report.ok, report.problems()


def test_a_scale_alone(library: Library, tmp_path: Path) -> None:
    sid = _import(library, samples.make_jpeg(tmp_path))
    with library.writer() as session:
        g = GeorefService(library).by_gsd(session, sid, 0.5)
    assert (g.origin, g.gsd, g.crs, g.transform) == ("gsd", 0.5, None, None)
    assert not g.located


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (1, "at least 2 control points, not 1"),
        (3, "lie on one line"),
    ],
)
def test_bad_points_leave_nothing_written(
    library: Library, tmp_path: Path, points: int, message: str
) -> None:
    sid = _import(library, samples.make_jpeg(tmp_path))
    given = [
        ControlPoint(i * 10.0, i * 10.0, 42.0 + i * 0.001, 130.0 + i * 0.001) for i in range(points)
    ]
    with pytest.raises(GeorefError, match=message), library.writer() as session:
        GeorefService(library).by_points(session, sid, given)
    with library.reader() as session:
        assert session.scalar(select(func.count()).select_from(GeorefRow)) == 0
    assert _events(library, "source.georeference") == 0


def test_only_images_are_georeferenced(library: Library, tmp_path: Path) -> None:
    sid = _import(library, samples.make_pdf(tmp_path))
    with pytest.raises(GeorefError, match="is a pdf, not an image"), library.writer() as s:
        GeorefService(library).by_gsd(s, sid, 0.5)


def test_an_edit_behind_the_programs_back_is_found(library: Library, tmp_path: Path) -> None:
    sid = _import(library, samples.make_geotiff(tmp_path))
    library.close()
    raw = sqlite3.connect(library.root / "library.sqlite")
    with raw:  # moved 100 m east, with no audit event
        raw.execute(
            "UPDATE georeferences SET transform = ? WHERE source_id = ?",
            ("[0.5, 0, 600100.0, 0, -0.5, 4680000.0]", sid),
        )
    raw.close()
    with Library.open(library.root, reviewer="alice") as again:
        report = check_library(again)
    assert any(p.startswith(f"source {sid} changed outside the program") for p in report.problems())


def test_a_folder_import_reads_sidecars_into_the_picture(library: Library, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    picture = samples.make_jpeg(folder, name="port.jpg")
    samples.make_world_file(picture, [0.5, 0, 0, -0.5, 600_000.25, 4_679_999.75])
    picture.with_suffix(".prj").write_text("EPSG:32652", encoding="ascii")
    (folder / "notes.prj").write_text("a .prj with no picture is a file like any other")
    results = ImportService(library).import_paths([folder]).results
    assert sorted(Path(r.path).name for r in results) == ["notes.prj", "port.jpg"]
    sid = next(r.source_id for r in results if r.path.endswith("port.jpg"))
    assert sid is not None
    with library.reader() as session:
        g = georeference_of(session, sid)
    assert g is not None
    assert (g.origin, g.crs) == ("world-file", "EPSG:32652")
