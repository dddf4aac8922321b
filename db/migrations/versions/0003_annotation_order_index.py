"""Index for listing annotations in source and position order.

The library-wide annotation list pages through every annotation in
(source, page, start) order; without this index SQLite sorts all rows for
each page (about 2 s per block at 1,000,000 annotations).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_annotations_order", ["source_id", "page", "start", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.drop_index("ix_annotations_order")
