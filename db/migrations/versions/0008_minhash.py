"""Near-duplicate signatures stored per source (db/minhash.py), and their LSH band keys.

The backfill signs the existing sources here, in the migration's transaction and under the
backup the library makes before migrating, as an import would have (about 1.3 ms an
article): every source but texts longer than ``SIGN_AT_IMPORT_CHARS`` that are no
finding's evidence, which are signed when they become evidence. No read path writes a
signature: a read-only library (which must already be at head) needs nothing written, and
a source without one is compared from its text (workstation/findings/corroboration.py).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from alembic import op

from db.minhash import SIGN_AT_IMPORT_CHARS, StoredForm, stored_form

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_BATCH = 200

# A signature never outlives the text it was computed from, whoever writes the pages (an
# import, unlocking, OCR): any change to a source's pages drops its signature row, and the
# writer signs the new text or leaves it to be signed when it becomes evidence. Its band
# keys stay behind until then; a band key whose source has no signature, or another one, is
# at worst a candidate that its signature then rules out.
_TRIGGERS = (
    "CREATE TRIGGER pages_unsign_insert AFTER INSERT ON pages BEGIN "
    "DELETE FROM source_signatures WHERE source_id = NEW.source_id; END",
    "CREATE TRIGGER pages_unsign_update AFTER UPDATE ON pages BEGIN "
    "DELETE FROM source_signatures WHERE source_id IN (OLD.source_id, NEW.source_id); END",
    "CREATE TRIGGER pages_unsign_delete AFTER DELETE ON pages BEGIN "
    "DELETE FROM source_signatures WHERE source_id = OLD.source_id; END",
)


def upgrade() -> None:
    op.create_table(
        "source_signatures",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("shingles", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("source_id"),
    )
    op.create_table(
        "source_bands",
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key", "source_id"),
        sqlite_with_rowid=False,
    )
    for statement in _TRIGGERS:
        op.execute(statement)
    backfill(op.get_bind())


def downgrade() -> None:
    for name in ("pages_unsign_insert", "pages_unsign_update", "pages_unsign_delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("source_bands")
    op.drop_table("source_signatures")


def backfill(conn: sa.Connection) -> int:
    """Sign every source that has no signature yet, except texts longer than
    ``SIGN_AT_IMPORT_CHARS`` that are no finding's evidence (signed when they become
    evidence, as after an import); returns how many were signed."""
    sizes: dict[int, int] = {
        source_id: size
        for source_id, size in conn.execute(
            sa.text("SELECT source_id, sum(length(text)) FROM pages GROUP BY source_id")
        )
    }
    evidence = set(
        conn.execute(
            sa.text(
                "SELECT DISTINCT a.source_id FROM finding_annotations fa "
                "JOIN annotations a ON a.id = fa.annotation_id"
            )
        ).scalars()
    )
    ids = [
        source_id
        for source_id in conn.execute(
            sa.text(
                "SELECT id FROM sources WHERE id NOT IN (SELECT source_id FROM source_signatures)"
                " ORDER BY id"
            )
        ).scalars()
        if (sizes.get(source_id) or 0) <= SIGN_AT_IMPORT_CHARS or source_id in evidence
    ]
    for start in range(0, len(ids), _BATCH):
        forms = dict(_signed(conn, ids[start : start + _BATCH]))
        conn.execute(
            sa.text(
                "INSERT INTO source_signatures (source_id, signature, shingles) "
                "VALUES (:source_id, :signature, :shingles)"
            ),
            [
                {"source_id": i, "signature": f.signature, "shingles": f.shingles}
                for i, f in forms.items()
            ],
        )
        bands = [{"key": k, "source_id": i} for i, f in forms.items() for k in f.bands]
        if bands:
            conn.execute(
                sa.text("INSERT INTO source_bands (key, source_id) VALUES (:key, :source_id)"),
                bands,
            )
    return len(ids)


def _signed(conn: sa.Connection, ids: list[int]) -> Iterator[tuple[int, StoredForm]]:
    pages: dict[int, list[str]] = {i: [] for i in ids}
    rows = conn.execute(
        sa.text(
            "SELECT source_id, text FROM pages WHERE source_id IN :ids ORDER BY source_id, number"
        ).bindparams(sa.bindparam("ids", expanding=True)),
        {"ids": ids},
    )
    for source_id, text in rows:
        pages[source_id].append(text)
    for source_id, texts in pages.items():
        yield source_id, stored_form(texts)
