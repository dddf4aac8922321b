"""Measure the OCR candidates on the same test set: CER, IMO numbers read exactly, seconds a page.

Candidates (each skipped with a note when it is not installed in the running environment):

- ``mupdf``: Tesseract 5 built into PyMuPDF (``Page.get_textpage_ocr``), models from Debian's
  tesseract-ocr-* packages;
- ``tesserocr``: Tesseract 5 through tesserocr's wheel (the library bundled in it), same models;
- ``workstation``: what the app does (workstation.ocr.reader.read_page: the page rendered at
  its scan's resolution, straightened when turned by a degree or more, tesserocr with page
  segmentation 6, or 5 for jpn_vert; IMO numbers checked, Cyrillic capitals restored);
- ``rapidocr``: PaddleOCR PP-OCRv4 on ONNX Runtime (rapidocr-onnxruntime); its wheel ships only
  the Chinese/English models, so it is measured on eng, chi_sim and chi_tra.

Run from the project root (the app's environment has PyMuPDF and tesserocr; rapidocr is
measured from a scratch environment that has it):

    uv run python -m bench.ocr_engines [--languages eng,kor] [--dpis 200] [--engines mupdf]

Pages are read one at a time on one core; engine start-up (loading models) is timed apart.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pymupdf

from bench.ocr_testset import DPIS, LANGUAGES, TestPage, cer, imo_exact, test_page
from tests.scans import scanned_pdf_bytes

TESSDATA = Path(os.environ.get("TESSDATA_PREFIX", "/usr/share/tesseract-ocr/5/tessdata"))
Reader = Callable[[TestPage], str]


def mupdf_reader(language: str) -> Reader:
    """PyMuPDF's built-in Tesseract on a PDF page that holds the scan as a picture."""

    def read(page: TestPage) -> str:
        doc = pymupdf.open("pdf", scanned_pdf_bytes([page.image], page.dpi))
        pdf_page = doc[0]
        textpage = pdf_page.get_textpage_ocr(
            language=language, dpi=page.dpi, full=True, tessdata=str(TESSDATA)
        )
        text: str = pdf_page.get_text(textpage=textpage)
        doc.close()
        return text

    return read


def tesserocr_reader(language: str, psm: int = 3) -> Reader:
    """tesserocr's API, made once per language and fed one picture at a time.

    ``psm`` is Tesseract's page segmentation mode: 3 finds blocks and columns itself
    (Tesseract's default), 4 assumes one column of lines, 6 one uniform block of text.
    """
    import tesserocr  # lazy: optional candidate

    api: Any = tesserocr.PyTessBaseAPI(path=str(TESSDATA), lang=language, psm=psm)

    def read(page: TestPage) -> str:
        api.SetImage(page.image)
        api.SetSourceResolution(page.dpi)
        text: str = api.GetUTF8Text()
        return text

    return read


def rapidocr_reader(language: str) -> Reader:
    """RapidOCR with the models in its wheel (Chinese and English only)."""
    if language not in ("eng", "chi_sim", "chi_tra"):
        raise LookupError("no model in the wheel for this language")
    import numpy  # lazy: optional candidate
    from rapidocr_onnxruntime import RapidOCR  # lazy: optional candidate

    engine: Any = RapidOCR()

    def read(page: TestPage) -> str:
        result, _elapsed = engine(numpy.asarray(page.image.convert("RGB")))
        return "\n".join(str(item[1]) for item in result or ())

    return read


def workstation_reader(language: str) -> Reader:
    """Our pipeline: the page in a PDF with no text layer, rendered and read by read_page.

    ``language`` 'auto' (engine ``workstation-auto``) detects each page's script instead.
    """
    import tempfile  # lazy: only for this candidate

    from workstation.ocr.engine import parse_languages  # lazy: needs the app's environment
    from workstation.ocr.layers import PageJob, read_page  # lazy: needs the app's environment

    codes = parse_languages(language)
    folder = Path(tempfile.mkdtemp(prefix="ocr-bench-"))

    def read(page: TestPage) -> str:
        path = folder / f"{page.language}-{page.dpi}.pdf"
        path.write_bytes(scanned_pdf_bytes([page.image], page.dpi))
        return read_page(PageJob(str(path), "pdf", 1, "bench", codes, str(TESSDATA))).text

    return read


ENGINES: dict[str, Callable[[str], Reader]] = {
    "workstation": workstation_reader,
    "workstation-auto": lambda language: workstation_reader("auto"),
    "mupdf": mupdf_reader,
    "tesserocr": tesserocr_reader,
    "tesserocr-psm4": lambda language: tesserocr_reader(language, psm=4),
    "tesserocr-psm6": lambda language: tesserocr_reader(language, psm=6),
    "rapidocr": rapidocr_reader,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", default=",".join(LANGUAGES))
    parser.add_argument("--dpis", default=",".join(str(d) for d in DPIS))
    parser.add_argument("--engines", default="workstation,mupdf,tesserocr,tesserocr-psm6")
    args = parser.parse_args()
    languages = args.languages.split(",")
    dpis = [int(d) for d in args.dpis.split(",")]
    pages = {(lang, dpi): test_page(lang, dpi) for lang in languages for dpi in dpis}
    print("| engine | language | dpi | CER | IMO exact | s/page | start-up s |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name in args.engines.split(","):
        for language in languages:
            started = time.perf_counter()
            try:
                reader = ENGINES[name](language)
            except (ImportError, LookupError, RuntimeError) as error:
                print(f"| {name} | {language} | - | - | - | - | not measured: {error} |")
                continue
            startup = time.perf_counter() - started
            for dpi in dpis:
                page = pages[language, dpi]
                started = time.perf_counter()
                reading = reader(page)
                seconds = time.perf_counter() - started
                print(
                    f"| {name} | {language} | {dpi} | {cer(page.truth, reading):.1%} "
                    f"| {imo_exact(page.imos, reading):.0%} | {seconds:.2f} | {startup:.2f} |",
                    flush=True,
                )
    print(
        f"\n{len(pages)} pages; median line count "
        f"{statistics.median(len(p.lines) for p in pages.values())}"
    )


if __name__ == "__main__":
    main()
