"""File names that are not UTF-8, or carry newlines or bidi overrides (issue 12).

A name the file system allows is evidence of where a file came from: it gets a
verdict like any other and the batch goes on; every output shows it escaped,
and --json stays valid JSON that gives the exact name back.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests import samples
from tests.conftest import run_cli, run_cli_subprocess
from workstation.core.check import check_library
from workstation.core.library import Library
from workstation.core.printable import escape_json, printable, storable_name
from workstation.sources.flags import FLAG_NAME_NOT_UTF8
from workstation.sources.ingest import ImportService

NOT_UTF8 = b"sighting-caf\xe9.txt"  # Latin-1, as an old Windows zip leaves it
NEWLINE = b"fake\nimported      99  passwd.txt"
BIDI = b"report-\xe2\x80\xaetxt.exe"  # shows as report-exe.txt


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "names"
    folder.mkdir()
    raw = os.fsencode(folder)
    for n, name in enumerate((NOT_UTF8, NEWLINE, BIDI)):
        with open(os.path.join(raw, name), "w", encoding="utf-8") as handle:
            handle.write(f"Sighting note number {n} from the port of Nampo.\n")
    samples.make_text(folder, name="plain.txt", text="A plain note.\n")
    return folder


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("a\nb", "a\\nb"),
        ("tab\there", "tab\\there"),
        ("x\u202ey", "x\\u202ey"),
        ("\u2066isolate\u2069", "\\u2066isolate\\u2069"),
        (os.fsdecode(b"caf\xe9"), "caf\\xe9"),
        ("Нампхо 남포 南浦", "Нампхо 남포 南浦"),
        ("del\x7f", "del\\x7f"),
    ],
)
def test_printable_escapes_only_what_hides(name: str, shown: str) -> None:
    assert printable(name) == shown


def test_storable_name_keeps_the_exact_bytes() -> None:
    name = os.fsdecode(NOT_UTF8)
    text, raw = storable_name(name)
    assert text == "sighting-caf\\xe9.txt"
    assert raw is not None
    assert bytes.fromhex(raw) == NOT_UTF8
    assert storable_name("plain.txt") == ("plain.txt", None)


def test_escaped_json_is_valid_and_gives_the_name_back() -> None:
    names = [os.fsdecode(NOT_UTF8), os.fsdecode(BIDI), "line\nbreak", "\x85next line"]
    dumped = escape_json(json.dumps(names, ensure_ascii=False))
    dumped.encode("utf-8")  # never a lone surrogate in what is written
    assert "\u202e" not in dumped
    assert "\x85" not in dumped
    assert json.loads(dumped) == names


def test_every_file_gets_a_verdict_and_nothing_is_left_half_done(
    library: Library, tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    report = ImportService(library).import_paths([folder])
    assert [r.status for r in report.results] == ["imported"] * 4, report.results
    by_raw = {os.fsencode(Path(r.path).name): r for r in report.results}
    odd = by_raw[NOT_UTF8]
    assert odd.flags == [FLAG_NAME_NOT_UTF8]
    from workstation.sources.lookup import source_details

    with library.reader() as session:
        details = source_details(session, odd.source_id or 0)
    assert details["original_filename"] == "sighting-caf\\xe9.txt"
    assert bytes.fromhex(details["metadata"]["original_filename_hex"]) == NOT_UTF8
    check = check_library(library)
    assert check.ok, check.problems()


def test_cli_shows_names_escaped_and_json_exact(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    library = tmp_path / "lib"
    assert run_cli_subprocess("init", "--library", str(library)).returncode == 0

    done = run_cli_subprocess("import", "--library", str(library), str(folder))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 5  # four verdicts and the summary: no name broke a line
    assert "\u202e" not in done.stdout
    assert any(line.endswith("sighting-caf\\xe9.txt  [filename-not-utf8]") for line in lines)
    assert any("fake\\nimported      99  passwd.txt" in line for line in lines)
    assert any(line.endswith("report-\\u202etxt.exe") for line in lines)

    again = run_cli_subprocess("import", "--library", str(library), "--json", str(folder))
    assert again.returncode == 0, again.stderr
    results = json.loads(again.stdout)
    assert {os.fsencode(Path(r["path"]).name) for r in results} == {
        NOT_UTF8,
        NEWLINE,
        BIDI,
        b"plain.txt",
    }
    assert {r["status"] for r in results} == {"duplicate"}

    listed = run_cli("list", "--library", str(library))
    assert "\u202e" not in listed.stdout
    check = run_cli("check", "--library", str(library))
    assert check.returncode == 0, check.stdout
