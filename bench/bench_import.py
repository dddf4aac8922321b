"""Import speed and memory: our full import next to bare PyMuPDF, in one run on this machine.

Why: importing a thousand-page report should cost little more than MuPDF's own text
extraction (goal: at least half its speed), and big batches or huge images must stay in
bounded memory (goals: 10,000 small files under 500 MB, a 20000x20000 image under 1 GB).
The command line must start quickly (goal: `workstation --help` under 0.3 s). This script
measures all four side by side so the ratios come from one machine and one moment:

1. A dense text PDF: bare `pymupdf.open` + `page.get_text()` vs `ImportService.import_paths`
   into a fresh library (median of --runs each), SHA-256 throughput on the same file for
   reference, a per-phase breakdown of one import, and a cProfile of another.
2. Many small files imported by a child process: wall time, files/s, peak RSS.
3. A huge PNG and JPEG imported by a child process: wall time, peak RSS.
4. `.venv/bin/workstation --help` vs `.venv/bin/python -c pass`, median of 10.

It prints figures and ratios and never passes or fails. Corpora are built once and cached.

    uv run python bench/bench_import.py [--quick] [--cache DIR] [--parts pdf,small,images,startup]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from workstation.ingest import ImportReport, ImportService  # noqa: E402
from workstation.library import Library  # noqa: E402

PARTS = ("pdf", "small", "images", "startup")
MB = 1_000_000


# --- small helpers -----------------------------------------------------------------------


def _peak_rss_bytes() -> int:
    """This process's peak resident set size (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _median_times(run: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


@contextlib.contextmanager
def _fresh_library_dir(cache: Path) -> Iterator[Path]:
    """An empty folder for a new library, on the same disk as the corpora; removed after."""
    base = cache / "libraries"
    base.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="lib-", dir=base))
    try:
        yield folder / "library"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _counts(report: ImportReport) -> dict[str, int]:
    return {s: report.count(s) for s in ("imported", "duplicate", "failed")}


def _check_all_imported(report: ImportReport, expected: int, what: str) -> None:
    counts = _counts(report)
    if counts["imported"] != expected:
        errors = [f"{r.path}: {r.error}" for r in report.results if r.status == "failed"][:3]
        print(f"  warning: {what}: {counts} (expected {expected} imported) {errors}")


def _row(name: str, value: str, note: str = "") -> None:
    print(f"  {name:<46} {value:>18}  {note}")


# --- 1. the text PDF ---------------------------------------------------------------------


@dataclass
class Phases:
    """Seconds spent per named phase of one import (nested phases are listed indented)."""

    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    calls: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def wrap(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        """func, timed into `name` on every call."""

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start
                self.calls[name] += 1

        return timed

    def wrap_iter(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        """A generator function, drained eagerly and timed into `name`."""

        def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
            start = time.perf_counter()
            try:
                items = list(func(*args, **kwargs))
            finally:
                self.seconds[name] += time.perf_counter() - start
                self.calls[name] += 1
            return iter(items)

        return timed


@contextlib.contextmanager
def _patched(obj: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def import_once(pdf: Path, cache: Path, profile: cProfile.Profile | None = None) -> float:
    """Seconds for import_paths([pdf]) into a fresh library (open and close not counted)."""
    with _fresh_library_dir(cache) as root:
        lib = Library.open(root, reviewer="bench", create=True)
        try:
            service = ImportService(lib)
            start = time.perf_counter()
            if profile is not None:
                profile.enable()
            report = service.import_paths([pdf])
            if profile is not None:
                profile.disable()
            seconds = time.perf_counter() - start
        finally:
            lib.close()
        _check_all_imported(report, 1, pdf.name)
    return seconds


def import_phases(pdf: Path, cache: Path) -> tuple[float, Phases]:
    """One import with the main steps timed by wrappers (a few calls each: no distortion)."""
    import workstation.extract.pdf as pdf_mod
    import workstation.ingest as ingest_mod

    phases = Phases()
    with _fresh_library_dir(cache) as root:
        lib = Library.open(root, reviewer="bench", create=True)
        try:
            service = ImportService(lib)
            with contextlib.ExitStack() as stack:
                patch = stack.enter_context
                patch(_patched(ingest_mod, "detect", phases.wrap("detect type", ingest_mod.detect)))
                patch(
                    _patched(
                        lib.blobs,
                        "put_file",
                        phases.wrap("blob store (hash+copy+fsync)", lib.blobs.put_file),
                    )
                )
                patch(_patched(ingest_mod, "extract", phases.wrap("extract", ingest_mod.extract)))
                patch(
                    _patched(
                        pdf_mod,
                        "_read_pages",
                        phases.wrap_iter("  get_text, every page", pdf_mod._read_pages),
                    )
                )
                patch(_patched(pdf_mod, "open_pdf", phases.wrap("  open", pdf_mod.open_pdf)))
                patch(
                    _patched(
                        pdf_mod,
                        "_active_content_flags",
                        phases.wrap("  active-content scan", pdf_mod._active_content_flags),
                    )
                )
                patch(
                    _patched(
                        pdf_mod, "_thumbnail", phases.wrap("  thumbnail render", pdf_mod._thumbnail)
                    )
                )
                patch(
                    _patched(
                        service,
                        "_write_thumbnail",
                        phases.wrap("thumbnail write", service._write_thumbnail),
                    )
                )
                patch(
                    _patched(
                        service,
                        "_commit_source",
                        phases.wrap("SQLite: source+pages+audit+commit", service._commit_source),
                    )
                )
                patch(_patched(lib, "record", phases.wrap("  audit event", lib.record)))
                patch(
                    _patched(
                        service,
                        "_existing",
                        phases.wrap("SQLite: duplicate check", service._existing),
                    )
                )
                start = time.perf_counter()
                index = lib.search_index  # opened lazily by the first add_source
                phases.seconds["index open/create"] += time.perf_counter() - start
                patch(
                    _patched(index, "add_source", phases.wrap("index add_source", index.add_source))
                )
                patch(_patched(index, "commit", phases.wrap("  index commit", index.commit)))
                patch(
                    _patched(
                        service,
                        "flush_index",
                        phases.wrap("index commit + mark indexed", service.flush_index),
                    )
                )
                report = service.import_paths([pdf])
                total = time.perf_counter() - start
        finally:
            lib.close()
        _check_all_imported(report, 1, pdf.name)
    return total, phases


def _print_phases(total: float, phases: Phases, pages: int) -> None:
    print(f"\nPhases of one import ({total * 1000:,.0f} ms, {pages} pages, index open included)")
    top = 0.0
    for name, seconds in phases.seconds.items():
        if not name.startswith(" "):
            top += seconds
        share = seconds / total * 100
        _row(name, f"{seconds * 1000:,.1f} ms", f"{share:5.1f} %  {phases.calls[name]} call(s)")
    other = total - top
    _row(
        "other (iteration, results, ...)",
        f"{other * 1000:,.1f} ms",
        f"{other / total * 100:5.1f} %",
    )


def _print_profile(profile: cProfile.Profile, top: int) -> None:
    for key in ("cumulative", "tottime"):
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).strip_dirs().sort_stats(key)
        stats.print_stats(top)
        text = out.getvalue()
        body = text[text.find("   ncalls") :] if "   ncalls" in text else text
        total = f"{stats.total_tt:.3f} s"  # type: ignore[attr-defined]
        print(f"\ncProfile of one import, sorted by {key}, top {top} (profiled total {total})")
        print(body.rstrip())


def bench_pdf(args: argparse.Namespace, summary: list[tuple[str, ...]]) -> None:
    """Item 1: bare get_text vs full import, SHA-256, phases and profile."""
    import pymupdf

    from bench.bench_baselines import bare_pdf_text_ms_per_page, sha256_gb_per_s
    from bench.corpora import ensure, make_text_pdf

    cache: Path = args.cache
    start = time.perf_counter()
    pdf = ensure(cache / f"text-{args.pages}.pdf", lambda p: make_text_pdf(p, args.pages))
    print(
        f"\n1. Text PDF {pdf} ({pdf.stat().st_size / MB:.1f} MB), ready in "
        f"{time.perf_counter() - start:.1f} s"
    )
    with pymupdf.open(pdf) as doc:
        pages = int(doc.page_count)
        chars = sum(len(page.get_text()) for page in doc.pages())  # also warms the file cache
    import_once(pdf, cache)  # warm-up: first imports of modules, first tantivy index

    bare = bare_pdf_text_ms_per_page(pdf, args.runs)
    median, times = _median_times(lambda: import_once(pdf, cache), args.runs)
    ours = median / pages * 1000
    sha = sha256_gb_per_s(pdf, max(args.runs, 5))
    with _fresh_library_dir(cache) as root:
        opened, _ = _median_times(
            lambda: Library.open(root, reviewer="bench", create=True).close(), 1
        )
    ratio = bare / ours
    _row("pages, characters of text", f"{pages:,}", f"{chars / pages:,.0f} chars/page")
    _row("bare PyMuPDF open + get_text()", f"{bare:.3f} ms/page", f"median of {args.runs}")
    _row(
        "full import into a fresh library",
        f"{ours:.3f} ms/page",
        f"median of {args.runs}: " + ", ".join(f"{t:.2f}" for t in times) + " s",
    )
    _row("  ratio bare / import (goal >= 0.5)", f"{ratio:.2f}", f"import = {1 / ratio:.2f} x bare")
    _row(
        "hashlib.file_digest SHA-256, same file",
        f"{sha:.2f} GB/s",
        f"{pdf.stat().st_size / sha / 1e9 * 1000:.1f} ms for the whole file",
    )
    _row("Library.open(create=True) (not counted)", f"{opened * 1000:,.0f} ms", "migrations")
    summary.append(
        (
            f"PDF import, {pages} pages",
            f"{ours:.3f} ms/page",
            f"bare get_text {bare:.3f} ms/page",
            f"bare/import {ratio:.2f}",
            ">= 0.5",
        )
    )
    summary.append(
        (
            "  SHA-256 of the same file",
            f"{sha:.2f} GB/s",
            f"{pdf.stat().st_size / MB:.1f} MB file",
            f"{pdf.stat().st_size / sha / 1e9 / median * 100:.1f} % of import",
            "",
        )
    )

    total, phases = import_phases(pdf, cache)
    _print_phases(total, phases, pages)
    profile = cProfile.Profile()
    profiled = import_once(pdf, cache, profile)
    print(f"\n(import under cProfile took {profiled:.2f} s vs {median:.2f} s without)")
    _print_profile(profile, args.top)


# --- 2 and 3. child processes ------------------------------------------------------------


def child_main(library: Path, paths: list[Path]) -> None:
    """Run in a subprocess: import paths into a new library and print one JSON line."""
    start = time.perf_counter()
    lib = Library.open(library, reviewer="bench", create=True)
    opened = time.perf_counter()
    rss_open = _peak_rss_bytes()
    try:
        report = ImportService(lib).import_paths(paths)
    finally:
        imported = time.perf_counter()
        lib.close()
    end = time.perf_counter()
    errors = [f"{r.path}: {r.error}" for r in report.results if r.status == "failed"][:3]
    print(
        json.dumps(
            {
                "open_s": opened - start,
                "import_s": imported - opened,
                "close_s": end - imported,
                "counts": _counts(report),
                "errors": errors,
                "peak_rss_after_open": rss_open,
                "peak_rss": _peak_rss_bytes(),
            }
        )
    )


def run_child(paths: list[Path], cache: Path) -> dict[str, Any]:
    """Import paths in a fresh `python bench_import.py --child` process; its figures + wall."""
    with _fresh_library_dir(cache) as root:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(root)]
        start = time.perf_counter()
        done = subprocess.run([*cmd, *map(str, paths)], capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"child failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["wall_s"] = wall
    return figures


def _print_child(figures: dict[str, Any]) -> None:
    counts = figures["counts"]
    _row(
        "process wall time",
        f"{figures['wall_s']:.2f} s",
        f"Python start + imports + open {figures['open_s']:.2f} s, close "
        f"{figures['close_s']:.2f} s",
    )
    _row(
        "import_paths",
        f"{figures['import_s']:.2f} s",
        f"{counts['imported']} imported, {counts['duplicate']} duplicate, "
        f"{counts['failed']} failed",
    )
    _row(
        "peak RSS",
        f"{figures['peak_rss'] / MB:,.0f} MB",
        f"after imports + open: {figures['peak_rss_after_open'] / MB:,.0f} MB",
    )
    for error in figures["errors"]:
        print(f"    failed: {error}")


def bench_small(args: argparse.Namespace, summary: list[tuple[str, ...]]) -> None:
    """Item 2: many small files in a subprocess."""
    from bench.corpora import ensure, make_many_small_files

    n = args.files
    start = time.perf_counter()
    folder = ensure(args.cache / f"small-files-{n}", lambda p: make_many_small_files(p, n))
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    print(
        f"\n2. {n:,} small files in {folder} ({size / MB:.1f} MB), ready in "
        f"{time.perf_counter() - start:.1f} s"
    )
    figures = run_child([folder], args.cache)
    _print_child(figures)
    rate = n / figures["import_s"]
    _row(
        "files per second (import_paths)",
        f"{rate:,.0f} files/s",
        f"{figures['import_s'] / n * 1000:.2f} ms/file; "
        f"{n / figures['wall_s']:,.0f} files/s over the process wall time",
    )
    peak = figures["peak_rss"] / MB
    summary.append(
        (
            f"{n:,} small files, subprocess",
            f"{rate:,.0f} files/s",
            f"wall {figures['wall_s']:.1f} s",
            "",
            "",
        )
    )
    summary.append(
        (
            "  peak RSS",
            f"{peak:,.0f} MB",
            "goal 500 MB",
            f"{peak / 500:.2f} of goal",
            "< 500 MB",
        )
    )


def bench_images(args: argparse.Namespace, summary: list[tuple[str, ...]]) -> None:
    """Item 3: a huge PNG and JPEG, each in a subprocess."""
    from bench import corpora

    side = args.image_size
    makers: list[tuple[str, Callable[..., Path] | None]] = [
        ("png", corpora.make_large_png),
        ("jpg", getattr(corpora, "make_large_jpeg", None)),
    ]
    for ext, make in makers:
        if make is None:
            print(f"\n3. {ext.upper()}: bench/corpora.py cannot make one; skipped")
            continue
        start = time.perf_counter()
        path = corpora.ensure(
            args.cache / f"large-{side}x{side}.{ext}", lambda p, m=make: m(p, side, side)
        )
        print(
            f"\n3. {ext.upper()} {side}x{side} {path} ({path.stat().st_size / MB:,.1f} MB), "
            f"ready in {time.perf_counter() - start:.1f} s"
        )
        figures = run_child([path], args.cache)
        _print_child(figures)
        peak = figures["peak_rss"] / MB
        bitmap = side * side * 3 / MB
        _row(
            "  decoded RGB bitmap would be",
            f"{bitmap:,.0f} MB",
            f"peak RSS is {peak / bitmap:.2f} of it",
        )
        summary.append(
            (
                f"{ext.upper()} {side}x{side}, subprocess",
                f"peak RSS {peak:,.0f} MB",
                f"wall {figures['wall_s']:.1f} s (import {figures['import_s']:.1f} s)",
                f"{peak / 1000:.2f} of goal",
                "< 1 GB",
            )
        )


# --- 4. start-up -------------------------------------------------------------------------


def bench_startup(args: argparse.Namespace, summary: list[tuple[str, ...]]) -> None:
    """Item 4: `workstation --help` against a bare interpreter."""
    venv = ROOT / ".venv" / "bin"
    commands = {
        "workstation --help": [str(venv / "workstation"), "--help"],
        "python -c pass": [str(venv / "python"), "-c", "pass"],
    }
    print(
        f"\n4. Start-up, median of {args.startup_runs} "
        f"(PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', 'unset')})"
    )
    medians = {}
    for name, cmd in commands.items():
        subprocess.run(cmd, check=True, capture_output=True)  # warm the file cache
        medians[name], times = _median_times(
            lambda c=cmd: subprocess.run(c, check=True, capture_output=True), args.startup_runs
        )
        _row(
            name,
            f"{medians[name] * 1000:,.0f} ms",
            f"min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f} ms",
        )
    ours, bare = medians["workstation --help"], medians["python -c pass"]
    _row("  minus bare python", f"{(ours - bare) * 1000:,.0f} ms", f"{ours / bare:.1f} x bare")
    summary.append(
        (
            "workstation --help",
            f"{ours * 1000:,.0f} ms",
            f"python -c pass {bare * 1000:,.0f} ms",
            f"{ours / bare:.1f} x bare",
            "< 300 ms",
        )
    )


# --- main --------------------------------------------------------------------------------


def _print_summary(summary: list[tuple[str, ...]]) -> None:
    header = ("measure", "ours", "reference", "ratio", "goal")
    widths = [max(len(row[i]) for row in [header, *summary]) for i in range(len(header))]
    print("\nSummary")
    for row in [header, tuple("-" * w for w in widths), *summary]:
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


def main() -> None:
    """Parse options, build or reuse corpora, run the chosen parts, print the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 pages, 1,000 files, 8000x8000")
    parser.add_argument("--cache", type=Path, default=ROOT / "bench" / ".cache")
    parser.add_argument(
        "--parts", default=",".join(PARTS), help="comma-separated: " + ",".join(PARTS)
    )
    parser.add_argument("--pages", type=int, help="pages in the text PDF (default 1000)")
    parser.add_argument("--files", type=int, help="small files (default 10000)")
    parser.add_argument("--image-size", type=int, help="side of the square images (default 20000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per PDF figure (median)")
    parser.add_argument("--startup-runs", type=int, default=10)
    parser.add_argument("--top", type=int, default=25, help="profile lines per sort order")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child_main(args.child, args.paths)
        return
    args.pages = args.pages or (200 if args.quick else 1000)
    args.files = args.files or (1000 if args.quick else 10_000)
    args.image_size = args.image_size or (8000 if args.quick else 20_000)
    args.cache = args.cache.absolute()
    args.cache.mkdir(parents=True, exist_ok=True)
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")

    print(f"Python {sys.version.split()[0]} on {os.cpu_count()} CPUs; corpora in {args.cache}")
    summary: list[tuple[str, ...]] = []
    steps = {
        "pdf": bench_pdf,
        "small": bench_small,
        "images": bench_images,
        "startup": bench_startup,
    }
    for part in PARTS:
        if part in parts:
            steps[part](args, summary)
    _print_summary(summary)


if __name__ == "__main__":
    main()
