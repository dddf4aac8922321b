"""PdfDocument: page sizes, capped renders, character offsets that match the stored text, find."""

from __future__ import annotations

import threading
from pathlib import Path

import pymupdf
import pytest

from tests.samples import (
    JAPANESE,
    KOREAN,
    RUSSIAN,
    make_encrypted_pdf,
    make_garbage_pdf,
    make_pdf,
    make_pdf_huge_mediabox,
    make_truncated_pdf,
)
from workstation.core.errors import BadInputError, EncryptedInputError
from workstation.sources.extract.model import Limits
from workstation.sources.extract.pdf import extract_pdf
from workstation.sources.pages import (
    CharBox,
    DocumentClosedError,
    PageText,
    PdfDocument,
    find_spans,
)

ENGLISH = (
    "The tanker was photographed alongside the oil pier at Nampo on 3 March, loading what "
    "appeared to be refined petroleum products.\n\nSatellite imagery shows the vessel with its "
    "transponder switched off for eleven days before arrival."
)


def _assert_offsets_line_up(document: PdfDocument, number: int) -> None:
    """Every character box points at its own character; everything else is a line break."""
    text = document.text(number)
    chars = document.chars(number)
    assert chars, "the page has text"
    offsets = [c.offset for c in chars]
    assert offsets == sorted(set(offsets)), "offsets strictly increase"
    for box in chars:
        assert text[box.offset] == box.char
        assert box.x0 <= box.x1
        assert box.y0 <= box.y1
    covered = set(offsets)
    assert all(text[i] == "\n" for i in range(len(text)) if i not in covered)


@pytest.mark.parametrize(
    "sample",
    [ENGLISH, KOREAN * 8, RUSSIAN * 5, JAPANESE * 8],
    ids=["english", "korean", "russian", "japanese"],
)
def test_char_offsets_line_up_with_get_text(tmp_path: Path, sample: str) -> None:
    path = make_pdf(tmp_path, texts=[sample, sample], name="page.pdf")
    with PdfDocument(path) as document, pymupdf.open(path) as raw:
        for number in (1, 2):
            assert document.text(number) == raw[number - 1].get_text()
            _assert_offsets_line_up(document, number)
            assert "".join(c.char for c in document.chars(number)) == document.text(number).replace(
                "\n", ""
            )


def test_text_is_what_the_import_stores(tmp_path: Path) -> None:
    path = make_pdf(tmp_path, texts=[ENGLISH, KOREAN, RUSSIAN], name="mixed.pdf")
    stored = extract_pdf(path, "application/pdf", Limits())
    with PdfDocument(path) as document:
        assert [document.text(p.number) for p in stored.pages] == [p.text for p in stored.pages]


def test_offsets_across_blocks_and_columns(tmp_path: Path) -> None:
    """Several text blocks (two columns, a header, a footer): line breaks come out exactly."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_textbox(pymupdf.Rect(50, 40, 545, 80), "Annex 14 - Nampo", fontsize=14)
    page.insert_textbox(pymupdf.Rect(50, 100, 290, 700), ENGLISH, fontsize=10)
    page.insert_textbox(pymupdf.Rect(305, 100, 545, 700), RUSSIAN * 3, fontname="china-s")
    page.insert_text((50, 800), "Footer: page 1", fontsize=8)
    path = tmp_path / "columns.pdf"
    doc.save(path)
    doc.close()
    with PdfDocument(path) as document, pymupdf.open(path) as raw:
        assert document.text(1) == raw[0].get_text()
        _assert_offsets_line_up(document, 1)
        layout = document.page_text(1)
        start = layout.text.index("Footer")
        (x0, y0, x1, y1), *_ = layout.rects(start, start + 6)
        assert y0 > 780
        assert x0 == pytest.approx(50, abs=1)


def _box(layout: PageText, offset: int) -> CharBox:
    """The box of the character at a text offset."""
    return next(c for c in layout.chars if c.offset == offset)


def test_selection_offsets_cover_a_line_break(tmp_path: Path) -> None:
    path = make_pdf(tmp_path, texts=["First line of text.\nSecond line of text."], name="two.pdf")
    with PdfDocument(path) as document:
        layout = document.page_text(1)
        first = _box(layout, layout.text.index("line"))
        last = _box(layout, layout.text.index("Second") + 5)
        start = layout.caret_at(first.x0, (first.y0 + first.y1) / 2)
        end = layout.caret_at(last.x1, (last.y0 + last.y1) / 2)
        assert layout.text[start:end] == "line of text.\nSecond"
        assert len(layout.rects(start, end)) == 2


def test_caret_word_and_edges(tmp_path: Path) -> None:
    path = make_pdf(tmp_path, texts=["Vessel sighted at Nampo."], name="one.pdf")
    with PdfDocument(path) as document:
        layout = document.page_text(1)
        v = _box(layout, layout.text.index("sighted") + 2)
        middle = (v.y0 + v.y1) / 2
        assert layout.word_at(v.x0 + 0.5, middle) == (7, 14)
        assert layout.word_at(5, 5) is None
        assert layout.caret_at(v.x0 + 0.1, middle) == v.offset
        assert layout.caret_at(v.x1 - 0.1, middle) == v.offset + 1
        assert layout.caret_at(0, 0) == 0  # above the text: its start
        assert layout.caret_at(600, 900) == len("Vessel sighted at Nampo.")  # below: its end
        period = layout.chars[-1]
        assert layout.word_at(period.x0 + 0.5, middle) == (period.offset, period.offset + 1)


def test_rotated_and_cropped_pages(tmp_path: Path) -> None:
    """Sizes come from the page tree and match Page.rect; boxes land on the drawn glyphs."""
    doc = pymupdf.open()
    for rotation in (0, 90, 180, 270):
        page = doc.new_page(width=300, height=500)
        page.insert_text((50, 80), "Rotated WWWW", fontsize=20)
        page.set_rotation(rotation)
    page = doc.new_page(width=200, height=200)
    page.insert_text((40, 60), "cropped", fontsize=12)
    page.set_cropbox(pymupdf.Rect(20, 30, 180, 150))
    path = tmp_path / "rotated.pdf"
    doc.save(path)
    doc.close()
    with PdfDocument(path) as document, pymupdf.open(path) as raw:
        for number in range(1, 6):
            rect = raw[number - 1].rect
            assert document.page_size(number) == pytest.approx((rect.width, rect.height))
            _assert_offsets_line_up(document, number)
        for number in range(1, 5):
            layout = document.page_text(number)
            start = layout.text.index("WWWW")
            [(x0, y0, x1, y1)] = layout.rects(start, start + 4)
            rendered = document.render(number, 1.0)
            ink = sum(
                1
                for y in range(int(y0) + 1, int(y1) - 1)
                for x in range(int(x0) + 1, int(x1) - 1)
                if rendered.samples[y * rendered.stride + x * 3] < 128
            )
            assert ink > 0.15 * (x1 - x0) * (y1 - y0), f"no glyphs under the box on page {number}"


def test_find_is_case_insensitive_and_spans_lines(tmp_path: Path) -> None:
    path = make_pdf(
        tmp_path,
        texts=["The TANKER was seen.", "No ship here.", "A tanker and a\ntanker crew.", RUSSIAN],
        name="find.pdf",
    )
    with PdfDocument(path) as document:
        hits = document.find("tanker")
        assert [(hit.page, hit.start, hit.end) for hit in hits] == [
            (1, 4, 10),
            (3, 2, 8),
            (3, 15, 21),
        ]
        assert all(hit.rects for hit in hits)
        page, rects = hits[0][0], hits[0][1]
        assert page == 1
        assert len(rects) == 1
        across = document.find("and a tanker")  # the text has a line break there
        assert [(h.page, len(h.rects)) for h in across] == [(3, 2)]
        assert [h.page for h in document.find("СУДНО")] == [4]
        assert document.find("   ") == []
        assert document.find("nowhere to be found") == []
        seen: list[tuple[int, int]] = []
        document.find("ship", progress=lambda done, total: seen.append((done, total)))
        assert seen[-1] == (4, 4)


def test_find_spans_rule() -> None:
    assert find_spans("A Tanker,\ntanker", "TANKER") == [(2, 8), (10, 16)]
    assert find_spans("oil  pier\nat Nampo", "pier at") == [(5, 12)]
    assert find_spans("a.b", ".") == [(1, 2)]  # not a regular expression
    assert find_spans("anything", "") == []


def test_render_is_capped_on_a_huge_page(tmp_path: Path) -> None:
    path = make_pdf_huge_mediabox(tmp_path)  # 14,400 pt square: 207 MP at 72 dpi
    with PdfDocument(path, limits=Limits(max_render_pixels=4_000_000)) as document:
        assert document.page_size(1) == (14400.0, 14400.0)
        rendered = document.render(1, 1.0)
        assert rendered.width * rendered.height <= 4_000_000
        assert rendered.zoom < 1.0
        assert len(rendered.samples) == rendered.stride * rendered.height
        assert rendered.stride >= rendered.width * 3
        smaller = document.render(1, 1.0, max_pixels=250_000)
        assert smaller.width * smaller.height <= 250_000


def test_render_size_and_pixels(tmp_path: Path) -> None:
    path = make_pdf(tmp_path, pages=2)
    with PdfDocument(path) as document:
        width, height = document.page_size(1)
        rendered = document.render(1, 2.0)
        assert (rendered.width, rendered.height) == (round(width * 2), round(height * 2))
        assert rendered.zoom == 2.0
        assert rendered.samples[:3] == b"\xff\xff\xff"  # white paper, RGB
        assert min(rendered.samples) < 64  # and some ink


def test_two_threads_rendering_at_once(tmp_path: Path) -> None:
    texts = [f"Page {n}: " + ENGLISH for n in range(1, 7)]
    path = make_pdf(tmp_path, texts=texts, name="threads.pdf")
    with PdfDocument(path, max_handles=2) as document:
        expected = {n: document.render(n, 0.7).samples for n in range(1, 7)}
        expected_text = {n: document.text(n) for n in range(1, 7)}
        errors: list[BaseException] = []
        mismatches: list[int] = []

        def work(order: list[int]) -> None:
            try:
                for _ in range(4):
                    for number in order:
                        if document.render(number, 0.7).samples != expected[number]:
                            mismatches.append(number)
                        if [c.char for c in document.chars(number)] != [
                            ch for ch in expected_text[number] if ch != "\n"
                        ]:
                            mismatches.append(-number)
            except BaseException as exc:
                errors.append(exc)

        threads = [
            threading.Thread(target=work, args=([1, 2, 3, 4, 5, 6],)),
            threading.Thread(target=work, args=([6, 5, 4, 3, 2, 1],)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors
        assert not mismatches
        assert document._pool._open <= 2


def test_close_is_idempotent_and_later_use_fails(tmp_path: Path) -> None:
    document = PdfDocument(make_pdf(tmp_path))
    document.render(1, 0.5)
    document.close()
    document.close()
    assert document.closed
    with pytest.raises(DocumentClosedError):
        document.render(1, 0.5)
    with pytest.raises(DocumentClosedError):
        document.text(1)


def test_close_while_another_thread_renders(tmp_path: Path) -> None:
    document = PdfDocument(make_pdf(tmp_path, pages=3))
    started, release = threading.Event(), threading.Event()
    outcome: list[object] = []

    def slow() -> None:
        with document._pool.borrow() as handle:  # hold a handle as a render would
            started.set()
            release.wait(10)
            outcome.append(handle.page_count)

    thread = threading.Thread(target=slow)
    thread.start()
    assert started.wait(10)
    document.close()
    release.set()
    thread.join(10)
    assert outcome == [3]
    assert document._pool._open == 0


def test_bad_page_numbers(tmp_path: Path) -> None:
    with PdfDocument(make_pdf(tmp_path, pages=2)) as document:
        for bad in (0, 3, -1):
            with pytest.raises(ValueError, match="does not exist"):
                document.render(bad, 1.0)


def test_unopenable_files(tmp_path: Path) -> None:
    with pytest.raises(BadInputError):
        PdfDocument(make_garbage_pdf(tmp_path))
    with pytest.raises(EncryptedInputError):
        PdfDocument(make_encrypted_pdf(tmp_path))


def test_damaged_pdf_pages_read_as_empty(tmp_path: Path) -> None:
    with PdfDocument(make_truncated_pdf(tmp_path, pages=6, keep_pages=3)) as document:
        assert document.page_count == 6
        assert len(document.page_sizes()) == 6
        assert document.text(2).startswith("Page 2")
        assert document.text(5) == ""
        assert document.chars(5) == []
        document.render(5, 0.3)  # a blank page, not an error
