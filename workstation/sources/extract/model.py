"""Plain records the extractors return, so the import service never sees a library type.

Everything here is JSON-friendly data: the import service stores it as is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Limits:
    """Ceilings that keep a hostile or absurd file from exhausting the machine.

    Attributes:
        max_image_pixels: Images declaring more pixels in their header are
            refused before any pixel is decoded.
        max_render_pixels: Cap for any page render or in-memory decode made
            for a thumbnail.
        max_html_bytes: Saved web pages larger than this are refused.
        max_text_bytes: Text files and e-mails larger than this are refused.
        thumbnail_size: Longest side of a thumbnail, in pixels.
    """

    max_image_pixels: int = 1_000_000_000
    max_render_pixels: int = 25_000_000
    max_html_bytes: int = 50_000_000
    max_text_bytes: int = 200_000_000
    thumbnail_size: int = 256


DEFAULT_LIMITS = Limits()


@dataclass
class ExtractedPage:
    """Text of one page (a PDF page, or the whole of an article, text or e-mail).

    Attributes:
        number: 1-based page number.
        text: The extracted text; empty when the page has none or could not be read.
    """

    number: int
    text: str


@dataclass
class ExtractedAttachment:
    """A file carried inside another (an e-mail attachment).

    Attributes:
        filename: A safe basename: no directories, no '..', no control characters.
        data: The decoded bytes of the attachment.
    """

    filename: str
    data: bytes


@dataclass
class Extracted:
    """What an extractor found in one file.

    Attributes:
        kind: 'pdf', 'image', 'article', 'text' or 'email'.
        media_type: The media type the file was read as.
        title: Document title when known.
        author: Author or sender when known.
        publisher: Site name for articles.
        published: ISO 8601 date or UTC datetime when known.
        url: Canonical URL for articles.
        language: Language tag (e.g. 'en', 'ko-KR') when declared.
        pages: Text per page; an image has none, an article, text or e-mail one.
        metadata: Further facts, JSON-serialisable only.
        flags: Warnings a reviewer should see, such as 'pdf-javascript'.
        thumbnail: PNG or JPEG bytes, longest side at most the thumbnail size.
        thumbnail_type: 'image/png' or 'image/jpeg' when there is a thumbnail.
        attachments: Files carried inside this one (e-mail attachments).
    """

    kind: str
    media_type: str
    title: str | None = None
    author: str | None = None
    publisher: str | None = None
    published: str | None = None
    url: str | None = None
    language: str | None = None
    pages: list[ExtractedPage] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    thumbnail: bytes | None = None
    thumbnail_type: str | None = None
    attachments: list[ExtractedAttachment] = field(default_factory=list)


def megabytes(size: int) -> str:
    """Format a byte count for a reviewer, e.g. '60 MB' or '0.4 MB'.

    Args:
        size: Number of bytes.

    Returns:
        The size in decimal megabytes.
    """
    value = size / 1_000_000
    return f"{value:.0f} MB" if value >= 10 else f"{value:.1f} MB"


def pixel_count(pixels: int) -> str:
    """Format a pixel count for a reviewer, e.g. '3.6 gigapixels' or '12.0 megapixels'.

    Args:
        pixels: Number of pixels.

    Returns:
        The count in the largest unit that keeps a non-zero figure.
    """
    if pixels >= 1_000_000_000:
        return f"{pixels / 1e9:.1f} gigapixels"
    if pixels >= 1_000_000:
        return f"{pixels / 1e6:.1f} megapixels"
    return f"{pixels} pixels"


def short_reason(exc: BaseException, limit: int = 120) -> str:
    """Reduce a library exception to one short line for an error message.

    Args:
        exc: Any exception.
        limit: Maximum length of the result.

    Returns:
        The first non-blank line of the exception text (or its class name),
        at most limit characters.
    """
    for line in str(exc).splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return type(exc).__name__
