"""The tantivy page index: languages, query trees, filters, rebuilds and crashes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.search_analyzer import analyze, token_spans
from db.search_index import (
    MAX_PREFIX_EXPANSIONS,
    SearchIndex,
    SearchIndexBusyError,
    SearchIndexClosedError,
    SearchIndexError,
)
from db.search_query import And, Node, Not, Or, Phrase, Prefix, Term, positive_leaves

ROOT = Path(__file__).resolve().parents[2]

PAGES: dict[int, tuple[str, list[str]]] = {
    1: (
        "pdf",
        [
            "The tanker ANGARA called at Rajin port in March.",
            "Coal was loaded at the port of Rajin by night.",
            "Nothing of note on this page.",
        ],
    ),
    2: ("article", ["Угольный терминал: снаряды грузили в порту Раджин.", "Судно Angarsk."]),
    3: ("article", ["기사: 북한이 러시아에 포탄을 보냈다.", "남포항 사진"]),
    4: ("pdf", ["報道によると北朝鮮がロシアに弾薬を送った。"]),
    5: ("text", ["据报道朝鲜船只在南浦附近进行转运。", "Tanga is a port in Tanzania."]),
}


def found(index: SearchIndex, node: Node, **kwargs: object) -> set[tuple[int, int]]:
    total, hits = index.search(node, limit=100, **kwargs)  # type: ignore[arg-type]
    assert total == len(hits)
    return {(h.source_id, h.page) for h in hits}


@pytest.fixture
def index(tmp_path: Path) -> Iterator[SearchIndex]:
    ix = SearchIndex(tmp_path / "search-index")
    for source_id, (kind, pages) in PAGES.items():
        ix.add_source(source_id, kind, enumerate(pages, start=1))
    ix.commit()
    yield ix
    ix.close()


# --- the analyzer ----------------------------------------------------------


def test_analyze_splits_cjk_per_character_and_folds_case_and_accents() -> None:
    assert analyze("북한이 北朝鮮が") == ["북", "한", "이", "北", "朝", "鮮", "が"]
    assert analyze("СНАРЯДЫ Chŏngjin Straße") == ["снаряды", "chongjin", "strasse"]
    assert analyze("abc北 ﬁnancial ＩＭＯ１２３") == ["abc", "北", "financial", "imo123"]
    assert analyze("Kim Il-sung, 9876543.") == ["kim", "il", "sung", "9876543"]
    assert analyze(" — & ... ") == []


def test_token_spans_point_back_into_the_text() -> None:
    text = "A 북한이 𠀋x Ünited СНАРЯДЫ.朝鮮"
    normal, spans = token_spans(text)
    assert normal == text
    shown = [(s.token, normal[s.start : s.end]) for s in spans]
    assert shown == [
        ("a", "A"),
        ("북", "북"),
        ("한", "한"),
        ("이", "이"),
        ("𠀋", "𠀋"),
        ("x", "x"),
        ("united", "Ünited"),
        ("снаряды", "СНАРЯДЫ"),
        ("朝", "朝"),
        ("鮮", "鮮"),
    ]


def test_token_spans_normalize_decomposed_text() -> None:
    decomposed = "Cafe\u0301 \u1107\u116e\u11a8"  # e + acute, 북 as jamo
    normal, spans = token_spans(decomposed)
    assert normal == "Café 북"
    assert [(s.token, normal[s.start : s.end]) for s in spans] == [("cafe", "Café"), ("북", "북")]


# --- languages -------------------------------------------------------------


def test_english_term_finds_the_right_pages(index: SearchIndex) -> None:
    assert found(index, Term("Rajin")) == {(1, 1), (1, 2)}
    assert found(index, Term("coal")) == {(1, 2)}
    assert found(index, Term("absent")) == set()


def test_russian_is_case_insensitive(index: SearchIndex) -> None:
    assert found(index, Term("СНАРЯДЫ")) == {(2, 1)}
    assert found(index, Term("раджин")) == {(2, 1)}


def test_korean_word_inside_a_longer_run(index: SearchIndex) -> None:
    assert found(index, Term("북한")) == {(3, 1)}
    assert found(index, Term("러시아")) == {(3, 1)}
    assert found(index, Term("남포")) == {(3, 2)}
    assert found(index, Term("한북")) == set()  # order matters


def test_japanese_word_inside_a_longer_run(index: SearchIndex) -> None:
    assert found(index, Term("北朝鮮")) == {(4, 1)}
    assert found(index, Term("朝鮮")) == {(4, 1)}
    assert found(index, Term("ロシア")) == {(4, 1)}
    assert found(index, Term("鮮朝")) == set()


def test_chinese_word_inside_a_longer_run(index: SearchIndex) -> None:
    assert found(index, Term("朝鲜")) == {(5, 1)}
    assert found(index, Term("南浦")) == {(5, 1)}
    assert found(index, Term("船只")) == {(5, 1)}


# --- query trees -----------------------------------------------------------


def test_phrase_order_matters(index: SearchIndex) -> None:
    assert found(index, Phrase("Rajin port")) == {(1, 1)}
    assert found(index, Phrase("port of Rajin")) == {(1, 2)}
    assert found(index, Phrase("port Rajin")) == set()
    assert found(index, Phrase("rajin")) == {(1, 1), (1, 2)}  # one word: a term


def test_hyphenated_word_is_a_phrase(tmp_path: Path) -> None:
    with SearchIndex(tmp_path / "ix") as ix:
        ix.add_source(1, "pdf", [(1, "Kim Il-sung Square"), (2, "sung by Il Kim")])
        ix.commit()
        assert found(ix, Term("Il-sung")) == {(1, 1)}


def test_prefix_finds_completions_only(index: SearchIndex) -> None:
    assert found(index, Prefix("Anga")) == {(1, 1), (2, 2)}
    assert found(index, Prefix("Tanz")) == {(5, 2)}
    assert found(index, Prefix("ang")) == {(1, 1), (2, 2)}  # not "Tanga"
    assert found(index, Prefix("zzz")) == set()


def test_phrase_prefix(index: SearchIndex) -> None:
    assert found(index, Prefix("Rajin po")) == {(1, 1)}
    assert found(index, Prefix("port of Ra")) == {(1, 2)}


def test_prefix_with_many_completions_finds_them_all(tmp_path: Path) -> None:
    words = [f"vessel{n:03d}" for n in range(MAX_PREFIX_EXPANSIONS * 2)]
    with SearchIndex(tmp_path / "ix") as ix:
        ix.add_source(1, "pdf", [(n + 1, f"the {w} sailed") for n, w in enumerate(words)])
        ix.commit()
        total, hits = ix.search(Prefix("vessel"), limit=10)
        assert total == len(words)
        assert len(hits) == 10
        assert found(ix, And((Prefix("vessel0"), Term("sailed")))) == {
            (1, n) for n in range(1, 101)
        }


def test_and_or_not(index: SearchIndex) -> None:
    assert found(index, And((Term("Rajin"), Term("coal")))) == {(1, 2)}
    assert found(index, Or((Term("coal"), Term("Tanga")))) == {(1, 2), (5, 2)}
    assert found(index, And((Term("Rajin"), Not(Term("coal"))))) == {(1, 1)}
    assert found(index, And((Term("port"), Not(Or((Term("coal"), Term("Tanga"))))))) == {(1, 1)}
    # Defined even though the parser refuses it: everything but the excluded.
    everything = found(index, Not(Term("zzz")))
    assert len(everything) == sum(len(p) for _, p in PAGES.values())
    assert (1, 2) not in found(index, Not(Term("coal")))
    without_port = found(index, Or((Term("coal"), Not(Term("port")))))
    assert (1, 2) in without_port
    assert (1, 1) not in without_port
    assert (5, 1) in without_port


def test_term_without_characters_is_refused(index: SearchIndex) -> None:
    with pytest.raises(ValueError, match="no searchable"):
        index.search(Term("—"))


def test_positive_leaves_skip_negated_parts() -> None:
    node = And((Term("a"), Not(Term("b")), Or((Phrase("c d"), Prefix("e")))))
    assert list(positive_leaves(node)) == [Term("a"), Phrase("c d"), Prefix("e")]


# --- filters, paging, ranking ----------------------------------------------


def test_kind_filter(index: SearchIndex) -> None:
    assert found(index, Term("port"), kinds=["pdf"]) == {(1, 1), (1, 2)}
    assert found(index, Term("port"), kinds=["text"]) == {(5, 2)}
    assert found(index, Term("port"), kinds=["text", "pdf"]) == {(1, 1), (1, 2), (5, 2)}
    assert found(index, Term("port"), kinds=[]) == set()


def test_source_filter(index: SearchIndex) -> None:
    assert found(index, Term("port"), source_ids={5}) == {(5, 2)}
    assert found(index, Term("port"), source_ids={1, 2, 3}) == {(1, 1), (1, 2)}
    assert found(index, Term("port"), source_ids=set()) == set()
    assert found(index, Term("port"), source_ids={5}, kinds=["pdf"]) == set()


def test_filters_do_not_change_scores(index: SearchIndex) -> None:
    _, plain = index.search(Term("port"))
    _, filtered = index.search(Term("port"), kinds=["pdf"], source_ids={1})
    scores = {(h.source_id, h.page): h.score for h in plain}
    assert filtered
    for hit in filtered:
        assert hit.score == pytest.approx(scores[(hit.source_id, hit.page)])


def test_limit_offset_and_total(tmp_path: Path) -> None:
    with SearchIndex(tmp_path / "ix") as ix:
        ix.add_source(7, "pdf", [(n, "cargo " * n) for n in range(1, 31)])
        ix.commit()
        total, first = ix.search(Term("cargo"), limit=10)
        _, second = ix.search(Term("cargo"), limit=10, offset=10)
        total_only, none = ix.search(Term("cargo"), limit=0)
        assert total == total_only == 30
        assert none == []
        assert len(first) == len(second) == 10
        assert not {h.page for h in first} & {h.page for h in second}
        assert [h.score for h in first] == sorted((h.score for h in first), reverse=True)
        assert min(h.score for h in first) >= max(h.score for h in second)


# --- writing ---------------------------------------------------------------


def test_add_source_replaces_its_pages(index: SearchIndex) -> None:
    index.add_source(1, "pdf", [(1, "Completely new text about Wonsan.")])
    index.commit()
    assert found(index, Term("Rajin"), source_ids={1}) == set()
    assert found(index, Term("Wonsan")) == {(1, 1)}
    assert index.num_pages == sum(len(p) for _, p in PAGES.values()) - 2


def test_delete_source(index: SearchIndex) -> None:
    index.delete_source(1)
    assert found(index, Term("Rajin")) == {(1, 1), (1, 2)}  # not committed yet
    index.commit()
    assert found(index, Term("Rajin")) == set()


def test_uncommitted_changes_are_invisible_and_rollback_drops_them(index: SearchIndex) -> None:
    index.add_source(9, "pdf", [(1, "Hungnam")])
    assert found(index, Term("Hungnam")) == set()
    index.rollback()
    index.commit()
    assert found(index, Term("Hungnam")) == set()


def test_writer_lock_is_released_after_commit(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    with SearchIndex(path, lock_timeout=0) as first, SearchIndex(path, lock_timeout=0) as second:
        first.add_source(1, "pdf", [(1, "Rajin")])
        with pytest.raises(SearchIndexBusyError, match="another"):
            second.add_source(2, "pdf", [(1, "Najin")])
        first.commit()
        second.add_source(2, "pdf", [(1, "Najin")])
        second.commit()
        first.add_source(3, "pdf", [(1, "Sonbong")])
        first.commit()
        assert found(second, Or((Term("Rajin"), Term("Najin"), Term("Sonbong")))) == {
            (1, 1),
            (2, 1),
            (3, 1),
        }


def test_close_is_idempotent_and_later_use_raises(tmp_path: Path) -> None:
    ix = SearchIndex(tmp_path / "ix")
    ix.add_source(1, "pdf", [(1, "Rajin")])
    ix.close()
    ix.close()
    with pytest.raises(SearchIndexClosedError):
        ix.search(Term("Rajin"))
    with pytest.raises(SearchIndexClosedError):
        ix.add_source(1, "pdf", [])
    with pytest.raises(SearchIndexClosedError):
        ix.commit()
    with SearchIndex(tmp_path / "ix") as again:  # uncommitted pages were dropped
        assert again.num_pages == 0


# --- rebuilds --------------------------------------------------------------


def test_new_index_needs_rebuild_until_cleared(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    with SearchIndex(path) as ix:
        assert ix.needs_rebuild
    with SearchIndex(path) as ix:
        assert ix.needs_rebuild  # nobody confirmed
        ix.clear_needs_rebuild()
        assert not ix.needs_rebuild
    with SearchIndex(path) as ix:
        assert not ix.needs_rebuild


def test_deleted_index_is_recreated(index: SearchIndex, tmp_path: Path) -> None:
    index.clear_needs_rebuild()
    index.close()
    path = tmp_path / "search-index"
    for entry in path.iterdir():
        entry.unlink()
    path.rmdir()
    with SearchIndex(path) as again:
        assert again.needs_rebuild
        assert again.num_pages == 0
        again.add_source(1, "pdf", [(1, "Rajin")])
        again.commit()
        assert found(again, Term("Rajin")) == {(1, 1)}


@pytest.mark.parametrize(
    "damage",
    ["garbage meta", "segment missing", "marker from another version", "marker missing"],
)
def test_damaged_index_is_recreated(index: SearchIndex, tmp_path: Path, damage: str) -> None:
    index.clear_needs_rebuild()
    index.close()
    path = tmp_path / "search-index"
    if damage == "garbage meta":
        (path / "meta.json").write_text("{not json", encoding="utf-8")
    elif damage == "segment missing":
        next(path.glob("*.idx")).unlink()
    elif damage == "marker from another version":
        marker = path / "workstation-index.json"
        data = json.loads(marker.read_text(encoding="utf-8"))
        marker.write_text(json.dumps({**data, "fingerprint": "old"}), encoding="utf-8")
    else:
        (path / "workstation-index.json").unlink()
    with SearchIndex(path) as again:
        assert again.needs_rebuild
        assert again.num_pages == 0
        again.add_source(1, "pdf", [(1, "Rajin")])
        again.commit()
        assert found(again, Term("Rajin")) == {(1, 1)}


def test_folder_with_other_files_is_not_wiped(tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "thesis.docx").write_bytes(b"precious")
    with pytest.raises(SearchIndexError, match="not a search index"):
        SearchIndex(folder)
    assert (folder / "thesis.docx").read_bytes() == b"precious"


# --- other processes -------------------------------------------------------

_WRITE_AND_WAIT = textwrap.dedent(
    """
    import sys, time
    from db.search_index import SearchIndex
    ix = SearchIndex(sys.argv[1])
    ix.add_source(99, "pdf", [(n, "uncommitted Hungnam page") for n in range(1, 500)])
    ix.add_source(1, "pdf", [(1, "overwritten")])
    print("ready", flush=True)
    time.sleep(600)
    """
)


def _start_writer(path: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", _WRITE_AND_WAIT, str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    if line.strip() != "ready":
        child.kill()
        child.wait()
        pytest.fail(f"writer process did not start: {line!r}")
    return child


def test_killed_writer_leaves_a_usable_index(index: SearchIndex, tmp_path: Path) -> None:
    index.clear_needs_rebuild()
    index.close()
    path = tmp_path / "search-index"
    child = _start_writer(path)
    child.send_signal(signal.SIGKILL)
    child.wait()
    with SearchIndex(path, lock_timeout=5) as again:
        assert not again.needs_rebuild
        assert found(again, Term("Hungnam")) == set()
        assert found(again, Term("Rajin")) == {(1, 1), (1, 2)}
        again.add_source(6, "pdf", [(1, "Hungnam after the crash")])
        again.commit()
        assert found(again, Term("Hungnam")) == {(6, 1)}


def test_writer_lock_of_another_process(index: SearchIndex, tmp_path: Path) -> None:
    child = _start_writer(tmp_path / "search-index")
    try:
        busy = SearchIndex(tmp_path / "search-index", lock_timeout=0.3)
        with pytest.raises(SearchIndexBusyError, match="another program"):
            busy.add_source(7, "pdf", [(1, "Najin")])
        assert found(busy, Term("Rajin")) == {(1, 1), (1, 2)}  # reading still works
    finally:
        child.kill()
        child.wait()
    busy.add_source(7, "pdf", [(1, "Najin")])
    busy.commit()
    assert found(busy, Term("Najin")) == {(7, 1)}
    busy.close()
