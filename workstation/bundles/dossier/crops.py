"""Region crops for the dossier: the marked part of a page or picture, its outline in red.

Pictures too big for Pillow are cropped through libvips, which decodes only the region.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pymupdf as _pymupdf
import pyvips
from PIL import Image, ImageDraw

from workstation.annotations.anchors import RegionAnchor
from workstation.bundles.dossier.layout import MARGIN_X, PAGE_WIDTH
from workstation.bundles.dossier.model import DossierSource, ReportError
from workstation.bundles.dossier.scale_bar import draw_scale
from workstation.bundles.dossier.text import esc
from workstation.core.errors import WorkstationError
from workstation.sources.extract.image import _displayable

# PyMuPDF's annotations are partial (many functions are untyped); use it as untyped.
pymupdf: Any = _pymupdf

CROP_MAX_PIXELS = 4_000_000
"""Largest crop (pixels) embedded per region; bigger regions are scaled down."""
CROP_MAX_SIDE = 1600
"""Longest side of an embedded crop, pixels."""
CROP_MIN_SIDE = 480
"""Small crops are enlarged (nearest neighbour) to this side so the outline stays crisp."""
PDF_CROP_ZOOM = 2.0
"""Pixels per point for crops of PDF pages (144 dpi)."""
IMAGE_MAX_PIXELS = 25_000_000
"""Pillow decodes images whole; larger pictures are cropped through libvips instead."""

_DISPLAY_MAX_WIDTH = PAGE_WIDTH - 2 * MARGIN_X - 24
_DISPLAY_MAX_HEIGHT = 300.0
_OUTLINE = (230, 0, 0)
_CASING = (255, 255, 255)


class CropStore:
    """Renders region crops into the Story's archive and returns the <img> for each."""

    def __init__(self, archive: Any) -> None:
        self._archive = archive
        self._count = 0

    def html(self, source: DossierSource, region: RegionAnchor, page: int | None) -> str:
        picture, factor = _crop(source, region, page)
        scale = _scale(source, picture, factor)
        caption = f'<p class="small">{esc(scale)}</p>' if scale else ""
        data, suffix, (width, height) = _encode(source, picture)
        self._count += 1
        name = f"crop-{self._count}.{suffix}"
        self._archive.add((data, name))
        img = f'<img src="{name}" width="{width:.1f}" height="{height:.1f}"/>'
        return f'<p class="crop">{img}</p>{caption}'


def crop_image(
    source: DossierSource, region: RegionAnchor, page: int | None
) -> tuple[bytes, str, tuple[float, float], str | None]:
    """The region's crop, outlined, with its scale bar and north arrow when the picture
    has a scale, encoded: its bytes, 'png' or 'jpg', the size in points it is shown at on
    an A4 page, and the scale's caption (the findings report's Word file uses it too)."""
    picture, factor = _crop(source, region, page)
    scale = _scale(source, picture, factor)
    return (*_encode(source, picture), scale)


def _scale(source: DossierSource, picture: Image.Image, factor: float) -> str | None:
    """Draw the scale bar (and the arrow) on a picture's crop; its caption, else None."""
    if not source.gsd or _is_pdf(source):
        return None
    bar = draw_scale(picture, source.gsd / factor, source.north)
    if not bar:
        return None
    arrow = " · the arrow points to true north" if source.north is not None else ""
    return f"Scale bar {bar}{arrow}"


def _encode(source: DossierSource, picture: Image.Image) -> tuple[bytes, str, tuple[float, float]]:
    data = io.BytesIO()
    if _is_pdf(source):
        suffix = "png"  # text and line art: lossless and small
        picture.save(data, "PNG")
    else:
        # Photographs compress badly as PNG; 4:4:4 keeps the red outline crisp.
        suffix = "jpg"
        picture.save(data, "JPEG", quality=90, subsampling=0)
    scale = min(_DISPLAY_MAX_WIDTH / picture.width, _DISPLAY_MAX_HEIGHT / picture.height, 1.0)
    return data.getvalue(), suffix, (picture.width * scale, picture.height * scale)


def _crop(
    source: DossierSource, region: RegionAnchor, page: int | None
) -> tuple[Image.Image, float]:
    """The region with a margin, its outline drawn in red, as an RGB picture.

    Also returns the crop's pixels per source pixel (or per PDF point).
    """
    if not region.points:
        raise ReportError(f"source {source.title!r}: a region mark has no points")
    try:
        if _is_pdf(source):
            picture, origin, scale = _pdf_crop(source.file, region, page or region.page or 1)
        else:
            picture, origin, scale = _image_crop(source.file, region)
    except WorkstationError:
        raise
    except Exception as exc:
        raise ReportError(
            f"source {source.title!r}: cannot draw the crop of a region from "
            f"{source.bundle_path} ({type(exc).__name__})"
        ) from exc
    return _outline(picture, region, origin, scale)


def _is_pdf(source: DossierSource) -> bool:
    return source.kind == "pdf" or source.media_type == "application/pdf"


def _margin_box(
    region: RegionAnchor, width: float, height: float, minimum: float
) -> tuple[float, float, float, float]:
    """The region's bounding box grown by a margin, clamped to the picture or page."""
    x, y, w, h = region.bbox
    margin = max(minimum, 0.12 * max(w, h))
    x0, y0 = max(0.0, x - margin), max(0.0, y - margin)
    x1, y1 = min(width, x + w + margin), min(height, y + h + margin)
    if x1 <= x0 or y1 <= y0:
        raise ReportError("the region lies outside the picture or page")
    return x0, y0, x1, y1


def _image_crop(path: Path, region: RegionAnchor) -> tuple[Image.Image, tuple[float, float], float]:
    width, height = picture_size(path)
    x0, y0, x1, y1 = _margin_box(region, width, height, 24)
    box = (int(x0), int(y0), int(x1 + 0.999), int(y1 + 0.999))
    cropped, scale = cut_picture(path, box, (width, height))
    return cropped, (float(box[0]), float(box[1])), scale


def cut_picture(
    path: Path,
    box: tuple[int, int, int, int],
    size_of_whole: tuple[int, int],
    longest: int = CROP_MAX_SIDE,
) -> tuple[Image.Image, float]:
    """The part ``box`` (x0, y0, x1, y1 pixels) of a picture as RGB, scaled down to
    ``longest`` pixels at most, and its pixels per picture pixel."""
    scale = min(1.0, longest / max(box[2] - box[0], box[3] - box[1]))
    size = (max(1, round((box[2] - box[0]) * scale)), max(1, round((box[3] - box[1]) * scale)))
    if size_of_whole[0] * size_of_whole[1] <= IMAGE_MAX_PIXELS:
        with Image.open(path) as picture:
            picture.seek(0)
            cropped = _rgb(picture.crop(box))
        if scale < 1.0:
            cropped = cropped.resize(size, Image.Resampling.LANCZOS)
    else:
        cropped = _vips_crop(path, box, size)
    return cropped, scale


def picture_size(path: Path) -> tuple[int, int]:
    """Width and height from the header; Pillow would refuse a big satellite picture."""
    try:
        header = pyvips.Image.new_from_file(str(path))
        return int(header.width), int(header.height)
    except pyvips.Error:  # BMP and the few formats libvips lacks
        with Image.open(path) as probe:
            return probe.size


def _vips_crop(path: Path, box: tuple[int, int, int, int], size: tuple[int, int]) -> Image.Image:
    """Crop a picture too big for Pillow; libvips decodes only down to the region."""
    image = pyvips.Image.new_from_file(str(path), access="sequential")
    piece = _displayable(image.crop(box[0], box[1], box[2] - box[0], box[3] - box[1]))
    if (piece.width, piece.height) != size:
        piece = piece.resize(size[0] / piece.width, vscale=size[1] / piece.height)
    data = bytes(piece.write_to_buffer(".png"))
    with Image.open(io.BytesIO(data)) as picture:
        return _rgb(picture)


def _rgb(picture: Image.Image) -> Image.Image:
    """An RGB copy; transparency is flattened onto white as a reader would show it."""
    if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
        rgba = picture.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if picture.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        return picture.convert("L").convert("RGB")
    return picture.convert("RGB")


def _pdf_crop(
    path: Path, region: RegionAnchor, page_number: int
) -> tuple[Image.Image, tuple[float, float], float]:
    doc = pymupdf.open(path)
    try:
        if not 1 <= page_number <= doc.page_count:
            raise ReportError(
                f"a region mark is on page {page_number}, the PDF has {doc.page_count} pages"
            )
        page = doc.load_page(page_number - 1)
        # Region anchors are in points on the page as displayed, which is what clip takes.
        x0, y0, x1, y1 = _margin_box(region, page.rect.width, page.rect.height, 18)
        zoom = PDF_CROP_ZOOM
        area = (x1 - x0) * (y1 - y0)
        if area * zoom * zoom > CROP_MAX_PIXELS:
            zoom = (CROP_MAX_PIXELS / area) ** 0.5
        pixmap = page.get_pixmap(
            matrix=pymupdf.Matrix(zoom, zoom), clip=pymupdf.Rect(x0, y0, x1, y1), alpha=False
        )
        picture = Image.frombuffer(
            "RGB",
            (pixmap.width, pixmap.height),
            bytes(pixmap.samples),
            "raw",
            "RGB",
            pixmap.stride,
            1,
        ).copy()
    finally:
        doc.close()
    return picture, (x0, y0), zoom


def _outline(
    picture: Image.Image, region: RegionAnchor, origin: tuple[float, float], scale: float
) -> tuple[Image.Image, float]:
    """Draw the region's shape in red on the crop; tiny crops are enlarged first."""
    grow = 1.0
    if max(picture.size) < CROP_MIN_SIDE:
        grow = CROP_MIN_SIDE / max(picture.size)
        picture = picture.resize(
            (max(1, round(picture.width * grow)), max(1, round(picture.height * grow))),
            Image.Resampling.NEAREST,
        )
    factor = scale * grow
    points = [((x - origin[0]) * factor, (y - origin[1]) * factor) for x, y in region.points]
    line = max(3, round(max(picture.size) / 160))
    draw = ImageDraw.Draw(picture)
    # A white casing under the red line keeps the outline visible on red or dark pixels.
    for colour, width in ((_CASING, line + 4), (_OUTLINE, line)):
        if region.shape == "rect" and len(points) >= 2:
            (ax, ay), (bx, by) = points[0], points[1]
            box = (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))
            draw.rectangle(box, outline=colour, width=width)
        elif region.shape == "polygon" and len(points) >= 2:
            draw.line([*points, points[0]], fill=colour, width=width, joint="curve")
        else:
            radius = max(8, line * 4)
            for x, y in points:
                draw.ellipse(
                    (x - radius, y - radius, x + radius, y + radius), outline=colour, width=width
                )
    frame = (0, 0, picture.width - 1, picture.height - 1)
    draw.rectangle(frame, outline=(128, 128, 128), width=1)
    return picture, factor
