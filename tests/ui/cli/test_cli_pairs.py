"""pairs / pair from the command line, in process; bad input as one line on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import samples
from tests.conftest import run_cli


def _ok(*args: str) -> str:
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def lib(tmp_path: Path) -> tuple[str, dict[str, int]]:
    path = str(tmp_path / "lib")
    _ok("init", "--library", path)
    before, after = samples.make_before_after(tmp_path / "in")
    pdf = samples.make_pdf(tmp_path / "in")
    rows = json.loads(_ok("--library", path, "import", str(before), str(after), str(pdf), "--json"))
    return path, {Path(r["path"]).name: r["source_id"] for r in rows}


def test_pair_list_and_remove(lib: tuple[str, dict[str, int]]) -> None:
    path, ids = lib
    b, a = str(ids["before.tif"]), str(ids["after.tif"])
    assert _ok("--library", path, "pairs") == "no image pairs\n"
    out = _ok("--library", path, "pair", a, b, "--note", "new container stack")
    assert out == (
        f"kept pair 1: before {b} before.tif (2024-03-01), after {a} after.tif (2024-05-17): "
        "new container stack\n"
    )
    (doc,) = json.loads(_ok("--library", path, "pairs", "--json"))
    assert (doc["before"]["source"], doc["after"]["source"]) == (int(b), int(a))
    assert doc["before"]["captured"] == "2024-03-01"
    assert doc["note"] == "new container stack"
    assert doc["made_by"]
    assert json.loads(_ok("--library", path, "pairs", a, "--json"))[0]["id"] == 1
    assert _ok("--library", path, "pairs", str(ids["sample.pdf"])).startswith("no image pairs")
    log = _ok("--library", path, "audit", "log", "--json")
    assert "pair.create" in log
    removed = json.loads(_ok("--library", path, "pair", "--remove", "1", "--json"))
    assert removed["removed"]["uuid"] == doc["uuid"]
    assert _ok("--library", path, "pairs", "--json") == "[]\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["BEFORE", "BEFORE"], "a pair is two different pictures"),
        (["BEFORE", "PDF"], "is a pdf, not an image"),
        (["BEFORE", "999"], "no source 999"),
        (["BEFORE"], "give two sources to pair"),
        (["--remove", "7"], "no image pair 7"),
        (["BEFORE", "--remove", "1"], "or --remove ID alone"),
    ],
)
def test_bad_input_is_one_line(
    lib: tuple[str, dict[str, int]], args: list[str], message: str
) -> None:
    path, ids = lib
    names = {"BEFORE": str(ids["before.tif"]), "PDF": str(ids["sample.pdf"])}
    result = run_cli("--library", path, "pair", *[names.get(a, a) for a in args])
    lines = result.stderr.strip().splitlines()
    assert message in lines[-1]
    if result.returncode == 1:  # refused by the library: one line
        assert len(lines) == 1
    else:  # the words of the call: argparse's usage, then the line
        assert result.returncode == 2
    assert _ok("--library", path, "pairs", "--json") == "[]\n"


def test_a_pair_travels_in_a_bundle_from_the_command_line(
    lib: tuple[str, dict[str, int]], tmp_path: Path
) -> None:
    path, ids = lib
    _ok("--library", path, "pair", str(ids["before.tif"]), str(ids["after.tif"]), "--note", "quay")
    bundle = str(tmp_path / "bundle")
    _ok("--library", path, "export", "--out", bundle)
    other = str(tmp_path / "other")
    _ok("init", "--library", other)
    out = _ok("--library", other, "import-bundle", bundle, "--accept-untrusted")
    assert "  image pairs: 1 added, 0 already here" in out.splitlines()
    (doc,) = json.loads(_ok("--library", other, "pairs", "--json"))
    assert (doc["before"]["title"], doc["after"]["title"], doc["note"]) == (
        "before.tif",
        "after.tif",
        "quay",
    )


def test_a_duplicate_pair_is_refused(lib: tuple[str, dict[str, int]]) -> None:
    path, ids = lib
    b, a = str(ids["before.tif"]), str(ids["after.tif"])
    _ok("--library", path, "pair", b, a)
    result = run_cli("--library", path, "pair", a, b)
    assert result.returncode == 1
    assert result.stderr.strip().endswith(f"sources {a} and {b} are already image pair 1")


def test_a_read_only_library_lists_pairs_and_refuses_a_new_one(
    lib: tuple[str, dict[str, int]],
) -> None:
    path, ids = lib
    _ok("--library", path, "pair", str(ids["before.tif"]), str(ids["after.tif"]))
    assert _ok("--library", path, "--read-only", "pairs").startswith("pair 1: before")
    result = run_cli("--library", path, "--read-only", "pair", "--remove", "1")
    assert result.returncode == 1
    assert "cannot be changed" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert len(json.loads(_ok("--library", path, "pairs", "--json"))) == 1
