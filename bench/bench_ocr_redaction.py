"""Redacting OCR passages on scans beside the bare libraries doing the same work, in one run.

Draws a scanned PDF (``--pages`` A4 pages at 200 dpi, ``tests/scans.py``) and one page as
a PNG, reads them once with ``read_page`` (not timed), then times, alternating, with
``--marks`` passages marked a page:

- the PDF yardstick: PyMuPDF alone adds a redaction over each passage's word boxes,
  applies them with ``images=PDF_REDACT_IMAGE_PIXELS`` and saves (garbage=4, deflate);
- ``redact_pdf(..., ocr=...)``: the same plus placing the passages on the OCR text,
  blacking the blanked pixels, stripping the document, reading the text back and reading
  the scan's samples back under every box;
- the picture yardstick: Pillow opens the PNG, fills the boxes and saves it;
- ``redact_image(..., ocr_boxes=...)``: the same plus metadata stripping and the read-back;
- ``redact_ocr_pages``: taking the words out of the layer (pure Python).

Run: ``uv run python bench/bench_ocr_redaction.py [--pages 5] [--marks 3] [--runs 5]``.
Prints figures and ratios, never a verdict.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pymupdf
from PIL import Image, ImageDraw

from bench.ocr_testset import page_lines
from tests.scans import make_scanned_image, make_scanned_pdf
from workstation.annotations.anchors import TextAnchor, text_anchor
from workstation.bundles.redaction import (
    OcrPageText,
    ocr_passage_boxes,
    ocr_regions,
    redact_image,
    redact_ocr_pages,
    redact_pdf,
)
from workstation.ocr.engine import tessdata_dir
from workstation.ocr.reader import PageJob, read_page


def _marks(page: OcrPageText, number: int, count: int) -> list[TextAnchor]:
    """``count`` two-word passages spread over the page's words."""
    words = [w for w in page.words if len(w[0]) > 3]
    step = max(1, len(words) // (count + 1))
    out = []
    for i in range(1, count + 1):
        first = words[min(i * step, len(words) - 1)]
        start = int(first[6])
        end = page.text.find(" ", start + len(first[0]) + 1)
        out.append(text_anchor(page.text, start, end if end > 0 else start + 1, page=number))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5)
    parser.add_argument("--marks", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tessdata = str(tessdata_dir())
    lines = list(page_lines("eng"))
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        pdf = make_scanned_pdf(work / "in", [lines] * args.pages, "eng", dpi=200)
        png = make_scanned_image(work / "in", lines, "eng", 200)
        pages: dict[int, OcrPageText] = {}
        for number in range(1, args.pages + 1):
            read = read_page(PageJob(str(pdf), "pdf", number, "bench", ("eng",), tessdata))
            pages[number] = OcrPageText(read.text, read.words)
        read = read_page(PageJob(str(png), "image", 1, "bench", ("eng",), tessdata))
        picture = OcrPageText(read.text, read.words)
        marks = [m for n, p in pages.items() for m in _marks(p, n, args.marks)]
        picture_marks = _marks(picture, 1, args.marks)
        boxes = {
            n: [b for m in marks if m.page == n for b in ocr_passage_boxes(p, m)]
            for n, p in pages.items()
        }
        regions = ocr_regions(picture, picture_marks)

        def bare_pdf(run: int) -> None:
            with pymupdf.open(pdf) as doc:
                for number, page_boxes in boxes.items():
                    page = doc[number - 1]
                    for box in page_boxes:
                        page.add_redact_annot(pymupdf.Rect(box), fill=(0, 0, 0))
                    page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_PIXELS)
                doc.save(work / f"bare-{run}.pdf", garbage=4, deflate=True)

        def ours_pdf(run: int) -> None:
            redact_pdf(pdf, work / f"ours-{run}.pdf", marks, ocr=pages)

        def bare_png(run: int) -> None:
            with Image.open(png) as image:
                draw = ImageDraw.Draw(image)
                for region in regions:
                    x, y, w, h = region.bbox
                    draw.rectangle((x, y, x + w, y + h), fill=0)
                image.save(work / f"bare-{run}.png")

        def ours_png(run: int) -> None:
            redact_image(png, work / f"ours-{run}.png", [], strip_metadata=True, ocr_boxes=regions)

        def layer(_run: int) -> None:
            redact_ocr_pages(pages, marks)

        steps: dict[str, Callable[[int], Any]] = {
            "pdf bare": bare_pdf,
            "pdf ours": ours_pdf,
            "png bare": bare_png,
            "png ours": ours_png,
            "layer": layer,
        }
        times: dict[str, list[float]] = {name: [] for name in steps}
        for fn in steps.values():
            fn(-1)  # warm
        for run in range(args.runs):  # one of each a round: the machine's load hits all alike
            for name, fn in steps.items():
                started = time.perf_counter()
                fn(run)
                times[name].append(time.perf_counter() - started)
        figures = {name: statistics.median(values) for name, values in times.items()}
    pdf_bare, pdf_ours = figures["pdf bare"], figures["pdf ours"]
    png_bare, png_ours = figures["png bare"], figures["png ours"]
    print(f"{args.pages} scanned A4 pages at 200 dpi, {args.marks} passages a page")
    print(f"median of {args.runs} runs, alternating with the bare library")
    print(f"  PDF: bare PyMuPDF {pdf_bare:.3f} s, redact_pdf {pdf_ours:.3f} s")
    print(f"       ratio {pdf_ours / pdf_bare:.2f}")
    print(f"  PNG: bare Pillow {png_bare:.3f} s, redact_image {png_ours:.3f} s")
    print(f"       ratio {png_ours / png_bare:.2f}")
    print(f"  layer: redact_ocr_pages over {args.pages} pages {figures['layer'] * 1000:.2f} ms")


if __name__ == "__main__":
    main()
