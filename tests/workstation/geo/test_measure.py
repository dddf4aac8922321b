"""Geodesic lengths and areas against known values, with their uncertainty."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import samples
from workstation.geo.measure import measure_line, measure_polygon
from workstation.geo.model import Georeference, GeorefError
from workstation.geo.reading import read_geotiff
from workstation.geo.transform import gsd_of


def _equator(tmp_path: Path) -> Georeference:
    """A WGS84 picture 0.001 degree per pixel whose top edge is at 0.5 N."""
    g = read_geotiff(
        samples.make_geotiff(
            tmp_path, epsg=4326, origin=(30.0, 0.5), pixel_size=(0.001, 0.001), size=(50, 50)
        )
    )
    assert g is not None
    assert g.crs is not None
    assert g.transform is not None
    return Georeference("file", g.crs, g.transform, gsd=gsd_of(g.crs, g.transform, 0, 500))


def test_one_degree_of_latitude_at_the_equator(tmp_path: Path) -> None:
    # From 0.5 N to 0.5 S along a meridian: 110,574 m on WGS84 (the meridian arc).
    m = measure_line(_equator(tmp_path), [(0, 0), (0, 1000)])
    assert m.value == pytest.approx(110_574, abs=2)
    assert m.method == "georeference"
    # One pixel (about 110 m here) of pointing at each end.
    assert m.uncertainty == pytest.approx(2**0.5 * 110.9, rel=0.01)


def test_one_degree_of_longitude_at_the_equator(tmp_path: Path) -> None:
    # Along the equator (pixel row 500 is 0.0 N): 111,319 m.
    m = measure_line(_equator(tmp_path), [(0, 500), (1000, 500)])
    assert m.value == pytest.approx(111_319, abs=2)


def test_a_square_kilometre_in_utm() -> None:
    g = Georeference("file", "EPSG:32652", (0.5, 0.0, 500_000.0, 0.0, -0.5, 4_680_000.0), gsd=0.5)
    m = measure_polygon(g, [(0, 0), (2000, 0), (2000, 2000), (0, 2000)])
    # On the central meridian the UTM grid is 0.9996 of true scale: 1 km of grid is 1000.4 m.
    assert m.value == pytest.approx(1_000_000 / 0.9996**2, rel=1e-4)
    assert m.perimeter == pytest.approx(4000 / 0.9996, rel=1e-4)
    assert m.uncertainty == pytest.approx(m.perimeter * 0.5, rel=1e-6)


def test_scale_alone_measures_in_pixels_times_gsd() -> None:
    g = Georeference("gsd", gsd=0.5)
    line = measure_line(g, [(0, 0), (300, 400)])
    assert (line.value, line.method) == (250.0, "gsd")
    assert line.text() == "250.0 ± 0.71 m"
    area = measure_polygon(g, [(0, 0), (100, 0), (100, 100), (0, 100)])
    assert area.value == 2500.0


def test_the_residual_widens_the_uncertainty() -> None:
    g = Georeference("hand", "EPSG:32652", (0.5, 0, 500_000.0, 0, -0.5, 4_680_000.0), 0.5, 3.0)
    m = measure_line(g, [(0, 0), (364, 0)])
    assert m.uncertainty == pytest.approx(2**0.5 * (3.0**2 + 0.5**2) ** 0.5)
    assert m.as_json()["method"] == "georeference"


def test_too_few_points() -> None:
    g = Georeference("gsd", gsd=0.5)
    with pytest.raises(GeorefError, match="at least 2 points"):
        measure_line(g, [(0, 0)])
    with pytest.raises(GeorefError, match="at least 3 points"):
        measure_polygon(g, [(0, 0), (1, 1)])
