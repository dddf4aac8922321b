"""Password-protected PDFs: kept as evidence on import, read once a reviewer gives the password.

An import keeps the encrypted original byte-for-byte and flags the source
``locked`` (``extract.locked_pdf``). ``unlock_source`` reads its text, metadata
and thumbnail with the password, writes a decrypted copy under
``derived/unlocked/`` for the viewers (the original stays encrypted), and
records the unlock in the audit trail. The password is used for this one
reading and goes nowhere: not into the database, the audit trail, a log or a
message. A wrong password changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from db.models import Page, Source
from workstation.core.dates import utc_now
from workstation.core.errors import EncryptedInputError, WorkstationError
from workstation.core.library import Library
from workstation.core.private import private_mkdir, tighten
from workstation.sources.extract import extract
from workstation.sources.extract.pdf import save_decrypted
from workstation.sources.flags import FLAG_LOCKED
from workstation.sources.ingest import content_date, write_thumbnail
from workstation.sources.lookup import get_source
from workstation.sources.signatures import sign_on_import

UNLOCKED_FOLDER = "unlocked"
"""Under ``derived/``: decrypted copies of unlocked PDFs, for viewers only."""


class WrongPasswordError(WorkstationError):
    """The password given does not open the PDF; nothing was changed."""


class NotLockedError(WorkstationError):
    """The source is not a locked PDF."""


@dataclass(frozen=True)
class UnlockResult:
    """What an unlock read."""

    source_id: int
    title: str | None
    pages: int
    flags: list[str]

    def as_json(self) -> dict[str, Any]:
        """The shape ``unlock --json`` prints."""
        return {
            "source_id": self.source_id,
            "title": self.title,
            "pages": self.pages,
            "flags": self.flags,
        }


def is_locked(source: Source) -> bool:
    """Whether a source is a PDF kept unread for want of its password."""
    return FLAG_LOCKED in (source.flags or [])


def decrypted_copy_path(library: Library, sha256: str) -> Path:
    """Where the decrypted copy of an unlocked PDF lives (whether or not it exists)."""
    return library.derived / UNLOCKED_FOLDER / sha256[:2] / f"{sha256}.pdf"


def readable_pdf_path(library: Library, source: Source) -> Path:
    """The file a viewer opens for a PDF source: the decrypted copy of an unlocked
    one when it is there, else the original (a locked one then says it needs a password)."""
    original = library.blobs.path_for(source.sha256)
    if (source.meta or {}).get("unlocked") and not is_locked(source):
        copy = decrypted_copy_path(library, source.sha256)
        if copy.is_file():
            return copy
    return original


def unlock_source(
    library: Library, session: Session, source_id: int, password: str
) -> UnlockResult:
    """Read a locked PDF with ``password`` and record what it holds, in ``session``.

    The caller commits (``Library.writer()``, or the desktop's write
    operation) and then indexes the new pages (``Library.index_pending``).

    Raises:
        NotFoundError: no such source.
        NotLockedError: the source is not locked.
        WrongPasswordError: the password does not open it (nothing changed).
        BadInputError: the PDF opens but cannot be read.
    """
    source = get_source(session, source_id)
    if not is_locked(source):
        raise NotLockedError(f"source {source_id} is not locked; nothing to unlock")
    original = library.blobs.path_for(source.sha256)
    try:
        extracted = extract(original, source.media_type, password=password)
    except EncryptedInputError:
        raise WrongPasswordError(
            f"wrong password for source {source_id}; nothing was changed"
        ) from None
    copy_sha = _write_decrypted_copy(library, original, source.sha256, password)
    thumb = write_thumbnail(library, source.sha256, extracted)

    session.execute(delete(Page).where(Page.source_id == source.id))
    if extracted.pages:
        session.execute(
            insert(Page),
            [{"source_id": source.id, "number": p.number, "text": p.text} for p in extracted.pages],
        )
    sign_on_import(session, source.id, [p.text for p in extracted.pages])
    source.page_count = len(extracted.pages)
    source.title = source.title or extracted.title
    source.author = source.author or extracted.author
    source.language = source.language or extracted.language
    source.published = source.published or content_date(extracted)
    if thumb is not None:
        source.thumbnail = thumb
    meta = {k: v for k, v in (source.meta or {}).items() if k != "locked_reason"}
    meta.update(extracted.metadata)
    meta["unlocked"] = {"at": utc_now(), "by": library.reviewer, "copy_sha256": copy_sha}
    source.meta = meta  # a new object, so the change is seen and saved
    flags = [f for f in (source.flags or []) if f != FLAG_LOCKED]
    source.flags = flags + [f for f in extracted.flags if f not in flags]
    source.indexed = False
    library.record(
        session,
        "source.unlock",
        "source",
        source.id,
        {"pages": source.page_count, "flags": list(source.flags), "copy_sha256": copy_sha},
    )
    session.flush()
    return UnlockResult(source.id, source.title, source.page_count, list(source.flags))


def _write_decrypted_copy(library: Library, original: Path, sha256: str, password: str) -> str:
    """Write the viewers' decrypted copy atomically; its SHA-256."""
    target = decrypted_copy_path(library, sha256)
    private_mkdir(target.parent)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=".unlock-", suffix=".part")
    os.close(fd)
    temp = Path(name)
    try:
        save_decrypted(original, password, temp)
        tighten(temp)  # MuPDF writes a new file with the umask's mode
        with temp.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return digest


__all__ = [
    "NotLockedError",
    "UnlockResult",
    "WrongPasswordError",
    "decrypted_copy_path",
    "is_locked",
    "readable_pdf_path",
    "unlock_source",
]
