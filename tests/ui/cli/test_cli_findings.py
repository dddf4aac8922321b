"""``finding`` and ``sources`` from the command line: four eyes with --reviewer, policy
and override, declared relations, refusals in one line, and a library made before
findings had numbers migrating and taking findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from db.engine import make_engine
from db.migrate import downgrade
from tests import samples
from tests.conftest import run_cli, run_cli_subprocess
from tests.workstation.findings.test_service import OTHER, THIRD, WIRE


def _ok(*args: str) -> str:
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _refused(*args: str) -> str:
    result = run_cli(*args)
    assert result.returncode == 1, result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def lib(tmp_path: Path) -> tuple[str, dict[str, str]]:
    """A library with three sources, each with one mark: source ids and mark uuids."""
    path = str(tmp_path / "lib")
    _ok("init", "--library", path)
    folder = tmp_path / "in"
    for name, text in (("wire", WIRE), ("other", OTHER), ("third", THIRD)):
        samples.make_text(folder, text=text, name=f"{name}.txt")
    rows = json.loads(_ok("--library", path, "import", str(folder), "--json"))
    out: dict[str, str] = {}
    for row in rows:
        name = Path(row["path"]).stem
        out[f"id:{name}"] = str(row["source_id"])
        quote = {"wire": WIRE, "other": OTHER, "third": THIRD}[name][:20]
        made = _ok("--library", path, "annotate", str(row["source_id"]), "--quote", quote, "--json")
        out[name] = json.loads(made)["uuid"]
    return path, out


def _finding(path: str, marks: dict[str, str], *names: str) -> str:
    made = json.loads(
        _ok(
            "--library", path, "finding", "create", "--title", "Amber Tide transfer",
            "--category", "arms", "--claim", "The tanker transferred oil.",
            "--from", "2025-05", "--to", "2025-05-17", "--confidence", "likely", "--json",
        )
    )  # fmt: skip
    if names:
        _ok("--library", path, "finding", "add", made["number"], *(marks[n] for n in names))
    return str(made["number"])


def test_four_eyes_from_the_command_line(lib: tuple[str, dict[str, str]]) -> None:
    path, marks = lib
    number = _finding(path, marks, "wire", "other")
    assert number == "F-0001"
    _ok("--library", path, "finding", "submit", number)
    line = _refused("--library", path, "finding", "confirm", number)
    assert line.startswith("workstation: four eyes: ")
    _ok("--library", path, "--reviewer", "bob", "finding", "comment", number, "--text", "Fine.")
    _ok("--library", path, "finding", "confirm", number, "--reviewer", "bob")
    shown = json.loads(_ok("--library", path, "finding", "show", number, "--json"))
    for key in ("uuid", "number", "title", "status", "category", "evidence", "sources",
                "independent", "groups", "review", "replies"):  # fmt: skip
        assert key in shown
    assert shown["status"] == "confirmed"
    assert shown["confirmed_by"] == "bob"
    assert shown["confidence"] == {"term": "likely or probable", "range": "55-75 %"}
    assert (shown["sources"], shown["independent"]) == (2, 2)
    assert {e["annotation"] for e in shown["evidence"]} == {marks["wire"], marks["other"]}
    assert all(len(e["sha256"]) == 64 and e["role"] == "supports" for e in shown["evidence"])
    assert [(r["action"], r["reviewer"], r["signed"]) for r in shown["review"]] == [
        ("submit", "cli-tester", False),
        ("confirm", "bob", False),
    ]
    assert shown["signed"] is False
    assert shown["comments"][0]["author"] == "bob"
    listed = json.loads(
        _ok("--library", path, "finding", "list", "--status", "confirmed", "--json")
    )
    assert [(f["number"], f["badge"]) for f in listed] == [("F-0001", "2 independent of 2 sources")]
    assert (
        json.loads(_ok("--library", path, "finding", "list", "--status", "draft", "--json")) == []
    )
    text = _ok("--library", path, "finding", "show", number)
    assert "2 independent of 2 sources" in text
    assert "confirm by bob" in text
    check = json.loads(_ok("--library", path, "check", "--json"))
    assert check["ok"] is True


def test_policy_override_and_declared_relations(lib: tuple[str, dict[str, str]]) -> None:
    path, marks = lib
    number = _finding(path, marks, "other", "third")
    _ok("--library", path, "sources", "relate", marks["id:third"], marks["id:other"],
        "--derived-from")  # fmt: skip
    _ok("--library", path, "finding", "submit", number)
    line = _refused("--library", path, "--reviewer", "bob", "finding", "confirm", number)
    assert line == (
        f"workstation: policy: {number} rests on 1 independent source group, 2 required; "
        "confirm with --override-reason TEXT to record why it stands anyway"
    )
    shown = json.loads(_ok("--library", path, "finding", "show", number, "--json"))
    assert shown["groups"] == [[int(marks["id:other"]), int(marks["id:third"])]]
    [[because]] = shown["reasons"]  # sources named by title, cut short, and id
    assert f"(source {marks['id:third']}) is declared derived from " in because
    assert because.endswith(f"(source {marks['id:other']})")
    _ok("--library", path, "sources", "relate", marks["id:third"], marks["id:other"],
        "--derived-from", "--remove")  # fmt: skip
    _ok("--library", path, "sources", "set", marks["id:other"], "--publisher", "Reuters")
    _ok("--library", path, "sources", "set", marks["id:third"], "--publisher", "REUTERS",
        "--reliability", "b", "--credibility", "2")  # fmt: skip
    shown = json.loads(_ok("--library", path, "finding", "show", number, "--json"))
    assert shown["independent"] == 1
    assert shown["reasons"][0][0].endswith("have the same publisher: Reuters")
    assert {e["grade"] for e in shown["evidence"]} == {None, "B2"}
    _ok("--library", path, "--reviewer", "bob", "finding", "confirm", number,
        "--override-reason", "the agency saw it first-hand")  # fmt: skip
    shown = json.loads(_ok("--library", path, "finding", "show", number, "--json"))
    assert shown["override_reason"].startswith("the agency saw it first-hand (policy: rests on 1")
    # Evidence changed after confirmation: back to review, and the reason says why.
    _ok("--library", path, "finding", "add", number, marks["wire"], "--role", "context")
    shown = json.loads(_ok("--library", path, "finding", "show", number, "--json"))
    assert shown["status"] == "in_review"
    assert shown["review"][-1]["reason"] == (
        "returned to review: its evidence changed after it was confirmed"
    )
    _ok("--library", path, "finding", "reopen", number, "--reason", "more imagery coming")
    assert json.loads(_ok("--library", path, "finding", "show", number, "--json"))["status"] == (
        "draft"
    )


def test_refusals_are_one_line(lib: tuple[str, dict[str, str]]) -> None:
    path, marks = lib
    number = _finding(path, marks, "wire")
    assert _refused("--library", path, "finding", "show", "F-0099") == (
        "workstation: no finding F-0099"
    )
    assert "is draft" in _refused(
        "--library", path, "--reviewer", "bob", "finding", "confirm", number
    )
    assert "only the author (cli-tester)" in _refused(
        "--library", path, "--reviewer", "bob", "finding", "submit", number
    )
    assert "PHIA" in _refused("--library", path, "finding", "create", "--title", "t",
                              "--confidence", "sure")  # fmt: skip
    assert "not a date" in _refused("--library", path, "finding", "create", "--title", "t",
                                    "--from", "May 2025")  # fmt: skip
    assert "itself" in _refused("--library", path, "sources", "relate", marks["id:wire"],
                                marks["id:wire"], "--same-origin")  # fmt: skip
    # Nothing half-written: the refused creations took no number.
    assert _finding(path, marks) == "F-0002"


def test_four_eyes_refusal_as_a_subprocess(lib: tuple[str, dict[str, str]]) -> None:
    path, marks = lib
    number = _finding(path, marks, "wire", "other")
    _ok("--library", path, "finding", "submit", number)
    done = run_cli_subprocess(
        "--library", path, "--reviewer", "cli-tester", "finding", "reject", number
    )
    assert done.returncode == 1
    assert done.stderr.startswith("workstation: four eyes: cli-tester wrote F-0001;")
    assert len(done.stderr.splitlines()) == 1
    assert done.stdout == ""


def test_a_library_made_before_findings_migrates(lib: tuple[str, dict[str, str]]) -> None:
    path, marks = lib
    db = Path(path) / "library.sqlite"
    engine = make_engine(db, writer=True)
    downgrade(engine, "0004")
    engine.dispose()
    number = _finding(path, marks, "wire", "other")
    assert number == "F-0001"
    _ok("--library", path, "finding", "submit", number)
    _ok("--library", path, "--reviewer", "bob", "finding", "confirm", number)
    check = json.loads(_ok("--library", path, "check", "--json"))
    assert check["ok"] is True
    log = json.loads(_ok("--library", path, "audit", "log", "--json", "--limit", "500"))
    assert "library.migrate" in {e["action"] for e in log}


def test_policy_setting_and_an_edit_after_confirmation(lib: tuple[str, dict[str, str]]) -> None:
    path, marks = lib
    number = _finding(path, marks, "wire")
    assert json.loads(_ok("--library", path, "finding", "policy", "--json")) == {
        "min_independent": 2,
        "min_grade": None,
    }
    _ok("--library", path, "finding", "policy", "--min-independent", "1", "--min-grade", "c3")
    assert json.loads(_ok("--library", path, "finding", "policy", "--json")) == {
        "min_independent": 1,
        "min_grade": "C3",
    }
    _ok("--library", path, "finding", "submit", number)
    line = _refused("--library", path, "--reviewer", "bob", "finding", "confirm", number)
    assert "rests on 0 independent source groups graded C3 or better, 1 required" in line
    _ok("--library", path, "sources", "set", marks["id:wire"], "--reliability", "B",
        "--credibility", "3")  # fmt: skip
    _ok("--library", path, "--reviewer", "bob", "finding", "confirm", number)
    edited = json.loads(
        _ok("--library", path, "finding", "edit", number, "--claim", "Another claim.", "--json")
    )
    assert edited["status"] == "in_review"
    shown = json.loads(_ok("--library", path, "finding", "show", number, "--json"))
    assert shown["claim"] == "Another claim."
    assert shown["review"][-1]["reason"] == (
        "returned to review: its claim changed after it was confirmed"
    )
    log = json.loads(_ok("--library", path, "audit", "log", "--json", "--limit", "50"))
    assert "findings.policy" in {e["action"] for e in log}
    assert json.loads(_ok("--library", path, "check", "--json"))["ok"] is True


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--reviewer", "bob", "finding", "confirm", "F-0001"), "workstation: policy: F-0001 "),
        (("finding", "create", "--title", "t", "--to", "2025-02-30"), "workstation: '2025-02-30' "),
        (("finding", "show", "F-0042"), "workstation: no finding F-0042"),
    ],
)
def test_refusals_as_a_subprocess(
    lib: tuple[str, dict[str, str]], args: tuple[str, ...], expected: str
) -> None:
    path, marks = lib
    number = _finding(path, marks, "wire")
    _ok("--library", path, "finding", "submit", number)
    done = run_cli_subprocess("--library", path, *args)
    assert done.returncode == 1
    assert done.stderr.startswith(expected)
    assert len(done.stderr.splitlines()) == 1
    assert json.loads(_ok("--library", path, "finding", "list", "--json"))[-1]["number"] == number
