"""The canonical state of every audited record, as one SHA-256.

The audit trail binds each change to the state of the record it leaves
behind, and ``check`` recomputes every state and compares it with the last
event that bound it: an edit made with ``sqlite3`` behind the program's back
shows up as a record whose state no event vouches for.

A state covers every column of the record's row and of the rows that belong
to it (an annotation's categories and entity links, a source's pages, cases
and parent links...), as SQLite stores them: values are read raw, so a
``redact`` of 2 instead of 1 or the text ``'2'`` instead of the number 2 is a
different state. Only caches are left out (``EXCLUDED``).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from db.models import Base

#: Bumped when what a state covers changes (a library then needs a new baseline).
STATE_VERSION = 1

#: Columns that are caches, not evidence: rewritten by the program without an
#: audit event (the search index catching up, a thumbnail rebuilt).
EXCLUDED: dict[str, frozenset[str]] = {"sources": frozenset({"indexed", "thumbnail"})}

#: Tables no record state covers: the trail itself, facts about the library, and
#: caches derived from a record's pages (near-duplicate signatures, db/minhash.py).
UNBOUND_TABLES = frozenset(
    {"audit_events", "library_info", "alembic_version", "source_signatures", "source_bands"}
)

_CHUNK = 500  # ids per IN (...): well under SQLite's variable limit
_NO_OWNER = object()


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the form that gets hashed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Part:
    """Rows of another table that belong to a record (an annotation's tags)."""

    name: str
    table: str
    parent: str  # the column holding the owning record's id
    order: str  # ORDER BY after the parent column, so the state is stable
    digest: bool = False  # hash the rows rather than list them (pages: long text)


@dataclass(frozen=True)
class Kind:
    """One kind of audited record: ``object_type`` in the audit trail."""

    name: str
    table: str
    key: str  # the column audit events name it by (``object_id``)
    parts: tuple[Part, ...] = ()

    @property
    def key_is_id(self) -> bool:
        """Events name it by its integer row id."""
        return self.key == "id"

    def key_of(self, value: object) -> str:
        """The ``object_id`` text for a key column value."""
        return str(value)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "source",
            "sources",
            "id",
            (
                Part("pages", "pages", "source_id", "number, id", digest=True),
                Part("cases", "case_sources", "source_id", "case_id"),
                Part("parents", "source_relations", "child_id", "parent_id, relation"),
                Part("georeference", "georeferences", "source_id", "origin"),
                Part("ocr_layers", "ocr_layers", "source_id", "id"),
                Part("ocr_pages", "ocr_pages", "source_id", "layer_id, number", digest=True),
            ),
        ),
        Kind(
            "annotation",
            "annotations",
            "uuid",
            (
                Part("categories", "annotation_categories", "annotation_id", "category_id"),
                Part("entities", "annotation_entities", "annotation_id", "entity_id"),
            ),
        ),
        Kind(
            "entity",
            "entities",
            "uuid",
            (Part("identifiers", "entity_identifiers", "entity_id", "scheme, value, id"),),
        ),
        Kind("category", "categories", "code"),
        Kind(
            "finding",
            "findings",
            "uuid",
            (
                Part("annotations", "finding_annotations", "finding_id", "annotation_id"),
                Part("entities", "finding_entities", "finding_id", "entity_id"),
                Part("comments", "finding_comments", "finding_id", "id"),
                Part("reviews", "finding_reviews", "finding_id", "id"),
                Part("letters", "finding_letters", "finding_id", "id"),
                Part("replies", "finding_replies", "finding_id", "id"),
            ),
        ),
        Kind("pair", "image_pairs", "uuid"),
        Kind("key", "signing_keys", "fingerprint"),
        Kind("profile", "recipient_profiles", "name"),
        Kind("case", "cases", "uuid"),
        Kind("reviewer", "reviewers", "id"),
        Kind(
            "bundle_import",
            "bundle_imports",
            "tagmanifest_sha256",
            (Part("provenance", "provenance", "bundle_import_id", "id"),),
        ),
    )
}

#: Table name -> the kind whose records it holds.
KIND_OF_TABLE = {k.table: k for k in KINDS.values()}
#: Table name -> (the kind that owns its rows, the column naming the owner's id).
OWNER_OF_TABLE = {p.table: (k, p.parent) for k in KINDS.values() for p in k.parts}


def columns(table: str) -> list[str]:
    """The columns of ``table`` a state covers, in schema order."""
    excluded = EXCLUDED.get(table, frozenset())
    t: Table = Base.metadata.tables[table]
    return [c.name for c in t.columns if c.name not in excluded]


def _plain(value: object) -> object:
    # SQLite hands back int, float, str, bytes or None; bytes are not JSON.
    if isinstance(value, bytes):
        return {"blob": value.hex()}
    return value


def _row_doc(names: list[str], values: Iterable[object]) -> dict[str, object]:
    # NULLs are left out, so adding a nullable column keeps every state.
    return {
        n: (_plain(v) if type(v) is bytes else v)
        for n, v in zip(names, values, strict=True)
        if v is not None
    }


def digest_of(doc: object) -> str:
    """SHA-256 of the canonical form of a state document."""
    data = canonical_json(doc).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _RawText:
    """Read text as SQLite holds it, even bytes that are not UTF-8.

    Someone editing the file by hand can store anything; the state must still
    be computed (and differ), not fail with a decode error.
    """

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    def __enter__(self) -> None:
        self.saved = self.raw.text_factory
        self.raw.text_factory = _decode

    def __exit__(self, *exc: object) -> None:
        self.raw.text_factory = self.saved


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def compute(
    session: Session,
    kind: Kind,
    *,
    ids: Collection[int] | None = None,
    keys: Collection[str] | None = None,
) -> dict[str, str]:
    """The state digest of records of one kind, by audit key (``object_id``).

    Args:
        session: any session; pending changes are flushed first.
        kind: which records.
        ids: only these row ids; ``keys``: only these keys; neither: all.

    Records that do not exist are simply absent from the result.
    """
    session.flush()
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    with _RawText(raw):
        return _compute(raw, kind, ids, keys)


def _compute(
    conn: sqlite3.Connection,
    kind: Kind,
    ids: Collection[int] | None,
    keys: Collection[str] | None,
) -> dict[str, str]:
    names = columns(kind.table)
    select = f"SELECT id, {_quote(kind.key)}, {', '.join(map(_quote, names))} FROM {kind.table}"
    rows: list[tuple[Any, ...]] = []
    if ids is None and keys is None:
        rows = conn.execute(select).fetchall()
    else:
        wanted: list[Any]
        if ids is not None:
            column, wanted = "id", sorted(set(ids))
        else:
            assert keys is not None
            column = kind.key
            wanted = sorted({int(k) for k in keys if k.isdigit()} if kind.key_is_id else set(keys))
        for chunk in _chunks(wanted):
            marks = ", ".join("?" * len(chunk))
            rows += conn.execute(f"{select} WHERE {_quote(column)} IN ({marks})", chunk)
    if not rows:
        return {}
    docs: dict[Any, dict[str, object]] = {}
    by_key: dict[Any, str] = {}
    for row in rows:
        row_id, key = row[0], row[1]
        docs[row_id] = {"kind": kind.name, "row": _row_doc(names, row[2:])}
        by_key[row_id] = kind.key_of(key)
    only = None if ids is None and keys is None else sorted(docs)
    for part in kind.parts:
        for owner, value in _part(conn, part, only):
            if owner in docs:
                docs[owner][part.name] = value
    return {by_key[row_id]: digest_of(doc) for row_id, doc in docs.items()}


def _part(
    conn: sqlite3.Connection, part: Part, owners: list[Any] | None
) -> Iterator[tuple[Any, object]]:
    """(owner id, rows or digest) for every owner that has rows in ``part``."""
    names = [c for c in columns(part.table) if c != part.parent]
    select = f"SELECT {_quote(part.parent)}, {', '.join(map(_quote, names))} FROM {part.table}"
    order = f" ORDER BY {_quote(part.parent)}, {part.order}"
    if owners is None:
        batches: Iterable[Iterable[tuple[Any, ...]]] = [conn.execute(select + order)]
    else:
        batches = (
            conn.execute(
                f"{select} WHERE {_quote(part.parent)} IN ({', '.join('?' * len(c))}){order}", c
            )
            for c in _chunks(owners)
        )
    current: Any = _NO_OWNER
    listed: list[dict[str, object]] = []
    hasher: Any = None
    for batch in batches:
        for row in batch:
            owner = row[0]
            if owner != current:
                if current is not _NO_OWNER:
                    yield current, (hasher.hexdigest() if part.digest else listed)
                current, listed, hasher = owner, [], hashlib.sha256()
            doc = _row_doc(names, row[1:])
            if part.digest:
                hasher.update(canonical_json(doc).encode("utf-8", "surrogatepass") + b"\n")
            else:
                listed.append(doc)
    if current is not _NO_OWNER:
        yield current, (hasher.hexdigest() if part.digest else listed)


def compute_all(session: Session) -> dict[tuple[str, str], str]:
    """Every audited record's state: ``(kind, key) -> digest``."""
    result: dict[tuple[str, str], str] = {}
    for kind in KINDS.values():
        for key, digest in compute(session, kind).items():
            result[(kind.name, key)] = digest
    return result
