"""Where an export keeps its plaintext while it works, and how the next one sweeps what a
killed one left.

An export works in a folder of its own under the library's ``derived/bundle-staging``
(``export-<random>``): redacted derivatives, the dossier and, for an ``.age`` target,
the plain zipped bag before it is encrypted, so no plaintext copy is ever made beside
the target. What must be made beside the target (the bag's ``.NAME.partial-*`` staging,
renamed into place at the end; age's ``.NAME.*.tmp``) is written down in the folder's
``leftovers.txt`` before it is created. While the export runs it holds an exclusive lock
on the folder's ``owner.lock``; a process killed mid-export loses the lock with its
life, so the next export finds the folder unlocked and removes it and every path it
lists, and a running export in another process is never touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: staleness by age instead
    fcntl = None  # type: ignore[assignment]

from workstation.bundles.errors import BundleError
from workstation.core.library import Library

STAGING = "bundle-staging"
PREFIX = "export-"
LOCK_NAME = "owner.lock"
LEFTOVERS_NAME = "leftovers.txt"
#: Without file locks (Windows), an export folder older than this is taken as abandoned.
STALE_AFTER = 6 * 3600


def staging_root(library: Library) -> Path:
    """``derived/bundle-staging``, created when it can be (ExportStaging says when not)."""
    root = library.derived / STAGING
    with contextlib.suppress(OSError):
        root.mkdir(parents=True, exist_ok=True)
    return root


class ExportStaging:
    """An export's private working folder, locked while it lives. Use as a context manager.

    Attributes:
        folder: where the export may write plaintext.
    """

    def __init__(self, library: Library) -> None:
        """Raises:
        BundleError: the library's staging folder cannot be written (a read-only copy).
        """
        try:
            self.folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=staging_root(library)))
        except OSError as exc:
            raise BundleError(
                f"cannot stage the export in {library.derived / STAGING}: {exc.strerror or exc}"
            ) from exc
        self._lock_fd: int | None = None
        self._notes_fd: int | None = None
        try:
            os.chmod(self.folder, stat.S_IRWXU)
            self._lock_fd = os.open(self.folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
            if fcntl is not None:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._notes_fd = os.open(
                self.folder / LEFTOVERS_NAME, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600
            )
        except BaseException:
            self.close()
            raise

    def note(self, path: Path) -> None:
        """Write down ``path`` (outside this folder) as this export's, before it exists."""
        if self._notes_fd is None:
            return
        os.write(self._notes_fd, (os.fspath(Path(path).absolute()) + "\n").encode("utf-8"))
        os.fsync(self._notes_fd)

    def close(self) -> None:
        """Remove the folder and release the lock (idempotent). What the notes list
        beside the target was removed by its own writer on success, failure or cancel."""
        shutil.rmtree(self.folder, ignore_errors=True)
        for fd in (self._notes_fd, self._lock_fd):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)  # closing releases the lock
        self._notes_fd = self._lock_fd = None

    def __enter__(self) -> ExportStaging:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sweep_exports(library: Library, *, now: float | None = None) -> list[Path]:
    """Remove what exports killed mid-way left: their folders and the paths they listed.

    Returns:
        What was removed (export folders and leftovers beside their targets).
    """
    root = library.derived / STAGING
    if not root.is_dir():
        return []
    removed: list[Path] = []
    for folder in sorted(root.glob(PREFIX + "*")):
        if not folder.is_dir() or folder.is_symlink() or not _abandoned(folder, now):
            continue
        for leftover in _listed(folder):
            if _remove_leftover(leftover):
                removed.append(leftover)
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _abandoned(folder: Path, now: float | None) -> bool:
    """Whether no living export holds the folder's lock."""
    lock = folder / LOCK_NAME
    if fcntl is None or not lock.is_file():
        # No lock to ask (or a kill before it was taken): old enough means abandoned.
        cutoff = (time.time() if now is None else now) - STALE_AFTER
        try:
            return folder.lstat().st_mtime < cutoff
        except OSError:
            return False
    try:
        fd = os.open(lock, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # held: that export is running
    finally:
        os.close(fd)
    return True


def _listed(folder: Path) -> list[Path]:
    try:
        text = (folder / LEFTOVERS_NAME).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [Path(line) for line in text.splitlines() if line.strip()]


def _remove_leftover(path: Path) -> bool:
    """Remove one listed path, only if it still looks like what an export makes.

    The list lives in the library, so only a hidden ``.NAME.partial-*`` (the bag's
    staging) or ``.NAME.*.tmp`` (age's temp file) is ever removed through it.
    """
    name = path.name
    if not path.is_absolute() or not name.startswith("."):
        return False
    if ".partial-" not in name and not name.endswith(".tmp"):
        return False
    try:
        st = path.lstat()
    except OSError:
        return False
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(path, ignore_errors=True)
    elif stat.S_ISREG(st.st_mode):
        with contextlib.suppress(OSError):
            path.unlink()
    else:
        return False
    return not os.path.lexists(path)


__all__ = ["ExportStaging", "staging_root", "sweep_exports"]
