"""Start-up of a frozen build against ``uv run``, measured side by side, and its size.

Runs each command in turn (A B A B ...), whole process from start to exit, and
prints the median wall time of each and the median of the pair-by-pair ratio A/B
(pairing keeps the ratio fair when the machine's load drifts). The budget for
the frozen app is A/B <= 1.2 on the window's start. From the checkout:

    QT_QPA_PLATFORM=offscreen uv run python packaging/bench_start.py APP_DIR LIBRARY [-n 7]

APP_DIR is an unpacked build (the folder holding ``workstation``); LIBRARY a
demo library (``workstation --library LIBRARY demo --no-gui``).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def paired(a: list[str], b: list[str], runs: int) -> tuple[float, float, float]:
    """Median wall of A, of B, and median of A/B per pair (after one warm-up each)."""
    _wall(a)
    _wall(b)
    pairs = [(_wall(a), _wall(b)) for _ in range(runs)]
    return (
        statistics.median(p[0] for p in pairs),
        statistics.median(p[1] for p in pairs),
        statistics.median(p[0] / p[1] for p in pairs),
    )


def size_mb(folder: Path) -> float:
    return (
        sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", type=Path)
    parser.add_argument("library", type=Path)
    parser.add_argument("-n", type=int, default=7)
    args = parser.parse_args()
    exe = str(args.app / "workstation")
    print(f"{args.app}: {size_mb(args.app):.0f} MB unpacked")
    rows = [
        (
            "window up, a PDF beside an image, closed",
            [exe, "selftest-gui", str(args.library)],
            ["uv", "run", "--frozen", "python", str(HERE / "smoke_gui.py"), str(args.library)],
        ),
        (
            "workstation search Rajin",
            [exe, "--library", str(args.library), "search", "Rajin"],
            [
                "uv",
                "run",
                "--frozen",
                "workstation",
                "--library",
                str(args.library),
                "search",
                "Rajin",
            ],
        ),
    ]
    for what, a, b in rows:
        wa, wb, ratio = paired(a, b, args.n)
        print(
            f"{what}: frozen {wa:.2f} s, uv run {wb:.2f} s, frozen/uv run {ratio:.2f} (n={args.n})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
