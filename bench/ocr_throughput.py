"""OCR throughput: the app's `ocr` beside the bare engine on the same pages, in one run.

The pages: N scanned-looking A4 pages (English and Korean alternating, 200 dpi, no text
layer) in one PDF. Three measurements, side by side:

1. bare, one process: PyMuPDF renders each page at its scan's dpi, Tesseract's OSD names
   its script and tesserocr reads it with that script's model (psm 6) into words with
   boxes, straight through tesserocr: none of our code (no straightening, no checks);
2. bare, two processes: the same split over a pool of 2, once started cold inside the
   timing (spawned, models loaded: what ours cold does), once started and warmed
   beforehand (what both cores can do);
3. ours: ``OcrService.run`` on the imported PDF with 2 workers, started cold (spawned,
   models loaded), and again on a second copy with the workers warm, as an import of
   several files runs: detection, rendering, reading, storing the layer with its audit
   event, accepting it and indexing it.

Prints pages/s for each, ours / bare-2 cold against cold and warm against warm (goal >=
0.8), and the CPU seconds the worker
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
from typing import Any

from bench.ocr_testset import page_lines
from tests.scans import make_scanned_pdf
from workstation.core.library import Library
from workstation.ocr.engine import SCRIPT_LANGUAGES, tessdata_dir
from workstation.ocr.layers import OcrService
from workstation.ocr.reader import OCR_DPI, render_pdf_page
from workstation.sources.ingest import ImportService

LANGS = ("eng", "kor")


_BARE_APIS: dict[str, Any] = {}


def _bare_api(language: str, psm: int) -> Any:
    """One tesserocr instance per model in this process, as any caller would keep it."""
    import tesserocr  # lazy: in the worker

    if language not in _BARE_APIS:
        _BARE_APIS[language] = tesserocr.PyTessBaseAPI(
            path=str(tessdata_dir()), lang=language, psm=psm
        )
    return _BARE_APIS[language]


def bare_page(job: tuple[str, int]) -> int:
    """The engine's own work on one page, tesserocr and nothing of ours: render at the
    scan's dpi, OSD names the script, read with its model (psm 6), the words with boxes."""
    import tesserocr  # lazy: in the worker

    path, number = job
    picture, dpi = render_pdf_page(Path(path), number, OCR_DPI)
    osd = _bare_api("osd", int(tesserocr.PSM.OSD_ONLY))
    osd.SetImage(picture)
    found = osd.DetectOrientationScript() or {}
    language = SCRIPT_LANGUAGES.get(str(found.get("script_name")), "eng")
    api = _bare_api(language, 6)
    api.SetImage(picture)
    api.SetSourceResolution(dpi)
    api.Recognize()
    words = 0
    iterator = api.GetIterator()
    while iterator is not None:
        if iterator.GetUTF8Text(tesserocr.RIL.WORD) and iterator.BoundingBox(tesserocr.RIL.WORD):
            words += 1
        if not iterator.Next(tesserocr.RIL.WORD):
            break
    api.Clear()
    return words


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
    jobs = [(str(pdf), n) for n in range(1, len(languages) + 1)]

    started = time.perf_counter()
    for job in jobs:
        bare_page(job)
    bare1 = time.perf_counter() - started

    context = multiprocessing.get_context("spawn")
    started = time.perf_counter()
    with context.Pool(2) as pool:  # cold: spawning and model loading timed, as ours cold
        pool.map(bare_page, jobs, chunksize=1)
        bare2_cold = time.perf_counter() - started
    with context.Pool(2) as pool:
        pool.map(bare_page, jobs[:2])  # start-up and model loading, not timed
        started = time.perf_counter()
        pool.map(bare_page, jobs, chunksize=1)
        bare2 = time.perf_counter() - started

    second = folder / "copy" / "scan.pdf"
    second.parent.mkdir()
    second.write_bytes(pdf.read_bytes() + b"\n%copy\n")  # other bytes: another source
    timings: list[float] = []
    with Library.open(folder / "lib", reviewer="bench", create=True) as lib:
        report = ImportService(lib).import_paths([pdf, second])
        ids = [r.source_id for r in report.results if r.source_id is not None]
        assert len(ids) == 2, report.results
        cpu_before = children_cpu()
        with OcrService(lib, workers=2) as service:
            for source_id in ids:
                started = time.perf_counter()
                summary = service.run(source_id, "auto")
                timings.append(time.perf_counter() - started)
                assert summary is not None
                assert len(summary.pages) == args.pages
        cpu = children_cpu() - cpu_before
    cold, warm = timings
    n = args.pages
    print(f"{n} pages (eng/kor alternating, 200 dpi scans, read at their own dpi)")
    print(f"bare engine, 1 process : {n / bare1:.2f} pages/s")
    print(f"bare engine, 2 processes: {n / bare2:.2f} pages/s warm, {n / bare2_cold:.2f} cold")
    print(f"ours, cold workers: {n / cold:.2f} pages/s; warm: {n / warm:.2f} pages/s")
    print(f"ours warm / bare 2 processes warm: {bare2 / warm:.2f} (goal >= 0.8)")
    print(f"ours cold / bare 2 processes cold: {bare2_cold / cold:.2f} (like for like)")
    print(f"ours cold / bare 2 processes warm: {bare2 / cold:.2f} (as measured before)")
    print(f"ours warm / bare 1 process: {bare1 / warm:.2f}")
    print(f"worker CPU seconds per wall second, both runs: {cpu / (cold + warm):.2f}")


if __name__ == "__main__":
    main()
