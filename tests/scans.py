"""Scanned-looking pages for the OCR tests and benchmark: known text drawn with a real font.

A page is rendered at a given dpi, then made to look scanned (skew, blur, photocopy
contrast, speckle, JPEG), so the text a test expects is exactly the text it drew. The
fonts are Debian's (fonts-dejavu-core, fonts-noto-cjk; `.ci/run` installs them); a test
that needs a missing font is skipped by the caller through ``font_for``.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

import pymupdf
from PIL import Image, ImageDraw, ImageFilter, ImageFont

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
_NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
# Face index inside the Noto CJK collection, per script.
_CJK_FACE = {"jpn": 0, "jpn_vert": 0, "kor": 1, "chi_sim": 2, "chi_tra": 3}

PAGE_INCHES = (8.27, 11.69)  # A4
"""Width and height of a rendered page."""


@dataclass(frozen=True)
class ScanLook:
    """How rough the scan looks.

    Attributes:
        skew: Degrees the page is turned (positive: anticlockwise).
        blur: Gaussian blur radius in pixels at 300 dpi (scaled with the dpi).
        speckle: Fraction of pixels flipped to dark or light dust.
        jpeg_quality: Quality of the JPEG the page passes through (None: none).
        photocopy: Raise the contrast and grey the paper as a photocopier does.
        seed: For the speckle, so a page is the same bytes on every run.
    """

    skew: float = 1.0
    blur: float = 0.8
    speckle: float = 0.002
    jpeg_quality: int | None = 70
    photocopy: bool = True
    seed: int = 13


CLEAN = ScanLook(skew=0.0, blur=0.0, speckle=0.0, jpeg_quality=None, photocopy=False)


def font_path(language: str) -> tuple[Path, int]:
    """The font file and face index that draws ``language`` (a Tesseract code)."""
    if language in _CJK_FACE:
        return _NOTO_CJK, _CJK_FACE[language]
    return _DEJAVU, 0


def font_available(language: str) -> bool:
    """Whether the font for ``language`` is installed here."""
    return font_path(language)[0].is_file()


def render_scan(
    lines: list[str],
    language: str,
    dpi: int = 200,
    look: ScanLook = ScanLook(),
    point_size: float = 12.0,
) -> Image.Image:
    """A greyscale page with ``lines`` drawn from the top left, made to look scanned.

    ``language`` 'jpn_vert' draws each line as a column, top to bottom, columns from
    right to left, as vertical Japanese is set.
    """
    width, height = (round(side * dpi) for side in PAGE_INCHES)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    path, index = font_path(language)
    size = round(point_size / 72 * dpi)
    font = ImageFont.truetype(str(path), size, index=index)
    margin = dpi  # one inch
    if language == "jpn_vert":
        # Laid out top to bottom by HarfBuzz (libraqm) with the font's vertical forms, as
        # vertical Japanese is printed: 、。 at the top right of their cell, brackets and
        # the long vowel mark ー turned; Latin letters and digits stay upright.
        x = width - margin - size
        for line in lines:
            draw.text((x, margin), line, font=font, fill=0, direction="ttb", features=["vert"])
            x -= round(size * 1.8)
    else:
        y = margin
        for line in lines:
            draw.text((margin, y), line, font=font, fill=0)
            y += round(size * 1.6)
    return roughen(page, dpi, look)


def roughen(page: Image.Image, dpi: int, look: ScanLook) -> Image.Image:
    """Skew, blur, photocopy, speckle and JPEG-compress a clean greyscale page."""
    rng = random.Random(look.seed)
    if look.skew:
        page = page.rotate(look.skew, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if look.blur:
        page = page.filter(ImageFilter.GaussianBlur(look.blur * dpi / 300))
    if look.photocopy:
        # Paper goes light grey, ink goes fully black; a slightly uneven threshold.
        page = page.point(lambda v: 0 if v < 110 else min(255, 225 + v // 16))
    if look.speckle:
        pixels = page.load()
        assert pixels is not None
        width, height = page.size
        for _ in range(int(width * height * look.speckle)):
            x, y = rng.randrange(width), rng.randrange(height)
            pixels[x, y] = 0 if rng.random() < 0.5 else 255
    if look.jpeg_quality is not None:
        buffer = io.BytesIO()
        page.save(buffer, "JPEG", quality=look.jpeg_quality)
        page = Image.open(io.BytesIO(buffer.getvalue()))
        page.load()
    return page


def image_bytes(page: Image.Image, fmt: str = "PNG") -> bytes:
    """The page encoded as PNG, JPEG, TIFF or WEBP."""
    buffer = io.BytesIO()
    page.save(buffer, fmt)
    return buffer.getvalue()


def scanned_pdf_bytes(pages: list[Image.Image], dpi: int) -> bytes:
    """A PDF holding each page as a picture only: no text layer, as a scanner writes it."""
    doc = pymupdf.open()
    for picture in pages:
        width, height = picture.size
        page = doc.new_page(width=width * 72 / dpi, height=height * 72 / dpi)
        page.insert_image(page.rect, stream=image_bytes(picture, "JPEG"))
    data: bytes = doc.tobytes(garbage=1, deflate=True)
    doc.close()
    return data


def make_scanned_pdf(
    folder: Path,
    pages: list[list[str]],
    language: str | list[str] = "eng",
    dpi: int = 200,
    look: ScanLook = ScanLook(),
    name: str = "scan.pdf",
) -> Path:
    """A PDF of scanned-looking pages (one list of lines each) with no text layer.

    ``language`` picks the font: one for all pages, or one per page.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    languages = [language] * len(pages) if isinstance(language, str) else language
    pictures = [render_scan(p, lang, dpi, look) for p, lang in zip(pages, languages, strict=True)]
    path.write_bytes(scanned_pdf_bytes(pictures, dpi))
    return path


def make_scanned_image(
    folder: Path,
    lines: list[str],
    language: str = "eng",
    dpi: int = 200,
    look: ScanLook = ScanLook(),
    fmt: str = "PNG",
    name: str = "scan.png",
) -> Path:
    """One scanned-looking page as an image file (PNG, JPEG, TIFF or WEBP)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(image_bytes(render_scan(lines, language, dpi, look), fmt))
    return path


def make_oversized_text_image(folder: Path, name: str = "poster.png") -> Path:
    """A 7800x7800 picture of large text: looks like a document, too many pixels to read."""
    folder.mkdir(parents=True, exist_ok=True)
    page = Image.new("L", (7800, 7800), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(_DEJAVU), 200)
    for index in range(12):
        draw.text((300, 300 + index * 600), "Nampo port call IMO 9379301", font=font, fill=0)
    path = folder / name
    page.save(path)
    return path
