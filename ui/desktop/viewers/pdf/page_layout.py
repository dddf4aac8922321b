"""Where the pages of a PdfView sit: one column of pages at a zoom, in logical pixels,
and the zoom that fits them to the view."""

from __future__ import annotations

import bisect
import enum
import math

PIXELS_PER_POINT = 96 / 72
"""Logical pixels per PDF point at 100 %: a page shows at its printed size."""
ZOOM_STEPS = (0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)
MIN_ZOOM = 0.1
MAX_ZOOM = 4.0
PAGE_GAP = 12
MARGIN = 16


class ZoomMode(enum.Enum):
    """How the zoom follows the window."""

    FIT_WIDTH = "fit-width"
    FIT_PAGE = "fit-page"
    CUSTOM = "custom"


class PageLayout:
    """The pages one below the other, centred, with a gap between them and a margin round.

    Args:
        sizes: Each page's (width, height) in points.
        scale: Logical pixels per point.

    Attributes:
        px_sizes: Each page's (width, height) in whole logical pixels.
        tops: Where each page starts, down from the top of the column.
        width: The column's width, margins included (0 without pages).
        height: The column's height, margins included (0 without pages).
    """

    def __init__(self, sizes: list[tuple[float, float]], scale: float) -> None:
        # Sizes rounded as MuPDF rounds a render (fz_round_rect), so they match its pixels.
        self.px_sizes = [
            (max(1, math.ceil(w * scale - 0.001)), max(1, math.ceil(h * scale - 0.001)))
            for w, h in sizes
        ]
        tops: list[int] = []
        y = MARGIN
        widest = 0
        for width, height in self.px_sizes:
            tops.append(y)
            y += height + PAGE_GAP
            widest = max(widest, width)
        self.tops = tops
        self.height = y - PAGE_GAP + MARGIN if tops else 0
        self.width = widest + 2 * MARGIN if tops else 0

    def visible(self, top: int, bottom: int, extra: int = 0) -> range:
        """The pages (1-based) between ``top`` and ``bottom``, and ``extra`` more each side."""
        if not self.tops:
            return range(0)
        first = max(bisect.bisect_right(self.tops, top) - 1, 0)
        last = max(bisect.bisect_left(self.tops, bottom), first + 1)
        return range(max(first + 1 - extra, 1), min(last + extra, len(self.tops)) + 1)

    def page_at(self, y: float) -> int:
        """The page that ``y`` falls on, or in the gap below (the first page above it)."""
        return max(bisect.bisect_right(self.tops, y), 1)


def fitted_zoom(
    sizes: list[tuple[float, float]], mode: ZoomMode, page: int, width: int, height: int
) -> float:
    """The zoom that fits the widest page's width (FIT_WIDTH), or page ``page`` whole
    (FIT_PAGE), into a view ``width`` by ``height`` logical pixels."""
    if mode is ZoomMode.FIT_WIDTH:
        widest = max(w for w, _ in sizes)
        zoom = (width - 2 * MARGIN) / (widest * PIXELS_PER_POINT)
    else:
        w, h = sizes[page - 1]
        zoom = min(
            (width - 2 * MARGIN) / (w * PIXELS_PER_POINT),
            (height - 2 * PAGE_GAP) / (h * PIXELS_PER_POINT),
        )
    return max(MIN_ZOOM, min(MAX_ZOOM, zoom))
