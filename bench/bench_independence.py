"""Independence of sources: near-duplicate grouping against 10,000 sources, and its quality.

Builds a NearDuplicateIndex over --sources synthetic articles of 3-8 KB (bench.corpora's
Zipf English, 5 % with Russian/Korean/Japanese/Chinese; 2 % of them republications of
another: trimmed, re-headlined, lightly edited), then times, per new source, what the
findings service does on import: sign the text and ask the index for its near-duplicates,
confirmed exactly (half of the new sources are republications, so confirmation runs).
Then the independent groups of a finding of 20 sources, from stored signatures and from
texts. Beside each figure, the stack's own limits on the same texts in the same run: BLAKE2b
over the whole text, NFKC + casefold, one Python set intersection of two shingle sets.
Last, precision and recall on the test set of tests/workstation/findings/articles.py for
several seeds. Medians of --runs runs; prints figures, never a verdict.

    uv run python bench/bench_independence.py [--sources 10000] [--new 100] [--runs 5]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import time
import unicodedata
from array import array
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpora import iter_synthetic_pages  # noqa: E402
from db.minhash import BINS, Signature, _tokenise, _windows, shingles  # noqa: E402
from tests.workstation.findings.articles import build_corpus, measure  # noqa: E402
from workstation.findings.independence import (  # noqa: E402
    Declared,
    SharedText,
    SourceFacts,
    independent_groups,
)
from workstation.findings.near_duplicates import (  # noqa: E402
    DEFAULT_THRESHOLD,
    NearDuplicateIndex,
    near_duplicate_pairs,
)

try:  # not a dependency: `uv run --with datasketch python bench/...` adds the comparison
    import datasketch  # type: ignore[import-not-found]
except ImportError:
    datasketch = None

SEED = 11


def article(i: int) -> str:
    """Synthetic article i: 3-8 KB, the same text on every run."""
    words = random.Random(i).randint(480, 1250)
    return next(iter(iter_synthetic_pages(1, seed=SEED * 1_000_003 + i, words=words)))


def republish(text: str, rng: random.Random) -> str:
    """The text as another outlet runs it: new headline, trimmed or edited, other furniture."""
    paragraphs = text.split("\n\n")
    kind = rng.choice(("trimmed", "edited", "reheadlined"))
    if kind == "trimmed":
        paragraphs = paragraphs[: max(1, int(len(paragraphs) * 0.6))]
    elif kind == "edited":
        paragraphs = [p.replace(" the ", " a ", 2) for p in paragraphs]
        paragraphs.insert(1, "The ministry did not respond to a request for comment on Friday.")
    return "\n\n".join(
        (
            f"EXCLUSIVE-Story {rng.randrange(10**6)} as the wire ran it",
            "Pacific Wire / World / Asia Pacific / Business / Markets",
            *paragraphs,
            "(Reporting by Yuna Park; editing by Lena Moss) Our Standards: Trust Principles.",
        )
    )


def median_ms(fn: Callable[[], object], runs: int) -> float:
    """Median wall time of fn over runs, in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def rss_mb() -> float:
    """This process's resident memory (Linux), in MB; 0 elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def index_bytes(index: NearDuplicateIndex) -> tuple[int, int, int]:
    """Bytes held in the band arrays, the signatures' minima and the kept shingle keys."""
    bands = sum(a.itemsize * len(a) for a in index._bands)
    sigs = sum(len(s.minima) for s in index._signatures if s is not None)
    keys = sum(a.itemsize * len(a) for a in index._keys if isinstance(a, array))
    return bands, sigs, keys


def bench_grouping(n: int, new: int, runs: int) -> None:
    print(f"== near-duplicate grouping of a new source against {n:,} sources")
    rng = random.Random(SEED)
    start = time.perf_counter()
    texts: list[str] = []
    for i in range(n):
        if i > 100 and rng.random() < 0.02:
            texts.append(republish(texts[rng.randrange(i)], rng))
        else:
            texts.append(article(i))
    sizes = [len(t.encode()) for t in texts]
    print(
        f"corpus: {n:,} articles, {statistics.median(sizes) / 1024:.1f} KB median "
        f"({min(sizes) / 1024:.1f}-{max(sizes) / 1024:.1f} KB), built in "
        f"{time.perf_counter() - start:.1f} s"
    )

    before = rss_mb()
    index = NearDuplicateIndex()
    signatures: list[Signature] = []
    sign_s = add_s = 0.0
    for i, text in enumerate(texts):  # one at a time, as an import would
        start = time.perf_counter()
        found = shingles(text)
        middle = time.perf_counter()
        index.add(f"s{i}", found)
        add_s += time.perf_counter() - middle
        sign_s += middle - start
        signatures.append(found.signature)
    del found
    start = time.perf_counter()
    index.candidates(signatures[0])  # the first query sorts the bands
    sort_s = time.perf_counter() - start
    grown = rss_mb() - before
    bands, sigs, keys = index_bytes(index)
    print(
        f"index: signing {sign_s / n * 1000:.2f} ms/source, adding {add_s / n * 1000:.3f} "
        f"ms/source, first sort {sort_s * 1000:.0f} ms; held: bands {bands / 1e6:.1f} MB, "
        f"signatures {sigs / 1e6:.1f} MB, kept shingle keys {keys / 1e6:.1f} MB "
        f"(process RSS +{grown:.0f} MB)"
    )
    slim = NearDuplicateIndex(keep_shingles=False)
    for i, sig in enumerate(signatures):
        slim.add(f"s{i}", sig)
    slim.candidates(signatures[0])
    bands, sigs, keys = index_bytes(slim)
    print(f"index of signatures only: {(bands + sigs) / 1e6:.1f} MB held")

    queries = []
    for j in range(new):
        if j % 2:
            queries.append(republish(texts[rng.randrange(n)], rng))
        else:
            queries.append(article(n + j))
    sign, lookup, total, slim_total = [], [], [], []
    found, considered = [], []
    for text in queries:
        sign.append(median_ms(lambda t=text: shingles(t), runs))
        query = shingles(text)
        lookup.append(median_ms(lambda q=query: index.candidates(q), runs))
        total.append(median_ms(lambda t=text: index.candidates(shingles(t)), runs))
        slim_total.append(median_ms(lambda t=text: slim.candidates(shingles(t)), runs))
        found.append(len(index.candidates(query)))
        considered.append(len(index._candidate_rows(query.signature)))
    blake = [median_ms(lambda t=t: hashlib.blake2b(t.encode()).digest(), runs) for t in queries]
    nfkc = [
        median_ms(lambda t=t: unicodedata.normalize("NFKC", t).casefold(), runs) for t in queries
    ]
    per_word = [
        median_ms(lambda t=t: [hashlib.blake2b(w.encode()).digest() for w in t.split()], runs)
        for t in queries
    ]
    a, b = shingles(queries[0]), shingles(texts[0])
    calls = 2000
    start = time.perf_counter()
    for _ in range(calls):
        len(a.keys & b.keys)
    inter = (time.perf_counter() - start) * 1000 / calls
    theirs: list[float] = []
    if datasketch is not None:
        for text in queries:
            grams = [g.encode() for g in _windows(*_tokenise(text))]

            def sign_theirs(grams: list[bytes] = grams) -> None:
                minhash = datasketch.MinHash(num_perm=BINS)
                minhash.update_batch(grams)

            theirs.append(median_ms(sign_theirs, runs))

    def row(label: str, values: list[float], note: str = "") -> None:
        p95 = sorted(values)[int(len(values) * 0.95)]
        median = statistics.median(values)
        print(f"  {label:<52} {median:8.3f} {p95:8.3f} {max(values):8.3f}  {note}")

    print(
        f"{new} new sources (half republications; {sum(found)} matches found; LSH candidates "
        f"per query: median {statistics.median(considered):.0f}, max {max(considered)}), ms:"
    )
    print(f"  {'':<52} {'median':>8} {'p95':>8} {'max':>8}")
    row("sign (tokens, shingles, MinHash)", sign)
    row("index lookup + exact confirmation", lookup)
    row("grouping a new source, total (goal < 20 ms)", total)
    row("... with an index of signatures only (estimates)", slim_total)
    row("yardstick: BLAKE2b of the whole text", blake)
    row("yardstick: NFKC + casefold of the text", nfkc)
    row("yardstick: one BLAKE2b call per word (str.split)", per_word)
    label = f"yardstick: one set intersection ({a.count} & {b.count} shingles)"
    print(f"  {label:<52} {inter:8.3f}")
    if theirs:
        row(
            f"datasketch {datasketch.__version__} MinHash({BINS}).update_batch, same shingles",
            theirs,
        )


def bench_finding(runs: int) -> None:
    print("== independent groups of a finding of 20 sources")
    rng = random.Random(SEED + 1)
    texts = {f"f{i}": article(900_000 + i) for i in range(14)}
    for i in range(14, 20):  # six republications of the first sources
        texts[f"f{i}"] = republish(texts[f"f{i - 14}"], rng)
    outlets = ["Pacific Wire", "Harbour Watch Daily", None, "East Sea Monitor", None]
    facts = [  # three sources from one outlet, the rest from outlets of their own or unknown
        SourceFacts(sid, hashlib.sha256(t.encode()).hexdigest(), outlets[i] if i < 5 else None)
        for i, (sid, t) in enumerate(texts.items())
    ]
    facts[10] = SourceFacts("f10", facts[10].sha256, "Pacific Wire")
    facts[12] = SourceFacts("f12", facts[12].sha256, "PACIFIC WIRE")
    declared = [Declared("f3", "f4", "derived_from"), Declared("f8", "x1", "same_origin")]
    stored = {
        sid: Signature.from_bytes(shingles(t).signature.to_bytes()) for sid, t in texts.items()
    }

    def groups_of(items: dict[str, str] | dict[str, Signature]) -> int:
        pairs = near_duplicate_pairs(items, DEFAULT_THRESHOLD)  # type: ignore[arg-type]
        shared = [SharedText(a, b, s.containment) for a, b, s in pairs]
        return independent_groups(facts, declared, shared).independent

    from_signatures = median_ms(lambda: groups_of(stored), runs)
    from_texts = median_ms(lambda: groups_of(texts), runs)
    grouping_only = median_ms(
        lambda: independent_groups(facts, declared, [SharedText("f0", "f14", 0.9)]), runs * 20
    )
    print(
        f"  from stored signatures (190 estimated pairs + union-find): {from_signatures:.2f} ms\n"
        f"  from texts (20 signed, 190 exact pairs + union-find):      {from_texts:.2f} ms\n"
        f"  union-find and explanations alone:                          {grouping_only:.3f} ms\n"
        f"  {groups_of(stored)} independent of 20 sources"
    )


def bench_quality(seeds: list[int]) -> None:
    print(f"== quality on the test set (threshold {DEFAULT_THRESHOLD}, containment)")
    for line in measure(build_corpus(seeds[0])).lines():
        print("  " + line)
    rows = [measure(build_corpus(seed)) for seed in seeds]
    print(
        f"  {'seed':>6} {'articles':>8} {'precision':>9} {'recall':>7} {'low +':>6} {'high -':>6}"
    )
    for seed, q in zip(seeds, rows, strict=True):
        print(
            f"  {seed:>6} {q.articles:>8} {q.precision:>9.3f} {q.recall:>7.3f} "
            f"{q.lowest_positive:>6.2f} {q.highest_negative:>6.2f}"
        )
    print(
        f"  {'all':>6} {sum(q.articles for q in rows):>8} "
        f"{statistics.mean(q.precision for q in rows):>9.3f} "
        f"{statistics.mean(q.recall for q in rows):>7.3f}   (means)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=8, help="test-set seeds for quality")
    args = parser.parse_args()
    bench_grouping(args.sources, args.new, args.runs)
    bench_finding(args.runs)
    bench_quality([2397, *range(1, args.seeds + 1)])


if __name__ == "__main__":
    main()
