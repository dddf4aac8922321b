"""A quote typed by a reviewer, found in text typeset by someone else.

A reviewer types ' and " and a plain space; the source has ’ and “ ”, a no-break
space, or a word hyphenated at the end of a line ("trans-\\nshipment"). The pattern
made here matches the quote across those variants, and nothing else: letters,
digits and other punctuation must be the same.
"""

from __future__ import annotations

import re

_APOSTROPHES = "'’‘ʼ′`"
_QUOTES = '"“”„‟″«»'
_HYPHENS = "-‐‑"
# Between two letters of a word: a line-end hyphenation, or a soft hyphen.
_BREAK = "(?:[-‐\u00ad][ \\t]*\\n[ \\t]*|\u00ad)?"


def _class(chars: str) -> str:
    return "[" + "".join(re.escape(c) for c in chars) + "]"


def quote_pattern(quote: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """A pattern that finds ``quote`` across typographic variants (see the module);
    ``ignore_case`` for a find bar, where case is not what the reviewer is after."""
    parts: list[str] = []
    words = quote.split()
    for n, word in enumerate(words):
        if n:
            parts.append(r"\s+")  # any run of spaces, no-break spaces or line ends
        for i, char in enumerate(word):
            if char in _APOSTROPHES:
                parts.append(_class(_APOSTROPHES))
            elif char in _QUOTES:
                parts.append(_class(_QUOTES))
            elif char in _HYPHENS:
                parts.append(_class(_HYPHENS))
            else:
                parts.append(re.escape(char))
            if char.isalpha() and i + 1 < len(word) and word[i + 1].isalpha():
                parts.append(_BREAK)
    return re.compile("".join(parts), re.IGNORECASE if ignore_case else 0)


def shown_quote(quote: str, limit: int = 60) -> str:
    """The quote for an error message: cut at a word, with …, when long."""
    flat = " ".join(quote.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
    return cut + "…"
