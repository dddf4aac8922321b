"""Content extraction: what a file is, and its text, metadata and thumbnail.

Pure functions over a file on disk, no database. The import service calls
detect() then extract(); every failure reaches it as a BadInputError (or a
subclass) with a one-line message, never as a library exception.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from workstation.core.errors import BadInputError, WorkstationError
from workstation.sources.extract.article import extract_article
from workstation.sources.extract.detect import SUPPORTED_MEDIA_TYPES, detect, detect_bytes
from workstation.sources.extract.email import extract_email, safe_filename
from workstation.sources.extract.image import extract_image
from workstation.sources.extract.model import (
    DEFAULT_LIMITS,
    Extracted,
    ExtractedAttachment,
    ExtractedPage,
    Limits,
    short_reason,
)
from workstation.sources.extract.pdf import extract_pdf, iter_pdf_pages, locked_pdf, render_pdf_page
from workstation.sources.extract.text import extract_text

__all__ = [
    "DEFAULT_LIMITS",
    "SUPPORTED_MEDIA_TYPES",
    "Extracted",
    "ExtractedAttachment",
    "ExtractedPage",
    "Limits",
    "detect",
    "detect_bytes",
    "extract",
    "iter_pdf_pages",
    "locked_pdf",
    "render_pdf_page",
    "safe_filename",
]

_Extractor = Callable[[Path, str, Limits], Extracted]

_EXTRACTORS: dict[str, tuple[_Extractor, str]] = {
    "application/pdf": (extract_pdf, "PDF"),
    "image/jpeg": (extract_image, "image"),
    "image/png": (extract_image, "image"),
    "image/tiff": (extract_image, "image"),
    "image/webp": (extract_image, "image"),
    "image/gif": (extract_image, "image"),
    "image/bmp": (extract_image, "image"),
    "text/html": (extract_article, "web page"),
    "text/plain": (extract_text, "text file"),
    "text/markdown": (extract_text, "text file"),
    "message/rfc822": (extract_email, "e-mail"),
}


def extract(
    path: Path, media_type: str, limits: Limits = DEFAULT_LIMITS, *, password: str | None = None
) -> Extracted:
    """Extract text per page, metadata, flags and a thumbnail from a file.

    Args:
        path: The file, as stored.
        media_type: What detect() said the file is.
        limits: Ceilings on size, pixels and renders.
        password: For an encrypted PDF, the password a reviewer gave (used
            for this reading only).

    Returns:
        What the file holds.

    Raises:
        EncryptedInputError: A PDF needs a password (or ``password`` is wrong).
        TooLargeError: The file is above one of the limits.
        BadInputError: The file is empty, damaged, truncated or of an
            unsupported type; the message says which, on one line.
    """
    entry = _EXTRACTORS.get(media_type)
    if entry is None:
        raise BadInputError(f"not a supported file type ({media_type})")
    extractor, what = entry
    try:
        if path.stat().st_size == 0:
            raise BadInputError("empty file")
        if password is not None:
            if media_type != "application/pdf":
                raise BadInputError(f"a {what} has no password")
            return extract_pdf(path, media_type, limits, password)
        return extractor(path, media_type, limits)
    except WorkstationError:
        raise
    except OSError as exc:
        raise BadInputError(f"cannot read file: {exc.strerror or short_reason(exc)}") from exc
    except MemoryError as exc:
        raise BadInputError(f"{what} is too complex to read with the memory available") from exc
    except RecursionError as exc:
        raise BadInputError(f"{what} is nested too deeply to read") from exc
    except Exception as exc:  # a library fault on hostile input, reported, never raised raw
        raise BadInputError(f"could not read {what}: {short_reason(exc)}") from exc
