"""Reading one page by OCR, in whichever process runs it: paths in, plain data out.

Kept apart from layers.py so a worker process imports only PyMuPDF, Pillow and the
engine (numpy too, for a page's skew; not SQLAlchemy and the library): a spawned worker
starts in ~0.3 s.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pymupdf as _pymupdf
from PIL import Image, ImageOps

from workstation.core.errors import BadInputError
from workstation.ocr.engine import read_picture, words_to_text

pymupdf: Any = _pymupdf

OCR_DPI = 300
"""A PDF page is rendered for reading at its scan's own resolution (the picture that
covers most of it), or at this one when it has none; resampling a 200-dpi scan to 300
doubled the error rate on the test set (docs/performance.md)."""
MIN_DPI, MAX_DPI = 150, 400
MAX_PIXELS = 60_000_000
"""A page render or image larger than this is not read (a 20000x20000 satellite image)."""


@dataclass(frozen=True)
class PageJob:
    """One page to read, in a form a worker process can take (paths, no sessions)."""

    path: str
    kind: str
    number: int
    reason: str
    languages: tuple[str, ...]
    tessdata: str
    dpi: int = OCR_DPI


@dataclass(frozen=True)
class PageResult:
    """What was read on one page: text, words ``[text, x0, y0, x1, y1, conf, offset]``;
    ``rereads``: the IMO numbers read again, ``[word index, first reading, kept, checked]``
    (engine.check_imo_numbers)."""

    number: int
    text: str
    words: list[list[Any]]
    mean_confidence: float | None
    languages: str
    script: str | None
    reason: str
    seconds: float
    rereads: list[list[Any]] = field(default_factory=list)


def read_page(job: PageJob) -> PageResult:
    """Render or open the page, read it, and give boxes in the source's coordinates.

    PDF pages: boxes in points on the page as displayed. Images: pixels of the image.

    Raises:
        BadInputError: The file cannot be read, or the page is too large to read.
    """
    started = time.perf_counter()
    scale = 1.0
    dpi: int | None = job.dpi
    if job.kind == "pdf":
        picture, dpi = render_pdf_page(Path(job.path), job.number, job.dpi)
        scale = 72 / dpi
    else:
        picture, dpi = _open_image(Path(job.path))
    reading = read_picture(picture, job.languages, dpi, Path(job.tessdata))
    text, offsets = words_to_text(reading.words)
    words = [
        [w.text, *(round(v * scale, 2) for v in w.box), round(w.confidence, 1), offset]
        for w, offset in zip(reading.words, offsets, strict=True)
    ]
    confidences = [w.confidence for w in reading.words]
    mean = round(sum(confidences) / len(confidences), 1) if confidences else None
    return PageResult(
        job.number,
        text,
        words,
        mean,
        reading.languages,
        reading.script,
        job.reason,
        time.perf_counter() - started,
        [[r.index, r.first, r.text, r.checked] for r in reading.rereads],
    )


def scan_dpi(page: Any) -> int | None:
    """The resolution of the picture covering most of a page (a scan), if one covers half."""
    area = abs(page.rect)
    best: tuple[float, int] | None = None
    for info in page.get_image_info():
        box = pymupdf.Rect(info["bbox"]) & page.rect
        if box.is_empty or abs(box) < area / 2 or box.width <= 0:
            continue
        dpi = round(int(info["width"]) / (pymupdf.Rect(info["bbox"]).width / 72))
        if best is None or abs(box) > best[0]:
            best = (abs(box), dpi)
    return None if best is None else max(MIN_DPI, min(MAX_DPI, best[1]))


def render_pdf_page(path: Path, number: int, dpi: int) -> tuple[Image.Image, int]:
    """The page in greyscale at its scan's resolution (else ``dpi``), and the dpi used."""
    try:
        doc = pymupdf.open(path)
    except Exception as error:
        raise BadInputError(f"{path.name} cannot be opened as a PDF: {error}") from error
    try:
        page = doc.load_page(number - 1)
        dpi = scan_dpi(page) or dpi
        zoom = dpi / 72
        if page.rect.width * zoom * page.rect.height * zoom > MAX_PIXELS:
            raise BadInputError(f"page {number} is too large to read at {dpi} dpi")
        pixmap = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csGRAY)
        size = (int(pixmap.width), int(pixmap.height))
        picture = Image.frombytes("L", size, bytes(pixmap.samples), "raw", "L", pixmap.stride)
        return picture, dpi
    finally:
        doc.close()


def _open_image(path: Path) -> tuple[Image.Image, int | None]:
    """The image's first frame in greyscale as it is shown (its EXIF orientation applied:
    a phone photo stored sideways is read upright, and its word boxes are in the pixels
    the viewer and a redacted copy show), and its resolution if it says one."""
    try:
        with Image.open(path) as image:
            if image.width * image.height > MAX_PIXELS:
                raise BadInputError(
                    f"the image is too large to read ({image.width}x{image.height} pixels)"
                )
            image.seek(0)
            grey = ImageOps.exif_transpose(image).convert("L")
            dpi = image.info.get("dpi")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise BadInputError(f"the image cannot be read: {error}") from error
    resolution = round(float(dpi[0])) if dpi and float(dpi[0]) >= 70 else None
    return grey, resolution
