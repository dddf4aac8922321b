"""A scale bar and a north arrow drawn on a crop of a georeferenced picture.

The bar is a round length (1, 2 or 5 times a power of ten metres) no longer than a
quarter of the crop, black on a white casing so it reads on sea and on quay; the
arrow points to true north as the georeference says (north is not always up: a
picture may be rotated, and a UTM grid leans off the meridians).
"""

from __future__ import annotations

import math

from PIL import Image, ImageDraw, ImageFont

_INK = (0, 0, 0)
_CASING = (255, 255, 255)


def nice_length(longest: float) -> float:
    """The longest 1-2-5 round length (metres) not over ``longest``."""
    if longest <= 0:
        return 0.0
    power = 10 ** math.floor(math.log10(longest))
    for step in (5, 2, 1):
        if step * power <= longest:
            return float(step * power)
    return float(power)


def length_label(metres: float) -> str:
    """'50 m', '2 km', '0.5 m'."""
    if metres >= 1000:
        return f"{metres / 1000:g} km"
    return f"{metres:g} m"


def draw_scale(picture: Image.Image, metres_per_pixel: float, north: float | None) -> str:
    """Draw the scale bar (bottom left) and, with ``north``, the arrow (top right).

    Args:
        picture: The crop, drawn on in place.
        metres_per_pixel: Ground metres per pixel of the crop as embedded.
        north: Degrees clockwise from the crop's up to true north; None: no arrow.

    Returns:
        The bar's length as a label ('50 m'), for the caption.
    """
    metres = nice_length(picture.width / 4 * metres_per_pixel)
    if metres <= 0:
        return ""
    length = metres / metres_per_pixel
    unit = max(3, round(max(picture.size) / 160))
    font = ImageFont.load_default(size=max(12, unit * 4))
    draw = ImageDraw.Draw(picture)
    x0, y = unit * 4, picture.height - unit * 5
    label = length_label(metres)
    for colour, width in ((_CASING, unit + 4), (_INK, unit)):
        draw.line([(x0, y), (x0 + length, y)], fill=colour, width=width)
        for x in (x0, x0 + length):
            draw.line([(x, y - unit * 2), (x, y + unit)], fill=colour, width=max(2, width // 2))
    draw.text(
        (x0, y - unit * 3),
        label,
        fill=_INK,
        font=font,
        anchor="ls",
        stroke_width=2,
        stroke_fill=_CASING,
    )
    if north is not None:
        _arrow(draw, picture.width - unit * 9, unit * 12, unit * 5, north, unit, font)
    return label


def _arrow(
    draw: ImageDraw.ImageDraw,
    cx: float,
    cy: float,
    size: float,
    north: float,
    unit: int,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
) -> None:
    angle = math.radians(north)
    dx, dy = math.sin(angle), -math.cos(angle)  # image y grows downwards
    tip = (cx + dx * size, cy + dy * size)
    tail = (cx - dx * size, cy - dy * size)
    side = (-dy * size * 0.45, dx * size * 0.45)
    head = [tip, (cx + side[0], cy + side[1]), (cx - side[0], cy - side[1])]
    for colour, width in ((_CASING, unit + 4), (_INK, unit)):
        draw.line([tail, tip], fill=colour, width=width)
    draw.polygon(head, fill=_INK, outline=_CASING)
    label = (cx + dx * size * 1.6, cy + dy * size * 1.6)
    draw.text(label, "N", fill=_INK, font=font, anchor="mm", stroke_width=2, stroke_fill=_CASING)
