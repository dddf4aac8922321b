"""Every occurrence of a redacted passage in what an export ships, found before it is written.

A reviewer marks a name for redaction once; the same name may stand unmarked on another
page, in another source, in an image's EXIF Artist or XMP creator, or in a PDF's document
information. The plan finds each occurrence here (so the preview can say how many go from
which source and page), and the exporter removes them with the marked passages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from workstation.annotations.anchors import TextAnchor, text_anchor
from workstation.bundles.scrubber import Scrubber

#: Where in a source an occurrence stands.
Where = Literal["text", "metadata", "file"]
#: Longest original read whole to look for a passage outside its extracted text.
MAX_RAW_BYTES = 64 * 1024 * 1024
#: EXIF tags Windows writes as UTF-16LE (XPTitle, XPComment, XPAuthor, XPKeywords, XPSubject).
_UTF16_TAGS = {0x9C9B, 0x9C9C, 0x9C9D, 0x9C9E, 0x9C9F}
_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_USER_COMMENT = 0x9286


@dataclass(frozen=True)
class Passage:
    """A passage marked for redaction, and the mark (annotation UUID) that says so."""

    quote: str
    mark: str


@dataclass(frozen=True)
class Occurrence:
    """Occurrences of redacted passages removed from one place of one source.

    Attributes:
        source_id: the source.
        title: its title (or file name), for the preview.
        page: the page, for text; None for metadata and the original file.
        count: how many occurrences are removed there.
        where: ``text`` (a page's text, beyond the marked passages), ``metadata``
            (EXIF, XMP, IPTC, PDF document information) or ``file`` (the original
            file outside its extracted text, e.g. an HTML page's head).
    """

    source_id: int
    title: str
    page: int | None
    count: int
    where: Where

    def as_json(self) -> dict[str, Any]:
        """The shape ``export --json`` lists under ``occurrences_removed``."""
        return {
            "source_id": self.source_id,
            "title": self.title,
            "page": self.page,
            "count": self.count,
            "where": self.where,
        }

    def describe(self) -> str:
        """``3 on page 2``, ``1 in image metadata``..., for a line of the preview."""
        if self.where == "text":
            return f"{self.count} on page {self.page}"
        if self.where == "metadata":
            return f"{self.count} in its metadata"
        return f"{self.count} in the original file"


def passage_pattern(passages: Iterable[Passage]) -> re.Pattern[str] | None:
    """One pattern for every passage, matched as find and redaction match a quote
    (case-insensitive, any run of white space between words); longer passages first,
    so a name wins over a shorter passage inside it. None when there is none."""
    quotes = sorted({" ".join(p.quote.split()) for p in passages}, key=len, reverse=True)
    alternatives = [r"\s+".join(re.escape(w) for w in q.split()) for q in quotes if q]
    return re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None


def text_occurrences(
    pages: Sequence[str],
    pattern: re.Pattern[str] | None,
    marked: Sequence[TextAnchor],
    whole_pages: set[int],
) -> tuple[list[TextAnchor], dict[int, int]]:
    """The unmarked occurrences of the passages (``passage_pattern``) on ``pages``, as
    anchors to remove.

    A match overlapping a passage the source itself marks is that mark's business,
    not another occurrence; pages redacted whole are skipped. One search a page,
    whatever the number of passages.

    Returns:
        Anchors (page text offsets, as the library stores them) and, per 1-based
        page, how many occurrences they are.
    """
    anchors: list[TextAnchor] = []
    counts: dict[int, int] = {}
    if pattern is None:
        return anchors, counts
    for number, text in enumerate(pages, start=1):
        if number in whole_pages or not text:
            continue
        taken = [(m.start, m.end) for m in marked if m.page == number]
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            anchors.append(text_anchor(text, start, end, page=number))
            counts[number] = counts.get(number, 0) + 1
    return anchors, counts


def count_in(scrubber: Scrubber, text: str) -> int:
    """How many redacted passages stand in ``text`` (for metadata and raw files)."""
    return len(scrubber.find(text))


def image_metadata_text(path: Path) -> str:
    """Every piece of text an image file carries besides its pixels, one per line.

    EXIF (the main, Exif and GPS IFDs; Windows' UTF-16 XP tags; UserComment), XMP,
    IPTC, PNG text chunks and comments: wherever a photographer's or an informant's
    name can hide. Unreadable metadata gives what could be read.
    """
    from PIL import Image, IptcImagePlugin  # lazy: only exports with redaction read images

    parts: list[str] = []
    try:
        with Image.open(path) as image:
            exif = image.getexif()
            items: list[tuple[int, object]] = list(exif.items())
            for ifd in (_EXIF_IFD, _GPS_IFD):
                try:
                    items.extend(exif.get_ifd(ifd).items())
                except Exception:  # a broken IFD: the rest still counts
                    continue
            for tag, value in items:
                parts.extend(_texts(value, tag))
            for key, value in image.info.items():
                if key in ("exif", "icc_profile"):
                    continue
                parts.extend(_texts(value, None))
            try:
                iptc = IptcImagePlugin.getiptcinfo(image) or {}
            except Exception:  # malformed IPTC
                iptc = {}
            for value in iptc.values():
                for one in value if isinstance(value, list) else [value]:
                    parts.extend(_texts(one, None))
    except Exception:  # not an image Pillow reads: the exporter will say so
        return "\n".join(parts)
    return "\n".join(parts)


def _texts(value: object, tag: int | None) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple) and value and all(isinstance(v, int) for v in value):
        value = bytes(v & 0xFF for v in value)  # XP tags as Pillow sometimes gives them
    if not isinstance(value, bytes | bytearray):
        return []
    data = bytes(value)
    if tag in _UTF16_TAGS:
        return [data.decode("utf-16-le", "replace").rstrip("\x00")]
    if tag == _USER_COMMENT:
        body = data[8:]
        return [
            body.decode("utf-8", "replace"),
            body.decode("utf-16-le", "replace"),
            body.decode("utf-16-be", "replace"),
        ]
    return [data.decode("utf-8", "replace")]


def pdf_metadata_text(path: Path) -> str:
    """A PDF's document information (title, author, subject, keywords...) and XMP."""
    import pymupdf  # lazy: +120 ms to open the export dialog

    try:
        with pymupdf.open(path) as doc:
            info = [str(v) for v in (doc.metadata or {}).values() if v]
            xmp = doc.get_xml_metadata() or ""
    except Exception:  # a PDF MuPDF cannot open: the exporter will say so
        return ""
    return "\n".join([*info, xmp])


def raw_text(path: Path, encodings: Sequence[str] = ()) -> str:
    """An original text-like file (HTML, e-mail, text) as text, for what extraction left out."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_RAW_BYTES)
    except OSError:
        return ""
    texts = [data.decode("utf-8", "replace")]
    for name in encodings:
        try:
            texts.append(data.decode(name, "replace"))
        except LookupError:
            continue
    return "\n".join(texts)


__all__ = [
    "Occurrence",
    "Passage",
    "count_in",
    "image_metadata_text",
    "passage_pattern",
    "pdf_metadata_text",
    "raw_text",
    "text_occurrences",
]
