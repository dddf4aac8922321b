"""A library is private to its user: folders 0700, files 0600 (originals 0400), on POSIX.

Evidence and the text extracted from it are not for other accounts on the
laptop. The library folder itself is 0700, which alone keeps everyone else
out; what is inside is made private too, so a folder copied or moved
elsewhere stays private. Everything this program creates in a library is
created so (``private_mkdir``, ``tighten``), and a library made by an older
version, or loosened by hand, is tightened when it is opened.

On Windows the modes mean little (NTFS has ACLs, inherited from the user's
profile folder); nothing is changed there.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
_OTHERS = stat.S_IRWXG | stat.S_IRWXO

POSIX = os.name == "posix"


def private_mkdir(path: Path) -> None:
    """Make ``path`` and any missing parents, each 0700 (umask cannot loosen it).

    Args:
        path: A folder inside a library.
    """
    if path.is_dir():
        return
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made by another process meanwhile
            folder.mkdir(mode=PRIVATE_DIR)
        if POSIX:
            with contextlib.suppress(OSError):
                os.chmod(folder, PRIVATE_DIR)


def tighten(path: Path) -> bool:
    """Take away group and other permissions from one file or folder (not a link).

    Args:
        path: The file or folder.

    Returns:
        Whether its mode changed.
    """
    if not POSIX:
        return False
    try:
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode) or not st.st_mode & _OTHERS:
            return False
        wanted = PRIVATE_DIR if stat.S_ISDIR(st.st_mode) else stat.S_IMODE(st.st_mode) & 0o700
        os.chmod(path, wanted)
    except OSError:  # not ours to change (another owner) or gone meanwhile
        return False
    return True


def tighten_tree(root: Path) -> int:
    """Tighten ``root`` and everything below it (links are left alone, not followed).

    Args:
        root: A library folder, or a folder inside one.

    Returns:
        How many files and folders changed.
    """
    if not POSIX or not root.is_dir():
        return 0
    changed = int(tighten(root))
    for folder, dirnames, filenames in os.walk(root):
        base = Path(folder)
        for name in (*dirnames, *filenames):
            changed += tighten(base / name)
    return changed


def secure_library(root: Path, top_level: tuple[str, ...] = ()) -> int:
    """Make a library folder private when it is opened for writing.

    A folder already 0700 had its contents tightened when it got so: only
    ``top_level`` entries (the database and its journal files, which SQLite
    may have made anew) are looked at. A looser one (an older library, or one
    loosened by hand) is tightened throughout, once.

    Args:
        root: The library folder.
        top_level: Names of entries directly in ``root`` to tighten each time.

    Returns:
        How many files and folders changed.
    """
    if not POSIX:
        return 0
    try:
        loose = bool(root.stat().st_mode & _OTHERS)
    except OSError:
        return 0
    if loose:
        return tighten_tree(root)
    return sum(tighten(root / name) for name in top_level)


def create_private_file(path: Path) -> None:
    """Create an empty file that is 0600 from its first moment (before anything is written).

    Args:
        path: The file; left alone when it exists.
    """
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
