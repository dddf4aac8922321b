"""Fitting a transform to control points: exact with two, least squares with three or more."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import samples
from workstation.geo.crs import from_lonlat, to_lonlat
from workstation.geo.model import ControlPoint, GeorefError
from workstation.geo.transform import (
    apply,
    fit,
    invert,
    pixel_similarity,
    pixel_to_lonlat,
    scale_and_rotation,
)

UTM = "EPSG:32652"
# A north-up picture at 0.5 m per pixel with its corner at (600000, 4680000) in UTM 52N.
TRUTH = (0.5, 0.0, 600_000.0, 0.0, -0.5, 4_680_000.0)


def _point(x: float, y: float, shift: tuple[float, float] = (0.0, 0.0)) -> ControlPoint:
    east, north = apply(TRUTH, x, y)
    lon, lat = to_lonlat(UTM, east + shift[0], north + shift[1])
    return ControlPoint(x, y, lat, lon)


def test_two_points_give_the_exact_similarity_and_no_residual() -> None:
    t, residual = fit([_point(10, 20), _point(1900, 1500)], UTM)
    assert residual is None
    assert t == pytest.approx(TRUTH, abs=1e-6)


def test_two_points_in_a_rotated_picture() -> None:
    rotated = (0.3, 0.4, 600_000.0, 0.4, -0.3, 4_680_000.0)  # 0.5 m pixels turned ~53 degrees
    points = []
    for x, y in ((0, 0), (1000, 400)):
        lon, lat = to_lonlat(UTM, *apply(rotated, x, y))
        points.append(ControlPoint(x, y, lat, lon))
    t, _ = fit(points, UTM)
    assert t == pytest.approx(rotated, abs=1e-6)


def test_three_points_fit_exactly_and_four_give_a_residual() -> None:
    t, residual = fit([_point(0, 0), _point(2000, 0), _point(0, 1500)], UTM)
    assert residual == pytest.approx(0.0, abs=1e-6)
    assert t == pytest.approx(TRUTH, abs=1e-6)
    # The fourth corner is 4 m off to the east: an affine fit leaves a quarter of it at
    # each corner (leverage 3/4), so the RMS is 1 m (grid metres; the UTM scale is ~1).
    points = [_point(0, 0), _point(2000, 0), _point(0, 1500), _point(2000, 1500, (4.0, 0.0))]
    _t, residual = fit(points, UTM)
    assert residual == pytest.approx(1.0, rel=1e-3)


def test_the_fit_is_checked_against_proj_to_a_micro_degree() -> None:
    points = [_point(0, 0), _point(2000, 0), _point(0, 1500), _point(2000, 1500)]
    t, _ = fit(points, UTM)
    lon, lat = pixel_to_lonlat(UTM, t, 777, 333)
    want = to_lonlat(UTM, *apply(TRUTH, 777, 333))
    assert (lon, lat) == pytest.approx(want, abs=1e-6)
    assert from_lonlat(UTM, lon, lat) == pytest.approx(apply(TRUTH, 777, 333), abs=1e-3)


def test_fewer_than_two_points() -> None:
    with pytest.raises(GeorefError, match="at least 2 control points, not 1"):
        fit([_point(0, 0)], UTM)


def test_collinear_points() -> None:
    with pytest.raises(GeorefError, match="lie on one line"):
        fit([_point(0, 0), _point(100, 100), _point(200, 200)], UTM)


def test_two_points_on_one_pixel() -> None:
    with pytest.raises(GeorefError, match="same pixel"):
        fit([_point(5, 5), _point(5.2, 5)], UTM)


def test_two_pixels_at_one_place() -> None:
    here = _point(0, 0)
    with pytest.raises(GeorefError, match="same place"):
        fit([here, ControlPoint(100, 100, here.lat, here.lon)], UTM)


def test_two_pixel_pairs_give_the_similarity_between_two_pictures(tmp_path: Path) -> None:
    *_paths, truth = samples.make_turned_pair(tmp_path)  # 1.5 x, turned 30 degrees
    first = [(50.0, 300.0), (520.0, 120.0)]
    second = [apply(truth, *p) for p in first]
    t = pixel_similarity(first, second)
    assert t == pytest.approx(truth, abs=1e-9)
    assert scale_and_rotation(t) == pytest.approx((1.5, 30.0))
    # Any other point goes where the copy put it; and back.
    assert apply(t, 300, 200) == pytest.approx(apply(truth, 300, 200))
    assert apply(invert(t), *apply(t, 17, 411)) == pytest.approx((17, 411))
    # A mirror image is not a similarity: handedness is kept (determinant positive).
    a, b, _c, d, e, _f = t
    assert a * e - b * d > 0


def test_a_two_pixel_alignment_refuses_points_on_one_pixel() -> None:
    with pytest.raises(GeorefError, match="second picture are on the same pixel"):
        pixel_similarity([(0, 0), (10, 10)], [(5, 5), (5.2, 5.1)])
    with pytest.raises(GeorefError, match="same pixel"):
        pixel_similarity([(3, 3), (3.1, 3)], [(0, 0), (50, 50)])
    with pytest.raises(GeorefError, match="two points in each"):
        pixel_similarity([(0, 0)], [(0, 0), (1, 1)])
