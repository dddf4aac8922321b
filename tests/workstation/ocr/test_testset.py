"""The OCR test set draws what a scanner would see: vertical Japanese in its vertical
forms (the first pass drew horizontal forms in columns, and measured that)."""

from __future__ import annotations

import pytest
from PIL import Image

from bench.ocr_testset import cer, imo_number, normalise
from tests.scans import CLEAN, font_available, render_scan
from workstation.ocr.engine import imo_check_digit_ok

needs_cjk_font = pytest.mark.skipif(
    not font_available("jpn_vert"), reason="fonts-noto-cjk is not installed"
)


@needs_cjk_font
def test_the_long_vowel_mark_stands_upright_in_a_vertical_column() -> None:
    horizontal = render_scan(["ー"], "jpn", 200, CLEAN)
    vertical = render_scan(["ー"], "jpn_vert", 200, CLEAN)

    def ink(page: Image.Image) -> tuple[int, int]:
        box = page.point(lambda v: 255 if v < 128 else 0).getbbox()
        assert box is not None
        return box[2] - box[0], box[3] - box[1]

    wide, flat = ink(horizontal)
    narrow, tall = ink(vertical)
    assert wide > 3 * flat  # ー lies flat in a line...
    assert tall > 3 * narrow  # ... and stands in a column


@pytest.mark.parametrize("seed", range(5))
def test_the_set_s_imo_numbers_pass_their_check_digit(seed: int) -> None:
    assert imo_check_digit_ok(imo_number(seed))


def test_cer_ignores_white_space_and_width_on_both_sides() -> None:
    assert normalise("ＩＭＯ　9379301\n") == "IMO9379301"
    assert cer("船对船 转运", "船 对 船转运\n") == 0.0
    assert cer("IMO 9379301", "IMO 9379307") == pytest.approx(1 / 10)
