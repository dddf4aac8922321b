"""Import speed and memory: our full import next to bare PyMuPDF, in one run on this machine.

Why: importing a thousand-page report should cost little more than MuPDF's own text
extraction (goal: at least half its speed), and big batches or huge images must stay in
bounded memory (goals: 10,000 small files under 500 MB, a 20000x20000 image under 1 GB).
The command line must start quickly (goal: `workstation --help` under 0.3 s). This script
measures all four side by side so the ratios come from one machine and one moment:

1. A dense text PDF: bare `pymupdf.open` + `page.get_text()` vs `ImportService.import_paths`
   into a fresh library (interleaved runs, median of --runs each, wall and CPU time),
   get_text split over two worker processes (what parallel extraction could gain),
   SHA-256 throughput on the same file for reference, a per-phase breakdown of one import
   and a cProfile of another.
2. Many small files imported by a child process: wall time, files/s, peak RSS, RSS along
   the batch and the phases of the import.
3. A huge PNG and JPEG imported by a child process: wall time, peak RSS.
4. `.venv/bin/workstation --help` vs `.venv/bin/python -c pass`, median of 10.

It prints figures and ratios and never passes or fails. The load average is printed with
each part: on a shared machine the wall times move with it, CPU times much less. Corpora
are built once and cached (`--cache`, default bench/.cache).

    uv run python bench/bench_import.py [--quick] [--cache DIR] [--parts pdf,small,images,startup]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import importlib.util
import io
import itertools
import json
import multiprocessing
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
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

_T_MODULE = time.monotonic()  # before the heavy imports below: see child_main

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from workstation.core.library import Library  # noqa: E402
from workstation.core.progress import Progress  # noqa: E402
from workstation.sources.ingest import ImportReport, ImportService  # noqa: E402

PARTS = ("pdf", "small", "images", "startup")
MB = 1_000_000


# --- small helpers -----------------------------------------------------------------------


def _proc_status_bytes(key: str) -> int | None:
    """A kB figure from /proc/self/status (Linux), in bytes; None elsewhere."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return None


def _peak_rss_bytes() -> int:
    """This process's peak resident set size, counted from its own exec.

    Linux keeps ru_maxrss across fork and exec, so a child started by a big parent
    reports at least the parent's size (subprocess uses vfork: the parent's own peak).
    /proc/self/status VmHWM belongs to the address space made at exec: use it when there.
    """
    peak = _proc_status_bytes("VmHWM")
    if peak is not None:
        return peak
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _bytecode_note() -> str:
    """Whether big dependencies have compiled bytecode: without it imports take seconds."""
    notes = []
    for module in ("pymupdf", "sqlalchemy"):
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec else None
        cached = origin is not None and Path(importlib.util.cache_from_source(origin)).exists()
        notes.append(f"{module} {'has' if cached else 'LACKS'} bytecode")
    env = os.environ.get("PYTHONDONTWRITEBYTECODE", "unset")
    return ", ".join(notes) + f"; PYTHONDONTWRITEBYTECODE={env}"


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


# --- timing the steps of an import -------------------------------------------------------


class Phases:
    """Seconds and calls per named phase of an import; names starting with spaces are nested."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def add(self, name: str, seconds: float) -> None:
        """Account one call of `seconds` to `name`."""
        if name not in self.order:
            self.order.append(name)
        self.seconds[name] += seconds
        self.calls[name] += 1

    def wrap(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        """func, timed into `name` on every call."""
        if name not in self.order:
            self.order.append(name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - start)

        return timed

    def wrap_iter(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        """A generator function, drained eagerly and timed into `name`."""
        if name not in self.order:
            self.order.append(name)

        def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
            start = time.perf_counter()
            try:
                items = list(func(*args, **kwargs))
            finally:
                self.add(name, time.perf_counter() - start)
            return iter(items)

        return timed

    def rows(self) -> list[tuple[str, float, int]]:
        """(name, seconds, calls) in wrapping order, phases never called left out."""
        return [(n, self.seconds[n], self.calls[n]) for n in self.order if self.calls[n]]


@contextlib.contextmanager
def _patched(obj: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def import_once(
    pdf: Path, cache: Path, profile: cProfile.Profile | None = None
) -> tuple[float, float]:
    """Import one file into a fresh library and time import_paths only.

    Args:
        pdf: The file to import.
        cache: Where the scratch library folder goes (removed afterwards).
        profile: When given, enabled around import_paths.

    Returns:
        Wall seconds and CPU seconds of all threads (Library.open and close not counted).
    """
    with _fresh_library_dir(cache) as root:
        lib = Library.open(root, reviewer="bench", create=True)
        try:
            service = ImportService(lib)
            start, cpu = time.perf_counter(), time.process_time()
            if profile is not None:
                profile.enable()
            report = service.import_paths([pdf])
            if profile is not None:
                profile.disable()
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        finally:
            lib.close()
        _check_all_imported(report, 1, pdf.name)
    return seconds, cpu


@contextlib.contextmanager
def instrumented(lib: Library, service: ImportService, phases: Phases) -> Iterator[None]:
    """Time the steps of ImportService into phases while the block runs.

    Opens the search index first (timed as its own phase) so its methods can be wrapped;
    the first add_source would open it anyway. Wrappers cost about a microsecond a call.

    Args:
        lib: The open library the service writes to.
        service: The import service about to run.
        phases: Receives the timings.

    Yields:
        Nothing; the wrappers are removed when the block ends.
    """
    import workstation.sources.extract as extract_pkg
    import workstation.sources.extract.pdf as pdf_mod
    import workstation.sources.ingest as ingest_mod

    wrap = phases.wrap
    start = time.perf_counter()
    index = lib.search_index
    phases.add("index open + catch-up", time.perf_counter() - start)
    patches = [
        (ingest_mod, "detect", wrap("detect type", extract_pkg.detect)),
        (lib.blobs, "put_file", wrap("blob store (hash+copy+fsync)", lib.blobs.put_file)),
        (service, "_existing", wrap("SQLite: duplicate check", service._existing)),
        (ingest_mod, "extract", wrap("extract", extract_pkg.extract)),
        (pdf_mod, "open_pdf", wrap("  PDF open", pdf_mod.open_pdf)),
        (
            pdf_mod,
            "_active_content_flags",
            wrap("  PDF active-content scan", pdf_mod._active_content_flags),
        ),
        (
            pdf_mod,
            "_read_pages",
            phases.wrap_iter("  PDF get_text, every page", pdf_mod._read_pages),
        ),
        (pdf_mod, "_thumbnail", wrap("  PDF thumbnail render", pdf_mod._thumbnail)),
        (service, "_write_thumbnail", wrap("thumbnail write", service._write_thumbnail)),
        (
            service,
            "_commit_source",
            wrap("SQLite: source+pages+audit+commit", service._commit_source),
        ),
        (lib, "record", wrap("  audit event", lib.record)),
        (index, "add_source", wrap("index add_source", index.add_source)),
        (service, "flush_index", wrap("index commit + mark indexed", service.flush_index)),
        (index, "commit", wrap("  tantivy commit", index.commit)),
    ]
    pyramid = getattr(ingest_mod, "build_pyramid_for_import", None)  # newer ingest.py only
    if pyramid is not None:
        patches.append(
            (ingest_mod, "build_pyramid_for_import", wrap("image tile pyramid", pyramid))
        )
    with contextlib.ExitStack() as stack:
        for obj, name, value in patches:
            stack.enter_context(_patched(obj, name, value))
        yield


def import_phases(pdf: Path, cache: Path) -> tuple[float, Phases]:
    """One import with its main steps timed (a few calls each: no distortion)."""
    phases = Phases()
    with _fresh_library_dir(cache) as root:
        lib = Library.open(root, reviewer="bench", create=True)
        try:
            service = ImportService(lib)
            start = time.perf_counter()
            with instrumented(lib, service, phases):
                report = service.import_paths([pdf])
            total = time.perf_counter() - start
        finally:
            lib.close()
        _check_all_imported(report, 1, pdf.name)
    return total, phases


def _print_phases(title: str, total: float, rows: list[tuple[str, float, int]]) -> None:
    print(f"\n{title}")
    top = 0.0
    for name, seconds, calls in rows:
        if not name.startswith(" "):
            top += seconds
        _row(name, f"{seconds * 1000:,.1f} ms", f"{seconds / total * 100:5.1f} %  {calls:,} calls")
    other = total - top
    _row("other (walk, loop, results)", f"{other * 1000:,.1f} ms", f"{other / total * 100:5.1f} %")


# --- 1. the text PDF ---------------------------------------------------------------------


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


def _text_of_pages(pdf: str, first: int, stop: int) -> list[str]:
    """get_text() of pages first..stop-1 (0-based), in a worker process."""
    import pymupdf

    with pymupdf.open(pdf) as doc:
        return [doc.load_page(i).get_text() for i in range(first, stop)]


def split_get_text_seconds(pool: ProcessPoolExecutor, pdf: Path, pages: int, workers: int) -> float:
    """Wall time of get_text() over all pages cut into `workers` ranges, texts sent back.

    Args:
        pool: A started pool (its start-up is not counted).
        pdf: The PDF.
        pages: Its page count.
        workers: Into how many page ranges to cut it, one task each.

    Returns:
        Seconds from the first submit until every text is back in this process.
    """
    bounds = [pages * i // workers for i in range(workers + 1)]
    start = time.perf_counter()
    futures = [pool.submit(_text_of_pages, str(pdf), a, b) for a, b in itertools.pairwise(bounds)]
    texts = [text for future in futures for text in future.result()]
    seconds = time.perf_counter() - start
    assert len(texts) == pages
    return seconds


def bench_pdf(args: argparse.Namespace, summary: list[tuple[str, ...]]) -> None:
    """Item 1: bare get_text vs full import, SHA-256, phases and profile."""
    import pymupdf

    from bench.bench_baselines import bare_pdf_text_ms_per_page, sha256_gb_per_s
    from bench.corpora import ensure, make_text_pdf

    cache: Path = args.cache
    start = time.perf_counter()
    pdf = ensure(cache / f"text-{args.pages}.pdf", lambda p: make_text_pdf(p, args.pages))
    size = pdf.stat().st_size
    print(
        f"\n1. Text PDF {pdf} ({size / MB:.1f} MB), ready in {time.perf_counter() - start:.1f} s"
        f"; load average {_load()}"
    )
    with pymupdf.open(pdf) as doc:
        pages = int(doc.page_count)
        chars = sum(len(page.get_text()) for page in doc.pages())  # also warms the file cache
    import_once(pdf, cache)  # warm-up: first calls into every library, first tantivy index
    workers = 2
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        list(pool.map(_text_of_pages, [str(pdf)] * workers, [0] * workers, [1] * workers))
        bare_ms, import_s, split_s = [], [], []
        bare_cpu, import_cpu = [], []
        for _ in range(args.runs):  # interleaved, so a busy moment hits all three alike
            cpu = time.process_time()
            bare_ms.append(bare_pdf_text_ms_per_page(pdf, 1))
            bare_cpu.append(time.process_time() - cpu)
            wall, cpu = import_once(pdf, cache)
            import_s.append(wall)
            import_cpu.append(cpu)
            split_s.append(split_get_text_seconds(pool, pdf, pages, workers))
    finally:
        pool.shutdown()
    bare = statistics.median(bare_ms)
    median = statistics.median(import_s)
    ours = median / pages * 1000
    split = statistics.median(split_s) / pages * 1000
    sha = sha256_gb_per_s(pdf, max(args.runs, 5))
    with _fresh_library_dir(cache) as root:
        opened, _ = _median_times(
            lambda: Library.open(root, reviewer="bench", create=True).close(), 1
        )
    ratio = bare / ours
    best = min(bare_ms) / (min(import_s) / pages * 1000)

    def runs(values: list[float]) -> str:
        return ", ".join(f"{v:.3f}" for v in values)

    _row("pages, characters of text", f"{pages:,}", f"{chars / pages:,.0f} chars/page")
    _row("bare PyMuPDF open + get_text()", f"{bare:.3f} ms/page", f"runs: {runs(bare_ms)}")
    _row(
        "full import into a fresh library",
        f"{ours:.3f} ms/page",
        f"runs: {runs([t / pages * 1000 for t in import_s])}",
    )
    _row("  ratio bare / import (goal >= 0.5)", f"{ratio:.2f}", f"best run vs best run: {best:.2f}")
    cpu_bare = statistics.median(bare_cpu) / pages * 1000
    cpu_ours = statistics.median(import_cpu) / pages * 1000
    _row("CPU time, bare get_text", f"{cpu_bare:.3f} ms/page", "process_time: waits not counted")
    _row(
        "CPU time, import (all threads)",
        f"{cpu_ours:.3f} ms/page",
        f"ratio bare / import {cpu_bare / cpu_ours:.2f}; wall / CPU {ours / cpu_ours:.2f}",
    )
    _row(
        f"bare get_text split over {workers} processes",
        f"{split:.3f} ms/page",
        f"warm spawn pool, texts pickled back; {bare / split:.2f} x bare speed",
    )
    _row(
        "hashlib.file_digest SHA-256, same file",
        f"{sha:.2f} GB/s",
        f"{size / sha / 1e9 * 1000:.1f} ms for the whole file",
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
            "  the same in CPU time",
            f"{cpu_ours:.3f} ms/page",
            f"bare get_text {cpu_bare:.3f} ms/page",
            f"bare/import {cpu_bare / cpu_ours:.2f}",
            "",
        )
    )
    summary.append(
        (
            f"  get_text over {workers} processes",
            f"{split:.3f} ms/page",
            f"bare get_text {bare:.3f} ms/page",
            f"speed-up {bare / split:.2f}",
            "",
        )
    )
    summary.append(
        (
            "  SHA-256 of the same file",
            f"{sha:.2f} GB/s",
            f"{size / MB:.1f} MB in {size / sha / 1e6:.1f} ms",
            f"{size / sha / 1e9 / median * 100:.2f} % of import",
            "",
        )
    )

    total, phases = import_phases(pdf, cache)
    _print_phases(
        f"Phases of one import ({total * 1000:,.0f} ms for {pages} pages, index open included)",
        total,
        phases.rows(),
    )
    profile = cProfile.Profile()
    profiled, _ = import_once(pdf, cache, profile)
    print(f"\n(import under cProfile took {profiled:.2f} s vs a median of {median:.2f} s without)")
    _print_profile(profile, args.top)


# --- 2 and 3. child processes ------------------------------------------------------------


def child_main(library: Path, paths: list[Path]) -> None:
    """Run in a subprocess: import paths into a new library and print one JSON line.

    Time stamps are time.monotonic() (CLOCK_MONOTONIC, shared with the parent), so the
    parent can tell interpreter start-up and module imports apart from the import itself.

    Args:
        library: Folder for the new library.
        paths: Files and folders to import.
    """
    opening = time.monotonic()
    lib = Library.open(library, reviewer="bench", create=True)
    opened = time.monotonic()
    rss_open = _peak_rss_bytes()
    phases = Phases()
    rss: list[tuple[int, int]] = []  # (files done, current RSS) about ten times per batch

    def sample(progress: Progress) -> None:
        step = max(1, progress.total // 10)
        if progress.done and (progress.done % step == 0 or progress.done == progress.total):
            current = _proc_status_bytes("VmRSS")
            if current is not None and (not rss or rss[-1][0] != progress.done):
                rss.append((progress.done, current))

    try:
        service = ImportService(lib)
        with instrumented(lib, service, phases):
            report = service.import_paths(paths, progress=sample)
    finally:
        imported = time.monotonic()
        lib.close()
    errors = [f"{r.path}: {r.error}" for r in report.results if r.status == "failed"][:3]
    figures = {
        "t_module": _T_MODULE,
        "t_opening": opening,
        "t_opened": opened,
        "t_imported": imported,
        "t_closed": time.monotonic(),
        "counts": _counts(report),
        "errors": errors,
        "phases": phases.rows(),
        "rss": rss,
        "peak_rss_after_open": rss_open,
        "peak_rss": _peak_rss_bytes(),
    }
    print(json.dumps(figures))


def run_child(paths: list[Path], cache: Path) -> dict[str, Any]:
    """Import paths in a fresh `python bench_import.py --child` process.

    Args:
        paths: Files and folders to import.
        cache: Where the scratch library folder goes (removed afterwards).

    Returns:
        The child's figures plus wall time and its split into start-up, open, import, exit.

    Raises:
        RuntimeError: The child exited with an error.
    """
    with _fresh_library_dir(cache) as root:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(root)]
        start = time.monotonic()
        done = subprocess.run([*cmd, *map(str, paths)], capture_output=True, text=True, check=False)
        end = time.monotonic()
    if done.returncode != 0:
        raise RuntimeError(f"child failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    f: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    f["wall_s"] = end - start
    f["python_start_s"] = f["t_module"] - start
    f["modules_s"] = f["t_opening"] - f["t_module"]
    f["open_s"] = f["t_opened"] - f["t_opening"]
    f["import_s"] = f["t_imported"] - f["t_opened"]
    f["close_s"] = f["t_closed"] - f["t_imported"]
    f["exit_s"] = end - f["t_closed"]
    return f


def _print_child(figures: dict[str, Any]) -> None:
    counts = figures["counts"]
    _row(
        "process wall time",
        f"{figures['wall_s']:.2f} s",
        f"interpreter {figures['python_start_s']:.2f} + modules {figures['modules_s']:.2f} + "
        f"Library.open {figures['open_s']:.2f} + import {figures['import_s']:.2f} + close "
        f"{figures['close_s']:.2f} + exit {figures['exit_s']:.2f} s",
    )
    _row(
        "import_paths",
        f"{figures['import_s']:.2f} s",
        f"{counts['imported']:,} imported, {counts['duplicate']} duplicate, "
        f"{counts['failed']} failed",
    )
    _row(
        "peak RSS",
        f"{figures['peak_rss'] / MB:,.0f} MB",
        f"after module imports + Library.open: {figures['peak_rss_after_open'] / MB:,.0f} MB",
    )
    if len(figures["rss"]) > 1:
        curve = ", ".join(f"{n:,}: {b / MB:,.0f}" for n, b in figures["rss"])
        print(f"    current RSS in MB after N files: {curve}")
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
        f"{time.perf_counter() - start:.1f} s; load average {_load()}"
    )
    figures = run_child([folder], args.cache)
    _print_child(figures)
    _print_phases(
        f"Phases inside the child ({figures['import_s']:.2f} s of import_paths, wrapped steps)",
        figures["import_s"],
        figures["phases"],
    )
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
            args.cache / f"large-{side}x{side}.{ext}",
            functools.partial(make, width=side, height=side),
        )
        print(
            f"\n3. {ext.upper()} {side}x{side} {path} ({path.stat().st_size / MB:,.1f} MB), "
            f"ready in {time.perf_counter() - start:.1f} s; load average {_load()}"
        )
        figures = run_child([path], args.cache)
        _print_child(figures)
        _print_phases(
            f"Phases inside the child ({figures['import_s']:.2f} s of import_paths)",
            figures["import_s"],
            figures["phases"],
        )
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
        run = functools.partial(subprocess.run, cmd, check=True, capture_output=True)
        medians[name], times = _median_times(run, args.startup_runs)
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
    parser.add_argument(
        "--cache",
        type=Path,
        default=ROOT / "bench" / ".cache",
        help="folder for generated corpora and scratch libraries (default bench/.cache)",
    )
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
    print(f"load average at start {_load()}; {_bytecode_note()}")
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
