"""Georeferencing costs, each beside the bare library call it rests on, in one run.

Why: the cursor's latitude/longitude is computed on every mouse move on the GUI thread
(goal: well under 1 ms), PROJ and tifffile load only when a picture needs them, and a
16-bit multiband satellite scene (a 10,980 x 10,980 Sentinel-2 tile) must open fast
(goal: first view under 1 s) in bounded memory (goal: under 500 MB).

1. Cursor: ``places.pixel_lonlat`` (affine + cached PROJ transformer) per call, beside
   a bare ``pyproj.Transformer.transform`` of one point made once, and the affine alone.
2. Loading: a fresh interpreter importing ``workstation.geo.transform`` (pyproj, numpy)
   and ``workstation.geo.reading`` + tifffile, beside ``python -c pass``.
3. A 16-bit, 4-band GeoTIFF (``--side``, default 4096; ``--side 10980`` for a Sentinel-2
   tile, ~1 GB written in bounded memory): in a child process, the pyramid build (the
   percentile stretch and the tiles: done once, at import) and then, in another child, the
   first view (opening the pyramid and reading the level that fits a 1200 x 800 pane):
   wall time and peak RSS, beside reading the same bytes' worth of tiles of an 8-bit
   pyramid of the same size.

Prints figures and never passes or fails.

    uv run python bench/bench_geo.py [--side 10980] [--folder DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def cursor() -> None:
    import pyproj

    from workstation.geo.model import Georeference
    from workstation.geo.places import pixel_lonlat
    from workstation.geo.transform import apply

    g = Georeference("file", "EPSG:32652", (0.5, 0.0, 600_000.0, 0.0, -0.5, 4_680_000.0))
    bare = pyproj.Transformer.from_crs("EPSG:32652", "EPSG:4326", always_xy=True)
    assert g.transform is not None
    n = 20_000

    def per_call(fn: object) -> float:
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            for i in range(n):
                fn(i % 5000, i % 3000)  # type: ignore[operator]
            runs.append((time.perf_counter() - start) / n * 1e6)
        return statistics.median(runs)

    ours = per_call(lambda x, y: pixel_lonlat(g, x, y))
    proj = per_call(lambda x, y: bare.transform(600_000 + x * 0.5, 4_680_000 - y * 0.5))
    affine = per_call(lambda x, y: apply(g.transform, x, y))  # type: ignore[arg-type]
    print(f"1. cursor ({_load()}), median of 5 x {n:,} calls")
    print(f"   pixel_lonlat      {ours:8.1f} µs a call  ({ours / proj:.2f}x bare PROJ)")
    print(f"   bare PROJ point   {proj:8.1f} µs a call")
    print(f"   affine alone      {affine:8.1f} µs a call")


def loading() -> None:
    def fresh(code: str) -> float:
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
            runs.append(time.perf_counter() - start)
        return statistics.median(runs) * 1000

    empty = fresh("pass")
    models = fresh("import db.models")
    records = fresh("import workstation.geo.records")
    transform = fresh("import workstation.geo.transform")
    reading = fresh("import workstation.geo.reading, tifffile")
    check = "import sys, workstation.geo.records; print('pyproj' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True)
    print(f"2. loading ({_load()}), fresh interpreter, median of 5")
    print(f"   python -c pass                          {empty:6.0f} ms")
    print(f"   import db.models                        {models:6.0f} ms")
    print(
        f"   import geo.records (listing marks)      {records:6.0f} ms "
        f"(pyproj loaded: {out.stdout.strip()})"
    )
    print(f"   import geo.transform (pyproj, numpy)    {transform:6.0f} ms")
    print(f"   import geo.reading + tifffile           {reading:6.0f} ms")


def write_scene(path: Path, side: int, bands: int, dtype: str) -> None:
    """A tiled GeoTIFF written tile by tile (bounded memory whatever the side)."""
    import numpy as np
    import tifffile

    from tests.samples import geokeys

    tile = 256
    rng = np.random.default_rng(3)
    across = -(-side // tile)

    def tiles():  # type: ignore[no-untyped-def]
        for _ in range(across * across):
            if dtype == "uint16":
                block = rng.normal(1200, 300, (tile, tile, bands)).clip(0, 65535)
            else:
                block = rng.integers(0, 256, (tile, tile, bands))
            yield block.astype(dtype)

    keys = geokeys(32652)
    tifffile.imwrite(
        path,
        tiles(),
        shape=(side, side, bands),
        dtype=dtype,
        tile=(tile, tile),
        photometric="minisblack" if bands != 3 else "rgb",
        planarconfig="contig",
        extratags=[
            (33550, "d", 3, (10.0, 10.0, 0.0), False),
            (33922, "d", 6, (0, 0, 0, 600_000.0, 4_690_200.0, 0), False),
            (34735, "H", len(keys), tuple(keys), False),
        ],
    )


_CHILD = """
import json, sys, time, resource
sys.path.insert(0, {root!r})
from pathlib import Path
from workstation.sources.imagery import ensure_pyramid
start = time.perf_counter()
with ensure_pyramid(Path({derived!r}), Path({path!r}), {sha!r}) as pyramid:
    opened = time.perf_counter() - start
    if {view!r}:
        level = next(i for i, (w, h) in enumerate(pyramid.levels) if w <= 2400 and h <= 1600)
        w, h = pyramid.levels[level]
        pyramid.read_region(level, 0, 0, min(w, 1200), min(h, 800))
        levels = len(pyramid.levels)
print(json.dumps({{"seconds": time.perf_counter() - start, "opened": opened,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def _child(derived: Path, path: Path, sha: str, view: bool) -> dict[str, float]:
    code = _CHILD.format(root=str(ROOT), derived=str(derived), path=str(path), sha=sha, view=view)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def scene(side: int, folder: Path) -> None:
    print(f"3. a {side:,} x {side:,} GeoTIFF, 4 bands ({_load()})")
    for dtype, bands, sha in (("uint16", 4, "a" * 64), ("uint8", 3, "b" * 64)):
        path = folder / f"scene-{side}-{dtype}.tif"
        if not path.exists():
            start = time.perf_counter()
            write_scene(path, side, bands, dtype)
            print(
                f"   wrote {path.name}: {path.stat().st_size / 1e6:,.0f} MB in "
                f"{time.perf_counter() - start:.1f} s"
            )
        derived = folder / f"derived-{dtype}"
        derived.mkdir(exist_ok=True)
        for old in derived.rglob("*.tif"):
            old.unlink()
        built = _child(derived, path, sha, view=False)
        first = _child(derived, path, sha, view=True)
        what = f"{bands} x {dtype}"
        print(
            f"   {what:10} pyramid build {built['seconds']:6.1f} s, "
            f"peak {built['peak_mb']:5.0f} MB;"
            f" first view {first['seconds'] * 1000:5.0f} ms, peak {first['peak_mb']:4.0f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=4096)
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "geo-bench")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    cursor()
    loading()
    scene(args.side, args.folder)


if __name__ == "__main__":
    main()
