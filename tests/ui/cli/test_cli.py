"""The CLI as a user (or a script) runs it: exit codes, JSON, one-line errors.

Most tests run it in process (``run_cli``); the smoke tests marked below run
``python -m ui.cli`` in a fresh interpreter, which only a real process shows.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests import samples
from tests.conftest import ROOT, CliRunner, run_cli, run_cli_subprocess


def _ok(*args: str, runner: CliRunner = run_cli, **kw: Any) -> str:
    result = runner(*args, **kw)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


@pytest.fixture
def lib(tmp_path: Path) -> str:
    path = str(tmp_path / "lib")
    _ok("init", "--library", path)
    return path


def test_help_lists_commands() -> None:
    # Smoke test in a real process: the module entry point, argparse's exit status.
    out = _ok("--help", runner=run_cli_subprocess)
    for command in ("init", "import", "list", "show", "search", "check", "audit", "demo"):
        assert command in out


def test_usage_error_exits_2(lib: str) -> None:
    result = run_cli("--library", lib, "search")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_missing_library_is_one_line_error(tmp_path: Path) -> None:
    # Smoke test in a real process: a failure's exit status and all it prints on stderr.
    result = run_cli_subprocess("--library", str(tmp_path / "nowhere"), "list")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "no library at" in result.stderr


def test_library_from_environment(tmp_path: Path) -> None:
    path = tmp_path / "envlib"
    _ok("init", env={"WORKSTATION_LIBRARY": str(path)})
    assert (path / "library.sqlite").is_file()
    assert _ok("list", "--json", env={"WORKSTATION_LIBRARY": str(path)}).strip() == "[]"


def test_import_json_shape_and_exit_codes(lib: str, tmp_path: Path) -> None:
    good = samples.make_pdf(tmp_path, pages=2)
    bad = samples.make_empty(tmp_path)
    result = run_cli("--library", lib, "import", str(good), str(bad), "--json")
    assert result.returncode == 3, result.stderr
    rows = json.loads(result.stdout)
    assert [r["status"] for r in rows] == ["imported", "failed"]
    for row in rows:
        assert {"path", "status", "source_id", "sha256", "error"} <= set(row)
    assert rows[0]["sha256"]
    assert rows[0]["error"] is None
    assert rows[1]["source_id"] is None
    assert rows[1]["error"]

    again = run_cli("--library", lib, "import", str(good), "--json")
    assert again.returncode == 0
    assert json.loads(again.stdout)[0]["status"] == "duplicate"

    only_bad = run_cli("--library", lib, "import", str(bad), "--json")
    assert only_bad.returncode == 1


def test_list_show_search(lib: str, tmp_path: Path) -> None:
    samples.make_text(tmp_path, name="memo.txt", text="The tanker SKY VENUS met near Nampo.")
    _ok("--library", lib, "import", str(tmp_path), "--case", "Nampo STS")
    rows = json.loads(_ok("--library", lib, "list", "--json"))
    assert len(rows) == 1
    assert {"source_id", "sha256", "kind", "title", "pages"} <= set(rows[0])
    sid = str(rows[0]["source_id"])

    shown = json.loads(_ok("--library", lib, "show", sid, "--json"))
    assert shown["sha256"] == rows[0]["sha256"]
    assert shown["cases"] == ["Nampo STS"]
    by_prefix = json.loads(_ok("--library", lib, "show", rows[0]["sha256"][:10], "--json"))
    assert by_prefix["source_id"] == rows[0]["source_id"]

    found = json.loads(_ok("--library", lib, "search", "sky venus", "--json"))
    assert found["query"] == "sky venus"
    assert found["total"] == 1
    hit = found["hits"][0]
    assert {"source_id", "title", "page", "snippet", "score"} <= set(hit)
    assert hit["page"] == 1
    assert "SKY VENUS" in hit["snippet"]

    human = _ok("--library", lib, "search", "Nampo")
    assert "1 hits" in human or "1 hit" in human


def test_search_stdin_answers_each_line(lib: str, tmp_path: Path) -> None:
    # Smoke test in a real process: import, then search with queries read from a pipe.
    samples.make_text(tmp_path, name="a.txt", text="CHON MA SAN loaded coal at Nampo")
    samples.make_text(tmp_path, name="b.txt", text="Vostochny port saw the ANGARA")
    _ok("--library", lib, "import", str(tmp_path), runner=run_cli_subprocess)
    out = _ok(
        "--library",
        lib,
        "search",
        "--stdin",
        "--json",
        input_text="Nampo\nANGARA\n\nnothing-matches-this\n",
        runner=run_cli_subprocess,
    )
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a["query"] for a in answers] == ["Nampo", "ANGARA", "nothing-matches-this"]
    assert [a["total"] for a in answers] == [1, 1, 0]


def test_show_unknown_source(lib: str) -> None:
    result = run_cli("--library", lib, "show", "999")
    assert result.returncode == 1
    assert "no source 999" in result.stderr


def test_bad_query_is_one_line_error(lib: str) -> None:
    result = run_cli("--library", lib, "search", '"unbalanced')
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "Traceback" not in result.stderr


def test_check_reports_and_repairs(lib: str, tmp_path: Path) -> None:
    samples.make_text(tmp_path, name="a.txt", text="original")
    _ok("--library", lib, "import", str(tmp_path))
    assert "library is consistent" in _ok("--library", lib, "check")
    orphan_dir = Path(lib) / "blobs" / "sha256" / "ab"
    orphan_dir.mkdir(parents=True, exist_ok=True)
    (orphan_dir / ("ab" + "0" * 62)).write_bytes(b"left by a crash")
    # A leftover of an interrupted import is a note, not damage (git fsck's dangling objects).
    report = json.loads(_ok("--library", lib, "check", "--json"))
    assert report["problems"] == []
    assert any("interrupted import" in n for n in report["notes"])
    _ok("--library", lib, "check", "--repair")
    assert (Path(lib) / "quarantine" / ("ab" + "0" * 62)).read_bytes() == b"left by a crash"
    assert json.loads(_ok("--library", lib, "check", "--json"))["notes"] == []


def test_check_detects_a_changed_blob(lib: str, tmp_path: Path) -> None:
    samples.make_text(tmp_path, name="a.txt", text="original")
    row = json.loads(_ok("--library", lib, "import", str(tmp_path), "--json"))[0]
    blob = Path(lib) / "blobs" / "sha256" / row["sha256"][:2] / row["sha256"]
    blob.chmod(0o644)
    blob.write_bytes(b"tampered")
    bad = run_cli("--library", lib, "check")
    assert bad.returncode == 1
    assert "no longer matches" in bad.stdout


@pytest.mark.slow
def test_demo_builds_a_library(tmp_path: Path) -> None:
    path = str(tmp_path / "demo")
    out = _ok("demo", "--no-gui", "--library", path)
    assert "imported" in out
    rows = json.loads(_ok("--library", path, "list", "--json"))
    kinds = {r["kind"] for r in rows}
    assert {"pdf", "image", "article"} <= kinds
    # It opens on a morning's work: tagged passages, a redaction mark, regions, entities.
    assert "7 marks made" in out
    # The image is listed by its pixel size, not as "0 p." (issue 14).
    image_line = next(line for line in out.splitlines() if " image " in line)
    assert " px " in image_line
    assert "0 p." not in out
    marks = json.loads(_ok("--library", path, "annotations", "--format", "json"))
    assert len(marks) == 7
    assert {c for m in marks for c in m["categories"]} >= {"arms.ammunition", "petroleum"}
    assert sum(1 for m in marks if m["redact"]) == 1
    assert any(m["entities"] for m in marks)
    again = _ok("demo", "--no-gui", "--library", path)
    assert "0 imported" in again
    assert "marks made" not in again  # the second run adds nothing
    assert len(json.loads(_ok("--library", path, "annotations", "--format", "json"))) == 7


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_between_files(lib: str, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    for i in range(400):
        samples.make_text(folder, name=f"{i:03}.txt", text=f"sighting number {i} at Nampo")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSTATION_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "--library", lib, "import", str(folder)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    count = 0
    while count < 5 and time.monotonic() < deadline and proc.poll() is None:
        with sqlite3.connect(Path(lib) / "library.sqlite", timeout=30) as db:
            count = db.execute("select count(*) from sources").fetchone()[0]
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert "Traceback" not in err
    assert "stopping after the current file" in err
    assert "(cancelled)" in out
    rows = json.loads(_ok("--library", lib, "list", "--json"))
    assert 5 <= len(rows) < 400
    assert "library is consistent" in _ok("--library", lib, "check")


def test_the_console_script_is_the_cli() -> None:
    """`workstation` as installed (pyproject's [project.scripts]) runs ui.cli.main.main."""
    import tomllib
    from importlib import import_module

    from ui.cli.main import main

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    target = declared["project"]["scripts"]["workstation"]
    module, _, name = target.partition(":")
    assert getattr(import_module(module), name) is main
    script = Path(sys.executable).with_name("workstation")
    if script.exists():  # the environment's own launcher, as `uv run workstation` runs it
        done = subprocess.run(
            [str(script), "--help"], capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr
        assert "import-bundle" in done.stdout


def test_the_demo_hint_names_a_command_that_works_from_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ui.cli.desktop import command_name

    monkeypatch.setenv("UV_RUN_RECURSION_DEPTH", "1")  # started by `uv run`
    assert command_name() == "uv run workstation"
    monkeypatch.delenv("UV_RUN_RECURSION_DEPTH")
    monkeypatch.setenv("PATH", "")  # nothing on the PATH: the module, with this Python
    assert command_name().endswith(" -m ui.cli")


def test_gui_open_names_a_source_that_is_not_there_in_one_line(lib: str) -> None:
    # Checked before any window opens (so also where there is no display).
    bad = run_cli_subprocess("--library", lib, "gui", "--open", "999")
    assert bad.returncode == 1
    assert bad.stderr.startswith("workstation: ")
    assert "999" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_search_counts_one_hit_in_the_singular(lib: str, tmp_path: Path) -> None:
    samples.make_text(tmp_path / "one", name="one.txt", text="A lone mention of Chongjin.\n")
    _ok("--library", lib, "import", str(tmp_path / "one"))
    out = _ok("--library", lib, "search", "Chongjin")
    assert "1 hit for" in out
    assert "1 hits" not in out
