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
import random
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pymupdf

from workstation.bundles.bagit import verify_bag
from workstation.bundles.export import BundleExporter, ExportOptions
from workstation.bundles.plan import ExportScope, plan_export
from workstation.core.library import Library
from workstation.sources.ingest import ImportService

MB = 1_000_000


def make_padded_pdf(path: Path, size: int, seed: int) -> None:
    """A one-page PDF of about ``size`` bytes: text plus an unreferenced random stream."""
    doc: Any = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), f"Bench source {seed}: cargo manifest for the port of Rajin.")
    xref = doc.get_new_xref()
    doc.update_object(xref, "<<>>")
    doc.update_stream(xref, random.Random(seed).randbytes(size), compress=False)
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


def hash_and_copy(files: list[Path], dest: Path, *, durable: bool = False) -> None:
    """The yardstick: what Python itself does to hash and copy these files.

    With ``durable`` each copy is also fsynced, as the exporter does before it
    calls a bundle written (a bundle goes on removable media).
    """
    dest.mkdir(parents=True, exist_ok=True)
    for n, f in enumerate(files):
        with f.open("rb") as fh:
            hashlib.file_digest(fh, "sha256")
        target = dest / f"{n}.bin"
        shutil.copyfile(f, target)
        if durable:
            fd = os.open(target, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def hash_only(files: list[Path]) -> None:
    """The verify yardstick."""
    for f in files:
        with f.open("rb") as fh:
            hashlib.file_digest(fh, "sha256")


def _settle(*gone: Path) -> None:
    """Remove the last step's output and flush the disk, so no step pays for another's writes."""
    for path in gone:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    os.sync()


YARD = "yardstick: file_digest + copyfile"
YARD_SYNC = "yardstick + fsync of each copy"
EXPORTS = ("export to a bag folder", "export to a zip")
VERIFY_YARD = "verify yardstick: file_digest"
VERIFIES = ("verify the folder", "verify the zip")


def run(folder: Path, total_mb: int, files: int, rounds: int) -> dict[str, list[float]]:
    """Build a library of ``total_mb`` and time export and verify; returns the figures.

    Each step runs ``rounds`` times, the steps interleaved (yardstick, exports,
    yardstick with fsync, ...), with the disk flushed before each one; the
    report takes the median.
    """
    work = folder / f"bundles-{total_mb}"
    shutil.rmtree(work, ignore_errors=True)
    (work / "in").mkdir(parents=True)
    size = total_mb * MB // files
    for n in range(files):
        make_padded_pdf(work / "in" / f"source-{n:03}.pdf", size, n)
    lib = Library.open(work / "lib", reviewer="bench", create=True)
    results: dict[str, list[float]] = {}
    try:
        ImportService(lib).import_paths([work / "in"])
        shutil.rmtree(work / "in")
        blobs = [lib.blobs.path_for(h) for h in lib.blobs.iter_hashes()]
        payload = sum(b.stat().st_size for b in blobs)
        plan = plan_export(lib, ExportScope())
        exporter = BundleExporter(lib)

        def once(name: str, fn: Callable[[], object]) -> None:
            with PeakRss() as rss:
                start = time.perf_counter()
                fn()
                seconds = time.perf_counter() - start
            results.setdefault(name, []).append(seconds)
            results.setdefault(name + " RSS", []).append(rss.growth_mb)

        hash_only(blobs)  # warm the page cache once
        bag, bag_zip, copy = work / "bag", work / "bag.zip", work / "copy"
        for last in range(rounds):
            keep = last == rounds - 1
            _settle(copy)
            once(YARD, lambda: hash_and_copy(blobs, copy))
            _settle(copy)
            once(EXPORTS[0], lambda: exporter.export(plan, ExportOptions(out=bag)))
            _settle(*(() if keep else (bag,)))
            once(EXPORTS[1], lambda: exporter.export(plan, ExportOptions(out=bag_zip)))
            _settle(*(() if keep else (bag_zip,)))
            once(YARD_SYNC, lambda: hash_and_copy(blobs, copy, durable=True))
        _settle(copy)
        bag_files = [p for p in (bag / "data").rglob("*") if p.is_file()]
        hash_only(bag_files)
        for _ in range(rounds):
            once(VERIFY_YARD, lambda: hash_only(bag_files))
            once(VERIFIES[0], lambda: verify_bag(bag))
            once(VERIFIES[1], lambda: verify_bag(bag_zip))
        results["_payload_mb"] = [payload / MB]
    finally:
        lib.close()
        shutil.rmtree(work, ignore_errors=True)
    return results


def report(results: dict[str, list[float]]) -> None:
    """Print the medians and the ratios the issue asks for."""
    payload = results.pop("_payload_mb")[0]
    print(f"\npayload: {payload:,.0f} MB (median of {len(results[YARD])} interleaved runs)")
    med = {name: statistics.median(values) for name, values in results.items()}
    for name in (YARD, YARD_SYNC, *EXPORTS, VERIFY_YARD, *VERIFIES):
        seconds, growth = med[name], max(results[name + " RSS"])
        spread = f"{min(results[name]):.2f}-{max(results[name]):.2f}"
        print(
            f"  {name:<34} {seconds:6.2f} s ({spread})  {payload / seconds:6.0f} MB/s"
            f"  +{growth:5.1f} MB RSS peak"
        )
    for name in EXPORTS:
        print(
            f"  {name}: {med[YARD] / med[name]:.0%} of hash-and-copy, "
            f"{med[YARD_SYNC] / med[name]:.0%} of hash-copy-fsync (target >= 70%)"
        )
    for name in VERIFIES:
        print(f"  {name}: {med[VERIFY_YARD] / med[name]:.0%} of file_digest (target >= 80%)")


def extras(folder: Path) -> None:
    """The other steps of an export, each beside its bare library call in the same run."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from workstation.annotations.anchors import text_anchor
    from workstation.bundles.age import (
        decrypt_file,
        encrypt_file,
        generate_identity,
        identity_file_text,
    )
    from workstation.bundles.redaction import redact_pdf
    from workstation.keys.keyring import open_private_key, seal_private_key

    work = folder / "bundles-extras"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        print("\nother steps")
        # Redaction: a 300-page report, 30 passages removed, beside a bare PyMuPDF save.
        doc: Any = pymupdf.open()
        line = "Informant Kim Chol-su saw the AMBER TIDE load shells at Rajin. " * 3
        for n in range(300):
            doc.new_page().insert_textbox(pymupdf.Rect(50, 50, 550, 800), f"{n}: {line}" * 12)
        doc.save(work / "report.pdf")
        doc.close()
        marks = []
        for page in range(1, 301, 10):
            text = f"{page - 1}: {line}" * 12
            start = text.index("Kim Chol-su")
            marks.append(text_anchor(text, start, start + len("Kim Chol-su"), page=page))
        start = time.perf_counter()
        bare: Any = pymupdf.open(work / "report.pdf")
        for mark in marks:
            page = bare[mark.page - 1]
            for rect in page.search_for(mark.exact):
                page.add_redact_annot(rect)
            page.apply_redactions()
        bare.save(work / "bare.pdf", garbage=4, deflate=True)
        bare.close()
        bare_s = time.perf_counter() - start
        with PeakRss() as rss:
            start = time.perf_counter()
            redact_pdf(work / "report.pdf", work / "redacted.pdf", marks)
            ours = time.perf_counter() - start
        print(
            f"  redact 30 passages in a 300-page PDF   {ours:6.2f} s  "
            f"(bare PyMuPDF search, apply_redactions, save {bare_s:.2f} s)  "
            f"+{rss.growth_mb:5.1f} MB RSS"
        )
        # age: 64 MiB there and back, memory flat.
        secret, public = generate_identity()
        (work / "me.key").write_text(identity_file_text(secret, public), encoding="utf-8")
        (work / "plain.bin").write_bytes(random.Random(7).randbytes(64 << 20))
        with PeakRss() as rss:
            start = time.perf_counter()
            encrypt_file(work / "plain.bin", work / "plain.age", [public])
            decrypt_file(work / "plain.age", work / "back.bin", work / "me.key")
            trip = time.perf_counter() - start
        start = time.perf_counter()
        with (work / "plain.bin").open("rb") as fh:
            hashlib.file_digest(fh, "sha256")
        digest_s = time.perf_counter() - start
        print(
            f"  age round trip of 64 MiB               {trip:6.2f} s  "
            f"(SHA-256 of it {digest_s:.2f} s)  +{rss.growth_mb:5.1f} MB RSS"
        )
        # Unlocking a signing key: scrypt on purpose, against guessing a stolen library.
        private = Ed25519PrivateKey.generate()
        sealed = seal_private_key(private, b"a long passphrase")
        start = time.perf_counter()
        open_private_key(sealed, b"a long passphrase")
        print(f"  unlock a signing key (scrypt 2^16, 8)  {time.perf_counter() - start:6.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total-mb", type=int, default=2048)
    parser.add_argument("--files", type=int, default=16)
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; machine: {psutil.virtual_memory().total / 2**30:.0f} GiB")
    for total in (max(64, args.total_mb // 4), args.total_mb):
        report(run(args.folder, total, args.files, args.rounds))
    extras(args.folder)


if __name__ == "__main__":
    main()
