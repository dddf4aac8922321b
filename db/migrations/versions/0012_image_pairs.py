"""Image pairs: two pictures of the same place kept as a before and after, in the library.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "image_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("before_id", sa.Integer(), nullable=False),
        sa.Column("after_id", sa.Integer(), nullable=False),
        sa.Column("alignment", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("made_by_id", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.String(length=32), nullable=False),
        sa.Column("modified_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint("before_id <> after_id", name="image_pair_two_pictures"),
        sa.ForeignKeyConstraint(["before_id"], ["sources.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["after_id"], ["sources.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["made_by_id"], ["reviewers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uuid"),
        sa.UniqueConstraint("before_id", "after_id"),
    )
    op.create_index("ix_image_pairs_after", "image_pairs", ["after_id"])


def downgrade() -> None:
    op.drop_index("ix_image_pairs_after", table_name="image_pairs")
    op.drop_table("image_pairs")
