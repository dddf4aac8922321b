"""Taking redacted words out of an OCR page: whole words go, one marker per run, and the
words that stay are where their offsets say."""

from __future__ import annotations

from typing import Any

from workstation.ocr.layers import redact_words

TEXT = "The tanker SEA PIONEER, IMO 9123456,\narrived at Nampo on 12 March 2024.\n"


def _words(text: str) -> list[list[Any]]:
    """Words with made-up boxes: 10 units a character, 20 units a line."""
    out: list[list[Any]] = []
    line_start = 0
    for number, line in enumerate(text.split("\n")):
        position = 0
        for word in line.split():
            at = line.index(word, position)
            x0, y0 = at * 10.0, number * 20.0
            out.append([word, x0, y0, x0 + len(word) * 10.0, y0 + 12.0, 90.0, line_start + at])
            position = at + len(word)
        line_start += len(line) + 1
    return out


def _consistent(text: str, words: list[list[Any]]) -> None:
    for word in words:
        assert text[word[6] : word[6] + len(word[0])] == word[0]


def test_a_passage_takes_out_its_words_whole_under_one_marker() -> None:
    start = TEXT.index("SEA")
    text, words = redact_words(TEXT, _words(TEXT), [(start, start + 11)], [], "[REDACTED]")
    assert text.startswith("The tanker [REDACTED] IMO 9123456,\narrived")
    assert [w[0] for w in words][:3] == ["The", "tanker", "IMO"]
    _consistent(text, words)


def test_a_passage_across_two_lines_is_one_marker_and_a_region_keeps_the_line_break() -> None:
    start, end = TEXT.index("9123456"), TEXT.index(" at Nampo")
    text, words = redact_words(TEXT, _words(TEXT), [(start, end)], [], "[REDACTED]")
    assert text == "The tanker SEA PIONEER, IMO [REDACTED] at Nampo on 12 March 2024.\n"
    _consistent(text, words)
    # Two words on two lines under one region: a marker on each line, the break stays.
    box = (0.0, 0.0, 30.0, 40.0)
    text, words = redact_words(TEXT, _words(TEXT), [], [box], "[REDACTED]")
    assert text.split("\n")[:2] == [
        "[REDACTED] tanker SEA PIONEER, IMO 9123456,",
        "[REDACTED] at Nampo on 12 March 2024.",
    ]
    assert "The" not in [w[0] for w in words]
    _consistent(text, words)


def test_nothing_to_remove_leaves_the_page_as_it_was() -> None:
    words = _words(TEXT)
    assert redact_words(TEXT, words, [], [(900.0, 900.0, 950.0, 950.0)], "[REDACTED]") == (
        TEXT,
        words,
    )


def test_a_region_touching_a_word_takes_it_out_and_no_marker_can_be_asked() -> None:
    nampo = next(w for w in _words(TEXT) if w[0] == "Nampo")
    sliver = (nampo[3] - 1.0, nampo[2], nampo[3] + 5.0, nampo[4])
    text, words = redact_words(TEXT, _words(TEXT), [], [sliver], "")
    assert "Nampo" not in text
    assert "arrived at  on 12" in text
    _consistent(text, words)
