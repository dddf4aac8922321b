"""Which PDF pages lack a usable text layer, so OCR reads those and leaves the rest alone.

A page needs OCR when it shows ink that its text layer does not explain:

- ink: pixels darker than mid-grey in a 50-dpi greyscale render of the page;
- explained ink: those inside the box of a word of the text layer (a scanner's invisible
  OCR layer lies over its words, a born-digital page's text over its glyphs);
- the page needs OCR when its unexplained ink covers at least ``MIN_INK`` of the page and
  the text layer holds fewer characters than ``CHARS_PER_INK`` times that fraction (the
  characters a page of print with that much ink would hold, halved): "no text", or "too
  little text for the page's ink". A blank page, or a printed page with a figure, does not.
  A page with stored text and no picture at all is not rendered: it is a text layer.

An image is read when it looks like a document: mostly paper (light), with some marks
(darker) but not many (``image_looks_like_text``); a photograph or satellite scene is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymupdf as _pymupdf
from PIL import Image, ImageChops, ImageDraw

pymupdf: Any = _pymupdf

DETECT_DPI = 50
INK_LEVEL = 128
"""Grey values (0-255) below this count as ink."""
MIN_INK = 0.0002
"""Unexplained ink below this fraction of the page is dust, never OCRed. A scanned page
with one short line ("IMO 9321483": 0.00034 at 12 pt) must still be read; it was judged
blank at 0.001. Scanner speckle vanishes at 50 dpi (a speckled blank page measures 0.0)."""
CHARS_PER_INK = 16_000
"""A page of 11-pt Helvetica holds ~1,200 characters in 3.6 % ink at 50 dpi (~33,000 per
unit of ink); a text layer with less than half that for its ink is too little."""


@dataclass(frozen=True)
class PageNeed:
    """What detection found on one page.

    Attributes:
        number: 1-based page number.
        chars: Non-space characters in the text layer.
        ink: Fraction of the page that is ink.
        unexplained: Fraction of the page that is ink outside the text layer's words.
        needs_ocr: The verdict (see the module docstring).
        reason: 'no text', 'too little text for the ink', 'text layer', or 'blank'.
    """

    number: int
    chars: int
    ink: float
    unexplained: float
    needs_ocr: bool
    reason: str


def page_need(page: Any) -> PageNeed:
    """Judge one ``pymupdf.Page`` (see the module docstring)."""
    words = page.get_text("words")
    chars = sum(len("".join(str(w[4]).split())) for w in words)
    zoom = DETECT_DPI / 72
    pixmap = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csGRAY)
    width, height = int(pixmap.width), int(pixmap.height)
    grey = Image.frombytes("L", (width, height), bytes(pixmap.samples), "raw", "L", pixmap.stride)
    inked = grey.point(lambda v: 255 if v < INK_LEVEL else 0)
    outside = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(outside)
    for word in words:
        x0, y0, x1, y1 = (v * zoom for v in word[:4])
        draw.rectangle((x0 - 1, y0 - 1, x1 + 1, y1 + 1), fill=0)
    ink = inked.histogram()[255]
    unexplained = ImageChops.multiply(inked, outside).histogram()[255]
    area = max(1, width * height)
    ink_fraction, unexplained_fraction = ink / area, unexplained / area
    if unexplained_fraction < MIN_INK:
        reason = "text layer" if chars else "blank"
        needs = False
    elif chars == 0:
        reason, needs = "no text", True
    elif chars < CHARS_PER_INK * unexplained_fraction:
        reason, needs = "too little text for the ink", True
    else:
        reason, needs = "text layer", False
    return PageNeed(page.number + 1, chars, ink_fraction, unexplained_fraction, needs, reason)


def pdf_needs(doc: Any, stored: dict[int, str] | None = None) -> list[PageNeed]:
    """page_need for every page of an open ``pymupdf.Document``.

    ``stored``: the page texts the import kept (1-based page -> text). A page with text
    there and no picture in its resources is a text layer without being loaded: judging
    every page would add ~2.6 ms a page to the import of a long born-digital report
    (whose import costs ~2.3 ms a page); this way it adds ~0.05 ms.
    """
    found: list[PageNeed] = []
    for index in range(doc.page_count):
        text = (stored or {}).get(index + 1, "")
        chars = len("".join(text.split()))
        if chars and not doc.get_page_images(index):
            found.append(PageNeed(index + 1, chars, 0.0, 0.0, False, "text layer"))
        else:
            found.append(page_need(doc.load_page(index)))
    return found


PAPER_LEVEL = 170
"""Grey values above this count as paper."""
MARK_LEVEL = 200
"""In a small thumbnail text is grey, not black: values below this count as marks."""
MIN_PAPER = 0.5
MIN_MARKS = 0.005
MAX_MARKS = 0.4


def image_looks_like_text(path: Path, max_pixels: int = 60_000_000) -> bool:
    """Whether an image is mostly paper with some marks: a scan or photo of a document.

    Judged on a 512-pixel greyscale thumbnail: at least half paper, and between 0.5 % and
    40 % marks. An image that cannot be decoded is not, nor one over ``max_pixels`` (it is
    not decoded: a satellite scene of 400 megapixels is not read by OCR unless asked).
    """
    try:
        with Image.open(path) as image:
            if image.width * image.height > max_pixels:
                return False
            image.draft("L", (512, 512))
            image.thumbnail((512, 512))
            grey = image.convert("L")
    except (OSError, ValueError, Image.DecompressionBombError):
        return False
    histogram = grey.histogram()
    area = max(1, sum(histogram))
    paper = sum(histogram[PAPER_LEVEL + 1 :]) / area
    marks = sum(histogram[:MARK_LEVEL]) / area
    return paper >= MIN_PAPER and MIN_MARKS <= marks <= MAX_MARKS
