"""Each source's near-duplicate signature, written with its text so no query recomputes it.

Findings count one wire story republished under another headline as one source; telling
so needs every source's shingles and MinHash (db/minhash.py) and an index of its LSH band
keys. They are written here, in the transaction that writes the source's pages (import,
bundle merge, unlocking a PDF), and read back by ``workstation.findings.corroboration``.
Derived data: not audited; any change to a source's pages drops its signature (triggers,
migration 0008), so one never describes a text the source no longer has.

Signing costs about 1 ms of CPU a page of dense text, more than PyMuPDF takes to extract it
(bench/findings_bench.py), so an import signs only texts up to ``SIGN_AT_IMPORT_CHARS``
(articles, e-mails, reports of up to about a hundred pages). A longer source is signed when
it first becomes a finding's evidence (``ensure_signatures``); until then a finding would
read its text (corroboration.py) and the band index does not offer it as a candidate,
which LSH would rarely do anyway for a short story inside a long report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Connection, delete, insert, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from db.minhash import (
    SIGN_AT_IMPORT_CHARS,
    Signature,
    StaleSignatureError,
    stored_band_keys,
    stored_form,
)
from db.models import Base, Page, SourceBand, SourceSignature

# Core statements on the session's connection: the ORM's bulk path costs about 15 µs a
# row, and a source has 128 band keys (bench/findings_bench.py).
_SIGNATURES = Base.metadata.tables[SourceSignature.__tablename__]
_BANDS = Base.metadata.tables[SourceBand.__tablename__]


def sign_on_import(
    session: Session, source_id: int, pages: Sequence[str], limit: int = SIGN_AT_IMPORT_CHARS
) -> bool:
    """Store the signature of a source whose pages were just written, when its text is at
    most ``limit`` characters; a longer one is left unsigned (any signature of its former
    text removed) until it becomes evidence. Returns whether it was signed."""
    if sum(map(len, pages)) > limit:
        _forget(session.connection(), source_id)
        return False
    store_signature(session, source_id, pages)
    return True


def store_signature(session: Session, source_id: int, pages: Sequence[str]) -> None:
    """Sign the source's page texts (in page order) and store the signature and band keys,
    replacing any signed before (about 1.5 ms for a 5 KB article, most of it signing)."""
    conn = session.connection()
    _forget(conn, source_id)
    form = stored_form(list(pages))
    conn.execute(
        insert(_SIGNATURES),
        [{"source_id": source_id, "signature": form.signature, "shingles": form.shingles}],
    )
    if form.bands:  # band keys left behind by a page change (migration 0008) may remain
        conn.execute(
            sqlite_insert(_BANDS).on_conflict_do_nothing(),
            [{"key": key, "source_id": source_id} for key in form.bands],
        )


def ensure_signatures(session: Session, source_ids: Iterable[int]) -> list[int]:
    """Sign those of the sources that have no signature yet (long texts left unsigned at
    import); returns their ids."""
    wanted = sorted(set(source_ids))
    if not wanted:
        return []
    conn = session.connection()
    signed = set(
        conn.execute(
            select(_SIGNATURES.c.source_id).where(_SIGNATURES.c.source_id.in_(wanted))
        ).scalars()
    )
    missing = [i for i in wanted if i not in signed]
    for source_id in missing:
        texts = session.scalars(
            select(Page.text).where(Page.source_id == source_id).order_by(Page.number)
        ).all()
        store_signature(session, source_id, texts)
    return missing


def _forget(conn: Connection, source_id: int) -> None:
    """Remove the source's signature and band keys, if it has any."""
    old = conn.execute(
        select(_SIGNATURES.c.signature).where(_SIGNATURES.c.source_id == source_id)
    ).scalar()
    if old is None:
        return
    try:
        keys = stored_band_keys(Signature.from_bytes(old))
        stale: ColumnElement[bool] = _BANDS.c.key.in_(keys)
    except StaleSignatureError:
        stale = _BANDS.c.source_id == source_id  # another scheme: scan once, rarely
    conn.execute(delete(_BANDS).where(stale, _BANDS.c.source_id == source_id))
    conn.execute(delete(_SIGNATURES).where(_SIGNATURES.c.source_id == source_id))
