"""A typed quote matches the typeset text (issue 14): ’ for ', “ ” for ", a no-break
space for a space, a word hyphenated at a line end; and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import Source
from tests import samples
from tests.conftest import run_cli_subprocess
from workstation.annotations.quotes import quote_pattern, shown_quote
from workstation.annotations.service import AnnotationError, find_quote
from workstation.core.library import Library
from workstation.sources.ingest import ImportService

TYPESET = (
    "The master’s log says the “SKY VENUS” left Nampo\u00a0at dawn.\n"
    "Coal was trans-\nshipped to a lighter off the pier.\n"
)


@pytest.fixture
def memo(library: Library, tmp_path: Path) -> Source:
    samples.make_text(tmp_path / "in", name="typeset.txt", text=TYPESET)
    ImportService(library).import_paths([tmp_path / "in"])
    with library.reader() as session:
        source = session.scalar(select(Source))
        assert source is not None
        session.expunge(source)
        return source


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("master's log", "master’s log"),
        ('the "SKY VENUS" left', "the “SKY VENUS” left"),
        ("Nampo at dawn", "Nampo\u00a0at dawn"),
        ("transshipped to", "trans-\nshipped to"),
    ],
)
def test_a_typed_quote_finds_the_typeset_text(
    library: Library, memo: Source, typed: str, found: str
) -> None:
    with library.reader() as session:
        anchor = find_quote(session, memo, typed)
    assert anchor.exact == found  # the anchor holds the text as the source has it


def test_other_letters_still_do_not_match() -> None:
    assert quote_pattern("masters log").search(TYPESET) is None
    assert quote_pattern("SKY VENUS left").search(TYPESET) is None  # the quotes are missing


def test_a_quote_not_found_is_named_whole_words(library: Library, memo: Source) -> None:
    long = "a shipment of refined petroleum products transferred at night near the pier"
    with library.reader() as session, pytest.raises(AnnotationError) as caught:
        find_quote(session, memo, long)
    assert shown_quote(long) in caught.value.message
    assert shown_quote(long).endswith("…")
    assert long.startswith(shown_quote(long)[:-1])
    assert shown_quote(long)[:-1].split()[-1] in long.split()  # no word cut in half


def test_annotate_with_a_straight_apostrophe_from_the_cli(library: Library, memo: Source) -> None:
    root = str(library.root)
    library.close()
    done = run_cli_subprocess(
        "--library", root, "annotate", str(memo.id), "--quote", "master's log"
    )
    assert done.returncode == 0, done.stderr
