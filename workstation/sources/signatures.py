"""Each source's near-duplicate signature, written with its text so no query recomputes it.

Findings count one wire story republished under another headline as one source; telling
so needs every source's shingles and MinHash (db/minhash.py) and an index of its LSH band
keys. They are written here, in the transaction that writes the source's pages (import,
bundle merge, unlocking a PDF), and read back by ``workstation.findings.corroboration``.
Derived data: not audited, and rewritten whenever the pages are.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, delete, insert, select
from sqlalchemy.orm import Session

from db.minhash import Signature, StaleSignatureError, stored_band_keys, stored_form
from db.models import Base, SourceBand, SourceSignature

# Core statements on the session's connection: the ORM's bulk path costs about 15 µs a
# row, and a source has 128 band keys (bench/findings_bench.py).
_SIGNATURES = Base.metadata.tables[SourceSignature.__tablename__]
_BANDS = Base.metadata.tables[SourceBand.__tablename__]


def store_signature(session: Session, source_id: int, pages: Sequence[str]) -> None:
    """Sign the source's page texts (in page order) and store the signature and band keys,
    replacing any signed before (about 1.5 ms for a 5 KB article, most of it signing)."""
    conn = session.connection()
    old = conn.execute(
        select(_SIGNATURES.c.signature).where(_SIGNATURES.c.source_id == source_id)
    ).scalar()
    if old is not None:
        try:
            keys = stored_band_keys(Signature.from_bytes(old))
            stale: ColumnElement[bool] = _BANDS.c.key.in_(keys)
        except StaleSignatureError:
            stale = _BANDS.c.source_id == source_id  # another scheme: scan once, rarely
        conn.execute(delete(_BANDS).where(stale, _BANDS.c.source_id == source_id))
        conn.execute(delete(_SIGNATURES).where(_SIGNATURES.c.source_id == source_id))
    form = stored_form(list(pages))
    conn.execute(
        insert(_SIGNATURES),
        [{"source_id": source_id, "signature": form.signature, "shingles": form.shingles}],
    )
    if form.bands:
        conn.execute(insert(_BANDS), [{"key": key, "source_id": source_id} for key in form.bands])
