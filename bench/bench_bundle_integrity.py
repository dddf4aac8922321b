"""What issue 12's export and import checks cost, beside what the same step cost without them.

- ``plan_export`` over ``--sources`` text sources (``--pages`` pages each), with redaction
  off and on: on, every passage marked for redaction anywhere in the library is searched
  for in every page (``--passages`` marks);
- re-hashing an original before a redacted derivative is made of it, beside making it;
- ``inspect_bag`` (manifests, tag files and signature checked before anything is copied)
  beside ``verify_bag`` on a bundle of ``--payload-mb``.

Run: ``uv run python bench/bench_bundle_integrity.py [--sources 2000] [--passages 20]``.
Prints figures and ratios, never a verdict.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pymupdf
from PIL import Image
from sqlalchemy import select

from bench.bench_bundles import make_padded_pdf
from db.models import Source
from workstation.annotations.service import AnnotationService, find_quote
from workstation.bundles import redaction
from workstation.bundles.bagit import inspect_bag, verify_bag
from workstation.bundles.export import BundleExporter, ExportOptions
from workstation.bundles.plan import ExportScope, plan_export
from workstation.core.library import Library
from workstation.sources.ingest import ImportService

WORDS = ("tanker", "cargo", "port", "vessel", "transfer", "night", "anchorage", "crane")


def _digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def make_photo_pdf(path: Path, pages: int) -> None:
    """A PDF of ``pages`` pages, each a 1000x1000 noise picture (about 1 MB, incompressible)."""
    doc: Any = pymupdf.open()
    rng = random.Random(5)
    for n in range(pages):
        page = doc.new_page()
        picture = Image.frombytes("RGB", (1000, 1000), rng.randbytes(3_000_000))
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=95)
        page.insert_image(page.rect, stream=buffer.getvalue())
        page.insert_text((72, 72), f"Photo {n}: vessel alongside at Rajin.")
    doc.save(path)
    doc.close()


def timed(fn: Callable[[], object], rounds: int = 3) -> float:
    runs = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def build(folder: Path, sources: int, pages: int, passages: int) -> Library:
    rng = random.Random(12)
    names = [f"Informant{n:03d} Surname{n:03d}" for n in range(passages)]
    texts = folder / "texts"
    texts.mkdir(parents=True)
    for i in range(sources):
        body = []
        for _ in range(pages):
            words = [rng.choice(WORDS) for _ in range(400)]
            if rng.random() < 0.1:
                words.insert(rng.randrange(len(words)), rng.choice(names))
            body.append(" ".join(words))
        (texts / f"t{i:05d}.txt").write_text("\f".join(body), encoding="utf-8")
    marked = folder / "marked"
    marked.mkdir()
    (marked / "names.txt").write_text(" and ".join(names), encoding="utf-8")
    lib = Library.open(folder / "lib", reviewer="bench", create=True)
    ImportService(lib).import_paths([texts, marked])
    service = AnnotationService(lib)
    with lib.writer() as session:
        source = session.scalar(select(Source).where(Source.original_filename == "names.txt"))
        assert source is not None
        for name in names:
            service.create(session, source.id, find_quote(session, source, name), redact=True)
    return lib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=2000)
    parser.add_argument("--pages", type=int, default=3)
    parser.add_argument("--passages", type=int, default=20)
    parser.add_argument("--payload-mb", type=int, default=256)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        lib = build(folder, args.sources, args.pages, args.passages)
        try:
            off = timed(lambda: plan_export(lib, ExportScope()))
            plan = plan_export(lib, ExportScope(), redact=True)
            on = timed(lambda: plan_export(lib, ExportScope(), redact=True))
            pages = args.sources * args.pages
            print(
                f"plan_export, {args.sources} sources x {args.pages} pages, "
                f"{args.passages} redacted passages"
            )
            print(f"  redaction off                {off:7.2f} s")
            print(
                f"  redaction on (occurrences)   {on:7.2f} s  ({on / off:.1f}x; "
                f"{(on - off) / pages * 1e6:.0f} us a page; {plan.occurrence_count} found "
                f"in {sum(1 for s in plan.sources if s.occurrences)} sources)"
            )
        finally:
            lib.close()

        pdf = folder / "photos.pdf"
        make_photo_pdf(pdf, pages=60)
        size_mb = pdf.stat().st_size / 1e6
        rehash = timed(lambda: _digest(pdf))
        derive = timed(lambda: redaction.redact_pdf(pdf, folder / "derived.pdf", []), rounds=1)
        print(f"a {size_mb:.0f} MB original (60 pages of photos) that travels as a derivative")
        print(f"  re-hash before deriving      {rehash:7.2f} s")
        print(f"  making the derivative        {derive:7.2f} s  (re-hash is {rehash / derive:.1%})")

        lib = Library.open(folder / "bundle-lib", reviewer="bench", create=True)
        try:
            padded = folder / "padded"
            padded.mkdir()
            for i in range(8):
                make_padded_pdf(padded / f"p{i}.pdf", args.payload_mb * 1_000_000 // 8, seed=i)
            ImportService(lib).import_paths([padded])
            bundle = folder / "bundle.zip"
            BundleExporter(lib).export(plan_export(lib, ExportScope()), ExportOptions(out=bundle))
        finally:
            lib.close()
        first = timed(lambda: inspect_bag(bundle))
        full = timed(lambda: verify_bag(bundle))
        print(f"a {args.payload_mb} MB zipped bundle")
        print(f"  inspect_bag (before copying) {first:7.3f} s")
        print(f"  verify_bag                   {full:7.3f} s  (inspect is {first / full:.1%})")


if __name__ == "__main__":
    main()
