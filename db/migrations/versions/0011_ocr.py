"""OCR layers: text read from scanned pages and images, kept beside the original.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ocr_layers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("engine", sa.String(length=32), nullable=False),
        sa.Column("engine_version", sa.String(length=64), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("languages", sa.String(length=200), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("mean_confidence", sa.Float(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("accepted_at", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["reviewers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uuid"),
    )
    op.create_index("ix_ocr_layers_source", "ocr_layers", ["source_id"])
    op.create_index(
        "ux_ocr_layers_accepted",
        "ocr_layers",
        ["source_id"],
        unique=True,
        sqlite_where=sa.text("accepted = 1"),
    )
    op.create_table(
        "ocr_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("layer_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("words", sa.JSON(), nullable=False),
        sa.Column("mean_confidence", sa.Float(), nullable=True),
        sa.Column("languages", sa.String(length=200), nullable=False),
        sa.Column("script", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("replaced_text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["layer_id"], ["ocr_layers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("layer_id", "number"),
    )
    op.create_index("ix_ocr_pages_source_id", "ocr_pages", ["source_id"])


def downgrade() -> None:
    op.drop_index("ix_ocr_pages_source_id", table_name="ocr_pages")
    op.drop_table("ocr_pages")
    op.drop_index("ux_ocr_layers_accepted", table_name="ocr_layers")
    op.drop_index("ix_ocr_layers_source", table_name="ocr_layers")
    op.drop_table("ocr_layers")
