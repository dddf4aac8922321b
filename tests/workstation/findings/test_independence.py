"""Independent groups of a finding's sources: every rule, chains, and the words for them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workstation.findings.independence import (
    Declared,
    Rule,
    SharedText,
    SourceFacts,
    independent_groups,
    publisher_key,
)


def facts(*ids: str, publisher: dict[str, str] | None = None) -> list[SourceFacts]:
    """Sources with distinct hashes (the id repeated) and the given publishers."""
    publisher = publisher or {}
    return [SourceFacts(i, (i.encode().hex() * 64)[:64], publisher.get(i)) for i in ids]


def test_a_source_in_no_relation_is_a_group_of_its_own() -> None:
    result = independent_groups(facts("A", "B", "C"))

    assert [g.source_ids for g in result.groups] == [("A",), ("B",), ("C",)]
    assert all(g.links == () and g.explain() == [] for g in result.groups)
    assert result.independent == 3
    assert result.badge() == "3 independent of 3 sources"


def test_the_same_bytes_are_one_source() -> None:
    a, b, c = facts("A", "B", "C")
    b = SourceFacts("B", a.sha256.upper())  # hex case does not matter

    result = independent_groups([a, b, c])

    assert [g.source_ids for g in result.groups] == [("A", "B"), ("C",)]
    (link,) = result.group_of("B").links
    assert (link.rule, link.reason) == (Rule.SAME_BYTES, "same bytes")
    assert result.group_of("A").explain() == ["A and B are the same bytes"]


def test_a_declared_derivation_joins_the_copy_to_its_original() -> None:
    result = independent_groups(facts("A", "B", "C"), [Declared("B", "A", "derived_from")])

    assert result.badge() == "2 independent of 3 sources"
    (link,) = result.group_of("A").joins
    assert link.reason == "declared derived from"
    assert result.group_of("A").explain() == ["B is declared derived from A"]


def test_a_declared_common_origin_joins_both() -> None:
    result = independent_groups(facts("A", "B"), [Declared("A", "B", "same_origin")])

    assert result.independent == 1
    assert result.groups[0].explain() == ["A and B are declared of the same origin"]
    assert result.groups[0].links[0].reason == "declared same origin"


def test_the_same_publisher_is_one_source_whatever_the_spelling() -> None:
    sources = facts(
        "A",
        "B",
        "C",
        "D",
        "E",
        publisher={"A": "Reuters", "B": " REUTERS. ", "C": "Thomson Reuters", "D": "  "},
    )

    result = independent_groups(sources)

    assert [g.source_ids for g in result.groups] == [("A", "B"), ("C",), ("D",), ("E",)]
    (link,) = result.group_of("A").links
    assert link.reason == "same publisher: Reuters"
    assert result.group_of("B").explain() == ["A and B have the same publisher: Reuters"]
    assert publisher_key("Ｒｅｕｔｅｒｓ") == publisher_key("reuters")  # full-width, NFKC


def test_one_story_says_how_much_text_is_shared_rounded_down() -> None:
    result = independent_groups(facts("A", "B", "C"), shared_text=[SharedText("B", "C", 0.8799)])

    (link,) = result.group_of("C").links
    assert link.reason == "one story: 87 % shared text"
    assert result.group_of("B").explain() == ["B and C are one story: 87 % shared text"]
    assert link.to_json() == {
        "source": "B",
        "other": "C",
        "rule": "one_story",
        "reason": "one story: 87 % shared text",
    }


def test_relations_chain_into_one_group() -> None:
    sources = facts("A", "B", "C", "D", "E", publisher={"C": "Yonhap", "D": "yonhap"})
    declared = [Declared("B", "A", "derived_from")]
    shared = [SharedText("B", "C", 0.91)]

    result = independent_groups(sources, declared, shared)

    assert [g.source_ids for g in result.groups] == [("A", "B", "C", "D"), ("E",)]
    group = result.group_of("D")
    assert [link.rule for link in group.joins] == [
        Rule.DERIVED_FROM,
        Rule.SAME_PUBLISHER,
        Rule.ONE_STORY,
    ]
    assert group.explain() == [
        "B is declared derived from A",
        "C and D have the same publisher: Yonhap",
        "B and C are one story: 91 % shared text",
    ]
    assert result.badge() == "2 independent of 5 sources"


def test_two_copies_of_an_outside_source_are_one_group_without_it() -> None:
    declared = [Declared("A", "X", "derived_from"), Declared("B", "X", "derived_from")]

    result = independent_groups(facts("A", "B", "C"), declared)

    assert [g.source_ids for g in result.groups] == [("A", "B"), ("C",)]
    assert result.group_of("A").explain() == [
        "A is declared derived from X",
        "B is declared derived from X",
    ]


def test_relations_among_outside_sources_only_make_no_group() -> None:
    result = independent_groups(facts("A"), [Declared("X", "Y", "same_origin")])

    assert [g.source_ids for g in result.groups] == [("A",)]
    assert result.groups[0].links == ()


def test_the_strongest_reason_explains_a_join_and_every_reason_is_kept() -> None:
    sources = facts("A", "B", publisher={"A": "KCNA", "B": "KCNA"})
    shared = [SharedText("A", "B", 0.6), SharedText("B", "A", 0.95)]  # measured twice

    group = independent_groups(sources, shared_text=shared).groups[0]

    assert [link.reason for link in group.joins] == ["same publisher: KCNA"]
    assert [link.reason for link in group.links] == [
        "same publisher: KCNA",
        "one story: 95 % shared text",
    ]


def test_a_relation_of_a_source_with_itself_is_ignored() -> None:
    result = independent_groups(
        facts("A", "B"), [Declared("A", "A", "same_origin")], [SharedText("B", "B", 1.0)]
    )

    assert result.independent == 2
    assert all(g.links == () for g in result.groups)


def test_a_source_given_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="sources given twice: A"):
        independent_groups([*facts("A", "B"), *facts("A")])


def test_badge_and_lookup_of_a_single_source() -> None:
    result = independent_groups(facts("A"))

    assert result.badge() == "1 independent of 1 source"
    with pytest.raises(KeyError):
        result.group_of("Z")


ids = st.sampled_from("ABCDEFGH")
relations = st.lists(
    st.tuples(ids, ids, st.sampled_from(["derived_from", "same_origin", "story", "bytes"])),
    max_size=12,
)


@given(relations)
def test_groups_are_the_connected_parts_of_the_relations(edges: list[tuple[str, str, str]]) -> None:
    names = "ABCDEFGH"
    hashes = {n: n * 64 for n in names}
    for a, b, kind in edges:
        if kind == "bytes":  # give b the hash of a (and everything that shared b's hash)
            old = hashes[b]
            hashes.update({n: hashes[a] for n, h in hashes.items() if h == old})
    sources = [SourceFacts(n, hashes[n]) for n in names]
    declared = [Declared(a, b, k) for a, b, k in edges if k in ("derived_from", "same_origin")]
    shared = [SharedText(a, b, 0.9) for a, b, k in edges if k == "story"]

    result = independent_groups(sources, declared, shared)

    # The expected partition, by a naive closure over the same edges.
    neighbours: dict[str, set[str]] = {n: set() for n in names}
    for a, b, kind in edges:
        if kind != "bytes":
            neighbours[a].add(b)
            neighbours[b].add(a)
    for a in names:
        for b in names:
            if hashes[a] == hashes[b]:
                neighbours[a].add(b)
    expected = set()
    for start in names:
        seen, todo = {start}, [start]
        while todo:
            for nxt in neighbours[todo.pop()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        expected.add(frozenset(seen))
    assert {frozenset(g.source_ids) for g in result.groups} == expected
    for group in result.groups:
        assert len(group.joins) == len(group.source_ids) - 1  # a spanning tree, no outsiders
