"""Writing a file whole or not at all: a temp file beside the target, synced, renamed over
it, so a reader never sees half a report and a failure leaves nothing behind."""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path


def write_whole(dst: Path, data: bytes) -> None:
    """Write ``data`` to ``dst`` atomically, replacing it.

    Raises:
        OSError: the folder cannot be written; nothing is left at ``dst`` or beside it.
    """
    tmp = dst.with_name(f".{dst.name}.{uuid.uuid4().hex}.part")
    try:
        with tmp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, dst)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
