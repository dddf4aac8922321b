"""The demo's satellite-like picture of Rajin port, drawn from a fixed seed with EXIF and GPS tags.

Drawn rather than shipped, so the corpus stays small and the JPEG is the same on every run.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter
from PIL.ExifTags import GPS, IFD, Base
from PIL.TiffImagePlugin import IFDRational

from workstation.demo.fiction import FICTION_NOTICE

# Fixed seed: the image must come out the same on every run.
_IMAGE_SEED = 20250428

_IMAGE_SIZE = (2000, 1500)
_WATER = (22, 52, 66)
_LAND = (112, 104, 88)
_CONCRETE = (168, 164, 156)
_CONTAINER_COLOURS = (
    (38, 74, 142),
    (128, 34, 30),
    (150, 40, 36),
    (40, 110, 66),
    (196, 120, 40),
    (200, 200, 196),
    (60, 60, 64),
    (34, 90, 160),
)


def _draw_containers(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    box: tuple[int, int, int, int],
    length: int,
    full: float = 0.82,
) -> None:
    """Fills box with rows of containers, leaving random gaps like a working yard
    (``full``: the share of slots holding a box)."""
    x0, y0, x1, y1 = box
    width, gap = 9, 2
    y = y0
    while y + width <= y1:
        x = x0
        while x + length <= x1:
            if rng.random() < full:
                colour = rng.choice(_CONTAINER_COLOURS)
                draw.rectangle((x, y, x + length - 1, y + width - 1), fill=colour)
            x += length + gap
        y += width + gap + (6 if rng.random() < 0.25 else 0)


def _draw_ship(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    x: int,
    y: int,
    length: int,
    beam: int,
    kind: str,
) -> None:
    """Draws a ship pointing east with its stern at (x, y)."""
    bow = int(beam * 1.6)
    hull = [(x, y), (x + length - bow, y), (x + length, y + beam // 2)]
    hull += [(x + length - bow, y + beam), (x, y + beam)]
    draw.polygon(hull, fill=(58, 58, 62), outline=(30, 30, 34))
    draw.rectangle((x + 4, y + 6, x + 30, y + beam - 6), fill=(228, 228, 224))  # bridge
    if kind == "container":
        _draw_containers(draw, rng, (x + 36, y + 4, x + length - bow, y + beam - 4), 18)
    else:
        draw.rectangle((x + 34, y + 4, x + length - bow - 4, y + beam - 4), fill=(120, 40, 36))
        mid = y + beam // 2
        draw.line((x + 34, mid, x + length - bow - 4, mid), fill=(210, 210, 200), width=2)
        for px in range(x + 50, x + length - bow - 10, 24):
            draw.line((px, y + 6, px, y + beam - 6), fill=(90, 90, 90), width=1)


def _noise_layer(
    rng: random.Random, size: tuple[int, int], cell: int, amplitude: int
) -> Image.Image:
    """Grey noise centred on 128: coarse cells give mottling, cell=1 gives sensor grain."""
    w, h = size[0] // cell + 2, size[1] // cell + 2
    small = Image.frombytes("L", (w, h), rng.randbytes(w * h))
    layer = small.resize((w * cell, h * cell), Image.Resampling.BICUBIC).crop((0, 0, *size))
    lut = [128 + (v - 128) * amplitude // 128 for v in range(256)]
    return layer.point(lut)


def satellite_image(*, before: bool = False) -> Image.Image:
    """Rajin-like port seen from above: shore, apron, piers, container stacks, ships.

    ``before``: the same ground seven weeks earlier (``BEFORE_TAKEN``), the yard on the
    apron mostly empty and one ship alongside: the pair a reviewer compares.
    """
    rng = random.Random(_IMAGE_SEED)
    yard = 0.18 if before else 0.82
    width, height = _IMAGE_SIZE
    img = Image.new("RGB", _IMAGE_SIZE, _WATER)
    draw = ImageDraw.Draw(img)

    # Land to the west and north, an irregular shore, water to the east and south-east.
    shore = [(0, 0), (width, 0), (width, 160), (1500, 210), (1180, 300), (1120, 520)]
    shore += [(1060, 900), (1010, 1180), (860, 1380), (720, height), (0, height)]
    draw.polygon(shore, fill=_LAND)
    for _ in range(40):  # scrub and bare patches
        cx, cy = rng.randrange(0, 900), rng.randrange(0, 1500)
        rx, ry = rng.randrange(20, 90), rng.randrange(15, 60)
        tone = rng.choice(((86, 96, 70), (98, 104, 78), (132, 122, 102)))
        draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=tone)
    draw.line((1500, 200, 1980, 140), fill=(150, 146, 138), width=22)  # breakwater

    # Quay apron along the shore and three piers reaching east.
    draw.rectangle((880, 240, 1130, 1240), fill=_CONCRETE)
    piers = ((1130, 330, 1720, 470), (1080, 640, 1640, 780), (1030, 950, 1560, 1090))
    for pier in piers:
        draw.rectangle(pier, fill=_CONCRETE)
        x0, y0, x1, y1 = pier
        _draw_containers(draw, rng, (x0 + 20, y0 + 14, x1 - 20, y0 + 62), 20)
        _draw_containers(draw, rng, (x0 + 20, y1 - 62, x1 - 200, y1 - 14), 40)
        for cx in range(x0 + 60, x1 - 40, 140):  # gantry cranes along the edge
            draw.rectangle((cx, y1 - 4, cx + 10, y1 + 26), fill=(210, 170, 40))

    # Yard on the apron, warehouses and the rail siding behind it.
    _draw_containers(draw, rng, (900, 260, 1110, 620), 20, yard)
    _draw_containers(draw, rng, (900, 800, 1110, 1220), 40, yard)
    for wy in range(300, 1200, 220):
        draw.rectangle((700, wy, 850, wy + 140), fill=(182, 186, 190), outline=(120, 120, 120))
        draw.line((700, wy + 70, 850, wy + 70), fill=(140, 144, 150), width=3)
    for offset in (0, 12):
        draw.line((660 + offset, 0, 660 + offset, height), fill=(70, 62, 56), width=3)
    draw.line((560, 0, 600, height), fill=(132, 130, 126), width=14)  # road

    # Ships: two alongside the piers, one tanker at the oil berth, two at anchor.
    if not before:
        _draw_ship(draw, rng, 1180, 476, 420, 56, "container")
    _draw_ship(draw, rng, 1150, 786, 360, 50, "container")
    if not before:
        _draw_ship(draw, rng, 1140, 1096, 300, 46, "tanker")
    _draw_ship(draw, rng, 1520, 1180, 340, 52, "tanker")
    _draw_ship(draw, rng, 1640, 880, 260, 40, "container")

    img = img.filter(ImageFilter.BoxBlur(1))  # optics and resampling soften edges
    for cell, amplitude in ((48, 28), (6, 12), (1, 10)):
        noise = _noise_layer(rng, _IMAGE_SIZE, cell, amplitude).convert("RGB")
        img = ImageChops.add(img, noise, scale=1.0, offset=-128)  # img + noise - 128, clipped
    return img


AFTER_TAKEN = "2025:04:28 02:14:09"
BEFORE_TAKEN = "2025:03:09 02:11:52"


def satellite_exif(taken: str = AFTER_TAKEN) -> Image.Exif:
    """EXIF as an imaging provider would stamp it, with the scene centre near Rajin."""
    exif = Image.Exif()
    exif[Base.Make] = "Demo Imaging"
    exif[Base.Model] = "Demo Imaging Sat-1"
    exif[Base.Software] = "Evidence Workstation demo corpus"
    exif[Base.DateTime] = taken
    exif[Base.ImageDescription] = f"Rajin port, overhead view. {FICTION_NOTICE}"
    exif[Base.Copyright] = "Demo Imaging (fictional provider)"
    exif.get_ifd(IFD.Exif)[Base.DateTimeOriginal] = taken
    gps = exif.get_ifd(IFD.GPSInfo)
    gps[GPS.GPSVersionID] = b"\x02\x03\x00\x00"
    gps[GPS.GPSLatitudeRef] = "N"
    gps[GPS.GPSLatitude] = (IFDRational(42), IFDRational(14), IFDRational(24))  # 42.24
    gps[GPS.GPSLongitudeRef] = "E"
    gps[GPS.GPSLongitude] = (IFDRational(130), IFDRational(18), IFDRational(0))  # 130.30
    return exif


SCENE_CENTRE = (130.30, 42.24)
"""Longitude and latitude of the picture's centre pixel (the EXIF GPS position)."""
GROUND_SAMPLE = 0.5
"""Metres a pixel, as a commercial provider's pan-sharpened product."""


def satellite_world_file(size: tuple[int, int]) -> dict[str, str]:
    """The picture's world file ('.jgw') and '.prj': north up, UTM zone 52N (EPSG:32652),
    ``GROUND_SAMPLE`` metres a pixel, centred on ``SCENE_CENTRE``; the same text each run."""
    from pyproj import CRS, Transformer  # lazy: only the demo's corpus writes it

    utm = CRS.from_epsg(32652)
    east, north = Transformer.from_crs(4326, utm, always_xy=True).transform(*SCENE_CENTRE)
    width, height = size
    # A world file names the centre of the top-left pixel.
    x0 = east - (width / 2 - 0.5) * GROUND_SAMPLE
    y0 = north + (height / 2 - 0.5) * GROUND_SAMPLE
    lines = (GROUND_SAMPLE, 0.0, 0.0, -GROUND_SAMPLE, x0, y0)
    return {
        ".jgw": "".join(f"{value:.3f}\n" for value in lines),
        ".prj": utm.to_wkt("WKT1_ESRI") + "\n",
    }


def jpeg_bytes(img: Image.Image, exif: Image.Exif | None, quality: int) -> bytes:
    """img as a JPEG file, with exif or with no EXIF at all."""
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, exif=exif if exif is not None else Image.Exif())
    return buf.getvalue()


__all__ = [
    "BEFORE_TAKEN",
    "jpeg_bytes",
    "satellite_exif",
    "satellite_image",
    "satellite_world_file",
]
