"""Titles and dates a reviewer would expect (issue 14): a headline for text, a PDF's
title from page 1 when its info dictionary has none, dates stated in the text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests import samples
from workstation.sources.extract import extract
from workstation.sources.extract.text import HEADLINE_MAX_CHARS, headline
from workstation.sources.extract.text_dates import date_in_text

PARAGRAPH = (
    "Satellite imagery reviewed by the panel shows that the bulk carrier anchored off "
    "Nampo for eleven days in March. Two lighters shuttled between it and the coal "
    "terminal at the northern pier during the night, as the annex sets out."
)


# --- text and Markdown ------------------------------------------------------------------


def test_a_text_whose_first_line_is_a_paragraph_is_titled_by_its_first_sentence(
    tmp_path: Path,
) -> None:
    result = extract(samples.make_text(tmp_path, PARAGRAPH + "\n\nMore.\n"), "text/plain")
    assert result.title == (
        "Satellite imagery reviewed by the panel shows that the bulk carrier anchored off "
        "Nampo for eleven days in March."
    )


def test_a_short_first_line_is_the_title_as_it_is(tmp_path: Path) -> None:
    result = extract(
        samples.make_text(tmp_path, "Memo: Rajin shuttle\n\n" + PARAGRAPH), "text/plain"
    )
    assert result.title == "Memo: Rajin shuttle"


def test_a_first_sentence_too_long_is_cut_at_a_word() -> None:
    sentence = "The vessel " + "and its lighter " * 20 + "left."
    title = headline(sentence)
    assert title is not None
    assert len(title) <= HEADLINE_MAX_CHARS
    assert title.endswith("…")
    kept = title[:-1]
    assert sentence.startswith(kept)
    assert sentence[len(kept)] == " "  # cut between words, not inside one


def test_japanese_text_ends_its_first_sentence_at_the_full_stop() -> None:
    line = (
        "北朝鮮船籍のタンカーが南浦沖で積み替えを行った疑いがある。" + "詳細は付属書に記載。" * 12
    )
    assert headline(line) == "北朝鮮船籍のタンカーが南浦沖で積み替えを行った疑いがある。"


def test_markdown_without_a_heading_gets_a_headline(tmp_path: Path) -> None:
    path = samples.make_markdown(tmp_path, PARAGRAPH + "\n")
    assert extract(path, "text/markdown").title == (
        "Satellite imagery reviewed by the panel shows that the bulk carrier anchored off "
        "Nampo for eleven days in March."
    )


# --- PDFs -------------------------------------------------------------------------------


def test_a_pdf_without_an_info_title_is_titled_by_the_large_type_on_page_1(
    tmp_path: Path,
) -> None:
    path = samples.make_pdf_with_heading(tmp_path, "Ship-to-ship transfers off Nampo")
    assert extract(path, "application/pdf").title == "Ship-to-ship transfers off Nampo"


def test_a_placeholder_info_title_gives_way_to_page_1(tmp_path: Path) -> None:
    path = samples.make_pdf_with_heading(
        tmp_path,
        "Ship-to-ship transfers off Nampo",
        title="Microsoft Word - draft_v3.docx",
        name="draft_v3.pdf",
    )
    assert extract(path, "application/pdf").title == "Ship-to-ship transfers off Nampo"


def test_a_real_info_title_wins(tmp_path: Path) -> None:
    path = samples.make_pdf_with_heading(tmp_path, "Annex C", title="Panel report 2025")
    assert extract(path, "application/pdf").title == "Panel report 2025"


def test_a_pdf_in_one_size_of_type_has_no_guessed_title(tmp_path: Path) -> None:
    path = samples.make_pdf_with_heading(tmp_path, "Not a heading", heading_size=11)
    assert extract(path, "application/pdf").title is None  # the list shows the file name


# --- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tanker seen\nPublished: 18 Jul. 2025 | By A. Writer\n\nBody", "2025-07-18"),
        ("Posted on July 18, 2025 by the desk\n", "2025-07-18"),
        ("Судно в Нампхо\nОпубликовано 18 июля 2025 г., 10:15\nТекст", "2025-07-18"),
        ("라진항\n입력 2025.07.18 09:30\n본문", "2025-07-18"),
        ("라진항 기사 2025년 7월 18일 작성\n", "2025-07-18"),
        ("南浦沖\n2025年7月18日 公開\n本文", "2025-07-18"),
        ("Memo\nWe met on 3 March.\n", None),  # no year: not a date to record
        ("Date: 2031-01-01\n", None),  # after today
    ],
)
def test_dates_stated_in_the_text(text: str, expected: str | None) -> None:
    assert date_in_text(text, today=date(2026, 1, 1)) == expected


def test_a_text_source_takes_its_stated_date(tmp_path: Path) -> None:
    text = "Feeder ship returns to Rajin\nPublished: 18 Jul. 2025\n\n" + PARAGRAPH
    assert extract(samples.make_text(tmp_path, text), "text/plain").published == "2025-07-18"


def test_an_article_without_a_date_in_its_markup_takes_the_one_in_its_text(
    tmp_path: Path,
) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Feeder ship returns to Rajin</title></head><body><article>"
        "<h1>Feeder ship returns to Rajin</h1><p>Published: 18 Jul. 2025</p>"
        + "".join(f"<p>{PARAGRAPH}</p>" for _ in range(4))
        + "</article></body></html>",
        encoding="utf-8",
    )
    assert extract(page, "text/html").published == "2025-07-18"
