"""GeoTIFF tags and world files read from real files the tests write."""

from __future__ import annotations

from pathlib import Path

import pyproj
import pytest
from PIL import Image
from PIL.ExifTags import IFD, Base

from tests import samples
from workstation.geo.model import GeorefError
from workstation.geo.places import pixel_lonlat
from workstation.geo.reading import read_beside, read_geotiff, read_world_file

UTM52 = pyproj.Transformer.from_crs("EPSG:32652", "EPSG:4326", always_xy=True)


def test_utm_geotiff_puts_a_pixel_where_proj_does(tmp_path: Path) -> None:
    path = samples.make_geotiff(tmp_path, epsg=32652, origin=(600_000.0, 4_680_000.0))
    g = read_geotiff(path)
    assert g is not None
    assert (g.origin, g.crs) == ("file", "EPSG:32652")
    lon, lat = pixel_lonlat(g, 100, 50) or (0.0, 0.0)
    want_lon, want_lat = UTM52.transform(600_000.0 + 100 * 0.5, 4_680_000.0 - 50 * 0.5)
    assert lon == pytest.approx(want_lon, abs=1e-9)
    assert lat == pytest.approx(want_lat, abs=1e-9)
    assert 42.2 < lat < 42.3
    assert 130.2 < lon < 130.3


def test_wgs84_geotiff_corners_are_its_tie_point_and_scale(tmp_path: Path) -> None:
    path = samples.make_geotiff(
        tmp_path, epsg=4326, origin=(130.0, 42.5), pixel_size=(0.001, 0.001), size=(100, 80)
    )
    g = read_geotiff(path)
    assert g is not None
    assert g.crs == "EPSG:4326"
    assert pixel_lonlat(g, 0, 0) == pytest.approx((130.0, 42.5), abs=1e-9)
    assert pixel_lonlat(g, 100, 80) == pytest.approx((130.1, 42.42), abs=1e-9)


def test_pixel_is_point_is_shifted_half_a_pixel(tmp_path: Path) -> None:
    path = samples.make_geotiff(
        tmp_path, epsg=4326, origin=(130.0, 42.5), pixel_size=(0.001, 0.001), pixel_is_point=True
    )
    g = read_geotiff(path)
    assert g is not None
    # The tie point names the centre of pixel (0, 0), which is (0.5, 0.5) in corner terms.
    assert pixel_lonlat(g, 0.5, 0.5) == pytest.approx((130.0, 42.5), abs=1e-9)


def test_model_transformation_with_rotation(tmp_path: Path) -> None:
    matrix = [0.4, 0.3, 0, 600_000.0, 0.3, -0.4, 0, 4_680_000.0, 0, 0, 0, 0, 0, 0, 0, 1]
    g = read_geotiff(samples.make_geotiff(tmp_path, transformation=matrix))
    assert g is not None
    assert g.transform == (0.4, 0.3, 600_000.0, 0.3, -0.4, 4_680_000.0)


def test_capture_facts_come_from_gdal_metadata(tmp_path: Path) -> None:
    path = samples.make_geotiff(
        tmp_path,
        gdal_metadata={
            "ACQUISITIONDATETIME": "2024-05-17T02:31:00Z",
            "SENSOR": "WV03",
            "PROVIDER": "Maxar",
        },
    )
    g = read_geotiff(path)
    assert g is not None
    assert (g.capture.captured, g.capture.sensor, g.capture.provider) == (
        "2024-05-17T02:31:00Z",
        "WV03",
        "Maxar",
    )


def test_a_plain_tiff_has_no_georeference(tmp_path: Path) -> None:
    assert read_geotiff(samples.make_tiff(tmp_path)) is None


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ([1, 1, 0, 5, 1024, 0, 1, 1, 3072, 0, 1, 32652], "announces 5 keys, the tag holds 2"),
        ([7, 7], "2 values, no header"),
        ([2, 1, 0, 0], "version 2"),
        ([1, 1, 0, 1, 3072, 0, 1, 9999], "unknown coordinate reference system 'EPSG:9999'"),
        ([1, 1, 0, 1, 3072, 0, 1, 32767], "user-defined"),
        ([1, 1, 0, 1, 1024, 0, 1, 1], "projected but names no EPSG code"),
    ],
)
def test_bad_geokeys_are_refused_with_a_reason(
    tmp_path: Path, keys: list[int], message: str
) -> None:
    path = samples.make_geotiff(tmp_path, keys=keys)
    with pytest.raises(GeorefError, match=message):
        read_geotiff(path)


def test_world_file_beside_a_jpeg_with_its_prj(tmp_path: Path) -> None:
    picture = samples.make_jpeg(tmp_path, name="port.jpg")
    world = samples.make_world_file(picture, [0.5, 0, 0, -0.5, 600_000.25, 4_679_999.75])
    world.with_suffix(".prj").write_text(pyproj.CRS("EPSG:32652").to_wkt(), encoding="utf-8")
    g = read_beside(picture, picture, "image/jpeg")
    assert g is not None
    assert (g.origin, g.crs) == ("world-file", "EPSG:32652")
    # C, F name the centre of the top-left pixel: its corner is half a pixel up and left.
    assert g.transform == (0.5, 0.0, 600_000.0, 0.0, -0.5, 4_680_000.0)


@pytest.mark.parametrize("suffix", [".pgw", ".wld"])
def test_world_file_without_prj_waits_for_a_crs(tmp_path: Path, suffix: str) -> None:
    picture = samples.make_png(tmp_path, name="port.png")
    samples.make_world_file(picture, [1, 0, 0, -1, 10.5, 19.5], suffix=suffix)
    g = read_beside(picture, picture, "image/png")
    assert g is not None
    assert g.crs is None
    assert g.transform == (1.0, 0.0, 10.0, 0.0, -1.0, 20.0)


def test_world_file_with_a_crs_given(tmp_path: Path) -> None:
    picture = samples.make_png(tmp_path, name="port.png")
    world = samples.make_world_file(picture, [1, 0, 0, -1, 10.5, 19.5])
    assert read_world_file(world, "32652").crs == "EPSG:32652"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([0.5, 0, 0, -0.5, 600_000], "has 5 lines, not 6"),
        ([0.5, 0, 0, -0.5, 600_000, 4_680_000, 7], "has 7 lines, not 6"),
        ([0.5, 0, 0, "minus", 600_000, 4_680_000], "not a number"),
        ([0, 0, 0, 0, 600_000, 4_680_000], "collapses the picture"),
    ],
)
def test_bad_world_files_are_refused(tmp_path: Path, values: list[object], message: str) -> None:
    picture = samples.make_jpeg(tmp_path, name="port.jpg")
    world = samples.make_world_file(picture, values)  # type: ignore[arg-type]
    with pytest.raises(GeorefError, match=message):
        read_world_file(world, "EPSG:32652")


def test_world_file_with_an_unknown_crs(tmp_path: Path) -> None:
    world = samples.make_world_file(samples.make_jpeg(tmp_path), [1, 0, 0, -1, 0, 0])
    with pytest.raises(GeorefError, match="unknown coordinate reference system 'EPSG:999999'"):
        read_world_file(world, "EPSG:999999")


def test_a_world_file_pictures_exif_gives_its_capture(tmp_path: Path) -> None:
    picture = tmp_path / "port.jpg"
    exif = Image.Exif()
    exif[Base.Make] = "Maxar"
    exif[Base.Model] = "Maxar WV03"
    exif[Base.DateTime] = "2025:05:01 00:00:00"  # when it was saved: not the capture
    exif[Base.Copyright] = "Maxar Technologies (licensed)"
    exif.get_ifd(IFD.Exif)[Base.DateTimeOriginal] = "2025:04:28 02:14:09"
    Image.new("RGB", (40, 30), (90, 90, 90)).save(picture, "JPEG", exif=exif)
    samples.make_world_file(picture, [0.5, 0, 0, -0.5, 600_000.25, 4_679_999.75])
    g = read_beside(picture, picture, "image/jpeg")
    assert g is not None
    assert (g.capture.captured, g.capture.sensor, g.capture.provider) == (
        "2025-04-28T02:14:09",
        "Maxar WV03",
        "Maxar Technologies (licensed)",
    )

    bare = samples.make_png(tmp_path, name="bare.png")  # no EXIF at all
    samples.make_world_file(bare, [0.5, 0, 0, -0.5, 600_000.25, 4_679_999.75], suffix=".pgw")
    g = read_beside(bare, bare, "image/png")
    assert g is not None
    assert (g.capture.captured, g.capture.sensor, g.capture.provider) == (None, None, None)
