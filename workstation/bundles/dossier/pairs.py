"""Before and after pages: the two pictures of an image pair, each with its capture date.

Each pair gets a page: both pictures side by side, or one above the other when that
shows them larger (wide scenes), cut to the ground both cover when both are
georeferenced and overlap (else whole), each labelled with its capture date (or "date
unknown") and provider, with a scale bar and north arrow as the region crops have.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from PIL import Image

from workstation.bundles.dossier.crops import CROP_MIN_SIDE, cut_picture, picture_size
from workstation.bundles.dossier.layout import (
    BODY_BOTTOM,
    BODY_TOP,
    MARGIN_X,
    PAGE_WIDTH,
    Block,
    Chapter,
)
from workstation.bundles.dossier.model import DossierPair, DossierSource, ReportError
from workstation.bundles.dossier.scale_bar import draw_scale
from workstation.bundles.dossier.text import esc

DATE_UNKNOWN = "date unknown"
"""Printed for a picture whose capture date its metadata does not give."""

_CELL = 10.0  # a table cell's padding and borders, points
_WIDTH = PAGE_WIDTH - 2 * MARGIN_X - 4  # what a table row may take
_HEIGHT = BODY_BOTTOM - BODY_TOP - 190  # what the heading, labels and note leave
_SIDE_BY_SIDE_BIAS = 1.4  # stacked only when it shows the pictures this much larger


def pair_chapters(pairs: Sequence[DossierPair], archive: Any) -> list[Chapter]:
    """One chapter (a page) per pair."""
    return [[_pair_block(n, pair, archive)] for n, pair in enumerate(pairs, start=1)]


def _pair_block(n: int, pair: DossierPair, archive: Any) -> Block:
    sides = (pair.before, pair.after)
    pictures = [
        _picture(side, pair.boxes[i] if pair.boxes else None) for i, side in enumerate(sides)
    ]
    stacked = _stacked(pictures)
    cells = []
    for i, (side, (picture, scale)) in enumerate(zip(sides, pictures, strict=True)):
        bar = ""
        if side.gsd:
            label = draw_scale(picture, side.gsd / scale, side.north)
            arrow = " · the arrow points to true north" if side.north is not None else ""
            bar = f'<p class="small">Scale bar {esc(label)}{arrow}</p>' if label else ""
        name = f"pair-{n}-{'before' if i == 0 else 'after'}.jpg"
        data = io.BytesIO()
        picture.save(data, "JPEG", quality=88, subsampling=0)
        archive.add((data.getvalue(), name))
        width, height = _fit(picture, stacked)
        which = "Before" if i == 0 else "After"
        date = f"captured {side.captured}" if side.captured else DATE_UNKNOWN
        cells.append(
            f'<p class="markhead">{which} · {esc(date)}</p>'
            f'<p><img src="{name}" width="{width:.1f}" height="{height:.1f}"/></p>'
            f'<p class="small">{pair.numbers[i]}. {esc(side.title)}'
            f" · {esc(side.provider or 'provider not stated')}</p>{bar}"
        )
    if stacked:
        table = "".join(f"<tr><td>{cell}</td></tr>" for cell in cells)
    else:
        table = "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"
    shown = (
        "the ground both pictures cover (their shared footprint)"
        if pair.boxes
        else "the whole pictures, scaled"
    )
    note = (
        f'<p class="note"><span class="label">Note: </span>{esc(pair.note)}</p>'
        if pair.note
        else ""
    )
    title = f"Before and after {n}"
    html = (
        f"<h2>{title}: {esc(pair.before.title)} and {esc(pair.after.title)}</h2>"
        f'<p class="small">Sources {pair.numbers[0]} and {pair.numbers[1]}, kept as a pair by '
        f"the sender; shown: {shown}.</p>{note}<table>{table}</table>"
    )
    return Block(html, title)


def _picture(
    source: DossierSource, box: tuple[int, int, int, int] | None
) -> tuple[Image.Image, float]:
    try:
        width, height = picture_size(source.file)
        picture, scale = cut_picture(source.file, box or (0, 0, width, height), (width, height))
    except Exception as exc:
        raise ReportError(
            f"source {source.title!r}: cannot draw it on a before and after page from "
            f"{source.bundle_path} ({type(exc).__name__})"
        ) from exc
    if max(picture.size) < CROP_MIN_SIDE:  # enlarged, so the scale bar keeps its size
        grow = CROP_MIN_SIDE / max(picture.size)
        size = (max(1, round(picture.width * grow)), max(1, round(picture.height * grow)))
        picture, scale = picture.resize(size, Image.Resampling.NEAREST), scale * grow
    return picture, scale


def _size(picture: Image.Image, width: float, height: float) -> tuple[float, float]:
    scale = min(width / picture.width, height / picture.height)
    return picture.width * scale, picture.height * scale


def _fit(picture: Image.Image, stacked: bool) -> tuple[float, float]:
    if stacked:
        return _size(picture, _WIDTH - _CELL, _HEIGHT / 2 - _CELL)
    return _size(picture, _WIDTH / 2 - _CELL, _HEIGHT)


def _stacked(pictures: Sequence[tuple[Image.Image, float]]) -> bool:
    """Whether one above the other shows the smaller picture larger than side by side."""

    def smallest(stacked: bool) -> float:
        return min(w * h for w, h in (_fit(p, stacked) for p, _s in pictures))

    return smallest(True) > _SIDE_BY_SIDE_BIAS * smallest(False)
