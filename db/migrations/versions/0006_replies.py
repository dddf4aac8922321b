"""Right of reply: letters sent about a finding and the replies received.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "finding_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("addressee", sa.Text(), nullable=False),
        sa.Column("addressee_kind", sa.String(length=16), nullable=True),
        sa.Column("sent_on", sa.String(length=10), nullable=False),
        sa.Column("deadline", sa.String(length=10), nullable=True),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "addressee_kind IN ('state','company','person')", name="letter_addressee_kind"
        ),
        sa.ForeignKeyConstraint(["finding_id"], ["findings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["reviewers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uuid"),
    )
    op.create_index("ix_finding_letters_finding", "finding_letters", ["finding_id"])
    op.create_table(
        "finding_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint("text IS NOT NULL OR source_id IS NOT NULL", name="reply_body"),
        sa.ForeignKeyConstraint(["finding_id"], ["findings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["letter_id"], ["finding_letters.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["reviewers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uuid"),
    )
    op.create_index("ix_finding_replies_letter", "finding_replies", ["letter_id"])


def downgrade() -> None:
    op.drop_index("ix_finding_replies_letter", table_name="finding_replies")
    op.drop_table("finding_replies")
    op.drop_index("ix_finding_letters_finding", table_name="finding_letters")
    op.drop_table("finding_letters")
