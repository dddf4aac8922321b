"""Independence of many findings' sources from what the library stored, each thing read once.

``finding show`` and ``finding list`` judge which of a finding's sources are one: same
bytes, declared relations, same publisher, one story (independence.py). The one-story test
compares shingles; they are stored per source when its text is extracted
(``workstation.sources.signatures``), so nothing here tokenises a text unless a source has
no usable signature (a long text not yet evidence, pages changed since it was signed, or
another scheme), and then only in memory: a read never writes. A ``Corroboration`` lives
for one read session and keeps every source's shingles, declared relations and every
pair's similarity it has seen, so a list of a thousand findings reads them in a few
queries and compares each pair once. Results are exactly those of comparing the texts
(exact containment on every pair of a finding's sources; no estimate decides a group).

``near_duplicates_of`` asks the whole library which sources share text with one: the
candidates come from the stored LSH band keys through their SQL index, are scored from
their stored signatures, and confirmed with their stored shingles.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import combinations

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from db.minhash import (
    Shingles,
    Signature,
    StaleSignatureError,
    count_shared,
    keys_from_bytes,
    shingles,
    source_text,
    stored_band_keys,
)
from db.models import Page, SourceRelation, SourceSignature
from workstation.findings.independence import (
    Declared,
    Independence,
    SharedText,
    SourceFacts,
    independent_groups,
)
from workstation.findings.near_duplicates import (
    CONFIRM_MARGIN,
    DEFAULT_THRESHOLD,
    Match,
    Similarity,
    estimate,
    from_shared,
    is_near_duplicate,
    similarity,
)

DECLARED_RELATIONS = ("derived_from", "same_origin")
"""The relations a reviewer declares (``sources relate``) that join sources into one."""

_CHUNK = 500  # ids per IN (...): well under SQLite's bound-parameter limit
# A source's LSH candidates: the sources sharing one of its band keys (source_bands' primary
# key is (key, source_id), so each key is one index seek), with their signatures.
_CANDIDATES = text(
    "SELECT source_id, signature FROM source_signatures WHERE source_id IN "
    "(SELECT source_id FROM source_bands WHERE key IN :keys) AND source_id != :source_id"
).bindparams(bindparam("keys", expanding=True))
_SHINGLES = text(
    "SELECT source_id, shingles FROM source_signatures WHERE source_id IN :ids"
).bindparams(bindparam("ids", expanding=True))


class Corroboration:
    """Independent groups for any number of findings, from stored signatures, in one session.

    Not thread-safe; made per read (it remembers what it read, so a write in between would
    not be seen).
    """

    def __init__(self, session: Session, threshold: float = DEFAULT_THRESHOLD) -> None:
        self._session = session
        self._threshold = threshold
        self._shingles: dict[int, Shingles | None] = {}  # None: the source has no text
        self._declared: dict[int, list[tuple[int, int, str]]] = {}
        self._pairs: dict[tuple[int, int], Similarity] = {}
        self.recomputed = 0
        """Sources whose shingles had to be computed from their text (no usable stored row)."""

    def load(self, source_ids: Iterable[int]) -> None:
        """Read what independence needs about these sources, in a few queries for all."""
        wanted = set(source_ids)
        for chunk in _chunks(sorted(i for i in wanted if i not in self._shingles)):
            self._load_shingles(chunk)
        for chunk in _chunks(sorted(i for i in wanted if i not in self._declared)):
            self._load_declared(chunk)

    def shingles_of(self, source_id: int) -> Shingles | None:
        """The source's shingles (stored, or computed from its text); None without text."""
        if source_id not in self._shingles:
            self._load_shingles([source_id])
        return self._shingles.get(source_id)

    def independence(self, sources: Sequence[SourceFacts]) -> Independence:
        """The sources (``source_id`` a row id as text) in independent groups, with reasons."""
        ids = [int(f.source_id) for f in sources]
        self.load(ids)
        seen: set[tuple[int, int, str]] = set()
        rows: list[tuple[int, int, str]] = []
        for source_id in ids:
            for rel in self._declared[source_id]:
                if rel not in seen:
                    seen.add(rel)
                    rows.append(rel)
        rows.sort()
        declared = [
            Declared(str(child), str(parent), relation)  # type: ignore[arg-type]
            for parent, child, relation in rows
        ]
        return independent_groups(sources, declared, self.shared_text(ids))

    def shared_text(self, source_ids: Sequence[int]) -> list[SharedText]:
        """Every pair of these sources that is one story, most shared text first."""
        with_text = {
            i: have for i in sorted(set(source_ids)) if (have := self._shingles.get(i)) is not None
        }
        found: list[tuple[str, str, Similarity]] = []
        for a, b in combinations(with_text, 2):
            pair = self._pairs.get((a, b))
            if pair is None:
                pair = self._pairs[(a, b)] = similarity(with_text[a], with_text[b])
            if is_near_duplicate(pair, self._threshold):
                found.append((str(a), str(b), pair))
        found.sort(key=lambda item: (-item[2].containment, item[0], item[1]))
        return [SharedText(a, b, pair.containment) for a, b, pair in found]

    def _load_shingles(self, ids: list[int]) -> None:
        missing = set(ids)
        for source_id, sig, keys in self._session.execute(
            select(
                SourceSignature.source_id, SourceSignature.signature, SourceSignature.shingles
            ).where(SourceSignature.source_id.in_(ids))
        ):
            try:
                found = Shingles(keys_from_bytes(keys), Signature.from_bytes(sig))
            except StaleSignatureError:
                continue  # stored by another scheme: computed from the text below
            self._shingles[source_id] = found
            missing.discard(source_id)
        for source_id, body in _texts(self._session, sorted(missing)).items():
            self._shingles[source_id] = shingles(body) if body is not None else None
            self.recomputed += 1

    def _load_declared(self, ids: list[int]) -> None:
        for source_id in ids:
            self._declared[source_id] = []
        for parent, child, relation in self._session.execute(
            select(SourceRelation.parent_id, SourceRelation.child_id, SourceRelation.relation)
            .where(
                SourceRelation.relation.in_(DECLARED_RELATIONS),
                SourceRelation.child_id.in_(ids) | SourceRelation.parent_id.in_(ids),
            )
            .order_by(SourceRelation.parent_id, SourceRelation.child_id, SourceRelation.relation)
        ):
            for end in (parent, child):
                if end in self._declared:
                    self._declared[end].append((parent, child, relation))


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _texts(session: Session, ids: list[int]) -> dict[int, str | None]:
    """Each source's text as it is signed; None for a source with no pages."""
    pages: dict[int, list[str]] = {}
    for chunk in _chunks(ids):
        for source_id, body in session.execute(
            select(Page.source_id, Page.text)
            .where(Page.source_id.in_(chunk))
            .order_by(Page.source_id, Page.number)
        ):
            pages.setdefault(source_id, []).append(body)
    return {i: source_text(pages[i]) if i in pages else None for i in ids}


def near_duplicates_of(
    session: Session, source_id: int, threshold: float = DEFAULT_THRESHOLD
) -> list[Match]:
    """The library's sources that are one story with ``source_id``, most shared text first.

    Candidates share an LSH band key with it (``source_bands``, read through its primary
    key: no scan); those whose estimated containment is within ``CONFIRM_MARGIN`` of the
    threshold are confirmed exactly with their stored shingles. The LSH odds are those of
    ``NearDuplicateIndex`` (near_duplicates.py), which gives the same matches in memory.
    A source without a stored signature is looked up by its text's, computed here.
    """
    query = Corroboration(session, threshold).shingles_of(source_id)
    if query is None or not query.count:
        return []
    conn = session.connection()  # plain SQL, compiled once: a third of the ORM's overhead
    close: dict[int, Signature] = {}
    for other_id, data in conn.execute(
        _CANDIDATES, {"keys": stored_band_keys(query.signature), "source_id": source_id}
    ):
        try:
            other = Signature.from_bytes(data)
        except StaleSignatureError:
            continue  # signed by another scheme: its band keys cannot be this scheme's
        if estimate(query.signature, other).score >= threshold - CONFIRM_MARGIN:
            close[other_id] = other  # further below: not worth an exact look
    matches: list[Match] = []
    if close:
        for other_id, data in conn.execute(_SHINGLES, {"ids": list(close)}):
            found = from_shared(count_shared(query.keys, data), query.signature, close[other_id])
            if is_near_duplicate(found, threshold):
                matches.append(Match(str(other_id), found))
    matches.sort(key=lambda m: (-m.score, int(m.source_id)))
    return matches
