"""The query language reviewers type into the search box, parsed into a tree for the index.

Kept apart from the service so the syntax and its error messages can be read, and
tested, without a library.

Syntax (`parse_query`):

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
queries that only exclude (``-Nampo``, ``Rajin OR -Nampo``): exclusion
needs something to subtract from, and SQLite's ``NEAR(...)``, which is not
ours. Any text either parses or raises QuerySyntaxError (a property test
holds the parser to that).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from db.search_analyzer import analyze
from db.search_query import And, Node, Not, Or, Phrase, Prefix, Term
from workstation.core.errors import QuerySyntaxError

MAX_NESTING = 32
"""Deepest parenthesis / NOT nesting accepted."""

_QUOTES = frozenset('"“”„«»')
_OPERATORS = frozenset({"AND", "OR", "NOT"})
_SPECIAL = _QUOTES | {"(", ")"}


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
            if text[i:j] == "NEAR" and text[j : j + 1] == "(":
                raise QuerySyntaxError(
                    'NEAR(...) is not supported: search a phrase ("Rajin port") '
                    "or both words (Rajin port)."
                )
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
        if kind is None:  # only reachable right after an opening parenthesis
            raise QuerySyntaxError("Unbalanced parenthesis: '(' without a closing ')'.")
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


__all__ = ["MAX_NESTING", "Node", "parse_query"]
