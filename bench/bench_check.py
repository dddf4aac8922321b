"""`workstation check` on 10,000 sources: with state binding next to the check as it was.

Why: issue 12 binds every record's state to the audit trail, so `check` now recomputes
the state of every source, annotation, entity... and compares it with the chain. The
promise is that a full check with state hashing stays under twice the check as it was.
This script measures, in one process and one run, on a library of 10,000 small sources
(the bench_import corpus) with 1,000 annotations:

1. The check as it was before state binding (`check_before` below: a copy of the old
   code path, so the reference stays put after the change is committed): SQLite's
   integrity check, the old ORM chain verification, every blob re-hashed, orphans.
2. `check_library` as it is now (the same plus record states and witness heads).
3. Its new parts alone: `state.compute_all` (every record's digest) and `scan_chain`
   (chain verification that also collects what each event vouched for).
4. The yardsticks: SQLite's `PRAGMA integrity_check` alone, and hashlib over every blob
   in-process (`hashlib.file_digest`), with none of our code around them.
5. The witness append (one small write + fsync per commit), per commit; and what
   binding costs an import: 300 small files into a fresh library, with the time spent
   computing record states at commit and appending witness lines measured inside it.

Runs are interleaved (before, after, before, ...) and the median of --runs is taken,
after one warm-up of each, so both read a warm page cache. Never passes or fails.

    uv run python bench/bench_check.py [--cache DIR] [--sources 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select, text  # noqa: E402

from bench.corpora import ensure, make_many_small_files  # noqa: E402
from db.models import AuditEvent, Source  # noqa: E402
from workstation.annotations.anchors import TextAnchor  # noqa: E402
from workstation.annotations.service import AnnotationService  # noqa: E402
from workstation.core import audit, state  # noqa: E402
from workstation.core.check import (  # noqa: E402
    _stale_cache_files,
    _stale_staging,
    check_library,
)
from workstation.core.library import Library  # noqa: E402
from workstation.core.witness import append_head  # noqa: E402
from workstation.sources.ingest import ImportService  # noqa: E402

ANNOTATE_EVERY = 10  # one text source in ten gets an annotation


# --- the library -----------------------------------------------------------------------


def build_library(cache: Path, n: int) -> Path:
    """Import the n small files and annotate some; reused while its marker file is there."""
    path = cache / f"check-library-{n}"
    done = path / "bench-complete"
    if done.is_file():
        return path
    if path.exists():
        shutil.rmtree(path)
    corpus = ensure(cache / f"small-files-{n}", lambda p: make_many_small_files(p, n))
    start = time.perf_counter()
    with Library.open(path, reviewer="bench", create=True) as lib:
        report = ImportService(lib).import_paths([corpus])
        imported = report.count("imported")
        service = AnnotationService(lib)
        marked = 0
        with lib.writer() as session:
            rows = session.execute(
                select(Source.id).where(Source.kind == "text").order_by(Source.id)
            ).all()
            for (source_id,) in rows[::ANNOTATE_EVERY]:
                page = session.execute(
                    text("SELECT text FROM pages WHERE source_id = :s AND number = 1"),
                    {"s": source_id},
                ).scalar_one()
                end = min(len(page), 40)
                anchor = TextAnchor(1, 0, end, page[:end])
                service.create(session, source_id, anchor, categories=["maritime"], note="seen")
                marked += 1
    print(
        f"built {path}: {imported:,} sources imported, {marked:,} annotations, "
        f"in {time.perf_counter() - start:.0f} s"
    )
    done.write_text("built by bench/bench_check.py\n")
    return path


# --- the check as it was ---------------------------------------------------------------


def _old_verify_chain(session: object) -> tuple[int, bool]:
    """The chain verification before state binding (ORM rows, yield_per 2000)."""
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    expected, prev, count = 1, audit.GENESIS, 0
    for ev in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).yield_per(2000):
        count += 1
        if ev.seq != expected or ev.prev_hash != prev:
            return count, False
        digest = audit.event_hash(
            seq=ev.seq,
            at=ev.at,
            actor=ev.actor,
            action=ev.action,
            object_type=ev.object_type,
            object_id=ev.object_id,
            details=ev.details,
            prev_hash=ev.prev_hash,
        )
        if digest != ev.hash:
            return count, False
        prev = ev.hash
        expected += 1
    return count, True


def check_before(lib: Library) -> bool:
    """What `check_library` did before state binding, step for step."""
    with lib.reader() as session:
        result = session.execute(text("PRAGMA integrity_check")).scalars().all()
        known = set(session.scalars(select(Source.sha256)))
        _events, chain_ok = _old_verify_chain(session)
    on_disk = set(lib.blobs.iter_hashes())
    corrupt = [sha for sha in sorted(known & on_disk) if lib.blobs.hash_of(sha) != sha]
    orphans = sorted(on_disk - known)
    temps = lib.blobs.stray_temp_files()
    stale = _stale_cache_files(lib, known) + _stale_staging(lib)
    return result == ["ok"] and chain_ok and not corrupt and not orphans and not temps and not stale


# --- yardsticks ------------------------------------------------------------------------


def sqlite_integrity(lib: Library) -> bool:
    with lib.reader() as session:
        return session.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]


def hash_blobs(lib: Library) -> int:
    count = 0
    for sha in lib.blobs.iter_hashes():
        with open(lib.blobs.path_for(sha), "rb") as f:
            hashlib.file_digest(f, "sha256")
        count += 1
    return count


def states_only(lib: Library) -> int:
    with lib.reader() as session:
        return len(state.compute_all(session))


def chain_only(lib: Library) -> int:
    with lib.reader() as session:
        return audit.scan_chain(session).report.events


# --- timing ----------------------------------------------------------------------------


def interleaved(runs: int, cases: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Median seconds per case; cases run in turn, after one warm-up each."""
    for run in cases.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, run in cases.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def import_binding_share(corpus: Path, count: int = 300) -> tuple[float, float, float]:
    """Import ``count`` small files into a fresh library: ms per file, and of that the
    ms spent computing record states at commit and appending the witness line."""
    spent = {"states": 0.0, "witness": 0.0}

    def timed(name: str, func: Callable[..., object]) -> Callable[..., object]:
        def run(*args: object, **kwargs: object) -> object:
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - start

        return run

    files = sorted(p for p in corpus.rglob("*.txt"))[:count]
    states, witness = audit._states_for, audit.append_head
    audit._states_for = timed("states", states)  # type: ignore[assignment]
    audit.append_head = timed("witness", witness)  # type: ignore[assignment]
    try:
        with (
            tempfile.TemporaryDirectory() as tmp,
            Library.open(Path(tmp) / "lib", reviewer="bench", create=True) as lib,
        ):
            start = time.perf_counter()
            ImportService(lib).import_paths(files)
            total = time.perf_counter() - start
    finally:
        audit._states_for, audit.append_head = states, witness  # type: ignore[assignment]
    n = len(files)
    return total / n * 1000, spent["states"] / n * 1000, spent["witness"] / n * 1000


def witness_append_ms(count: int = 200) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "audit-witness.log"
        start = time.perf_counter()
        for seq in range(1, count + 1):
            append_head(path, seq, "ab" * 32)
        return (time.perf_counter() - start) / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--cache", type=Path, default=ROOT / "bench" / ".cache", help="corpus and library"
    )
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per case (median)")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    path = build_library(args.cache, args.sources)
    with Library.open(path, reviewer="bench") as lib:
        with lib.reader() as session:
            sources = session.scalar(select(text("count(*)")).select_from(Source))
            events = session.scalar(select(text("count(*)")).select_from(AuditEvent))
        records = states_only(lib)
        report = check_library(lib)
        assert report.ok, report.problems()[:5]
        assert check_before(lib)
        size = sum(lib.blobs.path_for(s).stat().st_size for s in lib.blobs.iter_hashes())
        db_size = lib.db_path.stat().st_size
        print(
            f"library {path}: {sources:,} sources, {records:,} records with a state, "
            f"{events:,} audit events; blobs {size / 1e6:.1f} MB, database {db_size / 1e6:.1f} MB"
        )
        print(f"load average {os.getloadavg()[0]:.2f}; median of {args.runs} interleaved runs\n")
        times = interleaved(
            args.runs,
            {
                "before": lambda: check_before(lib),
                "after": lambda: check_library(lib),
                "states": lambda: states_only(lib),
                "chain": lambda: chain_only(lib),
                "sqlite": lambda: sqlite_integrity(lib),
                "hashlib": lambda: hash_blobs(lib),
            },
        )
    before, after = times["before"], times["after"]
    rows = [
        ("check before state binding", before, ""),
        ("check now (states + witness)", after, f"{after / before:.2f}x before (goal < 2x)"),
        ("  record states alone", times["states"], f"{records / times['states']:,.0f} records/s"),
        ("  chain scan alone", times["chain"], f"{events / times['chain']:,.0f} events/s"),
        ("SQLite PRAGMA integrity_check", times["sqlite"], "yardstick"),
        ("hashlib over every blob", times["hashlib"], "yardstick"),
    ]
    for name, seconds, note in rows:
        print(f"{name:<34} {seconds * 1000:>9.0f} ms   {note}")
    print(f"{'witness append + fsync':<34} {witness_append_ms():>9.2f} ms   per commit, alone")
    per_file, states_ms, witness_ms = import_binding_share(
        args.cache / f"small-files-{args.sources}"
    )
    print(
        f"{'import of 300 small text files':<34} {per_file:>9.2f} ms   per file; of which record "
        f"states {states_ms:.2f} ms, witness line {witness_ms:.2f} ms "
        f"({(states_ms + witness_ms) / per_file:.0%})"
    )


if __name__ == "__main__":
    main()
