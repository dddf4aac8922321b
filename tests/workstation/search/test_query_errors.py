"""Queries that do not parse get one clear line, whatever was typed (issue 12)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db.search_query import Node
from workstation.core.errors import QuerySyntaxError
from workstation.search.query import parse_query


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("(", "Unbalanced parenthesis: '(' without a closing ')'."),
        ("Rajin (", "Unbalanced parenthesis: '(' without a closing ')'."),
        ("((((", "Unbalanced parenthesis: '(' without a closing ')'."),
        ("Rajin (port OR (", "Unbalanced parenthesis: '(' without a closing ')'."),
        ("-(", "Unbalanced parenthesis: '(' without a closing ')'."),
        ("NEAR(", 'NEAR(...) is not supported: search a phrase ("Rajin port") or both words'),
        ("NEAR(Rajin port)", "NEAR(...) is not supported"),
        ("Rajin NEAR(port", "NEAR(...) is not supported"),
    ],
)
def test_unfinished_queries_get_one_line(text: str, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(text)
    assert caught.value.message.startswith(message)
    assert "\n" not in caught.value.message


def test_near_as_a_word_is_still_a_word() -> None:
    assert parse_query("near (Rajin)") is not None
    assert parse_query("NEAR Rajin") is not None


# Everything the lexer treats specially, and a few words in the scripts reviewers read.
_PIECES = st.sampled_from(
    ["(", ")", '"', "“", "”", "«", "»", "-", "*", " ", "OR", "AND", "NOT", "NEAR", "Rajin",
     "po", "북한", "港", "\u202e", "\x00", "&", "—"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join) | st.text(max_size=40))
def test_any_text_parses_or_raises_query_syntax_error(text: str) -> None:
    try:
        node: Node | None = parse_query(text)
    except QuerySyntaxError as error:
        node, message = None, error.message
    if node is None:
        assert message
        assert "\n" not in message
    else:
        assert isinstance(node, Node)
