"""OCR throughput: the app's `ocr` beside the bare engine on the same pages, in one run.

The pages: N scanned-looking A4 pages (English and Korean alternating, 200 dpi, no text
layer) in one PDF. Three measurements, side by side:

1. bare, one process: PyMuPDF renders each page at its scan's dpi, tesserocr reads it (the same
   models and page segmentation as the app), nothing else;
2. bare, two processes: the same split over a pool of 2 (what both cores can do);
3. ours: ``OcrService.run`` on the imported PDF with 2 workers: detection, rendering,
   reading, storing the layer with its audit event, accepting it and indexing it.

Prints pages/s for each, ours / bare-2 (goal >= 0.8), and the CPU seconds the worker
processes used per wall second (about 2 when both cores work).

    uv run python -m bench.ocr_throughput [--pages 8]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path

from bench.ocr_testset import page_lines
from tests.scans import make_scanned_pdf
from workstation.core.library import Library
from workstation.ocr.engine import read_picture
from workstation.ocr.layers import OCR_DPI, OcrService, _render_pdf_page
from workstation.sources.ingest import ImportService

LANGS = ("eng", "kor")


def bare_page(job: tuple[str, int, str]) -> int:
    """Render and read one page with nothing of ours around it but the two calls."""
    path, number, language = job
    picture, dpi = _render_pdf_page(Path(path), number, OCR_DPI)
    return len(read_picture(picture, (language,), dpi).words)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=8)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ocr-throughput-"))
    languages = [LANGS[i % 2] for i in range(args.pages)]
    pdf = make_scanned_pdf(folder, [list(page_lines(lang)) for lang in languages], languages)
    jobs = [(str(pdf), n, f"{lang}+eng" if lang != "eng" else "eng") for n, lang in
            enumerate(languages, 1)]  # fmt: skip
    # The app reads with what the page's script says: the same models here.
    jobs = [(p, n, lang.split("+")[0]) for p, n, lang in jobs]

    started = time.perf_counter()
    for job in jobs:
        bare_page(job)
    bare1 = time.perf_counter() - started

    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        pool.map(bare_page, jobs[:2])  # start-up and model loading, not timed
        started = time.perf_counter()
        pool.map(bare_page, jobs, chunksize=1)
        bare2 = time.perf_counter() - started

    with Library.open(folder / "lib", reviewer="bench", create=True) as lib:
        (result,) = ImportService(lib).import_paths([pdf]).results
        assert result.source_id is not None
        cpu_before = children_cpu()
        started = time.perf_counter()
        summary = OcrService(lib, workers=2).run(result.source_id, "auto")
        ours = time.perf_counter() - started
        cpu = children_cpu() - cpu_before
    assert summary is not None
    assert len(summary.pages) == args.pages
    n = args.pages
    print(f"{n} pages (eng/kor alternating, 200 dpi scans, read at their own dpi)")
    print(f"bare engine, 1 process : {n / bare1:.2f} pages/s")
    print(f"bare engine, 2 processes: {n / bare2:.2f} pages/s (warm pool)")
    print(f"ours (ocr, 2 workers, script detection, store, accept, index): {n / ours:.2f} pages/s")
    print(
        f"ours / bare 2 processes: {bare2 / ours:.2f}   ours / bare 1 process: {bare1 / ours:.2f}"
    )
    print(f"worker CPU seconds per wall second during ours: {cpu / ours:.2f}")


if __name__ == "__main__":
    main()
