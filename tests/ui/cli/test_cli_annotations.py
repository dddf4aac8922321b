"""annotate / annotations / taxonomy from the command line, as a script would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import samples
from tests.conftest import run_cli
from tests.w3c_rules import problems


def _ok(*args: str) -> str:
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def lib(tmp_path: Path) -> tuple[str, dict[str, int]]:
    path = str(tmp_path / "lib")
    _ok("init", "--library", path)
    folder = tmp_path / "in"
    samples.make_text(folder, name="ko.txt", text="😀 북한이 러시아에 포탄을 보냈다. Nampo.")
    samples.make_pdf(folder, pages=2, texts=["Nampo page one.", "AMBER TIDE at Nampo."])
    samples.make_jpeg(folder, size=(400, 300))
    rows = json.loads(_ok("--library", path, "import", str(folder), "--json"))
    return path, {r["kind"]: r["source_id"] for r in rows}


def test_annotate_quote_and_region_then_list(lib: tuple[str, dict[str, int]]) -> None:
    path, ids = lib
    made = json.loads(
        _ok(
            "--library",
            path,
            "annotate",
            str(ids["text"]),
            "--quote",
            "포탄을",
            "--tag",
            "arms",
            "--note",
            "shells",
            "--json",
        )
    )
    assert made["anchor"]["kind"] == "text"
    assert made["anchor"]["exact"] == "포탄을"
    assert made["anchor"]["start"] == "😀 북한이 러시아에 포탄을".index("포탄을")
    uuid_only = _ok(
        "--library",
        path,
        "annotate",
        str(ids["pdf"]),
        "--quote",
        "Nampo",
        "--occurrence",
        "2",
        "--tag",
        "maritime",
    ).strip()
    assert len(uuid_only) == 36
    _ok(
        "--library",
        path,
        "annotate",
        str(ids["image"]),
        "--region",
        "10,20,100,50",
        "--tag",
        "maritime",
        "--redact",
    )
    _ok("--library", path, "annotate", str(ids["pdf"]), "--region", "50,50,100,40", "--page", "2")
    everything = json.loads(_ok("--library", path, "annotations"))
    assert len(everything) == 4
    pdf_only = json.loads(_ok("--library", path, "annotations", str(ids["pdf"])))
    assert [a["anchor"]["page"] for a in pdf_only] == [2, 2]
    tagged = json.loads(_ok("--library", path, "annotations", "--tag", "maritime"))
    assert len(tagged) == 2


def test_annotate_bad_input(lib: tuple[str, dict[str, int]]) -> None:
    path, ids = lib
    cases = [
        (["annotate", str(ids["text"]), "--quote", "Vladivostok"], 1, "not in the source"),
        (
            ["annotate", str(ids["text"]), "--quote", "Nampo", "--tag", "no-such-code"],
            1,
            "no category",
        ),
        (["annotate", str(ids["image"]), "--region", "390,290,50,50"], 1, "outside the image"),
        (["annotate", str(ids["pdf"]), "--region", "1,2,3"], 2, "X,Y,W,H"),
        (["annotate", str(ids["pdf"])], 2, "--quote"),
        (["annotate", "999", "--quote", "x"], 1, "no source"),
    ]
    for args, code, message in cases:
        result = run_cli("--library", path, *args)
        assert result.returncode == code, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    assert json.loads(_ok("--library", path, "annotations")) == []


def test_w3c_export_passes_the_conformance_checker(
    lib: tuple[str, dict[str, int]], tmp_path: Path
) -> None:
    path, ids = lib
    _ok(
        "--library",
        path,
        "annotate",
        str(ids["text"]),
        "--quote",
        "북한이",
        "--tag",
        "arms",
        "--note",
        "노트 😀",
    )
    _ok("--library", path, "annotate", str(ids["pdf"]), "--quote", "AMBER TIDE", "--page", "2")
    _ok("--library", path, "annotate", str(ids["image"]), "--region", "10,20,100,50")
    _ok(
        "--library",
        path,
        "annotate",
        str(ids["pdf"]),
        "--region",
        "50,50,100,40",
        "--page",
        "1",
        "--tag",
        "maritime",
    )
    out = tmp_path / "annotations.jsonld"
    out.write_text(_ok("--library", path, "annotations", "--format", "w3c"), encoding="utf-8")
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["type"] == "AnnotationCollection"
    assert len(doc["first"]["items"]) == 4
    assert problems(doc) == []


def test_taxonomy_list_and_export(lib: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    path, _ = lib
    listed = json.loads(_ok("--library", path, "taxonomy", "list", "--json"))
    codes = {c["code"] for c in listed}
    assert {"arms", "wmd", "maritime", "petroleum", "designated"} <= codes
    exported = tmp_path / "tax.json"
    exported.write_text(_ok("--library", path, "taxonomy", "export"), encoding="utf-8")
    other = str(tmp_path / "other")
    _ok("init", "--library", other)
    _ok("--library", other, "taxonomy", "import", str(exported))
    assert _ok("--library", other, "taxonomy", "export") == exported.read_text(encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('{"concepts": [{"code": "x", "parent": "nowhere"}]}', encoding="utf-8")
    result = run_cli("--library", other, "taxonomy", "import", str(bad))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1


def test_entities_add_suggest_show(lib: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    path, _ = lib
    folder = tmp_path / "ships"
    samples.make_text(
        folder,
        name="ships.txt",
        text="😀 CHON MA SAN (IMO 9074729, MMSI 445123456) loaded coal; SKY VENUS IMO 9074728.",
    )
    rows = json.loads(_ok("--library", path, "import", str(folder), "--json"))
    sid = str(rows[0]["source_id"])
    before = _ok("--library", path, "audit", "log", "--json")
    suggested = json.loads(_ok("--library", path, "entities", "suggest", sid, "--json"))
    # IMO 9074728 fails the check digit: not suggested. Nothing is written.
    assert [(c["kind"], c["value"]) for c in suggested] == [
        ("imo", "9074729"),
        ("mmsi", "445123456"),
    ]
    assert suggested[1]["flag"]
    assert "Korea" in suggested[1]["flag"]
    assert suggested[0]["entity_uuid"] is None
    assert _ok("--library", path, "audit", "log", "--json") == before

    made = json.loads(
        _ok(
            "--library",
            path,
            "entities",
            "add",
            "vessel",
            "CHON MA SAN",
            "--imo",
            "9074729",
            "--alias",
            "천마산",
            "--json",
        )
    )
    again = json.loads(_ok("--library", path, "entities", "suggest", sid, "--json"))
    assert {c["entity_uuid"] for c in again if c["kind"] in ("imo", "name")} == {made["uuid"]}
    shown = json.loads(_ok("--library", path, "entities", "show", made["uuid"][:8], "--json"))
    assert shown["sources"][0]["source_id"] == int(sid)

    clash = run_cli("--library", path, "entities", "add", "vessel", "OTHER", "--imo", "9074729")
    assert clash.returncode == 1
    assert "already belongs to vessel 'CHON MA SAN'" in clash.stderr
    bad = run_cli("--library", path, "entities", "add", "vessel", "BAD", "--imo", "9074728")
    assert bad.returncode == 1
    assert bad.stderr.count("\n") == 1
    listed = json.loads(_ok("--library", path, "entities", "list", "chon", "--json"))
    assert [e["name"] for e in listed] == ["CHON MA SAN"]
