"""Signed review steps: a confirmation signed with the reviewer's Ed25519 key.

Each column is empty for an unsigned step. ``payload`` is the canonical JSON that
was signed (the finding's content and evidence digests, who, when); the public
key travels with the step so a partner library can check it without the keyring.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("finding_reviews") as batch:
        batch.add_column(sa.Column("key_fingerprint", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("public_key", sa.Text(), nullable=True))
        batch.add_column(sa.Column("payload", sa.Text(), nullable=True))
        batch.add_column(sa.Column("signature", sa.String(length=88), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("finding_reviews") as batch:
        batch.drop_column("signature")
        batch.drop_column("payload")
        batch.drop_column("public_key")
        batch.drop_column("key_fingerprint")
