"""Desktop app figures: cold start on a 10,000-source library, the longest
event-loop stall while 200 files import in the background, opening a
1,000-page PDF, and memory with a 1,000-page PDF beside a 20000x20000 image.

Prints figures; never passes or fails on time.
Usage: uv run python bench/bench_gui.py [--cache DIR] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent

COLD_START_CHILD = r"""
import sys, time, json
t_launch = float(sys.argv[2])
t0 = time.time()
from pathlib import Path
from PySide6.QtCore import QSettings, QTimer
from ui.desktop.app.app import make_application
from ui.desktop.app.controller import LibraryController
from ui.desktop.app.main_window import MainWindow
from workstation.core.library import Library
app = make_application()
settings = QSettings(sys.argv[3], QSettings.Format.IniFormat)
lib = Library.open(Path(sys.argv[1]), reviewer="bench")
win = MainWindow(LibraryController(lib), settings=settings)
win.show()
win.library_panel.table.viewport().repaint()
app.processEvents()
t_ready = time.time()
rows = win.library_panel.model.rowCount()
win.close()
print(json.dumps({"ready_s": t_ready - t_launch, "in_process_s": t_ready - t0, "rows": rows}))
"""


def build_library(folder: Path, n: int) -> Path:
    """A library of ``n`` small text sources (cached)."""
    from workstation.core.library import Library
    from workstation.sources.ingest import ImportService

    lib_dir = folder / f"lib-{n}"
    if (lib_dir / "library.sqlite").exists():
        return lib_dir
    files = folder / f"files-{n}"
    files.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (files / f"{i:06}.txt").write_text(
            f"Note {i}: sighting of vessel number {i % 977} near Nampo, berth {i % 13}.\n"
        )
    t = time.perf_counter()
    with Library.open(lib_dir, reviewer="bench", create=True) as lib:
        ImportService(lib).import_paths([files])
    print(f"  built a {n}-source library in {time.perf_counter() - t:.1f} s")
    return lib_dir


def cold_start(lib_dir: Path, runs: int) -> dict[str, float]:
    """Median seconds from process launch to a painted main window."""
    results = []
    for _ in range(runs):
        launch = time.time()
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                COLD_START_CHILD,
                str(lib_dir),
                str(launch),
                str(lib_dir.parent / "bench-settings.ini"),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        "ready_s": statistics.median(r["ready_s"] for r in results),
        "in_process_s": statistics.median(r["in_process_s"] for r in results),
        "rows": results[0]["rows"],
    }


def import_stall(folder: Path, n_files: int, warm: bool) -> dict[str, float]:
    """Longest gap between 5 ms timer ticks while ``n_files`` import in a worker."""
    from PySide6.QtCore import QElapsedTimer, QSettings, QTimer

    from ui.desktop.app.app import make_application
    from ui.desktop.app.controller import LibraryController
    from ui.desktop.app.main_window import MainWindow
    from ui.desktop.ops.import_ import run_import
    from workstation.core.library import Library

    app = make_application()
    files = folder / f"stall-files-{n_files}"
    files.mkdir(parents=True, exist_ok=True)
    for i in range(n_files):
        (files / f"{i:04}.txt").write_text(f"stall test note {i} about the port of Rajin\n" * 20)
    lib_dir = folder / f"stall-lib-{time.time_ns()}"
    controller = LibraryController(Library.open(lib_dir, reviewer="bench", create=True))
    win = MainWindow(
        controller, settings=QSettings(str(folder / "stall.ini"), QSettings.Format.IniFormat)
    )
    win.show()
    if warm:
        controller.warm_up()
        controller.read_pool.waitForDone()
    gaps: list[float] = []
    at: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.nsecsElapsed()]

    def tick() -> None:
        now = clock.nsecsElapsed()
        gaps.append((now - last[0]) / 1e6)
        at.append(now / 1e6)
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    done: list[object] = []
    t = time.perf_counter()
    run_import(controller, [files], win, on_done=done.append, show_summary=False)
    while not done:
        app.processEvents()
        time.sleep(0.001)
    elapsed = time.perf_counter() - t
    timer.stop()
    win.close()
    worst = max(range(len(gaps)), key=gaps.__getitem__) if gaps else 0
    worst_at = at[worst] - at[0] if gaps else 0.0
    gaps.sort()
    return {
        "worst_at_ms": worst_at,
        "files": n_files,
        "seconds": elapsed,
        "max_gap_ms": gaps[-1] if gaps else 0.0,
        "p99_gap_ms": gaps[int(len(gaps) * 0.99)] if gaps else 0.0,
        "ticks": len(gaps),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cache", type=Path, default=ROOT / "bench" / ".cache")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--stall-child", choices=["warm", "cold"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    if args.stall_child:
        print(json.dumps(import_stall(args.cache, 200, args.stall_child == "warm")))
        return
    n = 1000 if args.quick else 10_000
    print(f"cold start on a {n}-source library")
    lib_dir = build_library(args.cache, n)
    start = cold_start(lib_dir, 3 if args.quick else 5)
    print(
        f"  launch -> painted main window: {start['ready_s'] * 1000:.0f} ms median "
        f"({start['in_process_s'] * 1000:.0f} ms after the interpreter started), "
        f"{start['rows']} rows; goal < 1500 ms"
    )
    print("event loop while importing 200 files in the background")
    for warm in (False, True):
        # Each in a fresh process: native modules load only once per process.
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--cache",
                str(args.cache),
                "--stall-child",
                "warm" if warm else "cold",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        stall = json.loads(out.stdout.strip().splitlines()[-1])
        label = "after warm_up()" if warm else "first import in the process"
        print(
            f"  {label}: {stall['files']} files in {stall['seconds']:.2f} s; longest stall "
            f"{stall['max_gap_ms']:.1f} ms, p99 {stall['p99_gap_ms']:.1f} ms over "
            f"{stall['ticks']} ticks of a 5 ms timer (worst at "
            f"{stall['worst_at_ms']:.0f} ms); goal < 100 ms"
        )


if __name__ == "__main__":
    main()
