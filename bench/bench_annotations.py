"""Annotation figures: a source with 5,000 marks opens as fast as one without,
creating a mark is quick, and the library-wide list pages through 1,000,000.

Prints figures; never passes or fails on time.
Usage: uv run python bench/bench_annotations.py [--cache DIR] [--quick]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from bench.corpora import make_text_pdf
from workstation.annotations.anchors import text_anchor
from workstation.annotations.queries import AnnotationFilter, annotation_page, count_annotations
from workstation.annotations.service import AnnotationService
from workstation.core.library import Library
from workstation.sources.ingest import ImportService
from workstation.sources.lookup import page_text


def median_ms(fn: object, runs: int = 5) -> float:
    """Median wall milliseconds of ``runs`` calls of ``fn``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    marks_per_source = 1000 if args.quick else 5000
    library_rows = 100_000 if args.quick else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pdf = make_text_pdf(folder / "report.pdf", pages=50)
        plain = make_text_pdf(folder / "other.pdf", pages=50, seed=7)
        lib = Library.open(folder / "lib", reviewer="bench", create=True)
        results = ImportService(lib).import_paths([pdf, plain]).results
        busy, quiet = (r.source_id for r in results)
        assert busy is not None
        assert quiet is not None
        service = AnnotationService(lib)
        start = time.perf_counter()
        with lib.writer() as session:
            for n in range(marks_per_source):
                page = n % 50 + 1
                text = page_text(session, busy, page)
                offset = (n * 37) % max(1, len(text) - 20)
                service.create(
                    session,
                    busy,
                    text_anchor(text, offset, offset + 12, page=page),
                    categories=["maritime"],
                )
        made = time.perf_counter() - start
        print(
            f"created {marks_per_source} marks in {made:.1f} s "
            f"({made / marks_per_source * 1000:.2f} ms each, one transaction)"
        )

        from ui.desktop.annotations.marks import load_marks  # Qt types only; no window needed

        with_marks = median_ms(lambda: load_marks(lib, busy))
        without = median_ms(lambda: load_marks(lib, quiet))
        print(
            f"reading the marks of a source to draw: {with_marks:.0f} ms with "
            f"{marks_per_source}, {without:.1f} ms with none"
        )

        def one() -> None:
            with lib.writer() as session:
                text = page_text(session, quiet, 1)
                service.create(session, quiet, text_anchor(text, 0, 10, page=1))
            load_marks(lib, quiet)

        print(
            f"create one mark + commit + re-read the source's marks: {median_ms(one, 9):.1f} ms "
            "median (goal: visible in < 50 ms)"
        )

        # A million annotations library-wide, written with plain SQL (fast set-up).
        db = sqlite3.connect(lib.db_path)
        reviewer = db.execute("select id from reviewers").fetchone()[0]
        now = "2026-11-23T00:00:00.000000Z"
        rows = (
            (
                str(uuid.uuid4()),
                busy if i % 2 else quiet,
                "text",
                i % 50 + 1,
                i % 900,
                i % 900 + 5,
                "xxxxx",
                reviewer,
                now,
                now,
            )
            for i in range(library_rows)
        )
        start = time.perf_counter()
        db.executemany(
            "insert into annotations (uuid, source_id, anchor_kind, page, start, end, exact, "
            "redact, orphaned, version, author_id, created_at, modified_at) "
            "values (?, ?, ?, ?, ?, ?, ?, 0, 0, 1, ?, ?, ?)",
            rows,
        )
        db.commit()
        db.close()
        print(
            f"inserted {library_rows:,} annotations with SQL in {time.perf_counter() - start:.0f} s"
        )
        flt = AnnotationFilter()
        with lib.reader() as session:
            count_ms = median_ms(lambda: count_annotations(session, flt), 3)
            first_ms = median_ms(lambda: annotation_page(session, flt, 0, 2000), 3)
            deep_ms = median_ms(lambda: annotation_page(session, flt, library_rows // 2, 2000), 3)
            # Scrolling continues after the last row shown (keyset), as the list does.
            middle = annotation_page(session, flt, library_rows // 2 - 1, 1)[0].uuid
            keyset_ms = median_ms(
                lambda: annotation_page(session, flt, limit=2000, after=middle), 3
            )
            last = annotation_page(session, flt, library_rows - 2001, 1)[0].uuid
            end_ms = median_ms(lambda: annotation_page(session, flt, limit=2000, after=last), 3)
        print(
            f"library-wide list of {library_rows:,}: count {count_ms:.0f} ms, first block of "
            f"2,000 {first_ms:.0f} ms, a block half-way by OFFSET {deep_ms:.0f} ms, "
            f"after the row half-way (keyset, as scrolling reads) {keyset_ms:.0f} ms, "
            f"the last block (keyset) {end_ms:.0f} ms"
        )
        lib.close()


if __name__ == "__main__":
    main()
