"""Can this library be written? Forensic copies are examined on write-blocked disks.

The answer comes from trying, not from permission bits: ``os.access`` says
yes to root on a chmod'ed folder, and a write blocker shows up only as
EROFS when something is created. The probe creates (and removes) an empty
file in the library folder and opens the database for writing without
writing; both must work for the library to be opened for changes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

_PROBE_PREFIX = ".write-probe-"


def read_only_reason(root: Path, database: Path) -> str | None:
    """Why the library at ``root`` cannot be changed, or None when it can.

    Args:
        root: The library folder (it exists).
        database: Its database file (it may not exist yet).

    Returns:
        A few words for a person ("a read-only medium", "no permission to
        write in /x"), or None.
    """
    try:
        fd, name = tempfile.mkstemp(dir=root, prefix=_PROBE_PREFIX)
    except OSError as exc:
        return _why(exc, root)
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(name)
    if database.exists():
        try:
            with open(database, "r+b"):
                pass  # opened for writing, nothing written
        except OSError as exc:
            return _why(exc, database)
    return None


def _why(exc: OSError, where: Path) -> str:
    if exc.errno == errno.EROFS:
        return "it is on a read-only medium"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"there is no permission to write {where}"
    return f"{where} cannot be written ({exc.strerror or type(exc).__name__})"
