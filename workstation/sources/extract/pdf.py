"""PDF sources: text per page, metadata, risk flags and a first-page thumbnail.

Kept to one get_text() per page so a thousand-page report imports at the
speed of MuPDF's text extraction. Active content (JavaScript, launch actions,
embedded files) is only reported, never run.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pymupdf as _pymupdf

from workstation.core.errors import BadInputError, EncryptedInputError
from workstation.sources.extract.model import DEFAULT_LIMITS, Extracted, ExtractedPage, Limits
from workstation.sources.flags import FLAG_LOCKED

# MuPDF prints repair chatter ("MuPDF error: ...") straight to stderr; the
# import reports damage through flags and one-line reasons instead.
_pymupdf.TOOLS.mupdf_display_errors(False)
_pymupdf.TOOLS.mupdf_display_warnings(False)

FLAG_JAVASCRIPT = "pdf-javascript"
FLAG_LAUNCH = "pdf-launch-action"
FLAG_EMBEDDED_FILES = "pdf-embedded-files"
FLAG_PASSWORD_EMPTY = "pdf-password-empty"
FLAG_PASSWORD = "pdf-password"
FLAG_REPAIRED = "pdf-repaired"

_INFO_KEYS = (
    "title",
    "author",
    "subject",
    "keywords",
    "creator",
    "producer",
    "creationDate",
    "modDate",
    "trapped",
)
# Matched against each object's dictionary as MuPDF prints it, nested dictionaries included,
# so actions on the catalog, pages, annotations and form fields are all seen in one pass.
_JAVASCRIPT = re.compile(r"/S\s*/JavaScript\b|/JS\b")
_LAUNCH = re.compile(r"/S\s*/Launch\b")
_FILE_ATTACHMENT = re.compile(r"/Subtype\s*/FileAttachment\b|/Type\s*/EmbeddedFile\b")
_PDF_DATE = re.compile(
    r"^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz+-])(\d{2})?'?(\d{2})?'?)?"
)
# PyMuPDF's annotations are partial (many functions are untyped); use it as untyped.
pymupdf: Any = _pymupdf

# "Microsoft Word - report.docx", "report.pdf": titles a program wrote, not an author.
_PLACEHOLDER_TITLE = re.compile(
    r"^(?:microsoft (?:word|powerpoint|excel) - |untitled\b)|\.(?:docx?|pdf|odt|rtf|pptx?)$"
)
TITLE_SIZE_RATIO = 1.3
PAGE_TITLE_MAX_CHARS = 160

_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")


def extract_pdf(
    path: Path, media_type: str, limits: Limits, password: str | None = None
) -> Extracted:
    """Read a PDF: text of every page, metadata, flags and a thumbnail of page 1.

    Args:
        path: The PDF file.
        media_type: 'application/pdf'.
        limits: thumbnail_size and max_render_pixels apply.
        password: The password a reviewer gave for an encrypted PDF (used
            once, never kept); None tries only the empty password.

    Returns:
        The extracted PDF, one ExtractedPage per page.

    Raises:
        EncryptedInputError: The PDF needs a password to open (or the one
            given is wrong).
        BadInputError: The PDF is too damaged to open or has no readable pages.
    """
    doc, flags = open_pdf(path, password)
    try:
        metadata = _metadata(doc)
        flags.extend(_active_content_flags(doc, metadata))
        damaged: list[int] = []
        pages = list(_read_pages(doc, damaged))
        if doc.is_repaired:
            metadata["repaired"] = True
            flags.append(FLAG_REPAIRED)
            damaged = sorted(set(damaged) | set(_lost_pages(doc)))
        if damaged:
            metadata["damaged_pages"] = damaged
            if len(damaged) == len(pages):
                raise BadInputError("damaged PDF: no pages could be read")
        thumbnail = _thumbnail(doc, limits, damaged)
        info = metadata.get("info", {})
        return Extracted(
            kind="pdf",
            media_type=media_type,
            title=pdf_title(doc, info.get("title"), path.name, damaged),
            author=info.get("author"),
            language=_language(doc),
            pages=pages,
            metadata=metadata,
            flags=flags,
            thumbnail=thumbnail,
            thumbnail_type="image/png" if thumbnail else None,
        )
    finally:
        doc.close()


def open_pdf(path: Path, password: str | None = None) -> tuple[Any, list[str]]:
    """Open a PDF, trying the empty password (or the one given) when it is encrypted.

    Args:
        path: The PDF file.
        password: A password for an encrypted PDF; None tries the empty one.

    Returns:
        The open pymupdf.Document (the caller closes it) and the flags found so far.

    Raises:
        EncryptedInputError: A non-empty password is needed, or ``password`` is wrong.
        BadInputError: MuPDF cannot open the file, even after repair, or it has no pages.
    """
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:
        raise BadInputError("damaged PDF: the file cannot be opened, even after repair") from exc
    flags: list[str] = []
    try:
        if not doc.is_pdf:  # MuPDF sniffs content and happily opens images and e-books too
            raise BadInputError("damaged PDF: the file is not a PDF")
        if doc.needs_pass:
            if doc.authenticate(""):
                flags.append(FLAG_PASSWORD_EMPTY)
            elif password is None:
                raise EncryptedInputError("encrypted, password needed")
            elif doc.authenticate(password):
                flags.append(FLAG_PASSWORD)
            else:
                raise EncryptedInputError("wrong password")
        elif (doc.metadata or {}).get("encryption"):
            # MuPDF opened it with the empty user password by itself.
            flags.append(FLAG_PASSWORD_EMPTY)
        try:
            page_count = int(doc.page_count)
        except Exception as exc:  # MuPDF could not even count the pages of the repaired file
            raise BadInputError("damaged PDF: no pages could be read") from exc
        if page_count < 1:
            raise BadInputError("damaged PDF: no pages could be read")
    except BaseException:
        doc.close()
        raise
    return doc, flags


def locked_pdf(path: Path, media_type: str, reason: str) -> Extracted:
    """The record of a PDF that needs a password: kept as evidence, its text unread.

    Nothing inside is decrypted; the page count (readable without the
    password) goes in the metadata. ``unlock`` reads the rest later.

    Args:
        path: The PDF file.
        media_type: 'application/pdf'.
        reason: Why it could not be read (``EncryptedInputError.message``).

    Returns:
        A PDF with no pages, flagged ``locked``.
    """
    metadata: dict[str, Any] = {"locked_reason": reason}
    try:
        doc = pymupdf.open(path, filetype="pdf")
        try:
            metadata["page_count"] = int(doc.page_count)
        finally:
            doc.close()
    except Exception:  # the count is a courtesy
        pass
    return Extracted(kind="pdf", media_type=media_type, metadata=metadata, flags=[FLAG_LOCKED])


def save_decrypted(path: Path, password: str, target: Path) -> None:
    """Write a copy of an encrypted PDF without its encryption, for viewers.

    The original stays as it is; the copy lets pages be drawn after an
    unlock without the password being kept anywhere.

    Args:
        path: The encrypted PDF.
        password: Its password (checked again here).
        target: Where the copy goes (replaced if present).

    Raises:
        EncryptedInputError: The password does not open the PDF.
        BadInputError: MuPDF cannot write the copy.
    """
    doc, _flags = open_pdf(path, password)
    try:
        doc.save(str(target), encryption=pymupdf.PDF_ENCRYPT_NONE)
    except Exception as exc:
        raise BadInputError(f"cannot write a readable copy of the PDF: {exc}") from exc
    finally:
        doc.close()


def iter_pdf_pages(path: Path) -> Iterator[ExtractedPage]:
    """Yield the text of each page in turn, for callers that want to stream.

    A page that cannot be read yields empty text.

    Args:
        path: The PDF file.

    Yields:
        One ExtractedPage per page, in order.

    Raises:
        EncryptedInputError: A non-empty password is needed.
        BadInputError: The PDF cannot be opened.
    """
    doc, _flags = open_pdf(path)
    try:
        yield from _read_pages(doc, [])
    finally:
        doc.close()


def render_pdf_page(
    path: Path, number: int, zoom: float = 1.0, limits: Limits = DEFAULT_LIMITS
) -> bytes:
    """Render one page as PNG, lowering the zoom so no more than max_render_pixels are drawn.

    Args:
        path: The PDF file.
        number: 1-based page number.
        zoom: Wanted scale, 1.0 being 72 dpi.
        limits: max_render_pixels applies.

    Returns:
        PNG bytes.

    Raises:
        BadInputError: The page does not exist or cannot be rendered.
    """
    doc, _flags = open_pdf(path)
    try:
        if not 1 <= number <= doc.page_count:
            raise BadInputError(f"page {number} does not exist (the PDF has {doc.page_count})")
        try:
            page = doc.load_page(number - 1)
            zoom = capped_zoom(page.rect, zoom, limits.max_render_pixels)
            pixmap = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
            return bytes(pixmap.tobytes("png"))
        except Exception as exc:
            raise BadInputError(f"damaged PDF: page {number} cannot be rendered") from exc
    finally:
        doc.close()


def capped_zoom(rect: Any, zoom: float, max_pixels: int) -> float:
    """Lower a zoom so that rendering rect at it draws at most max_pixels pixels.

    Args:
        rect: A pymupdf.Rect (page size in points).
        zoom: The wanted zoom.
        max_pixels: The pixel budget.

    Returns:
        The zoom to use; at least small enough for the budget, never negative.
    """
    width, height = float(rect.width), float(rect.height)
    if not (math.isfinite(width) and math.isfinite(height)) or width <= 0 or height <= 0:
        return 0.0
    if width * height * zoom * zoom > max_pixels:
        # Slightly under the exact root so rounding up to whole pixels stays in budget.
        zoom = math.sqrt(max_pixels / (width * height)) * 0.999
    return max(zoom, 0.0)


def pdf_title(doc: Any, info_title: str | None, filename: str, damaged: list[int]) -> str | None:
    """The title a reader would give the PDF: its info dictionary's, unless that is
    empty or a program's placeholder ("Microsoft Word - x.docx", the file name,
    "untitled"), else the largest text at the top of page 1 when it stands out."""
    if info_title and not _placeholder_title(info_title, filename):
        return info_title
    if 1 in damaged or doc.page_count < 1:
        return None
    try:
        return _largest_text(doc.load_page(0))
    except Exception:  # a page the text layer cannot be read from: no title, no failure
        return None


def _placeholder_title(title: str, filename: str) -> bool:
    plain = " ".join(title.split()).casefold()
    stem = Path(filename).stem.casefold()
    return (
        len(plain) < 3
        or plain in {stem, filename.casefold(), "untitled", "title", "document", "no title"}
        or bool(_PLACEHOLDER_TITLE.match(plain))
    )


def _largest_text(page: Any) -> str | None:
    """The lines in the largest type on the upper part of a page, when that type is
    clearly larger (x1.3) than the body text and the lines read as a title."""
    lines: list[tuple[float, str]] = []  # (largest size on the line, its text)
    chars: dict[float, int] = {}
    top_part = page.rect.height * 0.6
    for block in page.get_text("dict").get("blocks", []):
        for line in block.get("lines", []):
            spans = [s for s in line.get("spans", []) if s.get("text", "").strip()]
            if not spans:
                continue
            for span in spans:
                size = round(float(span["size"]), 1)
                chars[size] = chars.get(size, 0) + len(span["text"].strip())
            if line["bbox"][1] <= top_part:
                text = " ".join(" ".join(s["text"] for s in spans).split())
                lines.append((max(round(float(s["size"]), 1) for s in spans), text))
    if not lines or not chars:
        return None
    body = max(chars, key=lambda size: chars[size])  # the size most of the text is in
    largest = max(size for size, _ in lines)
    if largest < body * TITLE_SIZE_RATIO:
        return None
    picked: list[str] = []
    for size, text in lines:
        if size >= largest - 0.5:
            picked.append(text)
        elif picked:
            break  # the title ends where smaller type begins
    title = " ".join(picked).strip()
    if not 3 <= len(title) <= PAGE_TITLE_MAX_CHARS or not any(c.isalpha() for c in title):
        return None
    return title


def _read_pages(doc: Any, damaged: list[int]) -> Iterator[ExtractedPage]:
    """Yield each page's text; record 1-based numbers of unreadable pages in damaged."""
    for index in range(doc.page_count):
        try:
            text: str = doc.load_page(index).get_text()
        except Exception:
            damaged.append(index + 1)
            text = ""
        if "\x00" in text:
            text = text.replace("\x00", "")
        yield ExtractedPage(number=index + 1, text=text)


def _lost_pages(doc: Any) -> list[int]:
    """1-based numbers of pages whose page object or content streams a repair could not find.

    Only run on repaired files: it loads every page a second time.
    """
    lost: list[int] = []
    for index in range(doc.page_count):
        try:
            page = doc.load_page(index)
            if page.xref <= 0 or page.xref >= doc.xref_length():
                lost.append(index + 1)
                continue
            doc.xref_get_key(page.xref, "Type")
            if not all(doc.xref_is_stream(xref) for xref in page.get_contents()):
                lost.append(index + 1)
        except Exception:
            lost.append(index + 1)
    return lost


def _metadata(doc: Any) -> dict[str, Any]:
    """Info dictionary (non-empty values only), version, page count, encryption, dates."""
    raw: dict[str, Any] = doc.metadata or {}
    info: dict[str, str] = {}
    for key in _INFO_KEYS:
        value = raw.get(key)
        if isinstance(value, str):
            value = value.replace("\x00", "").strip()
            if value:
                info[key] = value
    metadata: dict[str, Any] = {"page_count": int(doc.page_count), "info": info}
    version = raw.get("format")
    if isinstance(version, str) and version.startswith("PDF "):
        metadata["pdf_version"] = version[4:]
    if raw.get("encryption"):
        metadata["encryption"] = str(raw["encryption"])
    for key, name in (("creationDate", "created"), ("modDate", "modified")):
        iso = pdf_date_to_iso(info.get(key, ""))
        if iso:
            metadata[name] = iso
    return metadata


def pdf_date_to_iso(value: str) -> str | None:
    """Convert a PDF date ('D:20240301123456+09'00'') to ISO 8601.

    Args:
        value: A PDF date string.

    Returns:
        A UTC datetime ('...Z') when the offset is given, a local datetime
        without offset when it is not, or None when the value is not a PDF date.
    """
    match = _PDF_DATE.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, sign, off_h, off_m = match.groups()
    try:
        moment = datetime(
            int(year),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
        )
    except ValueError:
        return None
    if sign is None:
        return moment.isoformat()
    offset = timedelta(hours=int(off_h or 0), minutes=int(off_m or 0))
    if sign == "-":
        offset = -offset
    try:
        utc = moment.replace(tzinfo=timezone(offset)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def _active_content_flags(doc: Any, metadata: dict[str, Any]) -> list[str]:
    """Flags for JavaScript, launch actions and embedded files, from one pass over the objects."""
    javascript = launch = attachments = False
    catalog = doc.pdf_catalog()
    if catalog > 0:
        javascript = doc.xref_get_key(catalog, "Names/JavaScript")[0] != "null"
    for xref in range(1, doc.xref_length()):
        try:
            source: str = doc.xref_object(xref, compressed=True)
        except Exception:  # a broken object in a repaired file: nothing to flag in it
            continue
        if "/J" in source and _JAVASCRIPT.search(source):
            javascript = True
        if "/Launch" in source and _LAUNCH.search(source):
            launch = True
        if "/FileAttachment" in source or "/EmbeddedFile" in source:
            attachments = attachments or bool(_FILE_ATTACHMENT.search(source))
    try:
        embedded_count = int(doc.embfile_count())
        names = [str(name) for name in doc.embfile_names()] if embedded_count else []
    except Exception:
        embedded_count, names = 0, []
    if names:
        metadata["embedded_files"] = names
    flags: list[str] = []
    if javascript:
        flags.append(FLAG_JAVASCRIPT)
    if launch:
        flags.append(FLAG_LAUNCH)
    if embedded_count or attachments:
        flags.append(FLAG_EMBEDDED_FILES)
    return flags


def _language(doc: Any) -> str | None:
    """The catalog's /Lang entry when it is a plausible language tag."""
    try:
        kind, value = doc.xref_get_key(doc.pdf_catalog(), "Lang")
    except Exception:
        return None
    if kind != "string" or not isinstance(value, str):
        return None
    value = value.strip()
    return value if _LANGUAGE_TAG.match(value) else None


def _thumbnail(doc: Any, limits: Limits, damaged: list[int]) -> bytes | None:
    """PNG of page 1, longest side about thumbnail_size; None when it cannot be drawn."""
    if 1 in damaged:
        return None
    try:
        page = doc.load_page(0)
        rect = page.rect
        longest = max(float(rect.width), float(rect.height))
        if not math.isfinite(longest) or longest <= 0:
            return None
        # A hair under the exact ratio: MuPDF rounds pixmap sizes up to whole pixels.
        wanted = limits.thumbnail_size / longest * 0.999
        zoom = capped_zoom(rect, wanted, limits.max_render_pixels)
        if zoom <= 0:
            return None
        pixmap = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
        return bytes(pixmap.tobytes("png"))
    except Exception:  # a thumbnail is a convenience; the text import stands without it
        return None
