"""What a viewer needs to show one source, read on a worker as plain data.

A pane asks for a ``SourceView`` through the controller and builds its viewer
from it on the GUI thread, so no viewer ever reads the database itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from workstation.core.library import Library
from workstation.sources.lookup import describe_source, get_source, page_text
from workstation.sources.unlock import readable_pdf_path


@dataclass(frozen=True)
class SourceView:
    """One source as a viewer shows it.

    Attributes:
        source_id: the source's id.
        kind: pdf, image, article, text or email.
        title: the title, else the original file name.
        sha256: the original's SHA-256.
        path: the original's blob (read-only); for an unlocked PDF, its decrypted copy.
        page_count: pages of a PDF (None when unknown).
        details: ``describe_source``: metadata, provenance, flags.
        pages: the extracted text of each page, for the reader view (empty for
            PDFs and images, whose viewers read the file itself).
    """

    source_id: int
    kind: str
    title: str
    sha256: str
    path: Path
    page_count: int | None
    details: dict[str, Any]
    pages: tuple[str, ...] = ()


def read_source_view(library: Library, session: Session, source_id: int) -> SourceView:
    """Read what a viewer needs (runs on the read pool)."""
    source = get_source(session, source_id)
    details = describe_source(session, source)
    pages: tuple[str, ...] = ()
    if source.kind not in ("pdf", "image"):
        pages = tuple(page_text(session, source_id, n) for n in range(1, details["pages"] + 1))
    return SourceView(
        source_id=source.id,
        kind=source.kind,
        title=source.title or source.original_filename,
        sha256=source.sha256,
        # An unlocked PDF is drawn from its decrypted copy; the original stays encrypted.
        path=readable_pdf_path(library, source),
        page_count=source.page_count or None,
        details=details,
        pages=pages,
    )
