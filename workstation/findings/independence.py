"""Which of a finding's sources are independent of one another, and why the others are not.

A finding is corroborated by independent sources; two reports that share an origin are one
source, however many times it was republished. Two sources are one when they are the same
bytes, when a reviewer declared one derived from the other or both from one origin, when
they come from the same publisher, or when their texts are one story (near_duplicates.py).
These relations chain: if B was derived from A and C is B's text republished, A, B and C
are one group. ``independent_groups`` joins sources with union-find and keeps, for every
group, each relation that holds inside it, worded for the reviewer ("same publisher:
Reuters", "one story: 87 % shared text").

Plain data in and out: the findings service reads the rows and calls this; nothing here
touches the database.
"""

from __future__ import annotations

import enum
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal


class Rule(enum.Enum):
    """Why two sources are not independent, strongest first."""

    SAME_BYTES = "same_bytes"
    DERIVED_FROM = "derived_from"
    SAME_ORIGIN = "same_origin"
    SAME_PUBLISHER = "same_publisher"
    ONE_STORY = "one_story"


_RANK = {rule: rank for rank, rule in enumerate(Rule)}


@dataclass(frozen=True)
class SourceFacts:
    """What independence is judged on for one source.

    Attributes:
        source_id: the source's id (any string the caller uses to name it).
        sha256: the hex SHA-256 of its original bytes.
        publisher: the publisher or organisation, as recorded; None or blank when unknown.
    """

    source_id: str
    sha256: str
    publisher: str | None = None


@dataclass(frozen=True)
class Declared:
    """A relation a reviewer declared (``sources relate``).

    ``derived_from``: source_id was derived from other_id. ``same_origin``: both come from one
    origin. other_id may be a source outside the finding: two of its sources both derived
    from a third are still one group.
    """

    source_id: str
    other_id: str
    kind: Literal["derived_from", "same_origin"]


@dataclass(frozen=True)
class SharedText:
    """Two sources whose texts are one story, and how much text they share (0..1)."""

    source_id: str
    other_id: str
    shared: float


@dataclass(frozen=True)
class Link:
    """One reason two sources are not independent.

    Attributes:
        source_id: one side (for ``derived_from``, the derived source).
        other_id: the other side (for ``derived_from``, the one it was derived from).
        rule: which rule holds.
        publisher: the publisher's name as recorded, for ``same_publisher``.
        shared: the share of text, for ``one_story``.
    """

    source_id: str
    other_id: str
    rule: Rule
    publisher: str = ""
    shared: float = 0.0

    @property
    def reason(self) -> str:
        """The rule in a few words: "same bytes", "one story: 87 % shared text"..."""
        if self.rule is Rule.SAME_BYTES:
            return "same bytes"
        if self.rule is Rule.DERIVED_FROM:
            return "declared derived from"
        if self.rule is Rule.SAME_ORIGIN:
            return "declared same origin"
        if self.rule is Rule.SAME_PUBLISHER:
            return f"same publisher: {self.publisher}"
        return f"one story: {percent(self.shared)} % shared text"

    def sentence(self, name: Callable[[str], str] = str) -> str:
        """The reason as a sentence about the two sources, named by `name`."""
        a, b = name(self.source_id), name(self.other_id)
        if self.rule is Rule.DERIVED_FROM:
            return f"{a} is declared derived from {b}"
        if self.rule is Rule.SAME_ORIGIN:
            return f"{a} and {b} are declared of the same origin"
        if self.rule is Rule.SAME_BYTES:
            return f"{a} and {b} are the same bytes"
        if self.rule is Rule.SAME_PUBLISHER:
            return f"{a} and {b} have the same publisher: {self.publisher}"
        return f"{a} and {b} are one story: {percent(self.shared)} % shared text"

    def to_json(self) -> dict[str, object]:
        """The link as plain JSON values (ids, rule, reason)."""
        return {
            "source": self.source_id,
            "other": self.other_id,
            "rule": self.rule.value,
            "reason": self.reason,
        }


def percent(share: float) -> int:
    """A share in whole percent, rounded down: 0.499 never reads as 50 %."""
    return math.floor(share * 100 + 1e-9)


@dataclass(frozen=True)
class SourceGroup:
    """Sources that count as one, and every reason that holds among them.

    Attributes:
        source_ids: the finding's sources in the group, in the order they were given.
        links: each relation inside the group, strongest rule first. A link may name a
            source outside the finding (one both were derived from).
        joins: the links that joined two parts of the group, strongest first: enough to
            explain why the group is one (one fewer than the sources and outside sources
            it spans).
    """

    source_ids: tuple[str, ...]
    links: tuple[Link, ...]
    joins: tuple[Link, ...]

    def explain(self, name: Callable[[str], str] = str) -> list[str]:
        """One sentence per join; empty for a source that stands alone."""
        return [link.sentence(name) for link in self.joins]


@dataclass(frozen=True)
class Independence:
    """A finding's sources in independent groups."""

    groups: tuple[SourceGroup, ...]

    @property
    def independent(self) -> int:
        """How many independent groups: the corroboration count."""
        return len(self.groups)

    @property
    def sources(self) -> int:
        """How many sources were judged."""
        return sum(len(group.source_ids) for group in self.groups)

    def group_of(self, source_id: str) -> SourceGroup:
        """The group a source is in (KeyError when it was not judged)."""
        for group in self.groups:
            if source_id in group.source_ids:
                return group
        raise KeyError(source_id)

    def badge(self) -> str:
        """ "2 independent of 3 sources", as the list shows it."""
        noun = "source" if self.sources == 1 else "sources"
        return f"{self.independent} independent of {self.sources} {noun}"


def publisher_key(publisher: str | None) -> str:
    """A publisher name as compared: NFKC, casefolded, spaces and dots collapsed.

    "Reuters", " REUTERS " and "Reuters." are one publisher; "Thomson Reuters" is another
    (telling a group from its members needs a register, which we do not have).
    """
    if not publisher:
        return ""
    folded = unicodedata.normalize("NFKC", publisher).casefold()
    return " ".join(re.sub(r"[.\s]+", " ", folded).split())


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.size: dict[str, int] = {}

    def find(self, item: str) -> str:
        parent = self.parent.setdefault(item, item)
        if parent == item:
            self.size.setdefault(item, 1)
            return item
        root = self.find(parent)
        self.parent[item] = root
        return root

    def union(self, a: str, b: str) -> bool:
        """Join the parts of a and b; False when they were one part already."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size.pop(rb)
        return True


def independent_groups(
    sources: Iterable[SourceFacts],
    declared: Iterable[Declared] = (),
    shared_text: Iterable[SharedText] = (),
) -> Independence:
    """The sources in independent groups, each with the reasons that hold inside it.

    Groups come in the order of their first source; a source in no relation is a group of
    its own. Declared relations and shared-text pairs may name sources outside `sources`;
    they join through them but are not listed as members.

    Raises:
        ValueError: a source id is given twice.
    """
    facts = list(sources)
    ids = [f.source_id for f in facts]
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"sources given twice: {', '.join(twice)}")
    links = _links(facts, declared, shared_text)
    parts = _UnionFind()
    for source_id in ids:
        parts.find(source_id)
    joined: set[Link] = set()
    for link in links:
        if parts.union(link.source_id, link.other_id):
            joined.add(link)
    members: dict[str, list[str]] = {}
    for source_id in ids:
        members.setdefault(parts.find(source_id), []).append(source_id)
    inside: dict[str, list[Link]] = {root: [] for root in members}
    for link in links:
        root = parts.find(link.source_id)
        if root in inside:
            inside[root].append(link)
    groups = tuple(
        SourceGroup(
            tuple(group),
            tuple(inside[root]),
            tuple(link for link in inside[root] if link in joined),
        )
        for root, group in members.items()
    )
    return Independence(groups)


def _links(
    facts: list[SourceFacts], declared: Iterable[Declared], shared_text: Iterable[SharedText]
) -> list[Link]:
    """Every reason, one link each, strongest rule first and in input order within a rule.

    Same bytes and same publisher link each source to the first one with its hash or
    publisher (a star, not every pair); a pair declared or measured twice is linked once.
    """
    links: list[Link] = []
    first_by_hash: dict[str, str] = {}
    first_by_publisher: dict[str, SourceFacts] = {}
    for fact in facts:
        digest = fact.sha256.strip().lower()
        if digest:
            first = first_by_hash.setdefault(digest, fact.source_id)
            if first != fact.source_id:
                links.append(Link(first, fact.source_id, Rule.SAME_BYTES))
        key = publisher_key(fact.publisher)
        if key:
            earlier = first_by_publisher.setdefault(key, fact)
            if earlier is not fact:
                name = (earlier.publisher or "").strip()
                links.append(Link(earlier.source_id, fact.source_id, Rule.SAME_PUBLISHER, name))
    seen: set[tuple[Rule, frozenset[str]]] = set()
    for relation in declared:
        rule = Rule.DERIVED_FROM if relation.kind == "derived_from" else Rule.SAME_ORIGIN
        pair = frozenset((relation.source_id, relation.other_id))
        if len(pair) == 2 and (rule, pair) not in seen:
            seen.add((rule, pair))
            links.append(Link(relation.source_id, relation.other_id, rule))
    best: dict[frozenset[str], SharedText] = {}
    for found in shared_text:
        pair = frozenset((found.source_id, found.other_id))
        if len(pair) == 2 and (pair not in best or found.shared > best[pair].shared):
            best[pair] = found
    links.extend(
        Link(found.source_id, found.other_id, Rule.ONE_STORY, shared=found.shared)
        for found in best.values()
    )
    links.sort(key=lambda link: _RANK[link.rule])  # stable: input order within a rule
    return links
