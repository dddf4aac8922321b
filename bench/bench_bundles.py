"""Bundle export and verify beside the machine's own hash-and-copy, in one run.

Builds a library holding ``--total-mb`` of sources (PDFs padded with an unused,
incompressible stream, so import and extraction stay cheap), then times:

- the yardstick: ``hashlib.file_digest(f, 'sha256')`` + ``shutil.copyfile`` over the blobs;
- ``BundleExporter.export`` to a bag folder and to a zip (everything: hashing, copying,
  manifests, case.json, the dossier, W3C annotations);
- the verify yardstick (``hashlib.file_digest`` alone over the payload) beside
  ``verify_bag`` on the folder and on the zip;
- peak RSS growth of each step (sampled every 20 ms), at a quarter of the size and at full
  size, to show memory stays flat with bundle size.

Run: ``uv run python bench/bench_bundles.py [--total-mb 2048] [--files 16] [--folder DIR]``.
Prints figures and ratios, never a verdict.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
import pymupdf

from workstation.bags import verify_bag
from workstation.bundles import BundleExporter, ExportOptions, ExportScope, plan_export
from workstation.ingest import ImportService
from workstation.library import Library

MB = 1_000_000


def make_padded_pdf(path: Path, size: int, seed: int) -> None:
    """A one-page PDF of about ``size`` bytes: text plus an unreferenced random stream."""
    doc: Any = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), f"Bench source {seed}: cargo manifest for the port of Rajin.")
    xref = doc.get_new_xref()
    doc.update_object(xref, "<<>>")
    rng = hashlib.sha256(str(seed).encode())
    chunk = bytearray()
    while len(chunk) < size:
        rng.update(b"x")
        chunk += rng.digest() * 1024  # 32 KiB of hash-derived bytes
    doc.update_stream(xref, bytes(chunk[:size]), compress=False)
    doc.save(path, garbage=0, deflate=False)
    doc.close()


class PeakRss:
    """Samples this process's RSS on a thread; ``peak - start`` is the step's growth."""

    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.start = self.proc.memory_info().rss
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth_mb(self) -> float:
        """Peak RSS above the start, in MB."""
        return (self.peak - self.start) / MB


@contextmanager
def timed(results: dict[str, tuple[float, float]], name: str) -> Iterator[None]:
    """Record wall seconds and peak RSS growth of the block under ``name``."""
    with PeakRss() as rss:
        start = time.perf_counter()
        yield
        seconds = time.perf_counter() - start
    results[name] = (seconds, rss.growth_mb)


def hash_and_copy(files: list[Path], dest: Path) -> None:
    """The yardstick: what Python itself does to hash and copy these files."""
    dest.mkdir(parents=True, exist_ok=True)
    for n, f in enumerate(files):
        with f.open("rb") as fh:
            hashlib.file_digest(fh, "sha256")
        shutil.copyfile(f, dest / f"{n}.bin")


def hash_only(files: list[Path]) -> None:
    """The verify yardstick."""
    for f in files:
        with f.open("rb") as fh:
            hashlib.file_digest(fh, "sha256")


def run(folder: Path, total_mb: int, files: int) -> dict[str, tuple[float, float]]:
    """Build a library of ``total_mb`` and time export and verify; returns the figures."""
    work = folder / f"bundles-{total_mb}"
    shutil.rmtree(work, ignore_errors=True)
    (work / "in").mkdir(parents=True)
    size = total_mb * MB // files
    for n in range(files):
        make_padded_pdf(work / "in" / f"source-{n:03}.pdf", size, n)
    lib = Library.open(work / "lib", reviewer="bench", create=True)
    results: dict[str, tuple[float, float]] = {}
    try:
        ImportService(lib).import_paths([work / "in"])
        blobs = [lib.blobs.path_for(h) for h in lib.blobs.iter_hashes()]
        payload = sum(b.stat().st_size for b in blobs)
        plan = plan_export(lib, ExportScope())
        exporter = BundleExporter(lib)

        def once(name: str, fn: Callable[[], object]) -> None:
            with timed(results, name):
                fn()

        # Warm the page cache once, then alternate so neither side gets it cold.
        hash_only(blobs)
        once("yardstick: file_digest + copyfile", lambda: hash_and_copy(blobs, work / "copy1"))
        once(
            "export to a bag folder",
            lambda: exporter.export(plan, ExportOptions(out=work / "bag")),
        )
        once("export to a zip", lambda: exporter.export(plan, ExportOptions(out=work / "bag.zip")))
        shutil.rmtree(work / "copy1")
        once("yardstick again", lambda: hash_and_copy(blobs, work / "copy2"))
        shutil.rmtree(work / "copy2")
        bag_files = [p for p in (work / "bag" / "data").rglob("*") if p.is_file()]
        once("verify yardstick: file_digest", lambda: hash_only(bag_files))
        once("verify the folder", lambda: verify_bag(work / "bag"))
        once("verify the zip", lambda: verify_bag(work / "bag.zip"))
        results["_payload_mb"] = (payload / MB, 0.0)
    finally:
        lib.close()
        shutil.rmtree(work, ignore_errors=True)
    return results


def report(results: dict[str, tuple[float, float]]) -> None:
    """Print the figures and the ratios the issue asks for."""
    payload = results.pop("_payload_mb")[0]
    print(f"\npayload: {payload:,.0f} MB")
    for name, (seconds, growth) in results.items():
        print(
            f"  {name:<38} {seconds:7.2f} s  {payload / seconds:8.0f} MB/s  +{growth:6.1f} MB RSS"
        )
    yard = min(results["yardstick: file_digest + copyfile"][0], results["yardstick again"][0])
    for name in ("export to a bag folder", "export to a zip"):
        print(f"  {name}: {yard / results[name][0]:.0%} of hash-and-copy speed (target >= 70%)")
    vyard = results["verify yardstick: file_digest"][0]
    for name in ("verify the folder", "verify the zip"):
        print(f"  {name}: {vyard / results[name][0]:.0%} of file_digest speed (target >= 80%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total-mb", type=int, default=2048)
    parser.add_argument("--files", type=int, default=16)
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; machine: {psutil.virtual_memory().total / 2**30:.0f} GiB")
    for total in (max(64, args.total_mb // 4), args.total_mb):
        report(run(args.folder, total, args.files))


if __name__ == "__main__":
    main()
