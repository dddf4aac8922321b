"""Invented sources for `workstation demo`: lets a new reviewer try the tool without real material.

Everything here is fictional: outlets, vessels, companies and people are made up (the places
are real ports). The files are written byte-for-byte the same on every run, so importing the
demo twice reports duplicates instead of new sources.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from workstation.demo.articles import ARTICLES, article_html
from workstation.demo.image import (
    BEFORE_TAKEN,
    jpeg_bytes,
    satellite_exif,
    satellite_image,
    satellite_world_file,
)
from workstation.demo.memo import MEMO_NAME, memo_markdown, tip_off_eml
from workstation.demo.report import report_pdf

__all__ = ["BEFORE_PICTURE", "write_demo_corpus"]

BEFORE_PICTURE = "rajin-port_2025-03-09_demo-sat-0.jpg"
"""The earlier picture of the same quay (the "before" of the demo's image pair)."""


def write_demo_corpus(folder: Path) -> list[Path]:
    """Writes the invented demo sources into folder, byte-identical on every run.

    The corpus holds five saved news pages (English, Korean, Russian, Japanese), a
    thirteen-page PDF report, a satellite-like JPEG with EXIF and GPS tags (and a world
    file with its .prj beside it, which place it on the map; they are not listed), an analyst
    memo in Markdown, an e-mail tip-off carrying the memo as an attachment, and the same
    quay photographed seven weeks earlier (the "before" of an image pair). Names,
    IMO and MMSI numbers recur across files so that searching finds several sources.

    Args:
        folder: Where to write; created if missing. Files of the same name are replaced.

    Returns:
        The paths written, in a fixed order.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def emit(name: str, data: bytes) -> None:
        path = folder / name
        path.write_bytes(data)
        written.append(path)

    for article in ARTICLES:
        emit(article.filename, article_html(article).encode("utf-8"))

    image = satellite_image()
    thumbnail = jpeg_bytes(image.resize((640, 480), Image.Resampling.LANCZOS), None, 82)
    emit("demo-monitoring-report_2025-06.pdf", report_pdf(thumbnail))
    picture = "rajin-port_2025-04-28_demo-sat-1.jpg"
    emit(picture, jpeg_bytes(image, satellite_exif(), 82))
    # Its world file and .prj (UTM zone 52N, 0.5 m a pixel): read into the picture's
    # georeference on import, not sources of their own, so not in the list.
    for suffix, text in satellite_world_file(image.size).items():
        (folder / picture).with_suffix(suffix).write_text(text, encoding="ascii")

    memo = memo_markdown()
    emit(MEMO_NAME, memo.encode("utf-8"))
    emit("tip-off_2025-06-06.eml", tip_off_eml(memo))
    # The same quay seven weeks earlier, last so the other sources keep their numbers.
    before = BEFORE_PICTURE
    emit(before, jpeg_bytes(satellite_image(before=True), satellite_exif(BEFORE_TAKEN), 82))
    for suffix, text in satellite_world_file(image.size).items():
        (folder / before).with_suffix(suffix).write_text(text, encoding="ascii")
    return written
