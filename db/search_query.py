"""The search query tree shared by the parser and the index.

workstation/ parses what a reviewer types into these nodes; db/ turns them into
index queries. Keeping the tree here lets db/ stay ignorant of the query syntax.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Term:
    """A word as typed, e.g. ``Angara`` or ``북한``.

    The index analyzes it; if it yields several tokens (``Il-sung``, or any CJK
    word, which is indexed one character per token) they must appear adjacent
    and in order, exactly like a phrase.

    Attributes:
        text: The word as the reviewer typed it.
    """

    text: str


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words that must appear adjacent and in this order (``"Rajin port"``).

    Attributes:
        text: The text between the quotes.
    """

    text: str


@dataclass(frozen=True, slots=True)
class Prefix:
    """A word or phrase whose last token is a prefix (``Anga*``, ``"Rajin po*"``).

    Attributes:
        text: The text without the trailing ``*``.
    """

    text: str


@dataclass(frozen=True, slots=True)
class And:
    """All parts must match.

    Attributes:
        parts: The sub-queries; ``Not`` parts exclude pages.
    """

    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """At least one part must match.

    Attributes:
        parts: The sub-queries.
    """

    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """Pages that match ``part`` are excluded.

    Attributes:
        part: The sub-query to exclude.
    """

    part: Node


Node = Term | Phrase | Prefix | And | Or | Not
"""Any node of a query tree."""

Leaf = Term | Phrase | Prefix
"""A node that names text to look for."""


def positive_leaves(node: Node) -> Iterator[Leaf]:
    """Yield the leaves that make a page match, skipping everything under ``Not``.

    These are what a snippet should show and highlight.

    Args:
        node: The root of a query tree.

    Yields:
        Each Term, Phrase and Prefix outside any Not, in query order.
    """
    if isinstance(node, Term | Phrase | Prefix):
        yield node
    elif isinstance(node, And | Or):
        for part in node.parts:
            yield from positive_leaves(part)
