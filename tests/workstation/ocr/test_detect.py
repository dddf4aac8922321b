"""Which PDF pages need OCR: none of the text layer, too little for the ink, or none at all."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from bench.ocr_testset import page_lines
from tests.samples import make_jpeg, make_pdf
from tests.scans import (
    CLEAN,
    ScanLook,
    font_path,
    make_scanned_image,
    make_scanned_pdf,
    render_scan,
    scanned_pdf_bytes,
)
from workstation.ocr.detect import image_looks_like_text, page_need, pdf_needs
from workstation.ocr.engine import Word, words_to_text
from workstation.ocr.layers import passage_boxes


def test_born_digital_pages_and_blank_pages_need_no_ocr(tmp_path: Path) -> None:
    path = make_pdf(tmp_path, texts=["Nampo port call. " * 60, "Second page text. " * 20, ""])
    with pymupdf.open(path) as doc:
        needs = pdf_needs(doc)
    assert [(n.needs_ocr, n.reason) for n in needs] == [
        (False, "text layer"),
        (False, "text layer"),
        (False, "blank"),
    ]


def test_a_scanned_page_without_text_needs_ocr(tmp_path: Path) -> None:
    path = make_scanned_pdf(tmp_path, [list(page_lines("eng"))], "eng", 150)
    with pymupdf.open(path) as doc:
        (need,) = pdf_needs(doc)
    assert need.needs_ocr
    assert need.reason == "no text"
    assert need.chars == 0
    assert need.unexplained > 0.001


def test_a_scan_with_a_stamp_of_text_has_too_little_text_for_its_ink(tmp_path: Path) -> None:
    path = make_scanned_pdf(tmp_path, [list(page_lines("eng"))], "eng", 150, CLEAN)
    with pymupdf.open(path) as doc:
        doc[0].insert_text((20, 20), "Scanned 2024-03-15", fontsize=8)
        data = doc.tobytes()
    with pymupdf.open("pdf", data) as doc:
        (need,) = pdf_needs(doc)
    assert need.chars == len("Scanned2024-03-15")
    assert need.needs_ocr
    assert need.reason == "too little text for the ink"


def test_a_scanner_s_invisible_text_layer_explains_the_ink(tmp_path: Path) -> None:
    """A scan that already carries OCR text over its words is not read again."""
    lines = list(page_lines("eng"))
    path = make_scanned_pdf(tmp_path, [lines], "eng", 150, CLEAN)
    with pymupdf.open(path) as doc:
        page = doc[0]
        # Where render_scan drew each line, in its font: one inch in, 1.6 x 12 pt apart.
        font, _index = font_path("eng")
        for index, line in enumerate(lines):
            baseline = 72 + index * 12 * 1.6 + 11
            page.insert_text(
                (72, baseline), line, fontsize=12, fontfile=str(font), fontname="F0", render_mode=3
            )
        data = doc.tobytes()
    with pymupdf.open("pdf", data) as doc:
        (need,) = pdf_needs(doc)
    assert not need.needs_ocr, need


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ([("AIS", 0), ("was", 0), ("off", 1)], "AIS was\noff\n"),
        ([("南", 0), ("浦", 0), ("港", 0)], "南浦港\n"),
        ([("남포항에", 0), ("정박하여", 0)], "남포항에 정박하여\n"),
        ([("IMO", 0), ("9379301", 0), ("号", 0)], "IMO 9379301 号\n"),
    ],
)
def test_words_make_page_text_with_offsets(words: list[tuple[str, int]], expected: str) -> None:
    made = [Word(text, (0, 0, 1, 1), 90.0, line) for text, line in words]
    text, offsets = words_to_text(made)
    assert text == expected
    for word, offset in zip(made, offsets, strict=True):
        assert text[offset : offset + len(word.text)] == word.text


def test_a_scanned_document_image_looks_like_text_and_a_photo_does_not(tmp_path: Path) -> None:
    scan = make_scanned_image(tmp_path, list(page_lines("eng")), "eng", 150, name="scan.png")
    photo = make_jpeg(tmp_path, size=(400, 300))
    blank = make_scanned_image(tmp_path, [], "eng", 150, CLEAN, name="blank.png")

    assert image_looks_like_text(scan)
    assert not image_looks_like_text(photo)
    assert not image_looks_like_text(blank)


def test_stored_text_spares_pages_without_pictures_but_not_scans(tmp_path: Path) -> None:
    typed = make_pdf(tmp_path, texts=["Nampo port call. " * 60], name="typed.pdf")
    scan = make_scanned_pdf(tmp_path, [list(page_lines("eng"))], "eng", 150, CLEAN)
    with pymupdf.open(scan) as doc:
        doc[0].insert_text((20, 20), "Scanned 2024-03-15", fontsize=8)
        data = doc.tobytes()

    with pymupdf.open(typed) as doc:
        (typed_need,) = pdf_needs(doc, {1: doc[0].get_text()})
    with pymupdf.open("pdf", data) as doc:
        (scan_need,) = pdf_needs(doc, {1: "Scanned 2024-03-15"})

    assert not typed_need.needs_ocr
    assert typed_need.ink == 0.0  # judged by its stored text, never rendered
    assert scan_need.needs_ocr  # a picture on the page: rendered and judged
    assert scan_need.reason == "too little text for the ink"


def test_a_passage_on_an_ocr_page_gets_one_box_per_line() -> None:
    made = [
        Word("loaded", (10, 100, 60, 112), 95.0, 0),
        Word("refined", (66, 101, 120, 113), 91.0, 0),
        Word("petroleum", (10, 130, 90, 142), 88.0, 1),
        Word("at", (96, 130, 110, 142), 90.0, 1),
    ]
    text, offsets = words_to_text(made)
    words = [[w.text, *w.box, w.confidence, o] for w, o in zip(made, offsets, strict=True)]
    start = text.index("refined")

    boxes = passage_boxes(words, start, text.index("at") + 1)

    assert boxes == [(66, 101, 120, 113), (10, 130, 110, 142)]
    assert passage_boxes(words, start + 2, start + 3) == [(66, 101, 120, 113)]
    assert passage_boxes(words, 0, 0) == []


def test_a_scanned_page_with_one_short_line_is_read_and_a_speckled_blank_one_is_not() -> None:
    clean = ScanLook(skew=0.0, blur=0.3, speckle=0.0, jpeg_quality=None, photocopy=False)
    one_line = render_scan(["IMO 9321483"], "eng", 200, clean)
    blank = render_scan([], "eng", 200, ScanLook())
    with pymupdf.open(stream=scanned_pdf_bytes([one_line, blank], 200), filetype="pdf") as doc:
        line_need, blank_need = page_need(doc[0]), page_need(doc[1])
    assert (line_need.needs_ocr, line_need.reason) == (True, "no text")
    assert (blank_need.needs_ocr, blank_need.reason) == (False, "blank")
