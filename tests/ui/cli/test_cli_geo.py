"""georef / measure from the command line, and bad input as one line on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pyproj
import pytest

from tests import samples
from tests.conftest import run_cli, run_cli_subprocess

TO_GEO = pyproj.Transformer.from_crs("EPSG:32652", "EPSG:4326", always_xy=True)


def _ok(*args: str) -> str:
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _point(x: float, y: float) -> str:
    lon, lat = TO_GEO.transform(600_000 + x * 0.5, 4_680_000 - y * 0.5)
    return f"{x},{y},{lat!r},{lon!r}"


@pytest.fixture
def lib(tmp_path: Path) -> tuple[str, dict[str, int]]:
    path = str(tmp_path / "lib")
    _ok("init", "--library", path)
    folder = tmp_path / "in"
    samples.make_jpeg(folder, size=(400, 300), name="plain.jpg")
    samples.make_geotiff(folder, name="scene.tif")
    samples.make_pdf(folder)
    rows = json.loads(_ok("--library", path, "import", str(folder), "--json"))
    return path, {Path(r["path"]).name: r["source_id"] for r in rows}


def test_georef_by_hand_show_measure_remove(lib: tuple[str, dict[str, int]]) -> None:
    path, ids = lib
    jpeg = str(ids["plain.jpg"])
    assert _ok("--library", path, "georef", jpeg) == f"source {jpeg}: not georeferenced\n"
    points = [_point(0, 0), _point(400, 0), _point(0, 300), _point(400, 300)]
    args = [a for p in points for a in ("--point", p)]
    out = _ok("--library", path, "georef", jpeg, *args, "--crs", "EPSG:32652", "--json")
    g = json.loads(out)["georeference"]
    assert (g["origin"], g["crs"], len(g["control_points"])) == ("hand", "EPSG:32652", 4)
    assert g["residual_metres"] == pytest.approx(0.0, abs=1e-3)
    shown = _ok("--library", path, "georef", jpeg)
    assert "by hand from 4 control points in EPSG:32652, residual 0.00 m" in shown
    measured = json.loads(
        _ok("--library", path, "measure", jpeg, "--line", "0,0,300,400", "--json")
    )
    # 500 px at 0.5 m of UTM grid, about 130.3 E (1.3 degrees off the central meridian).
    assert measured["metres"] == pytest.approx(250.0, rel=0.002)
    assert measured["method"] == "georeference"
    assert 0.5 < measured["uncertainty_metres"] < 1.0
    text = _ok("--library", path, "measure", jpeg, "--polygon", "0,0,200,0,200,200,0,200")
    assert text.startswith("measured 10,0")
    assert "m²" in text
    assert _ok("--library", path, "georef", jpeg, "--remove") == (
        f"source {jpeg}: georeference removed\n"
    )
    check = run_cli("--library", path, "check")
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_scale_alone_measures_with_method_gsd(lib: tuple[str, dict[str, int]]) -> None:
    path, ids = lib
    jpeg = str(ids["plain.jpg"])
    _ok("--library", path, "georef", jpeg, "--gsd", "0.5")
    measured = json.loads(_ok("--library", path, "measure", jpeg, "--line", "0,0,30,40", "--json"))
    assert (measured["metres"], measured["method"]) == (25.0, "gsd")


def test_the_geotiff_came_georeferenced(lib: tuple[str, dict[str, int]]) -> None:
    path, ids = lib
    g = json.loads(_ok("--library", path, "georef", str(ids["scene.tif"]), "--json"))
    assert g["georeference"]["origin"] == "file"
    assert g["georeference"]["gsd_metres"] == pytest.approx(0.5, rel=0.002)
    shown = json.loads(_ok("--library", path, "show", str(ids["scene.tif"]), "--json"))
    footprint = shown["georeference"]["footprint"]
    assert footprint["type"] == "Polygon"
    assert len(footprint["coordinates"][0]) == 5
    assert "georeference" not in json.loads(
        _ok("--library", path, "show", str(ids["plain.jpg"]), "--json")
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--point", "10,10,42.2,130.2"], "at least 2 control points, not 1"),
        (
            [
                "--point",
                "0,0,42.2,130.2",
                "--point",
                "10,10,42.3,130.3",
                "--point",
                "20,20,42.4,130.4",
            ],
            "lie on one line",
        ),
        (["--point", "0,0,42.2", "--point", "1,1,2,3"], "a point is X,Y,LAT,LON"),
        (["--point", "0,0,95,130", "--point", "1,1,2,3"], "latitude 95.0 is not between"),
        (
            ["--point", "0,0,42,130", "--point", "99,9,42.1,130", "--crs", "EPSG:999999"],
            "unknown coordinate reference system",
        ),
        (["--gsd", "-1"], "a ground sample distance is"),
        (["--crs", "32652"], "has no transform to give a CRS to"),
    ],
)
def test_bad_georef_input_is_one_line_and_changes_nothing(
    lib: tuple[str, dict[str, int]], args: list[str], message: str
) -> None:
    path, ids = lib
    result = run_cli("--library", path, "georef", str(ids["plain.jpg"]), *args)
    assert result.returncode == 1
    assert result.stderr.startswith("workstation: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert _ok("--library", path, "georef", str(ids["plain.jpg"])).endswith("not georeferenced\n")


def test_a_bad_world_file_through_a_fresh_interpreter(
    lib: tuple[str, dict[str, int]], tmp_path: Path
) -> None:
    path, ids = lib
    world = tmp_path / "plain.jgw"
    world.write_text("0.5\n0\n0\n-0.5\n600000\n", encoding="ascii")
    result = run_cli_subprocess(
        "--library", path, "georef", str(ids["plain.jpg"]), "--world-file", str(world)
    )
    assert result.returncode == 1
    assert result.stderr == "workstation: the world file plain.jgw has 5 lines, not 6\n"


def test_measure_needs_a_georeference(lib: tuple[str, dict[str, int]]) -> None:
    path, ids = lib
    result = run_cli("--library", path, "measure", str(ids["plain.jpg"]), "--line", "0,0,1,1")
    assert result.returncode == 1
    assert "has no georeference or scale" in result.stderr


def test_georef_of_a_pdf(lib: tuple[str, dict[str, int]]) -> None:
    path, ids = lib
    pdf = next(v for k, v in ids.items() if k.endswith(".pdf"))
    result = run_cli("--library", path, "georef", str(pdf), "--gsd", "0.5")
    assert result.returncode == 1
    assert "is a pdf, not an image" in result.stderr


def test_a_vessel_measured_saved_and_compared(lib: tuple[str, dict[str, int]]) -> None:
    path, ids = lib
    scene = str(ids["scene.tif"])
    vessel = json.loads(
        _ok(
            "--library",
            path,
            "entities",
            "add",
            "vessel",
            "AMBER TIDE",
            "--loa",
            "183",
            "--beam",
            "32",
            "--json",
        )
    )["uuid"]
    # 0.5 m pixels: 100 px along the top edge is 50 m of grid (about 50.0 m on the ground).
    out = _ok(
        "--library",
        path,
        "measure",
        scene,
        "--line",
        "10,10,110,10",
        "--entity",
        vessel,
        "--save",
        "--tag",
        "maritime",
        "--note",
        "bow to stern",
    )
    first, second = out.splitlines()
    assert first.startswith("measured 50.0 ± 0.71 m (geodesic on WGS84; one sigma)")
    assert first.endswith("; registered LOA 183 m, beam 32 m")
    uuid = second.removeprefix("saved as annotation ")
    marks = json.loads(_ok("--library", path, "annotations", scene, "--format", "json"))
    (mark,) = [m for m in marks if m["uuid"] == uuid]
    assert mark["anchor"]["shape"] == "points"
    assert mark["note"].startswith("bow to stern\nMeasured length 50.0 ± 0.71 m")
    assert mark["entities"] == [vessel]
    assert mark["geo"]["type"] == "MultiPoint"
    check = run_cli("--library", path, "check")
    assert check.returncode == 0, check.stdout + check.stderr


def test_loa_is_a_vessels(lib: tuple[str, dict[str, int]]) -> None:
    path, _ids = lib
    result = run_cli("--library", path, "entities", "add", "company", "ACME", "--loa", "10")
    assert result.returncode == 2
    assert "--loa and --beam are a vessel's" in result.stderr


def test_entities_edit_sets_and_removes_a_vessels_size(lib: tuple[str, dict[str, int]]) -> None:
    path, ids = lib
    scene = str(ids["scene.tif"])
    vessel = json.loads(_ok("--library", path, "entities", "add", "vessel", "SKY", "--json"))[
        "uuid"
    ]
    out = json.loads(
        _ok("--library", path, "entities", "edit", vessel[:8], "--loa", "183", "--json")
    )
    assert out["registered"] == {"loa_metres": 183.0}
    text = _ok("--library", path, "entities", "edit", vessel[:8], "--beam", "32.5")
    assert text == f"{vessel}  SKY: loa 183 m, beam 32.5 m\n"
    measured = _ok(
        "--library", path, "measure", scene, "--line", "10,10,110,10", "--entity", vessel
    )
    assert measured.rstrip().endswith("; registered LOA 183 m, beam 32.5 m")
    out = json.loads(
        _ok("--library", path, "entities", "edit", vessel[:8], "--loa", "none", "--json")
    )
    assert out["registered"] == {"beam_metres": 32.5}
    check = run_cli("--library", path, "check")
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize(
    ("kind", "args", "message"),
    [
        ("vessel", ["--loa", "long"], "workstation: LOA must be a number of metres, not 'long'"),
        ("vessel", ["--beam", "1500"], "workstation: beam must be between 0 and 1000 metres"),
        ("company", ["--loa", "50"], "workstation: only a vessel has a registered LOA"),
    ],
)
def test_entities_edit_refuses_bad_sizes_in_one_line(
    lib: tuple[str, dict[str, int]], kind: str, args: list[str], message: str
) -> None:
    path, _ids = lib
    uuid = json.loads(_ok("--library", path, "entities", "add", kind, "ACME", "--json"))["uuid"]
    result = run_cli_subprocess("--library", path, "entities", "edit", uuid, *args)
    assert result.returncode == 1
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    shown = json.loads(_ok("--library", path, "entities", "show", uuid, "--json"))
    assert shown["name"] == "ACME"
    nothing = run_cli("--library", path, "entities", "edit", uuid)
    assert nothing.returncode == 2
    assert "give --loa METRES and/or --beam METRES" in nothing.stderr
