"""The check every refused bundle must pass: one short line, nothing left in staging."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.models import BundleImport
from tests.conftest import run_cli_subprocess
from workstation.bundles.errors import BundleError
from workstation.bundles.import_ import open_bundle
from workstation.core.library import Library


def assert_refused_in_one_line(library: Library, bag: Path, expected: str) -> None:
    """Opening ``bag`` fails with one line under 400 characters holding ``expected``."""
    with pytest.raises(BundleError) as refused:
        open_bundle(library, bag)
    message = str(refused.value)
    assert expected in message
    assert "\n" not in message
    assert len(message) < 400
    assert list((library.derived / "bundle-staging").iterdir()) == []


def assert_cli_refuses_in_one_line(library: Library, bag: Path, expected: str) -> None:
    """``import-bundle`` in a fresh interpreter exits 1 with one ``workstation:`` line
    holding ``expected``, and nothing was merged. Closes ``library`` first."""
    root = str(library.root)
    library.close()
    r = run_cli_subprocess("--library", root, "import-bundle", str(bag), "--accept-untrusted")
    assert r.returncode == 1
    assert r.stderr.startswith("workstation: ")
    assert len(r.stderr.strip().splitlines()) == 1
    assert expected in r.stderr
    with Library.open(Path(root), reviewer="alice") as again, again.reader() as session:
        assert session.scalar(select(func.count()).select_from(BundleImport)) == 0
