"""Search as reviewers use it: hits, filters, snippets, reindexing."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, select, update
from sqlalchemy.orm import Session

from db.models import Base, Case, CaseSource, Page, Reviewer, Source
from db.search_index import SearchIndex
from workstation.core.errors import CancelledError, NotFoundError, QuerySyntaxError
from workstation.search.service import SearchHit, SearchResults, SearchService
from workstation.search.snippets import SNIPPET_CHARS

NOW = "2025-01-01T00:00:00Z"

FILLER = (
    "The committee reviewed routine correspondence about budgets, meetings and "
    "travel arrangements for the coming session. "
) * 6

# id: (kind, title, published, pages)
SOURCES: dict[int, tuple[str, str | None, str | None, list[str]]] = {
    1: (
        "pdf",
        "Panel report 2024",
        "2024-03-15",
        [
            FILLER + "The tanker ANGARA called at Rajin port in March. " + FILLER,
            "Coal was loaded at the port of Rajin by night.",
            "Annex: nothing of note.",
        ],
    ),
    2: ("article", "Вести", "2024-07-01T08:30:00Z", ["Снаряды грузили в порту Раджин. СНАРЯДЫ!"]),
    3: ("article", "연합뉴스", "2023-11", ["기사: 북한이 러시아에 포탄을 보냈다."]),
    4: ("pdf", None, "2022", ["報道によると北朝鮮がロシアに弾薬を送った。"]),
    5: ("text", "Notes", None, ["据报道，朝鲜船只在南浦附近进行转运。", "Angarsk seen off Nampo."]),
    6: ("email", "Tip-off", "2024-12-31", ["ﬁnancial ties of Chŏngjin Shipping, see Rajin."]),
}


def make_library(tmp_path: Path) -> Session:
    engine = create_engine(f"sqlite:///{tmp_path / 'library.sqlite'}")
    Base.metadata.create_all(engine)
    session = Session(engine)
    session.add(Reviewer(id=1, name="alice", created_at=NOW))
    for source_id, (kind, title, published, pages) in SOURCES.items():
        session.add(
            Source(
                id=source_id,
                uuid=str(uuid.uuid4()),
                sha256=f"{source_id:064x}",
                size=1,
                media_type="text/plain",
                kind=kind,
                original_filename=f"file{source_id}.bin",
                title=title,
                published=published,
                imported_at=NOW,
                imported_by_id=1,
                page_count=len(pages),
                indexed=False,
            )
        )
        session.flush()
        for number, text in enumerate(pages, start=1):
            session.add(Page(source_id=source_id, number=number, text=text))
    session.add(Case(id=1, uuid=str(uuid.uuid4()), name="Rajin", created_at=NOW, created_by_id=1))
    session.flush()
    for source_id in (2, 3):
        session.add(CaseSource(case_id=1, source_id=source_id, added_at=NOW, added_by_id=1))
    session.commit()
    return session


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    s = make_library(tmp_path)
    yield s
    s.close()
    s.get_bind().dispose()  # type: ignore[union-attr]


@pytest.fixture
def index(tmp_path: Path) -> Iterator[SearchIndex]:
    ix = SearchIndex(tmp_path / "derived" / "search-index")
    yield ix
    ix.close()


@pytest.fixture
def service(session: Session, index: SearchIndex) -> SearchService:
    svc = SearchService(session, index)
    assert svc.reindex_pending() == len(SOURCES)
    return svc


def pages(results: SearchResults) -> set[tuple[int, int]]:
    return {(h.source_id, h.page) for h in results.hits}


def marked(hit: SearchHit) -> list[str]:
    return [hit.snippet[start:end] for start, end in hit.highlights]


# --- searching -------------------------------------------------------------


def test_english_hit_has_title_kind_page_and_highlighted_snippet(service: SearchService) -> None:
    results = service.search("angara")
    assert results.query == "angara"
    assert results.total == 1
    (hit,) = results.hits
    assert (hit.source_id, hit.title, hit.kind, hit.page) == (1, "Panel report 2024", "pdf", 1)
    assert marked(hit) == ["ANGARA"]
    assert hit.score > 0
    # A long page is cut to about SNIPPET_CHARS around the match, marked as cut.
    assert hit.snippet.startswith("…")
    assert hit.snippet.endswith("…")
    assert SNIPPET_CHARS - 40 <= len(hit.snippet) <= SNIPPET_CHARS + 10
    assert "Rajin port" in hit.snippet


def test_page_numbers_are_the_matching_pages(service: SearchService) -> None:
    assert pages(service.search("coal")) == {(1, 2)}
    assert pages(service.search("annex")) == {(1, 3)}
    assert pages(service.search("Nampo")) == {(5, 2)}


def test_phrase_is_one_highlight_and_order_matters(service: SearchService) -> None:
    results = service.search('"Rajin port"')
    assert pages(results) == {(1, 1)}
    assert marked(results.hits[0]) == ["Rajin port"]
    assert pages(service.search('"port of Rajin"')) == {(1, 2)}


def test_and_highlights_each_word(service: SearchService) -> None:
    results = service.search("coal Rajin")
    assert pages(results) == {(1, 2)}
    assert marked(results.hits[0]) == ["Coal", "Rajin"]


def test_or_and_not(service: SearchService) -> None:
    assert pages(service.search("coal OR Angarsk")) == {(1, 2), (5, 2)}
    assert pages(service.search("Rajin -coal -Раджин")) == {(1, 1), (6, 1)}
    assert pages(service.search("Rajin NOT (coal OR ANGARA)")) == {(6, 1)}


def test_prefix_highlights_the_completed_word(service: SearchService) -> None:
    results = service.search("Anga*")
    assert pages(results) == {(1, 1), (5, 2)}
    assert {tuple(marked(h)) for h in results.hits} == {("ANGARA",), ("Angarsk",)}


def test_russian_case_insensitive_with_highlights(service: SearchService) -> None:
    results = service.search("СНАРЯДЫ")
    assert pages(results) == {(2, 1)}
    assert marked(results.hits[0]) == ["Снаряды", "СНАРЯДЫ"]
    assert pages(service.search("раджин")) == {(2, 1)}


def test_korean_word_inside_a_longer_run(service: SearchService) -> None:
    results = service.search("북한")
    assert pages(results) == {(3, 1)}
    assert marked(results.hits[0]) == ["북한"]
    assert results.hits[0].title == "연합뉴스"


def test_japanese_word_inside_a_longer_run(service: SearchService) -> None:
    results = service.search("北朝鮮")
    assert pages(results) == {(4, 1)}
    hit = results.hits[0]
    assert marked(hit) == ["北朝鮮"]
    assert hit.title == "file4.bin"  # no title: the file name
    assert marked(service.search("ロシア").hits[0]) == ["ロシア"]


def test_chinese_word_inside_a_longer_run(service: SearchService) -> None:
    results = service.search("朝鲜 南浦")
    assert pages(results) == {(5, 1)}
    assert marked(results.hits[0]) == ["朝鲜", "南浦"]
    assert results.hits[0].snippet == "据报道,朝鲜船只在南浦附近进行转运。"  # NFKC: "，" -> ","


def test_folded_and_normalized_text_is_found_and_highlighted(service: SearchService) -> None:
    results = service.search("chongjin financial")
    assert pages(results) == {(6, 1)}
    assert marked(results.hits[0]) == ["financial", "Chŏngjin"]  # "ﬁ" shown as "fi"


def test_limit_offset_total(service: SearchService) -> None:
    first = service.search("Rajin OR Раджин OR coal", limit=2)
    rest = service.search("Rajin OR Раджин OR coal", limit=10, offset=2)
    assert first.total == rest.total == 4
    assert len(first.hits) == 2
    assert len(rest.hits) == 2
    assert not pages(first) & pages(rest)


# --- filters ---------------------------------------------------------------


def test_kind_filter(service: SearchService) -> None:
    assert pages(service.search("Rajin", kinds=["pdf"])) == {(1, 1), (1, 2)}
    assert pages(service.search("Rajin", kinds=["email", "article"])) == {(6, 1)}
    with pytest.raises(QuerySyntaxError, match="Unknown source type 'video'"):
        service.search("Rajin", kinds=["video"])


def test_case_filter_by_name_or_id(service: SearchService) -> None:
    query = "Раджин OR 북한 OR Rajin"
    assert pages(service.search(query)) == {(1, 1), (1, 2), (2, 1), (3, 1), (6, 1)}
    assert pages(service.search(query, case="Rajin")) == {(2, 1), (3, 1)}
    assert pages(service.search(query, case=1)) == {(2, 1), (3, 1)}
    with pytest.raises(NotFoundError, match="No case named 'Wonsan'"):
        service.search(query, case="Wonsan")
    with pytest.raises(NotFoundError):
        service.search(query, case=99)


def test_date_filter(service: SearchService) -> None:
    # published: 1 2024-03-15, 2 2024-07-01T08:30Z, 3 2023-11, 4 2022, 5 none, 6 2024-12-31
    everything = "Rajin OR Раджин OR 북한 OR 北朝鮮 OR 朝鲜"
    assert pages(service.search(everything)) == {
        (1, 1),
        (1, 2),
        (2, 1),
        (3, 1),
        (4, 1),
        (5, 1),
        (6, 1),
    }
    in_2024 = service.search(everything, date_from="2024", date_to="2024")
    assert {h.source_id for h in in_2024.hits} == {1, 2, 6}
    july_on = service.search(everything, date_from=dt.date(2024, 7, 1))
    assert {h.source_id for h in july_on.hits} == {2, 6}
    to_july_first = service.search(everything, date_to="2024-07-01")
    assert {h.source_id for h in to_july_first.hits} == {1, 2, 3, 4}
    november = service.search(everything, date_from="2023-11", date_to="2023-11")
    assert {h.source_id for h in november.hits} == {3}
    assert service.search(everything, date_from="2025-01-01").hits == []


def test_bad_dates(service: SearchService) -> None:
    with pytest.raises(QuerySyntaxError, match="Not a date"):
        service.search("Rajin", date_from="2024-13")
    with pytest.raises(QuerySyntaxError, match="date range is empty"):
        service.search("Rajin", date_from="2024-05-01", date_to="2024-04-30")


def test_filters_combine(service: SearchService) -> None:
    assert pages(service.search("Раджин OR 북한", case="Rajin", kinds=["article"])) == {
        (2, 1),
        (3, 1),
    }
    assert service.search("Раджин OR 북한", case="Rajin", kinds=["pdf"]).total == 0
    assert pages(service.search("Раджин OR 북한", case="Rajin", date_from="2024")) == {(2, 1)}


# --- batch -----------------------------------------------------------------


def test_search_many(service: SearchService) -> None:
    results = service.search_many(["ANGARA", "", "  北朝鮮 ", "absent"], kinds=["pdf"])
    assert [r.query for r in results] == ["ANGARA", "北朝鮮", "absent"]
    assert [r.total for r in results] == [1, 1, 0]


def test_search_many_names_the_bad_line(service: SearchService) -> None:
    with pytest.raises(QuerySyntaxError, match=r"^Line 3: Unbalanced quote"):
        service.search_many(["Rajin", "", '"Nampo'])


# --- indexing --------------------------------------------------------------


def test_reindex_marks_sources_and_is_idempotent(service: SearchService, session: Session) -> None:
    assert session.scalars(select(Source.indexed)).all() == [True] * len(SOURCES)
    assert service.reindex_pending() == 0
    session.execute(update(Source).where(Source.id == 5).values(indexed=False))
    session.execute(delete(Page).where(Page.source_id == 5, Page.number == 2))
    session.execute(update(Page).where(Page.source_id == 5).values(text="Hungnam"))
    session.commit()
    assert service.reindex_pending() == 1
    assert pages(service.search("Hungnam")) == {(5, 1)}
    assert service.search("Angarsk").total == 0  # old pages replaced


def test_progress_reports_every_source(session: Session, index: SearchIndex) -> None:
    seen: list[tuple[int, int]] = []
    SearchService(session, index).reindex_pending(lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, len(SOURCES))
    assert seen[-1] == (len(SOURCES), len(SOURCES))
    assert [d for d, _ in seen] == list(range(len(SOURCES) + 1))


def test_cancel_keeps_nothing_half_done(session: Session, index: SearchIndex) -> None:
    def cancel_at_third(done: int, _total: int) -> None:
        if done == 3:
            raise CancelledError("cancelled")

    service = SearchService(session, index)
    with pytest.raises(CancelledError):
        service.reindex_pending(cancel_at_third)
    # Nothing was committed: every source is still pending and nothing is found.
    assert session.scalars(select(Source.indexed)).all() == [False] * len(SOURCES)
    assert service.search("ANGARA").total == 0
    assert service.reindex_pending() == len(SOURCES)
    assert service.search("ANGARA").total == 1


def test_deleted_index_is_rebuilt_from_the_pages_table(
    tmp_path: Path, session: Session, service: SearchService, index: SearchIndex
) -> None:
    index.close()
    shutil.rmtree(tmp_path / "derived" / "search-index")
    with SearchIndex(tmp_path / "derived" / "search-index") as fresh:
        assert fresh.needs_rebuild
        again = SearchService(session, fresh)
        assert again.search("ANGARA").total == 0
        assert again.reindex_pending() == len(SOURCES)
        assert not fresh.needs_rebuild
        assert pages(again.search("ANGARA")) == {(1, 1)}
        assert pages(again.search("북한")) == {(3, 1)}


def test_source_deleted_from_the_library_is_not_shown(
    service: SearchService, session: Session
) -> None:
    session.execute(delete(Page).where(Page.source_id == 6))
    session.execute(delete(Source).where(Source.id == 6))
    session.commit()
    assert pages(service.search("Rajin")) == {(1, 1), (1, 2)}


def add_source(session: Session, source_id: int, kind: str, pages: list[str]) -> None:
    session.add(
        Source(
            id=source_id,
            uuid=str(uuid.uuid4()),
            sha256=f"{source_id:064x}",
            size=1,
            media_type="text/plain",
            kind=kind,
            original_filename=f"file{source_id}.bin",
            imported_at=NOW,
            imported_by_id=1,
        )
    )
    session.flush()
    for number, text in enumerate(pages, start=1):
        session.add(Page(source_id=source_id, number=number, text=text))
    session.commit()


def test_snippet_collapses_line_breaks_and_keeps_phrases_whole(
    session: Session, index: SearchIndex
) -> None:
    add_source(
        session,
        7,
        "pdf",
        ["Seen on 3 May at the\n\n   port of   Rajin\n(North\tKorea): Rajin\n  port again.  "],
    )
    service = SearchService(session, index)
    service.reindex_pending()
    (hit,) = service.search('"Rajin port" "port of Rajin"', kinds=["pdf"]).hits
    assert hit.snippet == "Seen on 3 May at the port of Rajin (North Korea): Rajin port again."
    assert marked(hit) == ["port of Rajin", "Rajin port"]


def test_common_first_word_of_a_phrase(session: Session, index: SearchIndex) -> None:
    text = "on the quay, " * 30 + "goods on are listed " + "the quay on " * 30
    add_source(session, 7, "text", [text])
    service = SearchService(session, index)
    service.reindex_pending()
    (hit,) = service.search('"on are"', kinds=["text"]).hits
    assert marked(hit) == ["on are"]
    assert hit.snippet.startswith("…")
    assert hit.snippet.endswith("…")


def test_prefix_inside_a_phrase_and_words_that_go_on(session: Session, index: SearchIndex) -> None:
    add_source(session, 7, "text", ["Rajinport Rajin portland Rajin-ports Rajin"])
    service = SearchService(session, index)
    service.reindex_pending()
    (hit,) = service.search('"Rajin port*"', kinds=["text"]).hits
    assert marked(hit) == ["Rajin portland", "Rajin-ports"]
    (hit,) = service.search("Rajin", kinds=["text"]).hits
    assert marked(hit) == ["Rajin", "Rajin", "Rajin"]  # not "Rajinport"


def test_reindexing_a_source_without_pages_drops_its_old_pages(
    service: SearchService, session: Session
) -> None:
    assert service.search("Angarsk").total == 1
    session.execute(delete(Page).where(Page.source_id == 5))
    session.execute(update(Source).where(Source.id == 5).values(indexed=False))
    session.commit()
    assert service.reindex_pending() == 1
    assert service.search("Angarsk").total == 0
    assert session.get(Source, 5) is not None
    assert session.scalar(select(Source.indexed).where(Source.id == 5)) is True
