"""Near-duplicate texts: one wire story republished under another headline, trimmed or edited.

Counting one story twice is the classic corroboration error, so a finding must know when two
of its sources share their text. This module says how much of one text is in another, in
English, Russian, Korean, Japanese and Chinese, quickly enough to check a new source against
a whole library. It is pure: texts and signatures in, scores out; no database. A text's
shingles and signature are made by ``db/minhash.py`` (stored per source when its text is
extracted); ``corroboration.py`` reads them back for findings.

- Tokens and shingles (``db/minhash.py``): words, or single Chinese, Japanese or Korean
  characters, after NFKC and casefolding; a shingle is five words or six CJK characters.
- The score is **containment**: the share of the shorter text's shingles that also occur in
  the longer text. "87 % shared text" means 87 % of the five-word sequences of the shorter
  text are found in the longer one. Jaccard (shared / all) is reported too but is not the
  score: a story trimmed to 60 % has a Jaccard of at most 0.6 with its original, yet it is
  entirely the same story. A text needs ``MIN_SHINGLES`` shingles to be judged at all, so a
  headline or a caption is never "contained" in an article.
- ``DEFAULT_THRESHOLD`` is 0.5: when half of a text's five-word sequences are found verbatim
  in another, one was copied from the other or both from a third. On the test set of
  ``tests/workstation/findings/articles.py`` (nine seeds, 1,705 articles) republications
  score 0.74 in the median and different stories on the same topic at most 0.47-0.63;
  precision 0.95-1.00, recall 0.98-1.00 (``bench/bench_independence.py``).
- ``Signature`` (``db/minhash.py``): a one-permutation MinHash of 256 bins, 1,038 bytes
  stored per source. The share of equal bins estimates Jaccard (standard error 0.03 at
  0.5); with the two shingle counts it gives an estimated containment.
- ``NearDuplicateIndex``: LSH banding, 128 bands of 2 bins. Two texts with Jaccard J share a
  band with probability 1 - (1 - J²)^128: 0.72 at J = 0.1, 0.995 at 0.2 (a text half as long
  as another with containment 0.5 has J = 0.2). Candidates are confirmed by their exact
  shingle containment.

Written here rather than taken from datasketch: datasketch needs NumPy and SciPy (tens of MB
of wheels on every air-gapped laptop, for some 300 lines), and its LSH answers Jaccard
queries whereas we ask for containment. It is not faster either: its
``MinHash(256).update_batch`` over a 5 KB article's shingles takes about as long as our whole
signature, tokens and hashing included (about 1 ms, ``bench/bench_independence.py``).
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import chain, combinations

from db.minhash import (
    BANDS,
    BINS,
    SHINGLE_CHARACTERS,
    SHINGLE_WORDS,
    Shingles,
    Signature,
    band_keys,
    shingles,
    signature,
)

DEFAULT_THRESHOLD = 0.5
"""Containment at or above which two texts are one story."""

MIN_SHINGLES = 30
"""Shingles the shorter text needs to be judged (about 35 words or 35 CJK characters)."""

CONFIRM_MARGIN = 0.2
"""An LSH candidate is confirmed (exactly, loading its text if need be) only when its
estimated containment is at most this far below the threshold: about four standard errors
(0.03-0.05 at 256 bins), so a republication is hardly ever dropped here."""

_ROW_BITS = 24  # an index entry: 40 bits of band key, 24 bits of row
_ROW_MASK = (1 << _ROW_BITS) - 1
_NUMBERS = {5: "five", 6: "six", 7: "seven", 8: "eight"}


# --- similarity ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Similarity:
    """How much text two sources share.

    Attributes:
        containment: share of the shorter text's shingles found in the longer (the score).
        jaccard: shared shingles over all distinct shingles of the two.
        shared: shingles in common (estimated, rounded, when ``exact`` is false).
        smaller: shingles in the shorter text.
        larger: shingles in the longer text.
        exact: computed from the shingle sets; otherwise estimated from signatures.
        cjk: the shorter text is mostly Chinese, Japanese or Korean characters.
    """

    containment: float
    jaccard: float
    shared: int
    smaller: int
    larger: int
    exact: bool
    cjk: bool = False

    @property
    def score(self) -> float:
        """The containment: what the threshold is compared with."""
        return self.containment

    @property
    def comparable(self) -> bool:
        """The shorter text is long enough (MIN_SHINGLES) to be judged."""
        return self.smaller >= MIN_SHINGLES

    @property
    def percent(self) -> int:
        """The containment in whole percent, rounded down (49.9 % never reads as 50 %)."""
        if self.exact and self.smaller:
            return self.shared * 100 // self.smaller
        return math.floor(self.containment * 100 + 1e-9)

    def explain(self) -> str:
        """One line a reviewer can check, e.g. "87 % shared text (412 of the shorter ...)"."""
        size = SHINGLE_CHARACTERS if self.cjk else SHINGLE_WORDS
        unit = f"{_NUMBERS.get(size, size)}-{'character' if self.cjk else 'word'} sequences"
        if not self.comparable:
            return (
                f"too short to compare: the shorter text has {self.smaller} {unit}, "
                f"{MIN_SHINGLES} are needed"
            )
        if not self.exact:
            return f"about {self.percent} % shared text (estimated from signatures)"
        return (
            f"{self.percent} % shared text ({self.shared} of the {self.smaller} {unit} "
            "of the shorter text are in the longer)"
        )


def is_near_duplicate(found: Similarity, threshold: float = DEFAULT_THRESHOLD) -> bool:
    """Comparable and at or above the threshold."""
    return found.comparable and found.containment >= threshold


def _from_counts(
    shared: float, a: int, b: int, *, exact: bool, cjk: tuple[bool, bool]
) -> Similarity:
    smaller, larger = min(a, b), max(a, b)
    union = a + b - shared
    return Similarity(
        containment=min(1.0, shared / smaller) if smaller else 0.0,
        jaccard=shared / union if union else 0.0,
        shared=round(shared),
        smaller=smaller,
        larger=larger,
        exact=exact,
        cjk=cjk[0] if a <= b else cjk[1],
    )


def from_shared(shared: int, a: Signature, b: Signature) -> Similarity:
    """The exact similarity of two texts sharing ``shared`` shingles, given their signatures
    (which carry their shingle counts): what ``similarity`` gives for their shingles."""
    return _from_counts(shared, a.count, b.count, exact=True, cjk=(a.cjk, b.cjk))


def estimate(a: Signature, b: Signature) -> Similarity:
    """Similarity estimated from two signatures (``exact`` is false)."""
    if not a.count or not b.count:
        return _from_counts(0, a.count, b.count, exact=False, cjk=(a.cjk, b.cjk))
    j = _equal_bins(a.minima, b.minima) / BINS
    shared = min(j * (a.count + b.count) / (1 + j), a.count, b.count)
    return _from_counts(shared, a.count, b.count, exact=False, cjk=(a.cjk, b.cjk))


def _equal_bins(a: bytes, b: bytes) -> int:
    """How many 32-bit minima are equal: XOR as one integer, then count the zero words.

    Four times faster than comparing 256 pairs of Python ints one by one.
    """
    size = len(a)
    xor = int.from_bytes(a, "little") ^ int.from_bytes(b, "little")
    return memoryview(xor.to_bytes(size, "little")).cast("I").tolist().count(0)


def similarity(a: str | Shingles | Signature, b: str | Shingles | Signature) -> Similarity:
    """How much text a and b share: exact from texts or shingles, estimated when either is
    only a signature."""
    if isinstance(a, Signature) or isinstance(b, Signature):
        return estimate(signature(a), signature(b))
    sa = a if isinstance(a, Shingles) else shingles(a)
    sb = b if isinstance(b, Shingles) else shingles(b)
    shared = len(sa.keys & sb.keys)
    return _from_counts(
        shared, sa.count, sb.count, exact=True, cjk=(sa.signature.cjk, sb.signature.cjk)
    )


def near_duplicate_pairs(
    items: Mapping[str, str | Shingles | Signature], threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[str, str, Similarity]]:
    """Every pair of a few sources (a finding's) that is one story, most shared first.

    Exact where both sides are texts or shingles, estimated where either is a signature.
    Compares all pairs: for a library, use a NearDuplicateIndex.
    """
    _check_threshold(threshold)
    prepared = {
        key: value if isinstance(value, Shingles | Signature) else shingles(value)
        for key, value in items.items()
    }
    pairs = [
        (a, b, found)
        for (a, sa), (b, sb) in combinations(prepared.items(), 2)
        if is_near_duplicate(found := similarity(sa, sb), threshold)
    ]
    pairs.sort(key=lambda pair: (-pair[2].containment, pair[0], pair[1]))
    return pairs


def _check_threshold(threshold: float) -> None:
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], not {threshold}")


# --- the index -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """A source in the index that shares text with the query."""

    source_id: str
    similarity: Similarity

    @property
    def score(self) -> float:
        """The containment."""
        return self.similarity.containment


Loader = Callable[[str], "str | Shingles | None"]
"""Gives a source's text (or shingles) by id, for exact confirmation; None when it has none."""


class NearDuplicateIndex:
    """Sources by signature, to find those sharing text with a new one without comparing all.

    Each band of a signature (two bins) becomes a 40-bit key; per band, one sorted
    ``array("Q")`` holds key << 24 | row, 8 bytes a source and band (5 MB for 10,000 sources,
    against about 40 MB for dicts of Python ints). With ``keep_shingles`` (the default) the
    index also keeps every source's shingle keys (4 bytes a shingle, ~4 KB an article) to
    confirm candidates exactly; without, candidates are confirmed with shingles from
    ``load`` (e.g. the text read back from the library), or else scored by estimate.
    Not thread-safe: a query may sort what was added before it.
    """

    def __init__(self, *, keep_shingles: bool = True, load: Loader | None = None) -> None:
        self._keep_shingles = keep_shingles
        self._load = load
        self._ids: list[str | None] = []
        self._rows: dict[str, int] = {}
        self._signatures: list[Signature | None] = []
        self._keys: list[array[int] | None] = []
        self._bands: list[array[int]] = [array("Q") for _ in range(BANDS)]
        self._pending: list[int] = []

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, source_id: object) -> bool:
        return source_id in self._rows

    def signature_of(self, source_id: str) -> Signature:
        """The signature kept for a source (KeyError when it is not in the index)."""
        found = self._signatures[self._rows[source_id]]
        assert found is not None  # rows in _rows are live
        return found

    def add(self, source_id: str, item: str | Shingles | Signature) -> Signature:
        """Index a source by its text, shingles or stored signature; returns the signature.

        Adding a source again replaces what was kept for it.
        """
        if source_id in self._rows:
            self.remove(source_id)
        row = len(self._ids)
        if row > _ROW_MASK:
            raise OverflowError(f"a near-duplicate index holds at most {_ROW_MASK + 1} adds")
        found = item if isinstance(item, Signature) else None
        keys: array[int] | None = None
        if found is None:
            prepared = item if isinstance(item, Shingles) else shingles(str(item))
            found = prepared.signature
            if self._keep_shingles:
                keys = array("I", prepared.keys)
        self._ids.append(source_id)
        self._rows[source_id] = row
        self._signatures.append(found)
        self._keys.append(keys)
        self._pending.append(row)
        return found

    def remove(self, source_id: str) -> None:
        """Forget a source (KeyError when it is not in the index)."""
        row = self._rows.pop(source_id)
        self._flush()
        found = self._signatures[row]
        assert found is not None
        for band, key in enumerate(band_keys(found)):
            entries = self._bands[band]
            entry = key << _ROW_BITS | row
            at = bisect_left(entries, entry)
            if at < len(entries) and entries[at] == entry:
                del entries[at]
        self._ids[row] = None
        self._signatures[row] = None
        self._keys[row] = None

    def candidates(
        self,
        query: str | Shingles | Signature,
        threshold: float = DEFAULT_THRESHOLD,
        *,
        exclude: Iterable[str] = (),
    ) -> list[Match]:
        """The indexed sources sharing at least `threshold` of text with the query, best first.

        Found by LSH (see the module docstring for the odds of missing one), then scored by
        exact containment when both sides' shingles are at hand (a text or Shingles query,
        and shingles kept or loaded), else by estimate (``Match.similarity.exact`` says).
        """
        _check_threshold(threshold)
        self._flush()
        prepared = query if isinstance(query, Shingles | Signature) else shingles(query)
        sig = signature(prepared)
        if not sig.count:
            return []
        skip = set(exclude)
        matches: list[Match] = []
        for row in sorted(self._candidate_rows(sig)):
            source_id = self._ids[row]
            other = self._signatures[row]
            if source_id is None or other is None or source_id in skip:
                continue
            found = estimate(sig, other)
            if found.score < threshold - CONFIRM_MARGIN:
                continue  # four standard errors or more below: not worth an exact look
            if isinstance(prepared, Shingles):
                found = self._confirm(prepared, row, source_id, found)
            if is_near_duplicate(found, threshold):
                matches.append(Match(source_id, found))
        matches.sort(key=lambda m: (-m.score, m.source_id))
        return matches

    def _candidate_rows(self, sig: Signature) -> set[int]:
        rows: set[int] = set()
        for band, key in enumerate(band_keys(sig)):
            entries = self._bands[band]
            at = bisect_left(entries, key << _ROW_BITS)
            while at < len(entries) and entries[at] >> _ROW_BITS == key:
                rows.add(entries[at] & _ROW_MASK)
                at += 1
        return rows

    def _confirm(self, query: Shingles, row: int, source_id: str, found: Similarity) -> Similarity:
        keys: array[int] | frozenset[int] | None = self._keys[row]
        if keys is None and self._load is not None:
            loaded = self._load(source_id)
            if loaded is not None:
                keys = (loaded if isinstance(loaded, Shingles) else shingles(loaded)).keys
        if keys is None:
            return found
        other = self._signatures[row]
        assert other is not None
        shared = len(query.keys.intersection(keys))
        return _from_counts(
            shared,
            query.count,
            len(keys),
            exact=True,
            cjk=(query.signature.cjk, other.cjk),
        )

    def _flush(self) -> None:
        """Put the sources added since the last query into the sorted band arrays."""
        if not self._pending:
            return
        rows: list[int] = []
        keys: list[list[int]] = []
        for row in self._pending:
            found = self._signatures[row]
            assert found is not None  # remove() flushes first
            if found.count:  # an empty text has no bands: it matches nothing
                rows.append(row)
                keys.append(band_keys(found))
        fresh = [
            [key << _ROW_BITS | row for key, row in zip(column, rows, strict=True)]
            for column in zip(*keys, strict=True)
        ] or [[] for _ in range(BANDS)]
        self._pending.clear()
        for band, entries in enumerate(self._bands):
            if len(fresh[band]) * 32 < len(entries):  # a few: insert in place
                for entry in fresh[band]:
                    entries.insert(bisect_left(entries, entry), entry)
            else:
                self._bands[band] = array("Q", sorted(chain(entries, fresh[band])))
