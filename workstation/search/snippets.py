"""Snippets for search hits: where a query's words are on a page, and the ~200 characters shown.

The index only says which pages match; this module finds the words again in the
page text and cuts the highlighted window a reviewer reads in the result list.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from db.search_analyzer import CJK_CHARACTERS, analyze, token_spans
from db.search_query import Leaf, Prefix

SNIPPET_CHARS = 200
"""Target length of a snippet, in characters."""

_CJK = re.compile(f"[{CJK_CHARACTERS}]")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class _Pattern:
    tokens: tuple[str, ...]
    prefix: bool


@dataclass(frozen=True, slots=True)
class _Match:
    start: int
    end: int
    pattern: int


class Highlighter:
    """Finds a query's words on a page and cuts the best ~200-character window.

    Re-tokenizing a whole page with the index's analyzer costs about half a
    millisecond from Python, too much for 20 hits. So the lowercased page is
    searched for each pattern's first word (or its CJK characters run
    together) with ``str.find``, and each place found is checked by walking
    the text as the tokenizer would. That is exact wherever lowercasing alone
    gives the index's tokens; only a page where it finds nothing (an accent
    folded away, as ``Chŏngjin`` for ``chongjin``) is tokenized in full, and
    where it misses some of the query's words, the region around the best
    place is.
    """

    def __init__(self, leaves: Iterable[Leaf]) -> None:
        patterns: list[_Pattern] = []
        for leaf in leaves:
            tokens = tuple(analyze(leaf.text))
            pattern = _Pattern(tokens, isinstance(leaf, Prefix))
            if tokens and pattern not in patterns:
                patterns.append(pattern)
        self.patterns = patterns
        self._needles = [_needle(p) for p in patterns]

    def snippet(self, text: str) -> tuple[str, list[tuple[int, int]]]:
        """Return the snippet for a page and the highlighted spans inside it."""
        # Pages are searched as stored; NFKC (0.3 us a character for CJK text
        # with fullwidth punctuation) only where that finds nothing, and for
        # the ~200 characters shown (in _cut).
        matches = self._quick(text)
        if not matches and not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
            matches = self._quick(text)
        if not matches:
            matches = self._exact(text, 0, len(text))
        elif len({m.pattern for m in matches}) < len(self.patterns):
            # Some words were not found as typed (folded accents, or OR
            # alternatives absent from this page): look exactly around the best place.
            start, end = _best_window(matches)
            lo = _word_start(text, max(0, start - SNIPPET_CHARS // 2))
            hi = _word_end(text, min(len(text), end + SNIPPET_CHARS // 2))
            matches = sorted(
                set(matches) | set(self._exact(text, lo, hi)), key=lambda m: (m.start, -m.end)
            )
        if not matches:
            return _cut(text, 0, 0, [])
        start, end = _best_window(matches)
        return _cut(text, start, end, matches)

    def _quick(self, text: str) -> list[_Match]:
        low = text.lower()
        if len(low) != len(text):  # e.g. "İ" lowercases to two characters
            return []
        found: list[_Match] = []
        for n, needle in enumerate(self._needles):
            tokens = self.patterns[n].tokens
            # A word must not continue before the first token (CJK always stands alone).
            left = not _is_cjk_token(tokens[0])
            at = low.find(needle)
            while at >= 0 and len(found) < 200:
                if not (left and at > 0 and _is_word_char(low[at - 1])):
                    end = self._match_at(low, at, n)
                    if end is not None:
                        found.append(_Match(at, end, n))
                at = low.find(needle, at + 1)
        found.sort(key=lambda m: (m.start, -m.end))
        return found

    def _match_at(self, low: str, at: int, n: int) -> int | None:
        """Where pattern n ends if it starts at ``low[at]``, else None.

        Walks the lowercased text as the tokenizer would (runs of alphanumeric
        non-CJK characters, single CJK characters, anything else separates),
        so it is exact wherever lowercasing alone gives the index's tokens.
        """
        pattern = self.patterns[n]
        last = len(pattern.tokens) - 1
        pos, size = at, len(low)
        for k, token in enumerate(pattern.tokens):
            if k:
                while pos < size and not low[pos].isalnum():
                    pos += 1
            if not low.startswith(token, pos):
                return None
            pos += len(token)
            if pos < size and not _is_cjk_token(token) and _is_word_char(low[pos]):
                if not (k == last and pattern.prefix):
                    return None  # the token goes on: "rajinport", "portland"
                while pos < size and _is_word_char(low[pos]):
                    pos += 1  # a prefix: highlight the whole word
        return pos

    def _starts_with(self, words: Sequence[str], n: int) -> bool:
        pattern = self.patterns[n]
        k = len(pattern.tokens)
        if len(words) < k:
            return False
        if not pattern.prefix:
            return tuple(words[:k]) == pattern.tokens
        return tuple(words[: k - 1]) == pattern.tokens[:-1] and words[k - 1].startswith(
            pattern.tokens[-1]
        )

    def _exact(self, text: str, lo: int, hi: int) -> list[_Match]:
        normal, spans = token_spans(text[lo:hi])
        if len(normal) != hi - lo:  # offsets would not fit the text as given
            return []
        words = [s.token for s in spans]
        firsts: dict[str, list[int]] = {}
        for n, p in enumerate(self.patterns):
            if not (p.prefix and len(p.tokens) == 1):
                firsts.setdefault(p.tokens[0], []).append(n)
        prefixes = [n for n, p in enumerate(self.patterns) if p.prefix and len(p.tokens) == 1]
        found: list[_Match] = []
        for i, word in enumerate(words):
            starting = [n for n in prefixes if word.startswith(self.patterns[n].tokens[0])]
            for n in firsts.get(word, []) + starting:
                k = len(self.patterns[n].tokens)
                if self._starts_with(words[i : i + k], n):
                    found.append(_Match(lo + spans[i].start, lo + spans[i + k - 1].end, n))
        found.sort(key=lambda m: (m.start, -m.end))
        return found


def _is_cjk_token(token: str) -> bool:
    return len(token) == 1 and _CJK.match(token) is not None


def _needle(pattern: _Pattern) -> str:
    """What to look for in the lowercased page to find a pattern's candidates.

    Its first word, or its leading CJK characters run together (the usual way
    of writing them).
    """
    tokens = pattern.tokens
    if not _is_cjk_token(tokens[0]):
        return tokens[0]
    run = ""
    for token in tokens:
        if not _is_cjk_token(token):
            break
        run += token
    return run


def _best_window(matches: Sequence[_Match]) -> tuple[int, int]:
    """The span of the run of matches fitting in a snippet that covers the most
    distinct query terms, then the most matches; the earliest on ties."""
    n_patterns = len({m.pattern for m in matches})
    best = (-1, -1)
    best_span = (matches[0].start, matches[0].end)
    for i, first in enumerate(matches):
        seen: set[int] = set()
        end = first.end
        count = 0
        for m in matches[i:]:
            if m.end - first.start > SNIPPET_CHARS and count:
                break
            seen.add(m.pattern)
            count += 1
            end = max(end, m.end)
        score = (len(seen), count)
        if score > best:
            best, best_span = score, (first.start, end)
            if len(seen) == n_patterns and count >= 3:
                break
    return best_span


def _is_word_char(c: str) -> bool:
    """Part of a multi-character token: alphanumeric and not CJK."""
    return c.isalnum() and (c < "\u1100" or _CJK.match(c) is None)


def _word_start(text: str, i: int) -> int:
    """Move i left to the start of the word it cuts (at most 40 characters)."""
    stop = max(0, i - 40)
    while i > stop and _is_word_char(text[i - 1]) and _is_word_char(text[i]):
        i -= 1
    return i


def _word_end(text: str, i: int) -> int:
    """Move i right to the end of the word it cuts (at most 40 characters)."""
    stop = min(len(text), i + 40)
    while i < stop and i > 0 and _is_word_char(text[i - 1]) and _is_word_char(text[i]):
        i += 1
    return i


def _cut(
    text: str, start: int, end: int, matches: Sequence[_Match]
) -> tuple[str, list[tuple[int, int]]]:
    """Cut about SNIPPET_CHARS around text[start:end], collapse whitespace and
    return the snippet with the spans of the matches inside it."""
    length = len(text)
    if end - start >= SNIPPET_CHARS:
        lo, hi = start, end
    else:
        spare = SNIPPET_CHARS - (end - start)
        lo = max(0, start - spare // 3)
        hi = min(length, lo + SNIPPET_CHARS)
        lo = max(0, min(lo, hi - SNIPPET_CHARS))
    # Do not cut words: move inwards to a boundary, never past a match.
    if lo > 0:
        lo = _next_boundary(text, lo, start)
    if hi < length:
        hi = _prev_boundary(text, hi, end)
    spans = _merge([(m.start, m.end) for m in matches if m.start >= lo and m.end <= hi])
    # Shown NFKC-normalized with runs of whitespace (PDF text is full of line
    # breaks) collapsed. Neither crosses a match boundary (matches start and
    # end with a word character), so the snippet is built piece by piece
    # between boundaries and the highlights fall where the pieces join.
    pieces: list[str] = []
    highlights: list[tuple[int, int]] = []
    head = "…" if lo > 0 else ""
    done, shown = lo, len(head)
    for start, end in spans:
        edges = []
        for edge in (start, end):
            piece = _clean(text[done:edge])
            pieces.append(piece.lstrip() if done == lo else piece)
            shown += len(pieces[-1])
            done = edge
            edges.append(shown)
        highlights.append((edges[0], edges[1]))
    last = _clean(text[done:hi])
    pieces.append((last.lstrip() if done == lo else last).rstrip())
    tail = "…" if hi < length else ""
    return head + "".join(pieces) + tail, highlights


def _clean(piece: str) -> str:
    if not unicodedata.is_normalized("NFKC", piece):
        piece = unicodedata.normalize("NFKC", piece)
    return _WHITESPACE.sub(" ", piece)


def _next_boundary(text: str, i: int, limit: int) -> int:
    """First offset >= i that starts a word (or i itself when none before limit)."""
    j = i
    while j < limit and j < i + 30 and _is_word_char(text[j]) and _is_word_char(text[j - 1]):
        j += 1
    while j < limit and text[j].isspace():
        j += 1
    return j if j <= limit else i


def _prev_boundary(text: str, i: int, limit: int) -> int:
    """Last offset <= i that ends a word (or i itself when none after limit)."""
    j = i
    while j > limit and j > i - 30 and _is_word_char(text[j]) and _is_word_char(text[j - 1]):
        j -= 1
    while j > limit and text[j - 1].isspace():
        j -= 1
    return j if j >= limit else i


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


__all__ = ["SNIPPET_CHARS", "Highlighter"]
