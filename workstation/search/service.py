"""Full-text search as reviewers use it: a query language, filters and snippets.

The index (db.search_index) only ranks pages; this module parses what a reviewer
types, resolves case and date filters in the database, and cuts a highlighted
snippet from each returned page's text, which stays in the pages table.

Query language (`parse_query`):

- ``Rajin port``: both words, anywhere on the page (implicit AND; ``AND`` may be
  written out).
- ``"Rajin port"``: the words adjacent and in this order. Typographic quotes
  (“ ” „ « ») work as well.
- ``Vostoch*``: words starting with ``Vostoch``; ``"Rajin po*"`` a phrase whose
  last word is a prefix.
- ``Rajin OR Najin``; ``NOT Nampo`` or ``-Nampo`` excludes pages; parentheses
  group: ``(Rajin OR Najin) -Nampo``. NOT binds tighter than AND, AND tighter
  than OR. Operators are upper case only: ``or`` is an ordinary word.
- Matching ignores case and Latin accents (``chongjin`` finds ``Chŏngjin``).
  Korean, Japanese and Chinese words are found inside longer runs of text
  (``북한`` in ``북한이``); a CJK word is matched as a phrase of its characters.

Lenient readings: a word with no letters or digits (``&``, ``—``, a lone
``-``) is ignored; ``Anga**`` is ``Anga*``. Errors (QuerySyntaxError, one line):
an empty query, an unbalanced quote or parenthesis, ``()``, an operator with
nothing on one side, ``*`` not at the end of a word or with nothing before it,
and queries that only exclude (``-Nampo``, ``Rajin OR -Nampo``): exclusion
needs something to subtract from.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from db.models import Case, CaseSource, Page, Source
from db.search_index import (
    CJK_CHARACTERS,
    SearchIndex,
    SearchIndexClosedError,
    SearchIndexError,
    analyze,
    token_spans,
)
from db.search_query import And, Leaf, Node, Not, Or, Phrase, Prefix, Term, positive_leaves
from workstation.core.errors import (
    LibraryClosedError,
    LibraryError,
    NotFoundError,
    QuerySyntaxError,
)

SOURCE_KINDS = ("article", "email", "image", "pdf", "text")
"""The values of ``sources.kind`` a search can be limited to."""

SNIPPET_CHARS = 200
"""Target length of a snippet, in characters."""

MAX_NESTING = 32
"""Deepest parenthesis / NOT nesting accepted."""

REINDEX_PAGES_PER_COMMIT = 20_000
"""``reindex_pending`` commits the index (and marks sources) about this often."""

REINDEX_SOURCES_PER_QUERY = 100
"""Sources whose pages ``reindex_pending`` reads with one query."""

_QUOTES = frozenset('"“”„«»')
_OPERATORS = frozenset({"AND", "OR", "NOT"})
_SPECIAL = _QUOTES | {"(", ")"}

# --- parsing ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "word", "phrase", "AND", "OR", "NOT", "(", ")"
    text: str = ""
    prefix: bool = False


def _has_words(text: str) -> bool:
    return bool(analyze(text))


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()":
            tokens.append(_Token(c))
            i += 1
        elif c in _QUOTES:
            start = i
            end = next((j for j in range(i + 1, n) if text[j] in _QUOTES), -1)
            if end < 0:
                raise QuerySyntaxError(
                    f"Unbalanced quote: {text[i : i + 30]!r} has no closing quote; "
                    "add one or remove the opening quote."
                )
            inner = text[i + 1 : end].strip()
            i = end + 1
            prefix = False
            if i < n and text[i] == "*":  # "Rajin po"*
                prefix = True
                i += 1
            if inner.endswith("*"):  # "Rajin po*"
                prefix = True
                inner = inner.rstrip("*").rstrip()
            if "*" in inner:
                raise QuerySyntaxError(
                    f"'*' is only allowed at the end of a phrase, as in \"Rajin po*\": {inner!r}"
                )
            if not _has_words(inner):
                raise QuerySyntaxError(f"The phrase {text[start:i]!r} has no letters or digits.")
            tokens.append(_Token("phrase", inner, prefix))
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in _SPECIAL:
                j += 1
            tokens.extend(_lex_word(text[i:j], text[j : j + 1]))
            i = j
    return tokens


def _lex_word(word: str, following: str) -> list[_Token]:
    if word in _OPERATORS:
        return [_Token(word)]
    negated = False
    if word.startswith("-") and (len(word) > 1 or following in _QUOTES or following == "("):
        negated = True
        word = word[1:]
    out = [_Token("NOT")] if negated else []
    if not word:  # "-" right before a quote or a parenthesis
        return out
    prefix = word.endswith("*")
    stem = word.rstrip("*")
    if "*" in stem:
        raise QuerySyntaxError(f"'*' is only allowed at the end of a word, as in Anga*: {word!r}")
    if prefix and not _has_words(stem):
        raise QuerySyntaxError("'*' must follow at least one letter or digit, as in Anga*.")
    if not _has_words(stem):
        return out  # punctuation such as "&" or "—": nothing to look for
    out.append(_Token("word", stem, prefix))
    return out


class _Parser:
    """Recursive descent: or := and (OR and)*; and := unary ([AND] unary)*."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos].kind if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node:
        node = self.parse_or()
        if self.peek() == ")":
            raise QuerySyntaxError("Unbalanced parenthesis: ')' without a matching '('.")
        return node

    def parse_or(self) -> Node:
        parts = [self.parse_and()]
        while self.peek() == "OR":
            self.take()
            if self.peek() in (None, ")", "OR", "AND"):
                raise QuerySyntaxError(
                    "OR needs a search term on both sides, as in Rajin OR Najin."
                )
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def parse_and(self) -> Node:
        parts = [self.parse_unary()]
        while self.peek() not in (None, "OR", ")"):
            if self.peek() == "AND":
                self.take()
                if self.peek() in (None, ")", "OR", "AND"):
                    raise QuerySyntaxError(
                        "AND needs a search term on both sides, as in Rajin AND port."
                    )
            parts.append(self.parse_unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def parse_unary(self) -> Node:
        if self.peek() == "NOT":
            self.take()
            if self.peek() in (None, ")", "OR", "AND"):
                raise QuerySyntaxError(
                    "NOT (or '-') needs a search term after it, as in Rajin -Nampo."
                )
            part = self.nested(self.parse_unary)
            return part.part if isinstance(part, Not) else Not(part)
        return self.parse_primary()

    def parse_primary(self) -> Node:
        kind = self.peek()
        if kind in ("OR", "AND"):
            raise QuerySyntaxError(
                f"{kind} needs a search term on both sides, as in Rajin {kind} Najin."
            )
        if kind == ")":
            raise QuerySyntaxError("Unbalanced parenthesis: ')' without a matching '('.")
        token = self.take()
        if token.kind == "(":
            if self.peek() == ")":
                raise QuerySyntaxError("Empty parentheses '()': put search terms inside.")
            node = self.nested(self.parse_or)
            if self.peek() != ")":
                raise QuerySyntaxError("Unbalanced parenthesis: '(' without a closing ')'.")
            self.take()
            return node
        if token.prefix:
            return Prefix(token.text)
        return Phrase(token.text) if token.kind == "phrase" else Term(token.text)

    def nested(self, parse: Callable[[], Node]) -> Node:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise QuerySyntaxError(f"The query nests more than {MAX_NESTING} levels deep.")
        try:
            return parse()
        finally:
            self.depth -= 1


def _check_alternatives(node: Node) -> None:
    """Refuse an OR with a side that only excludes: it would match almost everything."""
    if isinstance(node, Or) and not all(_is_positive(p) for p in node.parts):
        raise QuerySyntaxError(
            "Each side of OR needs a word to look for: an excluding side alone "
            "would match almost every page."
        )
    if isinstance(node, And | Or):
        for part in node.parts:
            if not isinstance(part, Not):
                _check_alternatives(part)


def _is_positive(node: Node) -> bool:
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_is_positive(p) for p in node.parts)
    if isinstance(node, Or):
        return all(_is_positive(p) for p in node.parts)
    return True


def parse_query(text: str) -> Node:
    """Parse a reviewer's query (syntax in the module docstring).

    Args:
        text: The query as typed.

    Returns:
        The query tree for ``SearchIndex.search``.

    Raises:
        QuerySyntaxError: The query is empty or malformed; the message says
            what to change, in one line.
    """
    tokens = _lex(text)
    if not tokens:
        raise QuerySyntaxError("Type a word or a phrase to search for.")
    node = _Parser(tokens).parse()
    _check_alternatives(node)
    if not _is_positive(node):
        raise QuerySyntaxError(
            "The query only excludes pages; add a word to look for, as in Rajin -Nampo."
        )
    return node


# --- snippets --------------------------------------------------------------

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


class _Highlighter:
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


# --- the service -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One matching page.

    Attributes:
        source_id: ``sources.id``.
        title: The source's title, or its original file name if it has none.
        kind: ``sources.kind``.
        page: 1-based page number.
        snippet: About 200 characters of the page around its best match, with
            whitespace collapsed; "…" marks a cut.
        highlights: ``(start, end)`` offsets in ``snippet`` of each match: a
            phrase or a CJK word is one span.
        score: Relevance (BM25); only comparable within one search.
    """

    source_id: int
    title: str
    kind: str
    page: int
    snippet: str
    highlights: list[tuple[int, int]]
    score: float


@dataclass(frozen=True, slots=True)
class SearchResults:
    """The answer to one query.

    Attributes:
        query: The query as typed.
        total: How many pages match in all (not only those in ``hits``).
        hits: The requested slice of the matching pages, best first.
    """

    query: str
    total: int
    hits: list[SearchHit]


def _parse_date(value: dt.date | str | None, *, end: bool) -> str | None:
    """An ISO day; 'YYYY' and 'YYYY-MM' mean their first day (or last, for an end)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            day = dt.date(int(text), 12, 31) if end else dt.date(int(text), 1, 1)
        elif re.fullmatch(r"\d{4}-\d{2}", text):
            day = dt.date(int(text[:4]), int(text[5:]), 1)
            if end:
                day = (day + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
        elif len(text) > 10:
            day = dt.datetime.fromisoformat(text).date()
        else:
            day = dt.date.fromisoformat(text)
    except ValueError:
        raise QuerySyntaxError(f"Not a date: {value!r}; use YYYY, YYYY-MM or YYYY-MM-DD.") from None
    return day.isoformat()


class SearchService:
    """Searches one library's pages; one instance per operation (it holds a Session)."""

    def __init__(self, session: Session, index: SearchIndex) -> None:
        """Create the service.

        Args:
            session: The operation's session. ``reindex_pending`` writes and
                commits through it.
            index: The library's search index.
        """
        self._session = session
        self._index = index

    # -- searching ----------------------------------------------------------

    def search(
        self,
        text: str,
        *,
        limit: int = 20,
        offset: int = 0,
        kinds: Collection[str] | None = None,
        case: int | str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
    ) -> SearchResults:
        """Find pages, best first, with a highlighted snippet for each hit.

        Args:
            text: The query (syntax in the module docstring).
            limit: How many hits to return.
            offset: How many of the best hits to skip (paging).
            kinds: Only sources of these kinds (``SOURCE_KINDS``).
            case: Only sources in this case: its id, or its name.
            date_from: Only sources published on or after this day.
            date_to: Only sources published on or before this day. Dates may
                be ``date`` objects or 'YYYY', 'YYYY-MM', 'YYYY-MM-DD' strings;
                sources without a publication date are left out when either
                bound is given, and a partial date ('2024-03') counts as its
                first day.

        Returns:
            The total number of matching pages and the requested hits.

        Raises:
            QuerySyntaxError: The query or a filter value is malformed.
            NotFoundError: No such case.
            LibraryError: The index cannot be read.
        """
        node = parse_query(text)
        return self._run(text, node, limit, offset, *self._filters(kinds, case, date_from, date_to))

    def search_many(
        self,
        lines: Iterable[str],
        *,
        limit: int = 20,
        kinds: Collection[str] | None = None,
        case: int | str | None = None,
        date_from: dt.date | str | None = None,
        date_to: dt.date | str | None = None,
    ) -> list[SearchResults]:
        """Run one query per line (e.g. a list of vessel names), same filters for all.

        Every line is parsed before anything is searched; blank lines are skipped.

        Args:
            lines: The queries.
            limit: Hits per query.
            kinds: As for ``search``.
            case: As for ``search``.
            date_from: As for ``search``.
            date_to: As for ``search``.

        Returns:
            One result per non-blank line, in order.

        Raises:
            QuerySyntaxError: A line is malformed; the message names the line.
        """
        parsed: list[tuple[str, Node]] = []
        for number, line in enumerate(lines, start=1):
            query = line.strip()
            if not query:
                continue
            try:
                parsed.append((query, parse_query(query)))
            except QuerySyntaxError as error:
                raise QuerySyntaxError(f"Line {number}: {error.message}") from error
        filters = self._filters(kinds, case, date_from, date_to)
        return [self._run(query, node, limit, 0, *filters) for query, node in parsed]

    def _filters(
        self,
        kinds: Collection[str] | None,
        case: int | str | None,
        date_from: dt.date | str | None,
        date_to: dt.date | str | None,
    ) -> tuple[set[int] | None, set[str] | None]:
        kind_set: set[str] | None = None
        if kinds is not None:
            kind_set = set(kinds)
            unknown = sorted(kind_set - set(SOURCE_KINDS))
            if unknown:
                raise QuerySyntaxError(
                    f"Unknown source type {unknown[0]!r}; use one of: {', '.join(SOURCE_KINDS)}."
                )
        low = _parse_date(date_from, end=False)
        high = _parse_date(date_to, end=True)
        if low is not None and high is not None and low > high:
            raise QuerySyntaxError(f"The date range is empty: {low} is after {high}.")
        if case is None and low is None and high is None:
            return None, kind_set
        statement = select(Source.id)
        if case is not None:
            case_id = self._case_id(case)
            statement = statement.join(CaseSource, CaseSource.source_id == Source.id).where(
                CaseSource.case_id == case_id
            )
        if low is not None or high is not None:
            # '2024-03' -> '2024-03-01', '2024-03-05T10:00Z' -> '2024-03-05'
            day = func.substr(Source.published.concat("-01-01"), 1, 10)
            statement = statement.where(Source.published.is_not(None))
            if low is not None:
                statement = statement.where(day >= low)
            if high is not None:
                statement = statement.where(day <= high)
        return set(self._session.scalars(statement)), kind_set

    def _case_id(self, case: int | str) -> int:
        if isinstance(case, int):
            found = self._session.get(Case, case)
            if found is None:
                raise NotFoundError(f"No case with id {case}.")
            return found.id
        case_id = self._session.scalar(select(Case.id).where(Case.name == case))
        if case_id is None:
            raise NotFoundError(f"No case named {case!r}.")
        return case_id

    def _run(
        self,
        query: str,
        node: Node,
        limit: int,
        offset: int,
        source_ids: set[int] | None,
        kinds: set[str] | None,
    ) -> SearchResults:
        try:
            total, found = self._index.search(
                node, limit=limit, offset=offset, source_ids=source_ids, kinds=kinds
            )
        except SearchIndexClosedError as error:
            raise LibraryClosedError(str(error)) from error
        except SearchIndexError as error:
            raise LibraryError(str(error)) from error
        except ValueError as error:  # the parser only builds leaves with words
            raise QuerySyntaxError(str(error)) from error
        if not found:
            return SearchResults(query, total, [])
        ids = {hit.source_id for hit in found}
        sources = {
            row.id: row
            for row in self._session.execute(
                select(Source.id, Source.title, Source.original_filename, Source.kind).where(
                    Source.id.in_(ids)
                )
            )
        }
        # An OR of (source_id, number) pairs, which SQLite answers from the
        # unique index (a row-value IN list scans the whole table). Written as
        # text: building it as an expression cost more than running it.
        wanted = " OR ".join(f"(source_id = :s{i} AND number = :n{i})" for i in range(len(found)))
        params: dict[str, int] = {}
        for i, hit in enumerate(found):
            params[f"s{i}"] = hit.source_id
            params[f"n{i}"] = hit.page
        rows = self._session.execute(
            text(f"SELECT source_id, number, text FROM {Page.__tablename__} WHERE {wanted}"),
            params,
        )
        texts = {(row[0], row[1]): row[2] for row in rows}
        highlighter = _Highlighter(positive_leaves(node))
        hits: list[SearchHit] = []
        for hit in found:
            source = sources.get(hit.source_id)
            page_text = texts.get((hit.source_id, hit.page))
            if source is None or page_text is None:
                continue  # deleted since it was indexed; the index catches up later
            snippet, highlights = highlighter.snippet(page_text)
            hits.append(
                SearchHit(
                    source_id=hit.source_id,
                    title=source.title or source.original_filename,
                    kind=source.kind,
                    page=hit.page,
                    snippet=snippet,
                    highlights=highlights,
                    score=hit.score,
                )
            )
        return SearchResults(query, total, hits)

    # -- indexing -----------------------------------------------------------

    def reindex_pending(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Index every source the library marks as not indexed, from the pages table.

        If the index was recreated (deleted, corrupt, older format) every
        source is marked not indexed first. The index is committed before the
        sources are marked indexed, so a crash only means indexing them again.
        Commits the session.

        Args:
            progress: Called with (sources done, sources to do) after each
                source; it may raise (e.g. CancelledError) to stop: what was
                committed stays, the rest stays pending.

        Returns:
            How many sources were indexed.

        Raises:
            LibraryError: The index cannot be written (e.g. another program
                holds its lock for too long).
        """
        session = self._session
        index = self._index
        try:
            if index.needs_rebuild:
                session.execute(update(Source).values(indexed=False))
                session.commit()
                index.clear_needs_rebuild()
            pending = list(
                session.execute(
                    select(Source.id, Source.kind)
                    .where(Source.indexed.is_(False))
                    .order_by(Source.id)
                )
            )
            total = len(pending)
            done = 0
            batch: list[int] = []
            batch_pages = 0
            if progress is not None:
                progress(0, total)
            for chunk_start in range(0, total, REINDEX_SOURCES_PER_QUERY):
                chunk = pending[chunk_start : chunk_start + REINDEX_SOURCES_PER_QUERY]
                kinds = {row.id: row.kind for row in chunk}
                # Streamed: a chunk of big PDFs may hold far more text than fits in memory.
                rows = session.execute(
                    select(Page.source_id, Page.number, Page.text)
                    .where(Page.source_id.in_(kinds))
                    .order_by(Page.source_id, Page.number),
                    execution_options={"yield_per": 500},
                )
                for source_id, group in groupby(rows, key=lambda r: r.source_id):
                    pages = ((r.number, r.text) for r in group)
                    batch_pages += index.add_source(source_id, kinds.pop(source_id), pages)
                    batch.append(source_id)
                    done += 1
                    if progress is not None:
                        progress(done, total)
                for source_id, kind in kinds.items():  # no pages: drop whatever was indexed
                    index.add_source(source_id, kind, ())
                    batch.append(source_id)
                    done += 1
                    if progress is not None:
                        progress(done, total)
                if batch_pages >= REINDEX_PAGES_PER_COMMIT:
                    self._mark_indexed(batch)
                    batch, batch_pages = [], 0
            if batch:  # an up-to-date library costs no index commit
                self._mark_indexed(batch)
        except SearchIndexClosedError as error:
            session.rollback()
            raise LibraryClosedError(str(error)) from error
        except SearchIndexError as error:
            index.rollback()
            session.rollback()
            raise LibraryError(str(error)) from error
        except BaseException:
            with contextlib.suppress(SearchIndexError):
                index.rollback()
            session.rollback()
            raise
        return done

    def _mark_indexed(self, source_ids: list[int]) -> None:
        self._index.commit()
        if source_ids:
            for start in range(0, len(source_ids), 500):
                self._session.execute(
                    update(Source)
                    .where(Source.id.in_(source_ids[start : start + 500]))
                    .values(indexed=True)
                )
            self._session.commit()


__all__ = [
    "SOURCE_KINDS",
    "SearchHit",
    "SearchResults",
    "SearchService",
    "parse_query",
]
