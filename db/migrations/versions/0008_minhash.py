"""Near-duplicate signatures stored per source (db/minhash.py), and their LSH band keys.

The backfill signs every existing source here, in the migration's transaction and under
the backup the library makes before migrating: a library that opens at this revision has
a signature for every source, so no read path ever writes one and a read-only library
(which must already be at head) needs nothing computed. About 1.3 ms an article.

Revision ID: 0008
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from alembic import op

from db.minhash import StoredForm, stored_form

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None

_BATCH = 200


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
    backfill(op.get_bind())


def downgrade() -> None:
    op.drop_table("source_bands")
    op.drop_table("source_signatures")


def backfill(conn: sa.Connection) -> int:
    """Sign every source that has no signature yet; returns how many were signed."""
    ids = [
        row[0]
        for row in conn.execute(
            sa.text(
                "SELECT id FROM sources WHERE id NOT IN (SELECT source_id FROM source_signatures)"
                " ORDER BY id"
            )
        )
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
