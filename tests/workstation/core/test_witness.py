"""Heads witnessed outside the database: the library's own witness file, a copy of it,
an exported bundle's bag-info.txt; and one clear line for what is not a witness."""

from __future__ import annotations

import os
import sqlite3
import zipfile
from pathlib import Path

import pytest

from tests import samples
from tests.conftest import run_cli, run_cli_subprocess
from workstation.bundles.export import BundleExporter, ExportOptions
from workstation.bundles.plan import ExportScope, plan_export
from workstation.core.errors import WorkstationError
from workstation.core.library import Library
from workstation.core.witness import WITNESS_NAME, Head, bag_info_heads, check_heads, read_heads
from workstation.sources.ingest import ImportService

DIGEST = "ab" * 32


def _head(root: Path) -> tuple[int, str]:
    with sqlite3.connect(root / "library.sqlite") as raw:
        value = raw.execute("select value from library_info where key = 'audit_head'").fetchone()
    raw.close()
    seq, _, digest = value[0].partition(":")
    return int(seq), digest


def test_each_commit_appends_its_head_to_the_witness_file(library: Library, tmp_path: Path) -> None:
    ImportService(library).import_paths([samples.make_text(tmp_path, text="Rajin, 3 May.")])
    lines = (library.root / WITNESS_NAME).read_text().splitlines()
    seq, digest = _head(library.root)
    assert lines[-1] == f"{seq}:{digest}"
    assert len(lines) == len(set(lines)) >= 2  # the creation, then the import
    if os.name == "posix":
        assert (library.root / WITNESS_NAME).stat().st_mode & 0o777 == 0o600


def test_an_exported_bundle_witnesses_the_head(library: Library, tmp_path: Path) -> None:
    ImportService(library).import_paths([samples.make_text(tmp_path, text="Nampo, 4 May.")])
    out = tmp_path / "bundle"
    BundleExporter(library).export(plan_export(library, ExportScope()), ExportOptions(out=out))
    heads = read_heads(out)
    assert [(h.seq, h.digest) for h in heads] == [_head(library.root)]
    root = str(library.root)
    library.close()
    good = run_cli("--library", root, "audit", "verify", "--witness", str(out))
    assert good.returncode == 0, good.stdout
    # Cut the chain back before the export and re-head it: the bundle remembers.
    with sqlite3.connect(Path(root) / "library.sqlite") as raw:
        raw.execute(f"delete from audit_events where seq >= {heads[0].seq}")
        raw.execute(
            "update library_info set value = (select seq || ':' || hash from audit_events "
            "order by seq desc limit 1) where key = 'audit_head'"
        )
    raw.close()
    (Path(root) / WITNESS_NAME).write_text("")  # and the local witness rewritten
    bad = run_cli("--library", root, "audit", "verify", "--witness", str(out))
    assert bad.returncode == 1
    assert f"bundle {out} witnessed event {heads[0].seq}" in bad.stdout
    assert "events were removed" in bad.stdout


def test_a_zipped_bag_written_by_hand_is_read_tolerantly(library: Library, tmp_path: Path) -> None:
    seq, digest = _head(library.root)
    bundle = tmp_path / "older-bag.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        zf.writestr("bag/bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
        # Label case and spaces around the colon as older bags write them, the value folded.
        zf.writestr("bag/bag-info.txt", f"Contact-Name: x\naudit-head :  {seq}:\n  {digest}\n")
    root = str(library.root)
    library.close()
    result = run_cli("--library", root, "audit", "verify", "--witness", str(bundle), "--json")
    assert result.returncode == 0, result.stdout
    assert '"witnesses_checked"' in result.stdout


def test_a_head_from_another_library_disagrees(library: Library, tmp_path: Path) -> None:
    seq, _ = _head(library.root)
    info = tmp_path / "bag-info.txt"
    info.write_text(f"Audit-Head: {seq}:{DIGEST}\n")
    root = str(library.root)
    library.close()
    result = run_cli("--library", root, "audit", "verify", "--witness", str(info))
    assert result.returncode == 1
    assert f"witnessed event {seq} as {DIGEST[:12]}…" in result.stdout
    assert "the chain was rewritten (or the witness comes from another library)" in result.stdout


def test_bag_info_parsing_rules() -> None:
    text = "Source-Organization: A\nAudit-Head: 12:" + DIGEST + "\nAUDIT-HEAD:3:" + DIGEST + "\n"
    assert [(h.seq, h.digest) for h in bag_info_heads(text, "x")] == [(12, DIGEST), (3, DIGEST)]
    assert bag_info_heads("Contact-Name: nobody\n", "x") == []
    with pytest.raises(WorkstationError, match="is not SEQ:SHA256"):
        bag_info_heads("Audit-Head: twelve\n", "x")


def test_check_heads_names_cut_and_rewritten_chains() -> None:
    hashes = {2: DIGEST}
    assert check_heads([Head(2, DIGEST, "w")], 3, hashes) == []
    (cut,) = check_heads([Head(9, DIGEST, "w")], 3, hashes)
    assert "chain ends at event 3: events were removed" in cut
    (rewritten,) = check_heads([Head(2, "cd" * 32, "w")], 3, hashes)
    assert "the chain was rewritten" in rewritten
    many = check_heads([Head(n, DIGEST, "w") for n in range(10, 20)], 3, hashes)
    assert many[-1] == "and 5 more witnessed heads disagree"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "nowhere", "no witness at"),
        (lambda p: _folder(p), "is a folder without bag-info.txt"),
        (
            lambda p: _file(p, "heads.log", "12:" + DIGEST + "\nnot a head\n"),
            "line 2 is not an audit head",
        ),
        (lambda p: _file(p, "bundle.age", "age-encryption.org/v1\n"), "is encrypted"),
        (lambda p: _file(p, "bag-info.txt", "Contact-Name: x\n"), "holds no audit head"),
        (lambda p: _file(p, "empty.log", ""), "holds no audit head"),
        (lambda p: _zip(p), "holds no bag-info.txt"),
    ],
)
def test_what_is_not_a_witness_gets_one_line(
    library: Library, tmp_path: Path, make: object, message: str
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    root = str(library.root)
    library.close()
    result = run_cli("--library", root, "audit", "verify", "--witness", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("workstation: ")
    assert result.stderr.count("\n") == 1
    assert message in result.stderr


def test_a_bad_witness_as_a_subprocess(library: Library, tmp_path: Path) -> None:
    path = _file(tmp_path, "heads.log", "yesterday's head, I think\n")
    root = str(library.root)
    library.close()
    result = run_cli_subprocess("--library", root, "audit", "verify", "--witness", str(path))
    assert result.returncode == 1
    assert result.stderr == f"workstation: {path} line 1 is not an audit head (SEQ:SHA256)\n"


def _folder(base: Path) -> Path:
    (base / "not-a-bag").mkdir()
    return base / "not-a-bag"


def _file(base: Path, name: str, text: str) -> Path:
    (base / name).write_text(text)
    return base / name


def _zip(base: Path) -> Path:
    with zipfile.ZipFile(base / "other.zip", "w") as zf:
        zf.writestr("photos/readme.txt", "holiday")
    return base / "other.zip"
