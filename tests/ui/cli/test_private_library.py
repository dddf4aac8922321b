"""The library folder and files are private to the user: 0700 and 0600 on POSIX (issue 12)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests import samples
from tests.conftest import run_cli, run_cli_subprocess
from workstation.core.library import Library
from workstation.core.private import private_mkdir, secure_library, tighten_tree

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes")


def _loose(root: Path) -> list[str]:
    """Everything under ``root`` (and root) that group or others may use."""
    found = []
    for path in [root, *root.rglob("*")]:
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            continue
        mode = stat.S_IMODE(st.st_mode)
        wanted_dir = stat.S_ISDIR(st.st_mode) and mode == 0o700
        wanted_file = stat.S_ISREG(st.st_mode) and not mode & 0o077
        if not (wanted_dir or wanted_file):
            found.append(f"{oct(mode)} {path.relative_to(root)}")
    return found


def test_a_new_library_and_all_it_holds_is_private(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    folder = tmp_path / "in"
    samples.make_pdf(folder)
    samples.make_article_html(folder)
    samples.make_eml(folder)
    samples.make_jpeg(folder)
    samples.make_large_png(folder, 5000, 4200)  # gets a tile pyramid
    secret = samples.make_encrypted_pdf(folder, user_password="pw")
    password = tmp_path / "pw.txt"
    password.write_text("pw\n", encoding="utf-8")
    assert run_cli_subprocess("init", "--library", str(library)).returncode == 0
    done = run_cli_subprocess("import", "--library", str(library), "--json", str(folder))
    assert done.returncode == 0, done.stderr
    [locked] = [r for r in json.loads(done.stdout) if r["path"] == str(secret)]
    unlocked = run_cli(
        "unlock", str(locked["source_id"]), "--library", str(library),
        "--password-file", str(password),
    )  # fmt: skip
    assert unlocked.returncode == 0, unlocked.stderr
    assert run_cli("search", "--library", str(library), "Nampo").returncode == 0

    assert list((library / "derived" / "tiles").rglob("*.tif"))  # every kind of file was made
    assert list((library / "derived" / "unlocked").rglob("*.pdf"))
    assert stat.S_IMODE(library.stat().st_mode) == 0o700
    assert _loose(library) == []
    blobs = [p for p in (library / "blobs" / "sha256").rglob("*") if p.is_file()]
    assert blobs
    assert {stat.S_IMODE(p.stat().st_mode) for p in blobs} == {0o400}
    assert stat.S_IMODE((library / "library.sqlite").stat().st_mode) == 0o600


def test_an_existing_library_is_tightened_when_opened(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    lib = Library.open(library, reviewer="alice", create=True)
    lib.close()
    assert (
        run_cli("import", "--library", str(library), str(samples.make_pdf(tmp_path))).returncode
        == 0
    )
    # As an older version (or a careless copy) left it: readable by everyone.
    for path in [library, *library.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)
        elif path.is_file():
            path.chmod(0o644 if "blobs" not in path.parts else 0o444)
    assert _loose(library)

    listed = run_cli_subprocess("list", "--library", str(library))
    assert listed.returncode == 0, listed.stderr
    assert _loose(library) == []
    blobs = [p for p in (library / "blobs" / "sha256").rglob("*") if p.is_file()]
    assert {stat.S_IMODE(p.stat().st_mode) for p in blobs} == {0o400}


def test_helpers_make_private_and_leave_links_alone(tmp_path: Path) -> None:
    root = tmp_path / "root"
    private_mkdir(root / "a" / "b")
    assert _loose(root) == []
    outside = tmp_path / "outside.txt"
    outside.write_text("not ours\n", encoding="utf-8")
    outside.chmod(0o644)
    (root / "a" / "link").symlink_to(outside)
    (root / "a" / "file.txt").write_text("x", encoding="utf-8")
    (root / "a" / "file.txt").chmod(0o664)
    root.chmod(0o755)
    assert secure_library(root) == 2  # root and the file; the link is not followed
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644
    assert tighten_tree(root) == 0  # nothing left to do
