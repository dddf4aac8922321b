# PyMuPDF ships py.typed but leaves most functions unannotated.
"""Yardsticks the other benchmarks compare against, measured on this machine in one run.

Bare library costs with nothing of ours around them: PyMuPDF text extraction, SHA-256 and
file copy throughput, PyMuPDF import time, SQLite FTS5 indexing and querying. Import the
measuring functions from other bench scripts, e.g.
`from bench.bench_baselines import bare_pdf_text_ms_per_page`.

Run: `uv run python bench/bench_baselines.py [--folder DIR]`. Prints figures, never a verdict.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

from bench.corpora import (
    GIB,
    Query,
    ensure,
    iter_synthetic_pages,
    make_big_file,
    make_queries,
    make_text_pdf,
)

DEFAULT_FOLDER = Path(tempfile.gettempdir()) / "workstation-bench"


def median_seconds(run: Callable[[], object], runs: int = 3) -> float:
    """Median wall time of `runs` calls of run()."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bare_pdf_text_ms_per_page(pdf: Path, runs: int = 3) -> float:
    """Median over runs of open + page.get_text() for every page, in ms per page."""
    with pymupdf.open(pdf) as doc:
        pages = int(doc.page_count)

    def extract() -> None:
        with pymupdf.open(pdf) as doc:
            for page in doc.pages():
                page.get_text()

    return median_seconds(extract, runs) / pages * 1000


def sha256_gb_per_s(path: Path, runs: int = 3) -> float:
    """In-process hashlib.file_digest SHA-256 throughput, GB/s (warm page cache)."""

    def digest() -> None:
        with path.open("rb") as f:
            hashlib.file_digest(f, "sha256")

    return path.stat().st_size / median_seconds(digest, runs) / 1e9


def sha256sum_gb_per_s(path: Path, runs: int = 3) -> float:
    """The coreutils `sha256sum` throughput on the same file, GB/s, process start included."""

    def digest() -> None:
        subprocess.run(["sha256sum", str(path)], check=True, capture_output=True)

    return path.stat().st_size / median_seconds(digest, runs) / 1e9


def copyfile_gb_per_s(path: Path, runs: int = 3) -> float:
    """shutil.copyfile throughput to a sibling file, GB/s (into the page cache, no fsync)."""
    target = path.with_name(path.name + ".copy")

    def copy() -> None:
        target.unlink(missing_ok=True)
        shutil.copyfile(path, target)

    try:
        return path.stat().st_size / median_seconds(copy, runs) / 1e9
    finally:
        target.unlink(missing_ok=True)


def import_seconds(
    module: str = "pymupdf", runs: int = 5, pycache: Path | None = None
) -> tuple[float, float]:
    """Median wall time of `python -c 'import module'` and of a bare `python -c pass`.

    Args:
        module: What to import.
        runs: Runs per figure; one more warms the file cache first.
        pycache: If given, bytecode is written there (PYTHONPYCACHEPREFIX) and reused, as
            after an install that compiles bytecode; otherwise the environment decides
            (PYTHONDONTWRITEBYTECODE=1 plus a uv install without --compile-bytecode means
            every import compiles the sources again).
    """
    env = dict(os.environ)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)

    def python(code: str) -> Callable[[], object]:
        return lambda: subprocess.run([sys.executable, "-c", code], check=True, env=env)

    python(f"import {module}")()
    return median_seconds(python(f"import {module}"), runs), median_seconds(python("pass"), runs)


_QUERY_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


def to_fts5(query: str) -> str:
    """Reviewer syntax (words, "quoted phrases", prefix*) as an FTS5 MATCH expression (AND)."""
    parts = []
    for phrase, word in _QUERY_TOKEN.findall(query):
        text = phrase or word
        star = "*" if text.endswith("*") else ""
        text = text.rstrip("*").replace('"', '""')
        if text:
            parts.append(f'"{text}"{star}')
    return " ".join(parts)


@dataclass
class FtsBuild:
    """What indexing the pages cost."""

    pages: int
    text_bytes: int
    insert_seconds: float
    generate_seconds: float
    optimize_seconds: float
    db_bytes: int

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.insert_seconds

    @property
    def mb_per_s(self) -> float:
        return self.text_bytes / self.insert_seconds / 1e6


def fts5_build(db_path: Path, pages: Iterable[str], batch: int = 1000) -> FtsBuild:
    """Indexes pages into a fresh FTS5 (unicode61) table, timing only the SQLite side."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute(
        "CREATE VIRTUAL TABLE pages USING fts5(body, tokenize='unicode61 remove_diacritics 2')"
    )
    count = text_bytes = 0
    insert = generate = 0.0
    iterator = iter(pages)
    while True:
        start = time.perf_counter()
        rows = [(text,) for text in itertools.islice(iterator, batch)]
        generate += time.perf_counter() - start
        if not rows:
            break
        start = time.perf_counter()
        with con:
            con.executemany("INSERT INTO pages(body) VALUES (?)", rows)
        insert += time.perf_counter() - start
        count += len(rows)
        text_bytes += sum(len(text.encode("utf-8")) for (text,) in rows)
    start = time.perf_counter()
    with con:
        con.execute("INSERT INTO pages(pages) VALUES ('optimize')")
    optimize = time.perf_counter() - start
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return FtsBuild(count, text_bytes, insert, generate, optimize, db_path.stat().st_size)


@dataclass
class QueryTimes:
    """Per-query wall times (ms) for top-20 with snippet(), and how many matched nothing."""

    ms: list[float]
    kinds: list[str]
    hits: list[int]
    slowest: list[tuple[float, str]] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.ms)

    @property
    def p95_ms(self) -> float:
        return statistics.quantiles(self.ms, n=20, method="inclusive")[18]

    def by_kind(self) -> dict[str, tuple[int, float, int]]:
        """kind -> (queries, median ms, queries with no hit)."""
        out = {}
        for kind in sorted(set(self.kinds)):
            idx = [i for i, k in enumerate(self.kinds) if k == kind]
            ms = statistics.median(self.ms[i] for i in idx)
            out[kind] = (len(idx), ms, sum(1 for i in idx if self.hits[i] == 0))
        return out


FTS5_TOP20 = (
    "SELECT rowid, snippet(pages, 0, '[', ']', '…', 12) FROM pages "
    "WHERE pages MATCH ? ORDER BY rank LIMIT 20"
)


def fts5_query_times(db_path: Path, queries: Sequence[Query]) -> QueryTimes:
    """Runs every query once to warm the cache, then times one pass of top-20 + snippet."""
    con = sqlite3.connect(db_path)
    try:
        for q in queries:
            con.execute(FTS5_TOP20, (to_fts5(q.text),)).fetchall()
        ms, hits = [], []
        for q in queries:
            start = time.perf_counter()
            rows = con.execute(FTS5_TOP20, (to_fts5(q.text),)).fetchall()
            ms.append((time.perf_counter() - start) * 1000)
            hits.append(len(rows))
    finally:
        con.close()
    slowest = sorted(zip(ms, (q.text for q in queries), strict=True), reverse=True)[:3]
    return QueryTimes(ms, [q.kind for q in queries], hits, slowest)


def _row(name: str, value: str, note: str = "") -> None:
    print(f"  {name:<44} {value:>16}  {note}")


def main() -> None:
    """Builds the corpora if missing and prints every baseline in one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--pages", type=int, default=100_000, help="synthetic pages for FTS5")
    parser.add_argument("--pdf-pages", type=int, default=1000)
    args = parser.parse_args()
    folder: Path = args.folder
    folder.mkdir(parents=True, exist_ok=True)
    print(f"corpora in {folder}; Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}")

    start = time.perf_counter()
    pdf = ensure(folder / f"text-{args.pdf_pages}.pdf", lambda p: make_text_pdf(p, args.pdf_pages))
    big = ensure(folder / "random-1GiB.bin", lambda p: make_big_file(p, GIB))
    print(f"corpora ready in {time.perf_counter() - start:.1f} s\n")

    print("Files")
    _row("PyMuPDF get_text(), bare", f"{bare_pdf_text_ms_per_page(pdf):.3f} ms/page", pdf.name)
    sha = sha256_gb_per_s(big)
    _row("hashlib.file_digest SHA-256", f"{sha:.2f} GB/s", "1 GiB, warm cache")
    tool = sha256sum_gb_per_s(big)
    _row("sha256sum", f"{tool:.2f} GB/s", f"in-process / sha256sum = {sha / tool:.2f}")
    _row("shutil.copyfile", f"{copyfile_gb_per_s(big):.2f} GB/s", "1 GiB, no fsync")
    env_note = "PYTHONDONTWRITEBYTECODE=" + os.environ.get("PYTHONDONTWRITEBYTECODE", "unset")
    with_module, bare = import_seconds("pymupdf")
    _row("python -c 'import pymupdf'", f"{with_module * 1000:.0f} ms", env_note)
    _row(
        "  minus bare python", f"{(with_module - bare) * 1000:.0f} ms", f"bare {bare * 1000:.0f} ms"
    )
    with tempfile.TemporaryDirectory() as pycache:
        cached, bare = import_seconds("pymupdf", pycache=Path(pycache))
    _row("  with a bytecode cache", f"{cached * 1000:.0f} ms", f"bare {bare * 1000:.0f} ms")
    print(f"\nSQLite FTS5 (unicode61), {args.pages:,} synthetic pages")
    build = fts5_build(folder / "fts5-baseline.sqlite", iter_synthetic_pages(args.pages))
    _row("insert", f"{build.pages_per_s:,.0f} pages/s", f"{build.mb_per_s:.1f} MB/s of text")
    _row(
        "  insert time",
        f"{build.insert_seconds:.1f} s",
        f"{build.text_bytes / 1e6:,.0f} MB of text",
    )
    _row("  page generation (not counted)", f"{build.generate_seconds:.1f} s")
    _row("  optimize", f"{build.optimize_seconds:.1f} s")
    _row(
        "  database size",
        f"{build.db_bytes / 1e6:,.0f} MB",
        f"{build.db_bytes / build.text_bytes:.2f} x text",
    )
    queries = make_queries()
    times = fts5_query_times(folder / "fts5-baseline.sqlite", queries)
    _row("query top-20 + snippet, median", f"{times.median_ms:.2f} ms", f"{len(queries)} queries")
    _row("query top-20 + snippet, p95", f"{times.p95_ms:.2f} ms")
    for kind, (n, ms, empty) in times.by_kind().items():
        _row(f"  {kind}", f"{ms:.2f} ms", f"{n} queries, {empty} without hits")
    for ms, text in times.slowest:
        _row("  slow", f"{ms:.1f} ms", text)
    no_hits = [q.text for q, hits in zip(queries, times.hits, strict=True) if hits == 0]
    _row("  without hits", str(len(no_hits)), " ".join(no_hits))


if __name__ == "__main__":
    main()
