"""What the engine checks after reading: IMO numbers against their check digit (read again
digits-only when they fail) and Cyrillic words read in small letters that stand as tall
as capitals."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from bench import ocr_testset
from bench.ocr_testset import normalise
from db.models import OcrLayer
from tests.scans import ScanLook, render_scan, scanned_pdf_bytes
from tests.workstation.ocr.support import needs_models
from workstation.core.library import Library
from workstation.ocr.engine import (
    UNCHECKED_CONFIDENCE,
    Word,
    check_imo_numbers,
    imo_check_digit_ok,
    read_picture,
    restore_capitals,
    tessdata_dir,
)
from workstation.ocr.layers import OcrService
from workstation.sources.ingest import ImportService

ROUGH = ScanLook(skew=0.5, blur=0.8, speckle=0.002, jpeg_quality=70, photocopy=True, seed=3)


@pytest.mark.parametrize("number", ["9074729", "9379301", "9458494", "9537680"])
def test_a_valid_imo_number_passes_the_check_digit(number: str) -> None:
    assert imo_check_digit_ok(number)


@pytest.mark.parametrize(
    "number",
    [
        "9074728",  # last digit off by one
        "3537680",  # 9537680 with its first digit misread, as Tesseract did
        "907472",  # six digits
        "90747290",  # eight
        "9O74729",  # a letter O
        "\uff19\uff10\uff17\uff14\uff17\uff12\uff19",  # full-width digits
    ],
)
def test_a_misread_imo_number_fails_the_check_digit(number: str) -> None:
    assert not imo_check_digit_ok(number)


def _words_of(lines: list[str], dpi: int = 200) -> tuple[Image.Image, tuple[Word, ...]]:
    page = render_scan(lines, "eng", dpi, ROUGH).convert("L")
    return page, read_picture(page, ("eng",), dpi).words


def _number_after_imo(words: tuple[Word, ...]) -> int:
    return next(i + 1 for i, w in enumerate(words[:-1]) if w.text.endswith("IMO"))


@needs_models
def test_a_number_whose_first_reading_fails_the_check_is_read_again_from_the_picture() -> None:
    page, words = _words_of(["The tanker YU JONG 2 (IMO 9537680) arrived on 21 April."])
    index = _number_after_imo(words)
    assert words[index].text == "9537680)"
    # The page reading with one digit degraded, as Tesseract gave it on a traditional
    # Chinese page: the picture still holds 9537680.
    first = Word("9g537680)", words[index].box, 62.0, words[index].line)
    degraded = (*words[:index], first, *words[index + 1 :])

    kept, rereads = check_imo_numbers(page, degraded, 200, tessdata_dir())

    assert kept[index].text == "9537680)"  # the digits re-read, the bracket kept
    assert kept[index].box == first.box
    assert [(r.index, r.first, r.text, r.checked) for r in rereads] == [
        (index, "9g537680)", "9537680)", True)
    ]
    assert kept[:index] == degraded[:index]
    assert kept[index + 1 :] == degraded[index + 1 :]


@needs_models
def test_a_number_that_fails_the_check_however_read_is_kept_with_low_confidence() -> None:
    # 9537681 is not an IMO number (its check digit would be 0): no reading may pass.
    page = render_scan(["The tanker YU JONG 2 (IMO 9537681) arrived on 21 April."], "eng")

    reading = read_picture(page, ("eng",), 200)

    index = _number_after_imo(reading.words)
    assert reading.words[index].text == "9537681)"
    assert reading.words[index].confidence <= UNCHECKED_CONFIDENCE
    assert [(r.index, r.first, r.text, r.checked) for r in reading.rereads] == [
        (index, "9537681)", "9537681)", False)
    ]
    assert min(w.confidence for w in reading.words if w is not reading.words[index]) > 50


@needs_models
def test_a_number_that_passes_is_not_read_again() -> None:
    page = render_scan(["Loaded from SUBBLIC (IMO 9458494) at Nampo."], "eng")

    reading = read_picture(page, ("eng",), 200)

    assert "9458494)" in [w.text for w in reading.words]
    assert reading.rereads == ()


@needs_models
@pytest.mark.slow
@pytest.mark.parametrize(
    ("language", "dpi"),
    [
        ("jpn", 200),  # the third number read as 3537680
        ("chi_tra", 200),  # the third read as 9g537680
        ("jpn_vert", 300),  # two of three read without a digit: down a column of digits
    ],
)
def test_a_test_page_reads_all_its_imo_numbers_once_failed_ones_are_read_again(
    language: str, dpi: int
) -> None:
    page = ocr_testset.test_page(language, dpi)

    reading = read_picture(page.image, (language,), dpi)

    text = normalise(" ".join(w.text for w in reading.words))
    assert all(imo in text for imo in page.imos)
    assert any(r.checked for r in reading.rereads)


@needs_models
@pytest.mark.slow
def test_a_layer_records_which_words_were_read_again(library: Library, tmp_path: Path) -> None:
    page = ocr_testset.test_page("jpn", 200)
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf_bytes([page.image], 200))
    (result,) = ImportService(library).import_paths([path]).results
    assert result.source_id is not None

    summary = OcrService(library, workers=1).run(result.source_id, "jpn")

    assert summary is not None
    with library.reader() as session:
        layer = session.get_one(OcrLayer, summary.layer_id)
        rereads = layer.settings["imo_rereads"]
    assert list(rereads) == ["1"]
    ((_index, first, kept, checked),) = rereads["1"]
    assert (kept, checked) == ("9537680)", True)
    assert first != kept


@needs_models
@pytest.mark.slow
def test_the_russian_test_page_keeps_its_capitals() -> None:
    """Read at 200 dpi, "ИМО" and "ЮН ЧЖОН" came out as "имо" and "юн чжон"."""
    page = ocr_testset.test_page("rus", 200)

    reading = read_picture(page.image, ("rus",), 200)

    text = " ".join(w.text for w in reading.words)
    assert "ЮН ЧЖОН" in text
    assert text.count("(ИМО") == 3
    assert "нефтепродукты" in text  # small letters stay small
    assert ocr_testset.cer(page.truth, text) <= 0.02


def _word(text: str, line: int) -> Word:
    return Word(text, (0.0, 0.0, 10.0, 10.0), 90.0, line)


def test_small_letters_as_tall_as_capitals_become_capitals_and_others_stay() -> None:
    small = "окно на север"  # 11 letters of capital shape, 16 px
    words = [_word(w, 0) for w in small.split()] + [_word("юн", 0), _word("Нампхо", 0)]
    heights = {i: [(c, 16) for c in w.text] for i, w in enumerate(words[:3])}
    heights[3] = [("ю", 23), ("н", 22)]  # capitals' height: read as small letters
    heights[4] = [("Н", 23), *((c, 16) for c in "ампхо")]
    heights[5] = [(c, 16) for c in "секон" * 4]  # more of the page, another line
    words.append(_word("секон" * 4, 1))

    kept = restore_capitals(words, list(range(len(words))), heights)

    assert [w.text for w in kept] == ["окно", "на", "север", "ЮН", "Нампхо", "секон" * 4]


def test_a_heading_set_larger_in_small_letters_stays_small() -> None:
    heading = [_word(w, 0) for w in ("отчет", "о", "судне", "хаон")]
    body = [_word("оснований" * 3, 1)]
    words = heading + body
    heights = {i: [(c, 24) for c in w.text] for i, w in enumerate(heading)}
    heights[4] = [(c, 16) for c in body[0].text]

    kept = restore_capitals(words, list(range(len(words))), heights)

    assert kept == words


def test_too_few_small_letters_change_nothing() -> None:
    words = [_word("имо", 0)]

    assert restore_capitals(words, [0], {0: [("и", 30), ("м", 30), ("о", 30)]}) == words
