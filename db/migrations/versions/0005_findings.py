"""Findings: number, period, confidence, places, decisions; evidence roles; entities,
comments and the review history of a finding.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("places", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("period_from", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("period_to", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("confidence", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("rejected_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("override_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            "fk_findings_rejected_by", "reviewers", ["rejected_by_id"], ["id"]
        )
        batch_op.create_unique_constraint("uq_findings_number", ["number"])
    with op.batch_alter_table("finding_annotations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=16), nullable=False, server_default="supports")
        )
        batch_op.create_check_constraint(
            "finding_role", "role IN ('supports','contradicts','context')"
        )
    op.create_table(
        "finding_entities",
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"]),
        sa.ForeignKeyConstraint(["finding_id"], ["findings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("finding_id", "entity_id"),
    )
    op.create_table(
        "finding_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["reviewers.id"]),
        sa.ForeignKeyConstraint(["finding_id"], ["findings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "finding_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["finding_id"], ["findings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reviewer_id"], ["reviewers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("finding_reviews")
    op.drop_table("finding_comments")
    op.drop_table("finding_entities")
    with op.batch_alter_table("finding_annotations", schema=None) as batch_op:
        batch_op.drop_constraint("finding_role", type_="check")
        batch_op.drop_column("role")
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_constraint("uq_findings_number", type_="unique")
        batch_op.drop_constraint("fk_findings_rejected_by", type_="foreignkey")
        batch_op.drop_column("override_reason")
        batch_op.drop_column("rejected_by_id")
        batch_op.drop_column("confidence")
        batch_op.drop_column("period_to")
        batch_op.drop_column("period_from")
        batch_op.drop_column("places")
        batch_op.drop_column("number")
