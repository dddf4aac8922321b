"""What the viewers get of an OCR layer: word boxes as a text layer."""

from __future__ import annotations

from workstation.ocr.viewing import LowWord, LowWords
from workstation.sources.pages import page_text_from_words

TEXT = "SKY VENUS\nmet AMBER"
WORDS = [
    ("SKY", 10.0, 10.0, 40.0, 20.0, 0),
    ("VENUS", 45.0, 11.0, 95.0, 21.0, 4),
    ("met", 10.0, 30.0, 40.0, 40.0, 10),
    ("AMBER", 45.0, 30.0, 95.0, 40.0, 14),
]


def test_word_boxes_become_character_boxes_on_lines() -> None:
    layout = page_text_from_words(2, TEXT, WORDS)
    # A word's box is shared out among its characters; spaces have none.
    assert layout.rects(0, 1) == [(10.0, 10.0, 20.0, 20.0)]
    assert layout.rects(4, 9) == [(45.0, 11.0, 95.0, 21.0)]
    # A passage over two lines: one box per line of words.
    assert layout.rects(4, 19) == [(45.0, 11.0, 95.0, 21.0), (10.0, 30.0, 95.0, 40.0)]
    assert layout.line_ranges() == [(0, 9), (10, 19)]
    assert layout.word_at(50.0, 15.0) == (4, 9)
    assert layout.caret_at(44.0, 35.0) == 14  # before AMBER, on the second line
    assert layout.caret_at(5.0, 0.0) == 0
    assert layout.char_at(42.0, 15.0) is None  # the gap between words
    # In the gap between two words the caret goes to the nearer one's edge: a drag to the
    # end of SKY stops before the space, one from just before VENUS starts at it.
    assert layout.caret_at(41.0, 15.0) == 3
    assert layout.caret_at(44.0, 15.0) == 4
    assert layout.caret_at(39.0, 15.0) == 3  # past the middle of SKY's last letter


def test_a_word_running_past_the_text_is_cut_and_an_empty_layer_is_empty() -> None:
    layout = page_text_from_words(1, "AB", [("ABC", 0.0, 0.0, 30.0, 10.0, 0)])
    assert [c.offset for c in layout.chars] == [0, 1]
    empty = page_text_from_words(1, "", [])
    assert empty.rects(0, 5) == []
    assert empty.caret_at(1.0, 1.0) == 0


def test_low_confidence_words_are_found_by_area_and_point() -> None:
    words = LowWords(
        [
            LowWord("VENUS", 45.0, 11.0, 95.0, 21.0, 41.0),
            LowWord("AMBER", 45.0, 30.0, 95.0, 40.0, 12.5),
            LowWord("tall", 200.0, 0.0, 210.0, 60.0, 30.0),
        ]
    )
    assert len(words) == 3
    assert [w.text for w in words.in_rect(0.0, 25.0, 100.0, 45.0)] == ["AMBER"]
    # A tall word starting above the area still meets it.
    assert [w.text for w in words.in_rect(150.0, 50.0, 300.0, 55.0)] == ["tall"]
    assert words.in_rect(0.0, 41.0, 100.0, 50.0) == []
    found = words.at(50.0, 15.0)
    assert found is not None
    assert (found.text, found.confidence) == ("VENUS", 41.0)
    assert words.at(42.0, 15.0) is None
    assert LowWords([]).in_rect(0.0, 0.0, 1e9, 1e9) == []
