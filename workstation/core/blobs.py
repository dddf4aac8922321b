"""Content-addressed store of originals, written once and never modified.

``blobs/sha256/ab/<64 hex>``: each file is written to a temporary file in
the store while it is hashed, fsynced, then renamed into place, so a reader
never sees half a blob and a crash leaves at most a stray temp file.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from workstation.core.errors import IntegrityError
from workstation.core.private import private_mkdir

CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredBlob:
    """The result of putting a file in the store."""

    sha256: str
    size: int
    path: Path
    created: bool  # False: the same bytes were already there
    repaired: bool = False  # the stored copy was damaged and these bytes replaced it


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BlobStore:
    """The ``blobs/`` folder of a library."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"

    def ensure(self) -> None:
        """Create the folders of an empty store."""
        private_mkdir(self.root / "sha256")
        private_mkdir(self.tmp)

    def path_for(self, sha256: str) -> Path:
        """Where the blob of ``sha256`` lives (whether or not it exists)."""
        return self.root / "sha256" / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        """Whether the blob is present."""
        return self.path_for(sha256).is_file()

    def put_file(self, source: Path) -> StoredBlob:
        """Copy ``source`` into the store, hashing it on the way (one read)."""
        with open(source, "rb") as src:
            return self.put_stream(src)

    def put_bytes(self, data: bytes) -> StoredBlob:
        """Store ``data`` (an e-mail attachment, say)."""
        return self.put_stream(io.BytesIO(data))

    def put_stream(self, stream: BinaryIO) -> StoredBlob:
        """Copy a binary stream into the store atomically."""
        read = stream.read
        private_mkdir(self.tmp)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix="in-", suffix=".part")
        tmp_path = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            final = self.path_for(sha)
            damaged = final.is_file() and self.hash_of(sha) != sha
            if final.is_file() and not damaged:
                tmp_path.unlink()
                return StoredBlob(sha, size, final, created=False)
            if damaged:
                # The good bytes are here: keep the damaged copy aside for whoever
                # investigates, then swap the good one in atomically.
                self._set_aside(final)
            private_mkdir(final.parent)
            os.chmod(tmp_path, stat.S_IRUSR)  # read-only, and the owner's only
            os.replace(tmp_path, final)
            _fsync_dir(final.parent)
            return StoredBlob(sha, size, final, created=not damaged, repaired=damaged)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp_path.unlink()
            raise

    def _set_aside(self, path: Path) -> Path:
        """Link a damaged blob into ``quarantine/`` beside the store (a copy where
        links are not possible) before it is replaced."""
        folder = self.root.parent / "quarantine"
        folder.mkdir(mode=0o700, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        target = folder / f"{path.name}.damaged-{stamp}"
        n = 1
        while target.exists():
            n += 1
            target = folder / f"{path.name}.damaged-{stamp}-{n}"
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)
        return target

    def remove(self, sha256: str) -> None:
        """Delete a blob no record refers to (repair of an interrupted import)."""
        path = self.path_for(sha256)
        with contextlib.suppress(FileNotFoundError):
            path.chmod(stat.S_IRUSR | stat.S_IWUSR)
            path.unlink()

    def hash_of(self, sha256: str) -> str:
        """Re-hash a stored blob."""
        with open(self.path_for(sha256), "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()

    def verify(self, sha256: str) -> None:
        """Raise IntegrityError when the blob is missing or its bytes changed."""
        path = self.path_for(sha256)
        if not path.is_file():
            raise IntegrityError(f"blob {sha256[:12]} is missing")
        actual = self.hash_of(sha256)
        if actual != sha256:
            raise IntegrityError(
                f"blob {sha256[:12]} changed on disk (now hashes to {actual[:12]})"
            )

    def iter_hashes(self) -> Iterator[str]:
        """Every blob name in the store."""
        base = self.root / "sha256"
        if not base.is_dir():
            return
        for sub in sorted(base.iterdir()):
            if sub.is_dir():
                for entry in sorted(sub.iterdir()):
                    if entry.is_file():
                        yield entry.name

    def stray_temp_files(self) -> list[Path]:
        """Temp files left by an interrupted write."""
        if not self.tmp.is_dir():
            return []
        return sorted(p for p in self.tmp.iterdir() if p.is_file())
