"""The query language: what a reviewer may type, and one-line errors for what they may not."""

from __future__ import annotations

import pytest

from db.search_query import And, Node, Not, Or, Phrase, Prefix, Term
from workstation.core.errors import QuerySyntaxError
from workstation.search.query import parse_query


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("Rajin", Term("Rajin")),
        ("Rajin port", And((Term("Rajin"), Term("port")))),
        ("Rajin AND port", And((Term("Rajin"), Term("port")))),
        ('"Rajin port"', Phrase("Rajin port")),
        ("“Rajin port”", Phrase("Rajin port")),
        ("«Rajin port»", Phrase("Rajin port")),
        ("Anga*", Prefix("Anga")),
        ("Anga**", Prefix("Anga")),
        ('"Rajin po*"', Prefix("Rajin po")),
        ('"Rajin po"*', Prefix("Rajin po")),
        ("Rajin OR Najin", Or((Term("Rajin"), Term("Najin")))),
        ("Rajin -Nampo", And((Term("Rajin"), Not(Term("Nampo"))))),
        ("Rajin NOT Nampo", And((Term("Rajin"), Not(Term("Nampo"))))),
        ("Rajin AND NOT Nampo", And((Term("Rajin"), Not(Term("Nampo"))))),
        ("NOT NOT Rajin", Term("Rajin")),
        ('-"port of" Rajin', And((Not(Phrase("port of")), Term("Rajin")))),
        (
            "(Rajin OR Najin) -(coal OR oil)",
            And((Or((Term("Rajin"), Term("Najin"))), Not(Or((Term("coal"), Term("oil")))))),
        ),
        (
            "a OR b c",  # AND binds tighter than OR
            Or((Term("a"), And((Term("b"), Term("c"))))),
        ),
        ("rajin or najin", And((Term("rajin"), Term("or"), Term("najin")))),
        ("Kim Il-sung", And((Term("Kim"), Term("Il-sung")))),
        ("Rajin - port &", And((Term("Rajin"), Term("port")))),
        ("북한 朝鮮", And((Term("북한"), Term("朝鮮")))),
        ("Rajin (-coal -oil)", And((Term("Rajin"), And((Not(Term("coal")), Not(Term("oil"))))))),
        ("Rajin -(coal OR -oil)", And((Term("Rajin"), Not(Or((Term("coal"), Not(Term("oil")))))))),
    ],
)
def test_parse_query(text: str, tree: Node) -> None:
    assert parse_query(text) == tree


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type a word"),
        ("   ", "Type a word"),
        ("& —", "Type a word"),
        ('"unbalanced', "Unbalanced quote"),
        ('Rajin "port', "Unbalanced quote"),
        ('""', "no letters or digits"),
        ("OR", "OR needs a search term on both sides"),
        ("Rajin OR", "OR needs a search term on both sides"),
        ("OR Rajin", "OR needs a search term on both sides"),
        ("Rajin AND", "AND needs a search term on both sides"),
        ("Rajin OR AND port", "OR needs"),
        ("()", "Empty parentheses"),
        ("(Rajin", "without a closing"),
        ("Rajin)", "without a matching"),
        ("*", "'*' must follow at least one letter"),
        ("-*", "'*' must follow at least one letter"),
        ("Ra*jin", "only allowed at the end of a word"),
        ('"Ra*jin port"', "only allowed at the end of a phrase"),
        ("NOT", "needs a search term after it"),
        ("Rajin NOT", "needs a search term after it"),
        ("-Nampo", "only excludes pages"),
        ("NOT Nampo -coal", "only excludes pages"),
        ("Rajin OR -Nampo", "Each side of OR"),
        ("Rajin OR (-Nampo -coal)", "Each side of OR"),
        ("(Rajin OR -Nampo) coal", "Each side of OR"),
        ("(-Nampo) (-coal)", "only excludes pages"),
        ("(" * 40 + "Rajin" + ")" * 40, "nests more than"),
    ],
)
def test_bad_queries_give_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(QuerySyntaxError, match=message) as caught:
        parse_query(text)
    assert "\n" not in str(caught.value)
