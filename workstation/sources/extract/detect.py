"""Media type detection by content, so a renamed or extension-less file is still read right.

Only the first bytes are read. File name extensions are never consulted.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

from workstation.core.errors import BadInputError
from workstation.sources.extract.text import decode_text, looks_binary

SNIFF_BYTES = 64 * 1024

SUPPORTED_MEDIA_TYPES = frozenset(
    {
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/tiff",
        "image/webp",
        "image/gif",
        "image/bmp",
        "text/html",
        "text/plain",
        "text/markdown",
        "message/rfc822",
    }
)

# Signatures of common files we do not import, so the refusal can name them.
_UNSUPPORTED_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "ZIP archive or Office document"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "executable program"),
    (b"{\\rtf", "RTF document"),
    (b"%!PS", "PostScript document"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "JPEG 2000 image"),
    (b"\xff\x4f\xff\x51", "JPEG 2000 image"),
    (b"OggS", "audio or video file"),
    (b"ID3", "audio file"),
    (b"fLaC", "audio file"),
    (b"\x1a\x45\xdf\xa3", "video file"),
    (b"SQLite format 3\x00", "SQLite database"),
)
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}
_BMP_HEADER_SIZES = {12, 16, 40, 52, 56, 64, 108, 124}

_HTML_START = re.compile(r"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)
_SVG_START = re.compile(r"<svg\b", re.IGNORECASE)
_HEADER_LINE = re.compile(r"([!-9;-~]+):")
_STRONG_EMAIL_HEADERS = frozenset(
    {
        "from",
        "received",
        "message-id",
        "mime-version",
        "return-path",
        "delivered-to",
        "dkim-signature",
        "arc-seal",
        "x-mailer",
        "in-reply-to",
    }
)
_MD_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+\S", re.MULTILINE)
_MD_SETEXT = re.compile(r"^[^\n]*\S[^\n]*\n {0,3}(?:=+|-{2,})[ \t]*$", re.MULTILINE)
_MD_FENCE = re.compile(r"^ {0,3}(?:```|~~~)", re.MULTILINE)
_MD_LINK = re.compile(r"!?\[[^\]\n]+\]\([^)\s]+[^)\n]*\)")
_MD_LIST = re.compile(r"^ {0,3}(?:[-*+]|\d{1,3}[.)])[ \t]+\S", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(?:\*\*|__)[^\s*_][^*_\n]*(?:\*\*|__)|`[^`\n]+`")
_MD_TABLE = re.compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+", re.MULTILINE)


def detect(path: Path) -> str:
    """Return the media type of a file, judged by its content.

    Args:
        path: The file to look at.

    Returns:
        One of SUPPORTED_MEDIA_TYPES.

    Raises:
        BadInputError: 'empty file', or 'not a supported file type (...)'
            naming what the file looks like, or the file cannot be read.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise BadInputError(f"cannot read file: {exc.strerror or type(exc).__name__}") from exc
    if not head:
        raise BadInputError("empty file")
    return detect_bytes(head)


def detect_bytes(head: bytes) -> str:
    """Return the media type for the first bytes of a file (see detect()).

    Args:
        head: The first bytes of the file; 64 KiB is plenty.

    Returns:
        One of SUPPORTED_MEDIA_TYPES.

    Raises:
        BadInputError: The bytes are empty or not of a supported type.
    """
    if not head:
        raise BadInputError("empty file")
    binary = _binary_type(head)
    if binary is not None:
        return binary
    return _text_type(head)


def _binary_type(head: bytes) -> str | None:
    """Media type for a binary signature, None for no known signature."""
    # The PDF header may follow a few bytes of junk; readers accept it in the first KiB.
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "image/tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if _is_bmp(head):
        return "image/bmp"
    for signature, name in _UNSUPPORTED_SIGNATURES:
        if head.startswith(signature):
            raise BadInputError(f"not a supported file type ({name})")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        name = "HEIC or AVIF image" if brand in _HEIF_BRANDS else "video or audio file"
        raise BadInputError(f"not a supported file type ({name})")
    if head[:4] == b"RIFF":
        raise BadInputError("not a supported file type (audio or video file)")
    if head[:2] == b"MZ" and b"\x00" in head[:64]:
        raise BadInputError("not a supported file type (Windows program)")
    return None


def _is_bmp(head: bytes) -> bool:
    """True for a BMP file header followed by a known DIB header size."""
    if len(head) < 26 or head[:2] != b"BM":
        return False
    (dib_size,) = struct.unpack_from("<I", head, 14)
    return dib_size in _BMP_HEADER_SIZES


def _text_type(head: bytes) -> str:
    """Classify bytes with no binary signature as HTML, e-mail, Markdown or plain text."""
    text, _encoding = decode_text(head, partial=True)
    if looks_binary(text):
        raise BadInputError("not a supported file type (unrecognised binary data)")
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<"):
        start = stripped[:4096]
        if _HTML_START.search(start):
            return "text/html"
        if _SVG_START.search(start):
            raise BadInputError("not a supported file type (SVG image)")
    if _looks_like_email(stripped):
        return "message/rfc822"
    if _looks_like_markdown(stripped):
        return "text/markdown"
    return "text/plain"


def _looks_like_email(text: str) -> bool:
    """True when the text opens with an RFC 5322 header block naming mail headers."""
    lines = text.split("\n", 200)[:200]
    if lines and lines[0].startswith("From "):  # mbox separator line
        lines = lines[1:]
    names: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r")
        if not line:
            break
        if line[0] in " \t":
            if not names:
                return False
            continue
        match = _HEADER_LINE.match(line)
        if match is None:
            return False
        names.append(match.group(1).lower())
    return len(names) >= 2 and any(name in _STRONG_EMAIL_HEADERS for name in names)


def _looks_like_markdown(text: str) -> bool:
    """Heuristic: an opening heading or front matter, or several kinds of Markdown syntax."""
    first_line = text.split("\n", 1)[0]
    if _MD_ATX_HEADING.match(first_line) or text.startswith("---\n"):
        return True
    structural = [_MD_ATX_HEADING, _MD_SETEXT, _MD_FENCE, _MD_LINK, _MD_TABLE]
    inline = [_MD_LIST, _MD_EMPHASIS]
    found_structural = sum(1 for rx in structural if rx.search(text))
    found_inline = sum(1 for rx in inline if rx.search(text))
    return found_structural >= 2 or (found_structural >= 1 and found_inline >= 1)
