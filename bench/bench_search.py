"""Search speed over 100,000 pages: our tantivy search next to plain SQLite FTS5, same run.

Builds (once, cached in a folder) a library database with synthetic pages, our index
and an FTS5 table over the same pages, then times the reviewer query mix: ours through
`SearchService.search` (top 20 with snippets and the exact total), FTS5 as
`ORDER BY rank LIMIT 20` with snippet(). One warm process; per query the median of
--repeat runs; prints median / p95 / max. Never passes or fails.

    uv run python bench/bench_search.py [--cache DIR] [--pages 100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.corpora import iter_synthetic_pages, make_queries  # noqa: E402
from db.models import Base  # noqa: E402
from db.search_index import SearchIndex  # noqa: E402
from db.search_query import And, Node, Not, Or, Phrase, Prefix, Term  # noqa: E402
from workstation.search.query import parse_query  # noqa: E402
from workstation.search.service import SearchService  # noqa: E402

PAGES_PER_SOURCE = 20
KINDS = ("pdf", "pdf", "article", "text", "email")
NOW = "2025-01-01T00:00:00Z"


# --- building --------------------------------------------------------------


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build(cache: Path, n_pages: int, seed: int) -> dict[str, float]:
    """Create the database, our index and the FTS5 table; return build figures."""
    if cache.exists():
        shutil.rmtree(cache)
    cache.mkdir(parents=True)
    db_path = cache / "library.sqlite"
    engine = create_engine(f"sqlite:///{db_path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    rng = random.Random(seed)
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("INSERT INTO reviewers (id, name, created_at) VALUES (1, 'bench', ?)", (NOW,))
    start = time.perf_counter()
    source_id = 0
    batch: list[tuple[int, int, str]] = []
    for n, text in enumerate(iter_synthetic_pages(n_pages, seed)):
        if n % PAGES_PER_SOURCE == 0:
            source_id += 1
            year = rng.randint(2016, 2025)
            published = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            con.execute(
                "INSERT INTO sources (id, uuid, sha256, size, media_type, kind, "
                "original_filename, title, published, page_count, metadata, flags, "
                "imported_at, imported_by_id, indexed) "
                "VALUES (?, ?, ?, 1, 'application/pdf', ?, ?, ?, ?, ?, '{}', '[]', ?, 1, 0)",
                (
                    source_id,
                    str(uuid.UUID(int=rng.getrandbits(128))),
                    f"{source_id:064x}",
                    KINDS[source_id % len(KINDS)],
                    f"report-{source_id}.pdf",
                    f"Report {source_id}",
                    published,
                    PAGES_PER_SOURCE,
                    NOW,
                ),
            )
        batch.append((source_id, n % PAGES_PER_SOURCE + 1, text))
        if len(batch) >= 5000:
            con.executemany("INSERT INTO pages (source_id, number, text) VALUES (?, ?, ?)", batch)
            batch.clear()
    con.executemany("INSERT INTO pages (source_id, number, text) VALUES (?, ?, ?)", batch)
    for case_id in range(1, 11):
        con.execute(
            "INSERT INTO cases (id, uuid, name, created_at, created_by_id) VALUES (?, ?, ?, ?, 1)",
            (case_id, str(uuid.UUID(int=rng.getrandbits(128))), f"Case {case_id}", NOW),
        )
        members = rng.sample(range(1, source_id + 1), max(1, source_id // 10))
        con.executemany(
            "INSERT INTO case_sources (case_id, source_id, added_at, added_by_id) "
            "VALUES (?, ?, ?, 1)",
            [(case_id, m, NOW) for m in members],
        )
    con.commit()
    corpus_s = time.perf_counter() - start
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size_before = db_path.stat().st_size

    start = time.perf_counter()
    con.execute(
        "CREATE VIRTUAL TABLE pages_fts USING fts5(text, content='pages', content_rowid='id', "
        "tokenize='unicode61')"
    )
    con.execute("INSERT INTO pages_fts (pages_fts) VALUES ('rebuild')")
    con.commit()
    fts_s = time.perf_counter() - start
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    fts_bytes = db_path.stat().st_size - size_before
    con.close()

    engine = create_engine(f"sqlite:///{db_path}")
    index = SearchIndex(cache / "search-index")
    with Session(engine) as session:
        start = time.perf_counter()
        SearchService(session, index).reindex_pending()
        ours_s = time.perf_counter() - start
    index.close()
    engine.dispose()
    figures = {
        "pages": n_pages,
        "seed": seed,
        "corpus_s": corpus_s,
        "ours_pages_per_s": n_pages / ours_s,
        "ours_bytes": _du(cache / "search-index"),
        "fts_pages_per_s": n_pages / fts_s,
        "fts_bytes": fts_bytes,
    }
    (cache / "bench.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return figures


def load_or_build(cache: Path, n_pages: int, seed: int) -> tuple[dict[str, float], bool]:
    try:
        figures = json.loads((cache / "bench.json").read_text(encoding="utf-8"))
        if figures["pages"] == n_pages and figures["seed"] == seed:
            return figures, True
    except (OSError, ValueError, KeyError):
        pass
    return build(cache, n_pages, seed), False


# --- FTS5 ------------------------------------------------------------------


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def to_fts(node: Node) -> str:
    """Our query tree in FTS5 syntax (the same words, phrases and prefixes)."""
    if isinstance(node, Term | Phrase):
        return _fts_string(node.text)
    if isinstance(node, Prefix):
        return _fts_string(node.text) + "*"
    if isinstance(node, And):
        positive = [to_fts(p) for p in node.parts if not isinstance(p, Not)]
        text = "(" + " AND ".join(positive) + ")"
        for part in node.parts:
            if isinstance(part, Not):
                text = f"({text} NOT {to_fts(part.part)})"
        return text
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts(p) for p in node.parts) + ")"
    raise ValueError(f"cannot express {node!r} in FTS5 alone")


FTS_SQL = (
    "SELECT p.source_id, p.number, snippet(pages_fts, 0, '[', ']', '…', 32) "
    "FROM pages_fts JOIN pages p ON p.id = pages_fts.rowid "
    "WHERE pages_fts MATCH ? ORDER BY rank LIMIT 20"
)


# --- timing ----------------------------------------------------------------


def time_queries(
    run: Callable[[str], object], queries: Sequence[str], repeat: int
) -> tuple[list[float], list[float]]:
    """Per-query median wall-clock and CPU (this thread) milliseconds over `repeat` runs.

    CPU time is shown too because on a busy machine wall-clock time also counts
    the time other processes held the cores.
    """
    for q in queries:  # warm-up pass
        run(q)
    wall: list[float] = []
    cpu: list[float] = []
    for q in queries:
        walls, cpus = [], []
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.thread_time()
            run(q)
            walls.append((time.perf_counter() - start) * 1000)
            cpus.append((time.thread_time() - start_cpu) * 1000)
        wall.append(statistics.median(walls))
        cpu.append(statistics.median(cpus))
    return wall, cpu


def summary(ms: Sequence[float]) -> tuple[float, float, float]:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered), p95, ordered[-1]


def row(label: str, timing: tuple[list[float], list[float]]) -> str:
    median, p95, worst = summary(timing[0])
    cpu_median, cpu_p95, _ = summary(timing[1])
    return f"{label:<44} {median:8.2f} {p95:8.2f} {worst:8.2f}   {cpu_median:8.2f} {cpu_p95:8.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, help="folder for the built corpus (reused)")
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5, help="runs per query (median taken)")
    parser.add_argument("--seed", type=int, default=1718)
    args = parser.parse_args()
    cache: Path = args.cache or Path(tempfile.mkdtemp(prefix="bench-search-"))

    figures, cached = load_or_build(cache, args.pages, args.seed)
    queries = make_queries(args.queries, args.seed)
    texts = [q.text for q in queries]

    engine = create_engine(f"sqlite:///{cache / 'library.sqlite'}")
    session = Session(engine)
    index = SearchIndex(cache / "search-index")
    service = SearchService(session, index)
    assert service.reindex_pending() == 0, "the cached index was incomplete"
    fts = sqlite3.connect(cache / "library.sqlite")
    fts_queries = {t: to_fts(parse_query(t)) for t in texts}

    def ours(text: str) -> object:
        return service.search(text, limit=20)

    def index_only(text: str) -> object:
        return index.search(parse_query(text), limit=20)

    def plain_fts(text: str) -> object:
        return fts.execute(FTS_SQL, (fts_queries[text],)).fetchall()

    slot = {text: n % 10 for n, text in enumerate(texts)}

    def filtered(text: str) -> object:
        n = slot[text]  # case 1..10, two years out of 2016..2025
        year = 2016 + n if n < 9 else 2023
        return service.search(
            text, limit=20, case=n + 1, date_from=str(year), date_to=str(year + 1)
        )

    ours_t = time_queries(ours, texts, args.repeat)
    fts_t = time_queries(plain_fts, texts, args.repeat)
    index_t = time_queries(index_only, texts, args.repeat)
    filtered_t = time_queries(filtered, texts, args.repeat)
    ours_ms, fts_ms = ours_t[0], fts_t[0]

    ours_hits = [service.search(t, limit=20) for t in texts]
    fts_hits = [len(plain_fts(t)) for t in texts]  # type: ignore[arg-type]

    print(f"corpus: {figures['pages']:,} synthetic pages, {len(texts)} queries, cache {cache}")
    print(f"        (built {'in an earlier run' if cached else 'now'})")
    print()
    print(f"{'build':<44} {'pages/s':>9} {'size MB':>9}")
    print(
        f"{'ours: tantivy (reindex_pending from SQLite)':<44} "
        f"{figures['ours_pages_per_s']:9,.0f} {figures['ours_bytes'] / 1e6:9.1f}"
    )
    print(
        f"{'FTS5 unicode61 (rebuild of a content table)':<44} "
        f"{figures['fts_pages_per_s']:9,.0f} {figures['fts_bytes'] / 1e6:9.1f}"
    )
    print()
    print(
        f"{'query, ms (per-query median of ' + str(args.repeat) + ' runs)':<44} "
        f"{'median':>8} {'p95':>8} {'max':>8}   {'cpu med':>8} {'cpu p95':>8}"
    )
    print(row("ours: SearchService.search, top 20+snippets", ours_t))
    print(row("  of which SearchIndex.search (ranking+count)", index_t))
    print(row("  with case + 2-year date filter", filtered_t))
    print(row("FTS5: ORDER BY rank LIMIT 20 with snippet()", fts_t))
    om, op, ox = summary(ours_ms)
    fm, fp, fx = summary(fts_ms)
    ocm, ocp, _ = summary(ours_t[1])
    fcm, fcp, _ = summary(fts_t[1])
    print(
        f"{'FTS5 / ours':<44} {fm / om:7.1f}x {fp / op:7.1f}x {fx / ox:7.1f}x"
        f"   {fcm / ocm:7.1f}x {fcp / ocp:7.1f}x"
    )
    print(f"(load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())})")
    print()
    print(
        f"{'by query kind (median ms)':<28} {'n':>4} {'ours':>8} {'FTS5':>8} {'pages (ours)':>14}"
    )
    kinds = sorted({q.kind for q in queries})
    for kind in kinds:
        idx = [i for i, q in enumerate(queries) if q.kind == kind]
        total = statistics.median(ours_hits[i].total for i in idx)
        print(
            f"{kind:<28} {len(idx):4d} {statistics.median(ours_ms[i] for i in idx):8.2f} "
            f"{statistics.median(fts_ms[i] for i in idx):8.2f} {total:14,.0f}"
        )
    misses = [t for t, r, f in zip(texts, ours_hits, fts_hits, strict=True) if r.hits and not f]
    if misses:
        print()
        print(f"found by ours, not by FTS5 unicode61: {', '.join(misses)}")
    slow = sorted(zip(ours_ms, texts, strict=True), reverse=True)[:5]
    print()
    print("slowest (ours): " + "; ".join(f"{t} {ms:.1f} ms" for ms, t in slow))
    index.close()
    session.close()
    fts.close()


if __name__ == "__main__":
    main()
