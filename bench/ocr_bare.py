"""The bare engine on a PDF's pages, as a whole process: the other half of a side-by-side
timing of ``workstation ocr`` (the same pages, both cores, started cold, models loaded).

Each page: rendered at its scan's dpi, its script named by Tesseract's OSD, read with that
script's model (psm 6) into words with boxes, straight through tesserocr; two spawned
worker processes, as the app's OCR uses. Nothing of ours: no straightening, no checks, no
library. Prints the pages and words read.

    uv run python -m bench.ocr_bare scan.pdf [--workers 2]
"""

from __future__ import annotations

import argparse
import multiprocessing

import pymupdf

from bench.ocr_throughput import bare_page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with pymupdf.open(args.pdf) as doc:
        jobs = [(args.pdf, n) for n in range(1, doc.page_count + 1)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(args.workers) as pool:
        words = pool.map(bare_page, jobs, chunksize=1)
    print(f"{len(jobs)} pages, {sum(words)} words")


if __name__ == "__main__":
    main()
