"""Core schema: reviewers, sources, pages, cases, audit trail.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("hash"),
    )
    op.create_table(
        "library_info",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "reviewers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("initials", sa.String(length=16), nullable=True),
        sa.Column("key_fingerprint", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["reviewers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("uuid"),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("original_filename", sa.Text(), nullable=False),
        sa.Column("original_path", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("publisher", sa.Text(), nullable=True),
        sa.Column("published", sa.String(length=32), nullable=True),
        sa.Column("retrieved", sa.String(length=32), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("reliability", sa.String(length=1), nullable=True),
        sa.Column("credibility", sa.Integer(), nullable=True),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("thumbnail", sa.Text(), nullable=True),
        sa.Column("imported_at", sa.String(length=32), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=False),
        sa.Column("indexed", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "reliability IS NULL OR reliability IN ('A','B','C','D','E','F')",
            name="reliability_grade",
        ),
        sa.CheckConstraint(
            "credibility IS NULL OR credibility BETWEEN 1 AND 6", name="credibility_grade"
        ),
        sa.CheckConstraint("length(sha256) = 64", name="sha256_length"),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["reviewers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
        sa.UniqueConstraint("uuid"),
    )
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.create_index("ix_sources_kind", ["kind"], unique=False)
        batch_op.create_index("ix_sources_published", ["published"], unique=False)

    op.create_table(
        "case_sources",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.String(length=32), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["reviewers.id"],
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id", "source_id"),
    )
    with op.batch_alter_table("case_sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_sources_source_id"), ["source_id"], unique=False)

    op.create_table(
        "pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_id", "number"),
    )
    op.create_table(
        "source_relations",
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["sources.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["parent_id"], ["sources.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("parent_id", "child_id", "relation"),
    )


def downgrade() -> None:
    op.drop_table("source_relations")
    op.drop_table("pages")
    with op.batch_alter_table("case_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_sources_source_id"))

    op.drop_table("case_sources")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_index("ix_sources_published")
        batch_op.drop_index("ix_sources_kind")

    op.drop_table("sources")
    op.drop_table("cases")
    op.drop_table("reviewers")
    op.drop_table("library_info")
    op.drop_table("audit_events")
