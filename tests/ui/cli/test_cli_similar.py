"""`workstation similar SOURCE`: the sources that tell one story with it, from the band index."""

from __future__ import annotations

import json
import random
from pathlib import Path

from tests.conftest import run_cli

_WORDS = [
    "vessel",
    "tanker",
    "cargo",
    "port",
    "Nampo",
    "Rajin",
    "coal",
    "barge",
    "transfer",
    "night",
    "AIS",
    "dark",
    "flag",
    "registry",
    "owner",
    "company",
    "Hong",
    "Kong",
    "shell",
    "insurer",
    "crew",
    "master",
    "manifest",
    "loading",
    "berth",
    "satellite",
    "image",
    "panel",
    "member",
    "state",
    "letter",
    "customs",
    "declaration",
    "bill",
    "lading",
    "origin",
    "destination",
    "route",
]


def _story(seed: int, n: int = 400) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(_WORDS) for _ in range(n)) + "."


def _library(tmp_path: Path) -> tuple[str, dict[str, int]]:
    lib = str(tmp_path / "lib")
    assert run_cli("init", "--library", lib).returncode == 0
    story = _story(1)
    words = story.split()
    retold = " ".join(words[:300] + ["The", "ministry", "denied", "it."] + words[300:])
    texts = {"wire.txt": story, "retold.txt": retold, "other.txt": _story(2)}
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    done = run_cli("import", "--library", lib, str(folder))
    assert done.returncode == 0, done.stderr
    listed = json.loads(run_cli("list", "--library", lib, "--json").stdout)
    return lib, {row["filename"]: row["source_id"] for row in listed}


def test_similar_lists_the_retold_story_and_not_the_other(tmp_path: Path) -> None:
    lib, ids = _library(tmp_path)
    done = run_cli("similar", "--library", lib, str(ids["wire.txt"]), "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [r["source_id"] for r in rows] == [ids["retold.txt"]]
    assert rows[0]["containment"] > 0.9
    assert rows[0]["title"]

    text = run_cli("similar", "--library", lib, str(ids["other.txt"])).stdout
    assert text.startswith("no source shares 50% or more of its text with source")


def test_similar_bad_threshold_and_unknown_source_are_refused(tmp_path: Path) -> None:
    lib, ids = _library(tmp_path)
    done = run_cli("similar", "--library", lib, str(ids["wire.txt"]), "--threshold", "1.5")
    assert done.returncode == 2  # a usage error, with the usage above it as argparse prints
    assert done.stderr.splitlines()[-1].endswith(
        "--threshold must be above 0 and at most 1, not 1.5"
    )

    done = run_cli("similar", "--library", lib, "999999")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr


def test_import_says_which_new_source_retells_one_already_here(tmp_path: Path) -> None:
    lib, ids = _library(tmp_path)
    again = tmp_path / "again"
    again.mkdir()
    words = _story(1).split()
    (again / "copy.txt").write_text(" ".join(["Reuters:", *words[:380]]), encoding="utf-8")
    (again / "fresh.txt").write_text(_story(3), encoding="utf-8")

    done = run_cli("import", "--library", lib, str(again), "--json")
    assert done.returncode == 0, done.stderr
    rows = {Path(r["path"]).name: r for r in json.loads(done.stdout)}
    told = {s["source_id"] for s in rows["copy.txt"]["similar"]}
    assert told == {ids["wire.txt"], ids["retold.txt"]}
    assert rows["fresh.txt"]["similar"] == []

    (again / "copy.txt").write_text(" ".join(words[:390]), encoding="utf-8")
    text = run_cli("import", "--library", lib, str(again / "copy.txt")).stdout
    assert f"one story with source {ids['wire.txt']} (" in text
