"""Corroboration at scale: finding show, finding list and near-duplicate grouping of a new
source on a library of 10,000 sources and 1,000 findings, from stored signatures.

Why: issue 11 asks for `finding show` under 50 ms and near-duplicate grouping of a new
source under 20 ms on 10,000 sources and 1,000 findings. This script builds such a library
in a temporary folder and measures, in one run:

1. Building it: --sources article texts (bench_independence's synthetic wire articles of
   3-8 KB, 3 % of them republications of another: trimmed, re-headlined or lightly
   edited) written as Source and Page rows in bulk through the models (no blobs: nothing
   measured reads an original), each signed and stored with `store_signature`, the hook
   an import runs (the per-source cost is printed: MinHash alone and with the inserts);
   then --findings findings made through `FindingService` (create, add_evidence: audited
   as a reviewer's would be), 2-6 evidence each, a third of them resting on a
   republication and its original, some with a source of the same publisher.
2. `finding show` (`FindingService.show` in a fresh read session, as the CLI does) over
   --show findings: median and p95; its corroboration part alone; and that part computed
   the way it was before signatures were stored (every text tokenised per show).
3. `finding list` over all findings (reads every source and compares each pair once),
   and the time the old per-finding path would take (measured on 100 findings, scaled).
4. Near-duplicate grouping of --new new sources (half republications of library sources):
   sign and store (the import hook), then `near_duplicates_of` (candidates through the
   band keys' SQL index, scored from stored signatures, confirmed with stored shingles).
5. Signing the text of bench_import's 1,000-page PDF, beside bare PyMuPDF get_text: what
   the import hook adds to the largest sources.
6. Beside each, the stack's own limits in the same run: a bare sqlite3 SELECT of the
   finding's rows (finding, evidence, annotations, sources) or of the band keys' rows,
   hashlib.sha256 over the text, and the size of what is stored.

Prints figures and ratios, never a verdict.

    uv run python bench/findings_bench.py [--sources 10000] [--findings 1000] [--show 200]
        [--new 100] [--folder DIR]

The library is built once (about 4 minutes for 10,000 sources on two loaded cores) and kept
in --folder (default: $TMPDIR/workstation-bench/findings); each run measures a fresh copy
of it in about a minute. --sources 2000 --findings 200 builds in under a minute.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pymupdf  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.bench_baselines import DEFAULT_FOLDER, median_seconds  # noqa: E402
from bench.bench_independence import article, republish  # noqa: E402
from bench.corpora import ensure, make_text_pdf  # noqa: E402
from db.minhash import Signature, stored_band_keys, stored_form  # noqa: E402
from db.models import Finding, Source, SourceSignature  # noqa: E402
from tests.workstation.findings.reference import independence_from_texts  # noqa: E402
from workstation.annotations.service import AnnotationService, find_quote  # noqa: E402
from workstation.core.blobs import StoredBlob  # noqa: E402
from workstation.core.library import Library  # noqa: E402
from workstation.findings.corroboration import Corroboration, near_duplicates_of  # noqa: E402
from workstation.findings.independence import (  # noqa: E402
    Independence,
    SourceFacts,
)
from workstation.findings.near_duplicates import Match  # noqa: E402
from workstation.findings.service import FindingService  # noqa: E402
from workstation.sources.extract.model import Extracted, ExtractedPage  # noqa: E402
from workstation.sources.ingest import ImportService  # noqa: E402
from workstation.sources.signatures import store_signature  # noqa: E402

SEED = 2025
REPUBLISHED_SHARE = 0.03
PUBLISHERS = [f"Outlet {i}" for i in range(60)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f}" if seconds < 0.0001 else f"{seconds * 1000:.2f}"


RUNS = 3
"""Runs per item measured; the item's figure is their median (the cores are shared)."""


def timed(fn: Callable[[], object], runs: int = RUNS) -> float:
    """The median wall time of ``runs`` calls of fn, in seconds."""
    return median_seconds(fn, runs)


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(len(values) * 0.95) - 1)]


def summary(values: list[float]) -> str:
    return f"median {ms(statistics.median(values))} ms, p95 {ms(p95(values))} ms"


# --- building the library ---------------------------------------------------------------------


def texts_for(n: int, rng: random.Random) -> tuple[list[str], dict[int, int]]:
    """n article texts; and for each republication (index), the index it republishes."""
    texts: list[str] = []
    parents: dict[int, int] = {}
    for i in range(n):
        if i > 50 and rng.random() < REPUBLISHED_SHARE:
            parent = rng.randrange(i)
            parents[i] = parent
            texts.append(republish(texts[parent], rng))
        else:
            texts.append(article(i))
    return texts, parents


def add_sources(
    library: Library, texts: list[str], rng: random.Random
) -> tuple[list[int], list[float], list[float]]:
    """Each text added as an import adds it (``ImportService.add_source``: the row, its page,
    its signature and band keys, the audit event), without a blob (nothing measured here
    reads one). Returns the ids, and per source the seconds to sign alone (``stored_form``)
    and to add."""
    importer = ImportService(library)
    ids: list[int] = []
    sign_s: list[float] = []
    add_s: list[float] = []
    for start in range(0, len(texts), 500):
        with library.writer() as session:
            for text in texts[start : start + 500]:
                data = text.encode()
                stored = StoredBlob(hashlib.sha256(data).hexdigest(), len(data), Path(), False)
                extracted = Extracted(
                    kind="text",
                    media_type="text/plain",
                    title=text.split("\n", 1)[0][:120],
                    publisher=rng.choice(PUBLISHERS) if rng.random() < 0.7 else None,
                    pages=[ExtractedPage(number=1, text=text)],
                )
                sign_s.append(timed(lambda t=text: stored_form([t]), 1))
                begin = time.perf_counter()
                source = importer.add_source(session, stored, extracted, "article.txt", None, None)
                add_s.append(time.perf_counter() - begin)
                ids.append(source.id)
    return ids, sign_s, add_s


def add_findings(
    library: Library, ids: list[int], texts: list[str], parents: dict[int, int], count: int
) -> list[str]:
    """Findings through the service, 2-6 evidence each; a third rest on a republication."""
    rng = random.Random(SEED + 1)
    republications = sorted(parents)
    sets: list[list[int]] = []
    for n in range(count):
        size = rng.randint(2, 6)
        chosen = set(rng.sample(range(len(ids)), size))
        if n % 3 == 0 and republications:
            child = rng.choice(republications)
            chosen = set(list(chosen)[: size - 2]) | {child, parents[child]}
        sets.append(sorted(chosen))
    used = sorted({i for chosen in sets for i in chosen})
    marks: dict[int, str] = {}
    annotations = AnnotationService(library)
    for start in range(0, len(used), 500):
        with library.writer() as session:
            for i in used[start : start + 500]:
                source = session.get(Source, ids[i])
                assert source is not None
                anchor = find_quote(session, source, texts[i][:40])
                marks[i] = annotations.create(session, ids[i], anchor).uuid
    service = FindingService(library)
    uuids: list[str] = []
    for start in range(0, count, 100):
        with library.writer() as session:
            for n in range(start, min(count, start + 100)):
                row = service.create(session, title=f"Transfer {n}", claim="A claim.")
                chosen = sets[n]
                service.add_evidence(session, row.uuid, [marks[i] for i in chosen[1:]])
                service.add_evidence(session, row.uuid, [marks[chosen[0]]], role="context")
                if len(chosen) > 2 and n % 2:  # the first is context, or supports after all
                    service.add_evidence(session, row.uuid, [marks[chosen[0]]])
                uuids.append(row.uuid)
    return uuids


# --- the old way, for comparison ---------------------------------------------------------------


def supports(library: Library, finding: str) -> list[SourceFacts]:
    service = FindingService(library)
    with library.reader() as session:
        details = service.show(session, finding)
    seen: dict[int, SourceFacts] = {}
    for e in details.evidence:
        if e.role == "supports":
            seen.setdefault(e.source_id, SourceFacts(str(e.source_id), e.sha256, e.publisher))
    return list(seen.values())


# --- measuring ----------------------------------------------------------------------------------

BARE_FINDING = """
SELECT f.*, fa.role, a.*, s.id, s.sha256, s.title, s.publisher, s.reliability, s.credibility
FROM findings f
JOIN finding_annotations fa ON fa.finding_id = f.id
JOIN annotations a ON a.id = fa.annotation_id
JOIN sources s ON s.id = a.source_id
WHERE f.uuid = ?
"""


def bench_show(library: Library, uuids: list[str], count: int) -> None:
    service = FindingService(library)
    sample = random.Random(SEED + 2).sample(uuids, min(count, len(uuids)))
    for finding in sample[:5]:  # warm the page cache and the imports
        with library.reader() as session:
            service.show(session, finding)
    show_s, corroborate_s, old_s, bare_s = [], [], [], []
    raw = sqlite3.connect(library.db_path)
    agree = 0

    def show(finding: str) -> None:
        with library.reader() as session:
            service.show(session, finding)

    def corroborate(facts: list[SourceFacts]) -> Independence:
        with library.reader() as session:
            return Corroboration(session).independence(facts)

    for finding in sample:
        show_s.append(timed(lambda f=finding: show(f)))
        facts = supports(library, finding)
        corroborate_s.append(timed(lambda f=facts: corroborate(f)))
        found = corroborate(facts)
        old_s.append(timed(lambda f=facts: independence_from_texts(library, f), 1))
        agree += found.independent == independence_from_texts(library, facts).independent
        bare_s.append(timed(lambda f=finding: raw.execute(BARE_FINDING, (f,)).fetchall()))
    raw.close()
    shown = statistics.median(show_s)
    bare = statistics.median(bare_s)
    print(f"== finding show, {len(sample)} findings (each: median of {RUNS}, a read session each)")
    print(f"finding show: {summary(show_s)}  (goal < 50 ms)")
    print(f"  its corroboration from stored signatures: {summary(corroborate_s)}")
    print(f"  the same computed from the texts (before): {summary(old_s)}")
    print(f"  yardstick: bare sqlite3 SELECT of the finding's rows: {summary(bare_s)}")
    print(f"  ratio show / bare SELECT: {shown / bare:.0f}x")
    print(f"  same corroboration count from stored and from texts: {agree}/{len(sample)}")


def bench_list(library: Library, uuids: list[str]) -> None:
    service = FindingService(library)
    runs = []
    for _ in range(3):
        with library.reader() as session:
            runs.append(timed(lambda s=session: service.list(s), 1))
    raw = sqlite3.connect(library.db_path)
    bare = timed(lambda: raw.execute(BARE_FINDING.replace("WHERE f.uuid = ?", "")).fetchall())
    raw.close()
    sample = uuids[:100]
    facts = [supports(library, f) for f in sample]
    old = (
        timed(lambda: [independence_from_texts(library, f) for f in facts], 1)
        * len(uuids)
        / len(sample)
    )
    listed = statistics.median(runs)
    print(f"== finding list, {len(uuids)} findings")
    print(f"finding list: median {ms(listed)} ms of 3 ({ms(listed / len(uuids))} ms a finding)")
    print(f"  before (each finding's texts tokenised; 100 measured, scaled): {old:.1f} s")
    print(f"  yardstick: bare sqlite3 SELECT of every finding's rows: {ms(bare)} ms")
    print(f"  ratio list / bare SELECT: {listed / bare:.0f}x")


def bench_new_sources(library: Library, texts: list[str], known: list[int], new: int) -> None:
    rng = random.Random(SEED + 3)
    originals: dict[int, int] = {}
    queries: list[str] = []
    for j in range(new):
        if j % 2:
            parent = rng.randrange(len(texts))
            originals[j] = known[parent]
            queries.append(republish(texts[parent], rng))
        else:
            queries.append(article(10_000_000 + j))
    ids, sign_s, add_s = add_sources(library, queries, rng)
    store_s = []
    for source_id, text in zip(ids, queries, strict=True):  # the hook alone, as unlock runs it
        with library.writer() as session:
            store_s.append(timed(lambda s=session, i=source_id, t=text: store_signature(s, i, [t])))

    def lookup(source_id: int) -> list[Match]:
        with library.reader() as session:
            return near_duplicates_of(session, source_id)

    group_s, bare_s, sha_s, found = [], [], [], 0
    raw = sqlite3.connect(library.db_path)
    lookup(ids[0])  # warm
    for j, source_id in enumerate(ids):
        group_s.append(timed(lambda i=source_id: lookup(i)))
        matches = lookup(source_id)
        with library.reader() as session:
            sig = session.scalar(
                select(SourceSignature.signature).where(SourceSignature.source_id == source_id)
            )
        assert sig is not None
        keys = stored_band_keys(Signature.from_bytes(sig))
        marks = ",".join("?" * len(keys))
        bare_s.append(
            timed(
                lambda k=keys, m=marks: raw.execute(
                    f"SELECT DISTINCT source_id FROM source_bands WHERE key IN ({m})", k
                ).fetchall()
            )
        )
        sha_s.append(timed(lambda t=queries[j]: hashlib.sha256(t.encode()).digest()))
        if j in originals:
            found += str(originals[j]) in {m.source_id for m in matches}
    raw.close()
    total = [a + b for a, b in zip(store_s, group_s, strict=True)]
    print(
        f"== near-duplicate grouping of {new} new sources (half republications; each: median "
        f"of {RUNS}, a session each)"
    )
    print(f"sign (shingles, MinHash, band keys): {summary(sign_s)}")
    print(f"sign and store (store_signature, the import hook): {summary(store_s)}")
    print(f"  the whole add_source (row, page, signature, audit event): {summary(add_s)}")
    print(f"near_duplicates_of (band index, estimate, exact confirmation): {summary(group_s)}")
    print(f"grouping a new source, store + lookup: {summary(total)}  (goal < 20 ms)")
    print(f"  yardstick: bare sqlite3 SELECT of the band keys' rows: {summary(bare_s)}")
    print(f"  yardstick: hashlib.sha256 over the text: {summary(sha_s)}")
    print(
        f"  ratio lookup / bare SELECT: "
        f"{statistics.median(group_s) / statistics.median(bare_s):.1f}x; "
        f"sign / sha256: {statistics.median(sign_s) / statistics.median(sha_s):.0f}x"
    )
    print(f"  republications whose original was found: {found}/{len(originals)}")


def bench_big_text(folder: Path) -> None:
    """What signing adds to the import of bench_import's 1,000-page PDF, beside get_text:
    wall time and CPU time (the cores are shared, and pure Python suffers most from it)."""
    pdf = ensure(folder / "text-1000.pdf", lambda p: make_text_pdf(p, 1000))

    def extract() -> list[str]:
        with pymupdf.open(pdf) as doc:
            return [page.get_text() for page in doc.pages()]

    pages = extract()
    size = sum(len(p.encode()) for p in pages)
    print(f"== a 1,000-page report ({size / 1e6:.1f} MB of text, bench_import's PDF)")
    for label, fn in (
        ("bare PyMuPDF get_text", extract),
        ("sign its text", lambda: stored_form(pages)),
    ):
        wall, cpu = [], []
        for _ in range(RUNS):
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        print(
            f"{label}: {statistics.median(wall) * 1000 / len(pages):.2f} ms a page "
            f"(CPU {statistics.median(cpu) * 1000 / len(pages):.2f})"
        )
    sha = median_seconds(lambda: hashlib.sha256("".join(pages).encode()).digest(), RUNS)
    print(f"yardstick: sha256 over the text {sha * 1000 / len(pages):.4f} ms a page")


def storage(library: Library) -> None:
    raw = sqlite3.connect(library.db_path)
    try:
        sizes = dict(raw.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())
    except sqlite3.OperationalError:
        sizes = {}
    sig, keys, count = raw.execute(
        "SELECT sum(length(signature)), sum(length(shingles)), count(*) FROM source_signatures"
    ).fetchone()
    bands = raw.execute("SELECT count(*) FROM source_bands").fetchone()[0]
    pages = raw.execute("SELECT sum(length(CAST(text AS BLOB))) FROM pages").fetchone()[0]
    raw.close()
    print("== storage")
    print(
        f"{count:,} signatures: {sig / 1e6:.1f} MB of MinHash, {keys / 1e6:.1f} MB of shingle "
        f"keys; {bands:,} band keys; page text {pages / 1e6:.1f} MB"
    )
    if sizes:
        print(
            "on disk (dbstat): "
            + ", ".join(
                f"{name} {sizes.get(name, 0) / 1e6:.1f} MB"
                for name in (
                    "pages",
                    "source_signatures",
                    "source_bands",
                    "sqlite_autoindex_source_signatures_1",
                )
                if name in sizes
            )
        )
    print(f"library.sqlite: {library.db_path.stat().st_size / 1e6:.1f} MB")


def build(folder: Path, sources: int, findings: int) -> None:
    """Build the library in ``folder`` (a minute or a few: each source goes through
    ``add_source`` and each finding through the service) and say what it took."""
    library = Library.open(folder, reviewer="alice", create=True)
    try:
        rng = random.Random(SEED)
        start = time.perf_counter()
        texts, parents = texts_for(sources, rng)
        made = time.perf_counter() - start
        start = time.perf_counter()
        ids, sign_s, add_s = add_sources(library, texts, rng)
        added = time.perf_counter() - start
        start = time.perf_counter()
        add_findings(library, ids, texts, parents, findings)
        founded = time.perf_counter() - start
    finally:
        library.close()
    print(
        f"== built: texts {made:.1f} s, sources {added:.1f} s, findings {founded:.1f} s; per "
        f"source: sign {summary(sign_s)}; add_source (row, page, signature, audit) "
        f"{summary(add_s)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--findings", type=int, default=1_000)
    parser.add_argument("--show", type=int, default=200, help="findings shown")
    parser.add_argument("--new", type=int, default=100, help="new sources grouped")
    parser.add_argument(
        "--folder",
        type=Path,
        default=DEFAULT_FOLDER / "findings",
        help="where the built library is kept between runs, and each run's copy",
    )
    args = parser.parse_args()
    built = args.folder / f"library-{args.sources}-{args.findings}"
    if not (built / "library.sqlite").exists():
        shutil.rmtree(built, ignore_errors=True)
        build(built, args.sources, args.findings)
    else:
        print(f"== reusing the library built in {built}")
    run = args.folder / "run"  # new sources are added: each run starts from a copy
    shutil.rmtree(run, ignore_errors=True)
    shutil.copytree(built, run)
    library = Library.open(run, reviewer="alice")
    try:
        with library.reader() as session:
            ids = list(session.scalars(select(Source.id).order_by(Source.id)))
            uuids = list(session.scalars(select(Finding.uuid).order_by(Finding.number)))
        texts, parents = texts_for(args.sources, random.Random(SEED))
        sizes = [len(t.encode()) for t in texts]
        print(
            f"== library: {len(ids):,} sources ({statistics.median(sizes) / 1024:.1f} KB median "
            f"text, {len(parents)} republications), {len(uuids):,} findings"
        )
        storage(library)
        bench_show(library, uuids, args.show)
        bench_list(library, uuids)
        bench_new_sources(library, texts, ids, args.new)
    finally:
        library.close()
    bench_big_text(args.folder)


if __name__ == "__main__":
    main()
