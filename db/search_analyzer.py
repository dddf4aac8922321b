"""How page text becomes search terms: one analyzer for the index and for snippets.

NFKC, CJK runs spaced into single characters (so a Korean or Japanese word is
found inside a longer run), a simple split, lowercase and ASCII folding; the
highlighter uses the same spans so what matched is what is marked.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from typing import NamedTuple

import tantivy

# --- the analyzer ----------------------------------------------------------

# Scripts written without spaces between words (and Hangul, whose spacing units
# carry particles: 북한이 = 북한 + 이). Each of their characters is one token and a
# query word becomes a phrase of its characters, so `북한` is found inside `북한이`
# and `朝鮮` inside `北朝鮮が`. Ranges: Hangul Jamo, CJK radicals, kana, Hangul
# compatibility jamo, Katakana extensions, CJK Ext. A, CJK ideographs, Hangul Jamo
# Ext. A, Hangul syllables and Jamo Ext. B, compatibility ideographs, halfwidth
# Katakana/Hangul, and the supplementary ideograph planes.
CJK_CHARACTERS = (
    "\u1100-\u11ff\u2e80-\u2fdf\u3041-\u30ff\u3131-\u318f\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff"
    "\uff66-\uffdc\U00020000-\U0003134f"
)
_CJK_RUN = re.compile(f"[{CJK_CHARACTERS}]+")
# tantivy's `simple` tokenizer (runs of alphanumeric characters) is about three
# times faster to index than a regex tokenizer, so CJK characters are set apart
# with spaces in Python (_prepare) instead of by the tokenizer.
ANALYZER_DESCRIPTION = "nfkc+cjk-spaced | simple | lowercase | ascii_fold"
TOKENIZER_NAME = "workstation"


def _build_analyzer() -> tantivy.TextAnalyzer:
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    builder = builder.filter(tantivy.Filter.lowercase())
    builder = builder.filter(tantivy.Filter.ascii_fold())
    return builder.build()


ANALYZER = _build_analyzer()


def prepare_text(text: str) -> str:
    """Return text as the index tokenizer must see it.

    NFKC-normalizes (decomposed Hangul or accents, the ligatures of PDF text
    such as ``ﬁ``, and halfwidth or fullwidth forms would not match what a
    reviewer types) and surrounds each CJK character with spaces so that it
    becomes a token of its own.

    Args:
        text: Page text or query text.

    Returns:
        The text to hand to the tokenizer; offsets differ where CJK occurs.
    """
    if text.isascii():
        return text
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if _CJK_RUN.search(text) is None:
        return text
    return _CJK_RUN.sub(_space_run, text)


def _space_run(match: re.Match[str]) -> str:
    # " X " around every character: one call per run, not per character.
    return " " + "  ".join(match.group()) + " "


def analyze(text: str) -> list[str]:
    """Split text into index tokens exactly as the index does.

    Args:
        text: Any text: a page, a query word, a phrase.

    Returns:
        The tokens: runs of letters and digits, lowercased and folded to ASCII
        where a Latin letter has an ASCII equivalent (``Chŏngjin`` ->
        ``chongjin``); each CJK character is a token of its own.
    """
    return ANALYZER.analyze(prepare_text(text))


class TokenSpan(NamedTuple):
    """One index token and where it came from in the analyzed text."""

    token: str
    start: int
    """Offset of the first character (a str index into the NFKC text)."""
    end: int
    """Offset after the last character."""


def token_spans(text: str) -> tuple[str, list[TokenSpan]]:
    """Tokenize text as the index does, keeping each token's character offsets.

    Args:
        text: The text to tokenize, e.g. one page.

    Returns:
        The NFKC form of ``text`` (identical for almost all text) and its tokens
        in order, with offsets into that NFKC form.
    """
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    cjk_starts: list[int] = []
    spaced = text
    if not text.isascii():
        for m in _CJK_RUN.finditer(text):
            cjk_starts.extend(range(m.start(), m.end()))
        if cjk_starts:
            spaced = _CJK_RUN.sub(_space_run, text)
    tokens = ANALYZER.pre_tokenize(spaced).tokens
    if not cjk_starts:
        return text, [TokenSpan(t.text, t.char_offset_from, t.char_offset_to) for t in tokens]
    # The i-th CJK character moved from p to p + 2i + 1; text after it by 2i + 2.
    moved = [p + 2 * i + 1 for i, p in enumerate(cjk_starts)]
    spans = []
    for t in tokens:
        before = bisect.bisect_left(moved, t.char_offset_from)
        if before < len(moved) and moved[before] == t.char_offset_from:
            start = cjk_starts[before]
            spans.append(TokenSpan(t.text, start, start + 1))
        else:
            shift = 2 * before
            spans.append(TokenSpan(t.text, t.char_offset_from - shift, t.char_offset_to - shift))
    return text, spans
