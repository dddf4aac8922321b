"""``write_whole``: the file is replaced whole, or nothing is left beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from workstation.core.files import write_whole


def test_a_file_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old")
    write_whole(target, b"new bytes")
    assert target.read_bytes() == b"new bytes"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_a_failed_rename_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    target.mkdir()
    (target / "inside").write_text("a folder in the way")
    with pytest.raises(OSError):  # noqa: PT011 - the platform picks which
        write_whole(target, b"data")
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]
    assert target.is_dir()
