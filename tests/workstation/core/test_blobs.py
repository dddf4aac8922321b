"""The blob store keeps originals byte-for-byte, once, read-only."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from workstation.core.blobs import BlobStore
from workstation.core.errors import IntegrityError


def test_put_hashes_and_stores_once(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    store.ensure()
    data = os.urandom(3 * (1 << 20) + 17)
    src = tmp_path / "in.bin"
    src.write_bytes(data)
    first = store.put_file(src)
    sha = hashlib.sha256(data).hexdigest()
    assert first.sha256 == sha
    assert first.size == len(data)
    assert first.created
    assert first.path == tmp_path / "blobs" / "sha256" / sha[:2] / sha
    assert first.path.read_bytes() == data
    assert not first.path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    second = store.put_bytes(data)
    assert not second.created
    assert second.sha256 == sha
    assert store.stray_temp_files() == []
    assert list(store.iter_hashes()) == [sha]


def test_verify_detects_change_and_loss(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    blob = store.put_bytes(b"original bytes")
    store.verify(blob.sha256)
    blob.path.chmod(0o644)
    blob.path.write_bytes(b"original bytez")
    with pytest.raises(IntegrityError, match="changed on disk"):
        store.verify(blob.sha256)
    blob.path.unlink()
    with pytest.raises(IntegrityError, match="missing"):
        store.verify(blob.sha256)


def test_failed_write_leaves_no_temp_file(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")

    class Exploding:
        def __init__(self) -> None:
            self.calls = 0

        def read(self, n: int) -> bytes:
            self.calls += 1
            if self.calls > 2:
                raise OSError(5, "Input/output error")
            return b"x" * n

    with pytest.raises(OSError, match="Input/output"):
        store.put_stream(Exploding())  # type: ignore[arg-type]
    assert store.stray_temp_files() == []
    assert list(store.iter_hashes()) == []
