"""Redacted derivatives for bundles: text and pixels under a redaction mark are removed.

A mark never becomes a box drawn over content that is still in the file: PDF text, images
and line art under it are deleted, image pixels are overwritten on a copy, article passages
are replaced by a marker. A passage on a page OCR read is placed by its word boxes, and
the scan's pixels under them go, as do the words in the OCR layer that travels. Originals
are only read; every derivative is written atomically and read back.
One module on purpose: text, PDF and image redaction share the anchor geometry, the checks
and the atomic write, and whoever audits what a redaction removes should read it in one place.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import secrets
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pymupdf as _pymupdf
from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError

from workstation.annotations.anchors import Anchor, PageAnchor, RegionAnchor, TextAnchor
from workstation.core.errors import CancelledError, WorkstationError
from workstation.core.progress import CancelToken
from workstation.ocr.layers import passage_boxes, redact_words
from workstation.sources.extract.pdf import open_pdf
from workstation.sources.pages import PdfDocument, find_spans

# PyMuPDF's annotations are partial (many functions are untyped); use it as untyped.
pymupdf: Any = _pymupdf

DEFAULT_MARKER = "[REDACTED]"
POINT_RADIUS = 12.0
"""Radius of the disc blacked out around each 'points' marker (image pixels or PDF points)."""

PDF_MEDIA_TYPE = "application/pdf"
_Box = tuple[float, float, float, float]
"""x0, y0, x1, y1."""
_QUOTE_IN_MESSAGE = 40
# Pillow format -> (format written, media type written). GIF and BMP become PNG: PNG keeps
# their pixels losslessly and every reader opens it.
_IMAGE_OUTPUT = {
    "JPEG": ("JPEG", "image/jpeg"),
    "MPO": ("JPEG", "image/jpeg"),  # a camera JPEG with extra pictures; only the first is kept
    "PNG": ("PNG", "image/png"),
    "TIFF": ("TIFF", "image/tiff"),
    "WEBP": ("WEBP", "image/webp"),
    "GIF": ("PNG", "image/png"),
    "BMP": ("PNG", "image/png"),
}
_SOURCE_MEDIA_TYPE = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "TIFF": "image/tiff",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "BMP": "image/bmp",
}
# Black, opaque, per Pillow mode that can be painted as is; other modes are converted first.
_BLACK: dict[str, float | tuple[int, ...]] = {
    "1": 0,
    "L": 0,
    "I": 0,
    "F": 0.0,
    "I;16": 0,
    "I;16L": 0,
    "I;16B": 0,
    "I;16N": 0,
    "LA": (0, 255),
    "RGB": (0, 0, 0),
    "RGBA": (0, 0, 0, 255),
    "CMYK": (0, 0, 0, 255),
}
_JPEG_MODES = ("L", "RGB", "CMYK")
_EXIF_ORIENTATION = 0x0112
# Baseline TIFF tags that describe pixels, not the picture's subject, camera or place.
_TIFF_STRUCTURE = {254, 256, 257, 258, 259, 262, 266, 273, 277, 278, 279, 280, 281, 282, 283}
_TIFF_STRUCTURE |= {284, 296, 317, 320, 322, 323, 324, 325, 338, 339, 529, 530, 531, 532, 34675}
_WEBP_MODES = ("RGB", "RGBA")
# Catalog entries that can carry text or active content of their own: outlines (bookmark
# titles), forms (field values), the structure tree (alt and actual text), name trees
# (embedded files, JavaScript), actions, associated files, article threads, XMP.
_CATALOG_KEYS_TO_DROP = (
    "AA",
    "AcroForm",
    "AF",
    "Collection",
    "Dests",
    "Legal",
    "MarkInfo",
    "Metadata",
    "Names",
    "OpenAction",
    "Outlines",
    "Perms",
    "PieceInfo",
    "SpiderInfo",
    "StructTreeRoot",
    "Threads",
    "URI",
)
# Page entries likewise: annotations (links, widgets, notes, attachments), the page
# thumbnail (a picture of the unredacted page), actions, XMP, beads, associated files.
_PAGE_KEYS_TO_DROP = ("AA", "AF", "Annots", "B", "Metadata", "PieceInfo", "StructParents", "Thumb")


class RedactionError(WorkstationError):
    """A redacted derivative cannot be made, or would still show what it must remove."""


@dataclass(frozen=True)
class RedactionResult:
    """A derivative written by one of the redact functions.

    Attributes:
        dst: Where it was written.
        sha256: Hex SHA-256 of the derivative's bytes.
        applied: How many marks were applied.
        media_type: Media type of the derivative (GIF and BMP come out as PNG).
    """

    dst: Path
    sha256: str
    applied: int
    media_type: str


OCR_BOX_MARGIN = 0.15
"""Added around an OCR word box on each side, as a fraction of the box's height: the ink of
a blurred or skewed scan reaches a little past the box Tesseract gives."""


@dataclass(frozen=True)
class OcrPageText:
    """One page as OCR read it (the accepted layer): what text marks on it anchor on.

    Attributes:
        text: The page text.
        words: ``[text, x0, y0, x1, y1, confidence, offset]``; boxes in the source's
            coordinates (a PDF: points on the page as displayed; an image: its pixels as
            stored, before any EXIF orientation).
    """

    text: str
    words: list[list[Any]]


# --- text --------------------------------------------------------------------------------


def redact_text(text: str, spans: Sequence[tuple[int, int]], marker: str = DEFAULT_MARKER) -> str:
    """Replace each span of ``text`` with ``marker``.

    Overlapping or touching spans are merged first, so one marker stands for them all
    and the number of markers does not tell how many marks there were.

    Args:
        text: Any text; offsets count Unicode code points.
        spans: (start, end) code-point offsets, start < end, in any order.
        marker: What replaces each merged span.

    Returns:
        The redacted text.

    Raises:
        RedactionError: A span is empty, reversed or outside the text.
    """
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if not 0 <= start < end <= len(text):
            raise RedactionError(
                f"redaction span {start}-{end} is outside the text (0-{len(text)})"
            )
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces: list[str] = []
    position = 0
    for start, end in merged:
        pieces.append(text[position:start])
        pieces.append(marker)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def redact_pages_text(
    pages: Sequence[str],
    marks: Sequence[TextAnchor | PageAnchor],
    *,
    marker: str = DEFAULT_MARKER,
) -> list[str]:
    """Apply redaction marks to stored page texts (articles, text files, e-mails, PDFs).

    A text anchor removes its passage and every other occurrence of its quote on the same
    page (matched as find does: case-insensitive, any white space), so that the quote is
    not left readable a few lines further down. A page anchor replaces the whole page.

    Args:
        pages: Text of page 1, page 2, ...
        marks: Redaction marks on those pages.
        marker: What replaces a passage or a page.

    Returns:
        The redacted texts, one per page.

    Raises:
        RedactionError: A mark is on a page that does not exist, is not a text or page
            anchor, or is a passage whose quote is no longer in its page.
    """
    whole: set[int] = set()
    spans: dict[int, list[tuple[int, int]]] = {}
    for mark in marks:
        if not isinstance(mark, TextAnchor | PageAnchor):
            raise RedactionError(f"a {type(mark).__name__} cannot be applied to text")
        _check_page(mark.page, len(pages), "text")
        if isinstance(mark, PageAnchor):
            whole.add(mark.page)
            continue
        found = _passage_spans(pages[mark.page - 1], mark)
        if not found:
            raise RedactionError(_orphan_message(mark))
        spans.setdefault(mark.page, []).extend(found)
    result: list[str] = []
    for number, text in enumerate(pages, start=1):
        if number in whole:
            result.append(marker)
        elif number in spans:
            result.append(redact_text(text, spans[number], marker))
        else:
            result.append(text)
    return result


# --- OCR ---------------------------------------------------------------------------------


def ocr_passage_boxes(page: OcrPageText, mark: TextAnchor) -> list[_Box]:
    """The boxes over a passage on a page OCR read, one per line of its words, with
    OCR_BOX_MARGIN around each (the passage's other occurrences on the page too).

    Raises:
        RedactionError: The passage is no longer in the page's OCR text.
    """
    boxes: list[_Box] = []
    for start, end in _passage_spans(page.text, mark):
        for x0, y0, x1, y1 in passage_boxes(page.words, start, end):
            pad = max(1.0, OCR_BOX_MARGIN * (y1 - y0))
            boxes.append((x0 - pad, y0 - pad, x1 + pad, y1 + pad))
    if not boxes:
        raise RedactionError(_orphan_message(mark))
    return boxes


def ocr_regions(page: OcrPageText, marks: Sequence[TextAnchor]) -> list[RegionAnchor]:
    """Text marks on a picture OCR read, as the rectangles redact_image paints.

    Raises:
        RedactionError: A passage is no longer in the OCR text.
    """
    return [
        RegionAnchor("rect", ((x0, y0), (x1, y1)), page=1)
        for mark in marks
        for x0, y0, x1, y1 in ocr_passage_boxes(page, mark)
    ]


def redact_ocr_pages(
    pages: Mapping[int, OcrPageText],
    marks: Sequence[Anchor],
    *,
    marker: str = DEFAULT_MARKER,
) -> dict[int, OcrPageText]:
    """An OCR layer's pages with the words under redaction marks taken out (redact_words).

    A passage takes out its words and those of its other occurrences on the page, a region
    the words whose boxes it touches (polygons and points by their bounding boxes), a page
    mark the whole page (its text becomes the marker). Each run of removed words becomes
    one marker, as in redacted article text; the words that stay keep their boxes.

    Args:
        pages: The layer's pages by 1-based number (a picture's page is 1).
        marks: Redaction marks on the source; those on pages OCR did not read are left to
            the other redactions.
        marker: What stands for removed words.

    Returns:
        Every page of ``pages``, redacted or not.

    Raises:
        RedactionError: A passage on an OCR page is no longer in its text, or a region is
            malformed.
    """
    out: dict[int, OcrPageText] = {}
    for number, page in pages.items():
        here = [m for m in marks if (m.page or 1) == number]
        if any(isinstance(m, PageAnchor) for m in here):
            out[number] = OcrPageText(marker, [])
            continue
        spans: list[tuple[int, int]] = []
        boxes: list[_Box] = []
        for mark in here:
            if isinstance(mark, TextAnchor):
                found = _passage_spans(page.text, mark)
                if not found:
                    raise RedactionError(_orphan_message(mark))
                spans += found
            elif isinstance(mark, RegionAnchor):
                boxes += _region_rects(mark)
        if not spans and not boxes:
            out[number] = page
            continue
        text, words = redact_words(page.text, page.words, spans, boxes, marker)
        out[number] = OcrPageText(text, words)
    return out


# --- PDF ---------------------------------------------------------------------------------


def redact_pdf(
    src: Path,
    dst: Path,
    marks: Sequence[Anchor],
    *,
    ocr: Mapping[int, OcrPageText] | None = None,
    cancel: CancelToken | None = None,
) -> RedactionResult:
    """Write a copy of a PDF with everything under the marks removed.

    Text anchors remove their passage (and other occurrences of the quote on the page,
    see redact_pages_text); on a page OCR read (``ocr``) the passage is located by its
    word boxes, and the pixels of the scan under them are removed as well as any text
    the PDF has there; the derivative's images are read back to check those pixels are
    gone. Region anchors remove text, image pixels and line art under
    their box (polygons and points by their bounding boxes); page anchors empty the page
    to a black sheet. The whole document loses what could carry the removed content
    elsewhere: info and XMP metadata, embedded files, annotations, links, form fields,
    bookmarks, the structure tree, page thumbnails and JavaScript. The file is rewritten
    from scratch (no incremental update keeps old objects) and checked afterwards.

    Args:
        src: The original PDF; only read.
        dst: Where the derivative goes (written to a temporary file beside it, then renamed).
        marks: Redaction marks; page numbers are 1-based, regions in points on the page
            as displayed (rotation applied), origin top-left.
        ocr: The accepted OCR layer's pages by number, when the source has one; text
            marks on those pages anchor on its text.
        cancel: Checked between pages.

    Returns:
        The derivative: its path, SHA-256, number of marks applied, 'application/pdf'.

    Raises:
        RedactionError: The PDF cannot be opened or saved, a mark is on a page that does
            not exist or cannot be located, a quote is still in the derivative's text, or
            the pixels under an OCR passage are not gone from the page's images.
        CancelledError: cancel was set; nothing is left at dst.
    """
    src, dst = Path(src), Path(dst)
    _check_not_original(src, dst)
    plan = _plan_pdf(src, marks, ocr or {}, cancel)

    def write(tmp: Path) -> None:
        _write_redacted_pdf(src, tmp, plan, cancel)
        _verify_pdf(tmp, plan)

    digest = _atomic_write(dst, write)
    return RedactionResult(dst, digest, len(marks), PDF_MEDIA_TYPE)


@dataclass
class _PagePlan:
    """What to remove from one page: boxes in unrotated page space, and checks to make."""

    boxes: list[_Box]
    quotes: list[str]
    whole: bool = False
    pixels: list[_Box] = field(default_factory=list)
    """Boxes of OCR passages, whose pixels are checked in the derivative's images."""


def _plan_pdf(
    src: Path,
    marks: Sequence[Anchor],
    ocr: Mapping[int, OcrPageText],
    cancel: CancelToken | None,
) -> dict[int, _PagePlan]:
    """Locate every mark on the original: 1-based page -> its plan.

    Passages are placed with the library's own character boxes (PdfDocument), so their
    offsets mean what they meant when the reviewer made them.
    """
    try:
        document = PdfDocument(src, max_handles=1)
    except WorkstationError as exc:
        raise RedactionError(f"cannot redact {src.name}: {exc.message}") from exc
    try:
        handle, _flags = open_pdf(src)
    except WorkstationError as exc:
        document.close()
        raise RedactionError(f"cannot redact {src.name}: {exc.message}") from exc
    plans: dict[int, _PagePlan] = {}
    # Whole pages first: a passage on a page that goes entirely needs no locating.
    ordered = sorted(marks, key=lambda m: not isinstance(m, PageAnchor))
    try:
        for mark in ordered:
            if cancel is not None:
                cancel.raise_if_cancelled()
            page_number = mark.page
            if page_number is None:
                raise RedactionError("a region mark without a page cannot be applied to a PDF")
            _check_page(page_number, document.page_count, "PDF")
            plan = plans.setdefault(page_number, _PagePlan([], []))
            if isinstance(mark, PageAnchor):
                plan.whole = True
                continue
            if plan.whole:
                continue
            try:
                page = handle.load_page(page_number - 1)
                derotation = pymupdf.Matrix(page.derotation_matrix)
            except Exception as exc:
                raise RedactionError(
                    f"cannot redact page {page_number} of {src.name}: {_first_line(exc)}"
                ) from exc
            if isinstance(mark, TextAnchor):
                plan.quotes.append(mark.exact)
                layout = document.page_text(page_number)
                spans = _passage_spans(layout.text, mark)
                displayed = [r for s, e in spans for r in layout.rects(s, e)]
                scanned = ocr.get(page_number)
                if scanned is not None:
                    # The page text is OCR's: its word boxes place the passage on the scan;
                    # what text the PDF itself has there goes too.
                    pixels = [_transform(r, derotation) for r in ocr_passage_boxes(scanned, mark)]
                    plan.pixels.extend(pixels)
                    plan.boxes.extend(pixels)
                    plan.boxes.extend(_transform(r, derotation) for r in displayed)
                    plan.boxes.extend(_search_quote(page, mark, required=False))
                elif displayed:
                    plan.boxes.extend(_transform(r, derotation) for r in displayed)
                else:
                    plan.boxes.extend(_search_quote(page, mark))
            else:
                rects = _region_rects(mark)
                _check_inside(rects, document.page_size(page_number), "page")
                plan.boxes.extend(_transform(r, derotation) for r in rects)
    except (RedactionError, CancelledError):
        raise
    except WorkstationError as exc:
        raise RedactionError(f"cannot redact {src.name}: {exc.message}") from exc
    finally:
        handle.close()
        document.close()
    return plans


def _transform(rect: _Box, matrix: Any) -> _Box:
    """A displayed-page rectangle in unrotated page space, where MuPDF wants annotations."""
    moved = pymupdf.Rect(rect) * matrix
    return float(moved.x0), float(moved.y0), float(moved.x1), float(moved.y1)


def _search_quote(page: Any, mark: TextAnchor, *, required: bool = True) -> list[_Box]:
    """Boxes of an orphaned passage, found by MuPDF's own search; error when not found
    and ``required``.

    search_for gives boxes in unrotated page space already.
    """
    needle = " ".join(mark.exact.split())
    found: list[Any] = page.search_for(needle) if needle else []
    if not found and required:
        raise RedactionError(_orphan_message(mark))
    return [(float(r.x0), float(r.y0), float(r.x1), float(r.y1)) for r in found]


def _write_redacted_pdf(
    src: Path, tmp: Path, plans: dict[int, _PagePlan], cancel: CancelToken | None
) -> None:
    try:
        doc, _flags = open_pdf(src)
    except WorkstationError as exc:
        raise RedactionError(f"cannot redact {src.name}: {exc.message}") from exc
    try:
        for page_number, plan in sorted(plans.items()):
            if cancel is not None:
                cancel.raise_if_cancelled()
            try:
                page = doc.load_page(page_number - 1)
                if plan.whole:
                    _blank_page(doc, page)
                    continue
                for box in plan.boxes:
                    page.add_redact_annot(pymupdf.Rect(box), fill=(0, 0, 0), cross_out=False)
                page.apply_redactions(
                    images=pymupdf.PDF_REDACT_IMAGE_PIXELS,
                    # Touched, not only covered: a covered remainder would still sit in the
                    # content stream under the black fill.
                    graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_TOUCHED,
                    text=pymupdf.PDF_REDACT_TEXT_REMOVE,
                )
                _blacken_image_pixels(doc, page, plan.boxes)
            except Exception as exc:
                raise RedactionError(
                    f"cannot redact page {page_number} of {src.name}: {_first_line(exc)}"
                ) from exc
        if cancel is not None:
            cancel.raise_if_cancelled()
        try:
            _strip_document(doc)
            doc.save(
                tmp,
                garbage=4,
                deflate=True,
                clean=True,
                encryption=pymupdf.PDF_ENCRYPT_NONE,
                no_new_id=False,
            )
        except Exception as exc:
            raise RedactionError(
                f"cannot write the redacted copy of {src.name}: {_first_line(exc)}"
            ) from exc
    finally:
        doc.close()


def _blacken_image_pixels(doc: Any, page: Any, boxes: Sequence[_Box]) -> None:
    """Turn the pixels MuPDF blanked (to white) under the marks black, as on the page.

    The content is already gone when this runs; this only makes an extracted image look
    like the rendered page. Images it cannot rewrite safely (inline, masked, unusual
    colour spaces) keep MuPDF's white.
    """
    black = {1: (0,), 3: (0, 0, 0), 4: (0, 0, 0, 255)}
    for info in page.get_image_info(xrefs=True):
        xref = int(info.get("xref") or 0)
        bbox = pymupdf.Rect(info["bbox"])
        hits = [pymupdf.Rect(box) & bbox for box in boxes if pymupdf.Rect(box).intersects(bbox)]
        if xref <= 0 or info.get("has-mask") or not hits:
            continue
        try:
            to_unit = ~pymupdf.Matrix(info["transform"])
            pixmap = pymupdf.Pixmap(doc, xref)
            if pixmap.alpha or pixmap.n not in black:
                continue
            width, height = int(pixmap.width), int(pixmap.height)
            # Filled with Pillow: PyMuPDF's set_rect loops in Python (0.8 s for 36 boxes
            # on 200-dpi scans, bench/bench_ocr_redaction.py).
            mode = _PIL_MODES[int(pixmap.n)]
            picture = Image.frombytes(
                mode, (width, height), bytes(pixmap.samples), "raw", mode, int(pixmap.stride)
            )
            draw = ImageDraw.Draw(picture)
            for hit in hits:
                unit = hit * to_unit  # the image's unit square, row 0 at the top
                area = (
                    pymupdf.IRect(
                        math.floor(unit.x0 * width),
                        math.floor(unit.y0 * height),
                        math.ceil(unit.x1 * width),
                        math.ceil(unit.y1 * height),
                    )
                    & pixmap.irect
                )
                if not area.is_empty:
                    box = (area.x0, area.y0, area.x1 - 1, area.y1 - 1)
                    draw.rectangle(box, fill=black[pixmap.n])
            filled = pymupdf.Pixmap(pixmap.colorspace, width, height, picture.tobytes(), False)
            page.replace_image(xref, pixmap=filled)
        except Exception:  # noqa: S112 - cosmetic only: the pixels are already removed
            continue


def _decoded(doc: Any, xref: int) -> Image.Image:
    """A PDF's picture as Pillow holds it (alpha dropped; odd colour spaces as RGB)."""
    pixmap = pymupdf.Pixmap(doc, xref)
    if pixmap.alpha:
        pixmap = pymupdf.Pixmap(pixmap, 0)
    if pixmap.n not in _PIL_MODES:
        pixmap = pymupdf.Pixmap(pymupdf.csRGB, pixmap)
    mode = _PIL_MODES[int(pixmap.n)]
    size = (int(pixmap.width), int(pixmap.height))
    return Image.frombytes(mode, size, bytes(pixmap.samples), "raw", mode, int(pixmap.stride))


def _blank_page(doc: Any, page: Any) -> None:
    """Replace a page's content and resources by one black rectangle over its media box."""
    box = page.mediabox
    x0, x1 = sorted((float(box.x0), float(box.x1)))
    y0, y1 = sorted((float(box.y0), float(box.y1)))
    xref = doc.get_new_xref()
    doc.update_object(xref, "<<>>")
    doc.update_stream(xref, f"0 g {x0:g} {y0:g} {x1 - x0:g} {y1 - y0:g} re f\n".encode())
    doc.xref_set_key(page.xref, "Contents", f"{xref} 0 R")
    doc.xref_set_key(page.xref, "Resources", "<<>>")


def _strip_document(doc: Any) -> None:
    """Remove metadata, attachments, annotations and other text outside page contents."""
    doc.set_metadata({})
    doc.del_xml_metadata()
    catalog = doc.pdf_catalog()
    for key in _CATALOG_KEYS_TO_DROP:
        if doc.xref_get_key(catalog, key)[0] != "null":
            doc.xref_set_key(catalog, key, "null")
    if doc.xref_get_key(catalog, "PageMode")[0] != "null":
        doc.xref_set_key(catalog, "PageMode", "/UseNone")  # outlines and attachments are gone
    for index in range(doc.page_count):
        page_xref = doc.page_xref(index)
        for key in _PAGE_KEYS_TO_DROP:
            if doc.xref_get_key(page_xref, key)[0] != "null":
                doc.xref_set_key(page_xref, key, "null")
    # Images and fonts may carry XMP of their own.
    for xref in range(1, doc.xref_length()):
        with contextlib.suppress(Exception):  # a broken object in a repaired file
            if doc.xref_get_key(xref, "Metadata")[0] != "null":
                doc.xref_set_key(xref, "Metadata", "null")


def _verify_pdf(path: Path, plans: dict[int, _PagePlan]) -> None:
    """Re-read the saved derivative; any quote still in its page's text is a failure."""
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:
        raise RedactionError(f"the redacted copy cannot be read back: {_first_line(exc)}") from exc
    try:
        for page_number, plan in sorted(plans.items()):
            text = doc.load_page(page_number - 1).get_text().replace("\x00", "")
            if plan.whole and text.strip():
                raise RedactionError(f"redaction failed: page {page_number} still has text")
            for quote in plan.quotes:
                if find_spans(text, quote):
                    raise RedactionError(
                        f"redaction failed: '{_short(quote)}' is still in the text of page "
                        f"{page_number}"
                    )
            if plan.pixels and not plan.whole:
                _check_pixels_gone(doc, doc.load_page(page_number - 1), plan.pixels)
    finally:
        doc.close()


_PIL_MODES = {1: "L", 3: "RGB", 4: "CMYK"}
PIXEL_TOLERANCE = 4
"""How far apart (0-255) the pixels under a redacted OCR passage may be in the derivative:
one flat fill, give or take an encoder's rounding; a scan's ink against paper is ~200."""


def _check_pixels_gone(doc: Any, page: Any, boxes: Sequence[_Box]) -> None:
    """Read back each picture under each box: its pixels there must be one flat colour.

    A rendered page would show the black fill whatever lies under it; the image samples
    themselves are what a recipient can extract. Boxes are in unrotated page space.

    Raises:
        RedactionError: Ink is left under a box, or a picture there cannot be read back
            (an inline image): fail closed.
    """
    number = int(page.number) + 1
    infos = page.get_image_info(xrefs=True)
    decoded: dict[int, Image.Image] = {}  # a scan is decoded once, not once a box
    for box in boxes:
        rect = pymupdf.Rect(box)
        for info in infos:
            hit = rect & pymupdf.Rect(info["bbox"])
            if hit.is_empty:
                continue
            xref = int(info.get("xref") or 0)
            if xref <= 0:
                raise RedactionError(
                    f"redaction failed: page {number} draws an inline picture under a "
                    "redacted passage, which cannot be checked; nothing was written"
                )
            try:
                if xref not in decoded:
                    decoded[xref] = _decoded(doc, xref)
                picture = decoded[xref]
                unit = hit * ~pymupdf.Matrix(info["transform"])  # the image's unit square
                width, height = picture.size
                # Pixels wholly inside the box (one more in for a resampled edge).
                left, top = math.ceil(unit.x0 * width) + 1, math.ceil(unit.y0 * height) + 1
                right, bottom = math.floor(unit.x1 * width) - 1, math.floor(unit.y1 * height) - 1
                if right <= left or bottom <= top:
                    continue
                extrema: Any = picture.crop((left, top, right, bottom)).getextrema()
            except Exception as exc:
                raise RedactionError(
                    f"redaction failed: the picture under a redacted passage on page {number} "
                    f"cannot be read back: {_first_line(exc)}"
                ) from exc
            one_band = picture.mode == "L"
            bands: list[tuple[float, float]] = [extrema] if one_band else list(extrema)
            if any(high - low > PIXEL_TOLERANCE for low, high in bands):
                raise RedactionError(
                    f"redaction failed: the scan on page {number} still shows ink under a "
                    "redacted passage; nothing was written"
                )


# --- images ------------------------------------------------------------------------------


def redact_image(
    src: Path,
    dst: Path,
    regions: Sequence[RegionAnchor],
    *,
    strip_metadata: bool,
    ocr_boxes: Sequence[RegionAnchor] = (),
    ocr_as_shown: bool = False,
    cancel: CancelToken | None = None,
) -> RedactionResult:
    """Write a copy of an image with every region blacked out and no metadata left.

    Region coordinates are pixels of the picture as the library shows it, that is after
    its EXIF orientation is applied; the derivative is written upright, so it looks the
    same in every viewer. Rectangles and polygons are filled, 'points' markers get a disc
    of POINT_RADIUS pixels. Redacting always drops EXIF (with its thumbnail, which shows
    the unredacted picture), GPS, XMP, IPTC and comments; the ICC profile is kept. JPEG is
    written at quality 95, PNG, TIFF and WebP in kind; GIF and BMP become PNG. Only the
    first frame of an animated or multi-page picture is written.

    Args:
        src: The original image; only read.
        dst: Where the derivative goes (written beside it, then renamed).
        regions: Redaction marks on the image (page None or 1).
        strip_metadata: Only matters with no regions: True writes a clean copy (as
            strip_image_metadata), False copies the original bytes unchanged.
        ocr_boxes: Passages OCR read, as rectangles over their words (ocr_regions).
        ocr_as_shown: The OCR layer's boxes are in the picture as shown (read with its
            EXIF orientation applied: ``ocr.layers.boxes_as_shown``). An older layer's are
            in the picture as stored: refused on a picture its EXIF orientation turns.
        cancel: Checked before decoding and before writing.

    Returns:
        The derivative with its SHA-256, regions applied and media type.

    Raises:
        RedactionError: The image cannot be read, is too large, is of a type that cannot
            be redacted, a region is malformed or outside the picture, OCR boxes are
            given for a turned picture, or a filled rectangle is not dark when read back.
        CancelledError: cancel was set; nothing is left at dst.
    """
    src, dst = Path(src), Path(dst)
    _check_not_original(src, dst)
    if ocr_boxes and not ocr_as_shown and turned_by_exif(src):
        raise RedactionError(
            f"cannot redact the OCR passage on {src.name}: the picture is turned by its EXIF "
            "orientation and its OCR word boxes are not; nothing was written"
        )
    regions = [*regions, *ocr_boxes]
    if not regions and not strip_metadata:
        with _open_image(src) as image:
            media_type = _SOURCE_MEDIA_TYPE[_image_format(image, src)]
        digest = _atomic_write(dst, lambda tmp: _copy(src, tmp))
        return RedactionResult(dst, digest, 0, media_type)
    for region in regions:
        if region.page not in (None, 1):
            raise RedactionError(
                f"a region on page {region.page} cannot be applied to an image "
                "(only its first frame is exported)"
            )
    return _rewrite_image(src, dst, regions, cancel)


def turned_by_exif(src: Path) -> bool:
    """Whether a picture's EXIF orientation turns or flips it for display.

    A layer OCR read before pictures were read as shown holds boxes in the picture as
    stored; they match the redacted (upright) derivative only when this is False.

    Raises:
        RedactionError: The image cannot be read.
    """
    return _orientation(src) not in (None, 1)


def _orientation(src: Path) -> int | None:
    """The EXIF orientation (1-8; None or 1: as stored); 0 when the EXIF cannot be read."""
    with _open_image(src) as image:
        try:
            value = image.getexif().get(_EXIF_ORIENTATION, 1)
        except (OSError, ValueError, SyntaxError):  # unreadable EXIF: assume the worst
            return 0
    return None if value is None else int(value)


def whole_picture(src: Path) -> RegionAnchor:
    """A rectangle over the whole picture as shown (EXIF orientation applied): what a page
    redaction on a picture removes.

    Raises:
        RedactionError: The image cannot be read.
    """
    with _open_image(src) as image:
        width, height = image.size
    orientation = _orientation(src)
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    elif orientation == 0:  # unknown: a square over either way up (painting clips)
        width = height = max(width, height)
    return RegionAnchor("rect", ((0.0, 0.0), (float(width), float(height))), page=1)


def strip_image_metadata(src: Path, dst: Path) -> RedactionResult:
    """Write a copy of an image without EXIF, GPS, XMP, IPTC or comments.

    The pixels are written upright (EXIF orientation applied) since the orientation tag
    goes with the rest; see redact_image for formats.

    Args:
        src: The original image; only read.
        dst: Where the copy goes.

    Returns:
        The copy with its SHA-256 (applied is 0) and media type.

    Raises:
        RedactionError: The image cannot be read or written.
    """
    src, dst = Path(src), Path(dst)
    _check_not_original(src, dst)
    return _rewrite_image(src, dst, (), None)


def _rewrite_image(
    src: Path, dst: Path, regions: Sequence[RegionAnchor], cancel: CancelToken | None
) -> RedactionResult:
    if cancel is not None:
        cancel.raise_if_cancelled()
    with _open_image(src) as image:
        source_format = _image_format(image, src)
        out_format, media_type = _IMAGE_OUTPUT[source_format]
        icc = image.info.get("icc_profile")
        transparency = image.info.get("transparency")
        lossless_webp = source_format == "WEBP" and _webp_is_lossless(src)
        try:
            upright = ImageOps.exif_transpose(image)
        except Image.DecompressionBombError as exc:
            raise RedactionError(f"{src.name} is too large to redact: {exc}") from exc
        except (OSError, ValueError, SyntaxError) as exc:
            raise RedactionError(f"damaged image {src.name}: {_first_line(exc)}") from exc
    picture, converted = _paintable(upright, out_format, transparency)
    width, height = picture.size
    for region in regions:
        _check_inside(_region_rects(region), (float(width), float(height)), "image")
    if regions:
        black = _BLACK[picture.mode]
        draw = ImageDraw.Draw(picture)
        for region in regions:
            _paint_region(draw, region, black)
    if cancel is not None:
        cancel.raise_if_cancelled()
    picture.info = {}  # nothing of the original's metadata may travel through Pillow
    options: dict[str, Any] = {}
    if icc:
        options["icc_profile"] = icc
    if out_format == "JPEG":
        options.update(quality=95, subsampling=0)  # 4:4:4 keeps colour from bleeding
    elif out_format == "PNG":
        if transparency is not None and not converted and picture.mode in ("L", "RGB", "P"):
            options["transparency"] = transparency
    elif out_format == "TIFF":
        options["compression"] = "tiff_lzw"
    elif out_format == "WEBP" and lossless_webp:
        options["lossless"] = True
    elif out_format == "WEBP":
        options["quality"] = 95

    def write(tmp: Path) -> None:
        try:
            picture.save(tmp, out_format, **options)
        except (OSError, ValueError) as exc:
            raise RedactionError(
                f"cannot write the redacted copy of {src.name}: {_first_line(exc)}"
            ) from exc
        _verify_image(tmp, (width, height), [r for r in regions if r.shape == "rect"])

    digest = _atomic_write(dst, write)
    return RedactionResult(dst, digest, len(regions), media_type)


@contextlib.contextmanager
def _open_image(src: Path) -> Iterator[Image.Image]:
    try:
        image = Image.open(src)
    except FileNotFoundError as exc:
        raise RedactionError(f"cannot redact {src.name}: the file does not exist") from exc
    except Image.DecompressionBombError as exc:
        raise RedactionError(f"{src.name} is too large to redact: {exc}") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise RedactionError(f"damaged image {src.name}: {_first_line(exc)}") from exc
    try:
        yield image
    finally:
        image.close()


def _image_format(image: Image.Image, src: Path) -> str:
    name = (image.format or "").upper()
    if name not in _IMAGE_OUTPUT:
        raise RedactionError(
            f"cannot redact {src.name}: {name or 'unknown'} images are not supported"
        )
    return name


def _webp_is_lossless(src: Path) -> bool:
    """Whether a WebP holds a lossless (VP8L) bitstream, directly or in an extended file."""
    with src.open("rb") as handle:
        head = handle.read(4096)
    return b"VP8L" in head[12:] and b"VP8 " not in head[12:]


def _paintable(
    image: Image.Image, out_format: str, transparency: object
) -> tuple[Image.Image, bool]:
    """The picture in a mode that can be painted black and written as out_format.

    Returns the picture and whether its mode was changed.
    """
    mode = image.mode
    target: str | None = None
    has_alpha = "A" in mode or (mode == "P" and transparency is not None)
    if mode not in _BLACK:
        target = "RGBA" if has_alpha else "RGB"
    if out_format == "JPEG" and (target or mode) not in _JPEG_MODES:
        target = "RGB"
    if out_format == "WEBP" and (target or mode) not in _WEBP_MODES:
        target = "RGBA" if has_alpha else "RGB"
    if target is None or target == mode:
        return image, False
    return image.convert(target), True


def _paint_region(
    draw: ImageDraw.ImageDraw, region: RegionAnchor, black: float | tuple[int, ...]
) -> None:
    if region.shape == "rect":
        x, y, w, h = region.bbox
        # Cover every pixel the box touches: pixel (i, j) spans [i, i+1) x [j, j+1).
        left, top = math.floor(x), math.floor(y)
        right, bottom = max(math.ceil(x + w), left + 1), max(math.ceil(y + h), top + 1)
        draw.rectangle((left, top, right - 1, bottom - 1), fill=black)
    elif region.shape == "polygon":
        draw.polygon(list(region.points), fill=black, outline=black)
    else:
        for px, py in region.points:
            draw.ellipse(
                (px - POINT_RADIUS, py - POINT_RADIUS, px + POINT_RADIUS, py + POINT_RADIUS),
                fill=black,
            )


_DARK = 40
"""The lightest a filled pixel may read back as (0-255, as grey): JPEG and lossy WebP ring a
little inside a black box; ink on paper is far from it."""


def _verify_image(path: Path, size: tuple[int, int], filled: Sequence[RegionAnchor]) -> None:
    """Read the derivative back: same size, no EXIF, XMP or descriptive tags in it, and
    every filled rectangle dark (its pixels wholly inside, one more in for the encoder)."""
    try:
        with Image.open(path) as written:
            written.load()
            leftover = {"exif", "xmp", "XML:com.adobe.xmp"} & set(written.info)
            # A TIFF's tags are its own structure; anything beyond that is metadata.
            tags = set(written.getexif()) - (_TIFF_STRUCTURE if written.format == "TIFF" else set())
            if written.size != size or leftover or tags:
                raise RedactionError("the redacted copy still carries metadata or lost pixels")
            grey: Image.Image | None = None
            for region in filled:
                x, y, w, h = region.bbox
                left, top = max(math.ceil(x) + 1, 0), max(math.ceil(y) + 1, 0)
                right = min(math.floor(x + w) - 1, size[0])
                bottom = min(math.floor(y + h) - 1, size[1])
                if right <= left or bottom <= top:
                    continue
                if grey is None:
                    grey = written.convert("L")
                if grey.crop((left, top, right, bottom)).getextrema()[1] > _DARK:  # type: ignore[operator]
                    raise RedactionError(
                        "redaction failed: a redacted area of the copy is not filled; "
                        "nothing was written"
                    )
    except (OSError, ValueError, SyntaxError) as exc:
        raise RedactionError(f"the redacted copy cannot be read back: {_first_line(exc)}") from exc


# --- shared ------------------------------------------------------------------------------


def _region_rects(region: RegionAnchor) -> list[_Box]:
    """Rectangles covering a region (polygons by their bounding box), after checking it.

    Raises:
        RedactionError: Unknown shape, wrong number of points, a coordinate that is not
            a finite number, or no area.
    """
    points = region.points
    wanted = {"rect": 2, "polygon": 3, "points": 1}.get(region.shape)
    if wanted is None:
        raise RedactionError(f"unknown region shape {region.shape!r}")
    if len(points) < wanted or (region.shape == "rect" and len(points) != 2):
        raise RedactionError(f"a {region.shape} region needs {wanted} points, not {len(points)}")
    if not all(math.isfinite(c) for point in points for c in point):
        raise RedactionError("a region has a coordinate that is not a number")
    if region.shape == "points":
        return [
            (x - POINT_RADIUS, y - POINT_RADIUS, x + POINT_RADIUS, y + POINT_RADIUS)
            for x, y in points
        ]
    x, y, w, h = region.bbox
    if w <= 0 or h <= 0:
        raise RedactionError(f"a {region.shape} region has no area")
    return [(x, y, x + w, y + h)]


def _check_inside(rects: Sequence[_Box], size: tuple[float, float], where: str) -> None:
    """Refuse a region none of whose rectangles touches the page or image."""
    width, height = size
    if not any(x0 < width and x1 > 0 and y0 < height and y1 > 0 for x0, y0, x1, y1 in rects):
        raise RedactionError(f"a region lies outside the {where} ({width:g} x {height:g})")


def _passage_spans(text: str, mark: TextAnchor) -> list[tuple[int, int]]:
    """The anchored span (when it still holds the quote) and every occurrence of the quote."""
    spans: list[tuple[int, int]] = []
    if 0 <= mark.start < mark.end <= len(text) and text[mark.start : mark.end] == mark.exact:
        spans.append((mark.start, mark.end))
    spans.extend(find_spans(text, mark.exact))
    return spans


def _check_page(number: int, count: int, what: str) -> None:
    if not 1 <= number <= count:
        raise RedactionError(f"a redaction mark is on page {number} but the {what} has {count}")


def _orphan_message(mark: TextAnchor) -> str:
    return (
        f"cannot find the passage '{_short(mark.exact)}' on page {mark.page}: "
        "re-anchor or delete that redaction"
    )


def _short(quote: str) -> str:
    flat = " ".join(quote.split())
    return flat if len(flat) <= _QUOTE_IN_MESSAGE else flat[:_QUOTE_IN_MESSAGE] + "..."


def _check_not_original(src: Path, dst: Path) -> None:
    if dst.exists() and src.exists() and os.path.samefile(src, dst):
        raise RedactionError(f"refusing to overwrite the original {src.name}")
    if not dst.parent.is_dir():
        raise RedactionError(f"cannot write {dst.name}: folder {dst.parent} does not exist")


def _copy(src: Path, tmp: Path) -> None:
    try:
        shutil.copyfile(src, tmp)
    except OSError as exc:
        raise RedactionError(f"cannot copy {src.name}: {exc.strerror}") from exc


def _atomic_write(dst: Path, write: Callable[[Path], None]) -> str:
    """Run write(tmp) on a temporary file beside dst, then fsync, hash and rename it.

    Returns:
        The hex SHA-256 of what was written.
    """
    tmp = dst.with_name(f".{dst.name}.{secrets.token_hex(6)}.part")
    try:
        write(tmp)
        with tmp.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
            os.fsync(handle.fileno())
        os.replace(tmp, dst)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise RedactionError(f"cannot write {dst.name}: {exc.strerror or exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):  # durability of the rename; not all systems allow it
        folder = os.open(dst.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    return digest


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
