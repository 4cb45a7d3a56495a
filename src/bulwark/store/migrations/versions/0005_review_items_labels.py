"""Review queue items and labels with expiry.

Revision ID: 0005_review_items_labels
Revises: 0004_submissions
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_review_items_labels"
down_revision = "0004_submissions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("submission_id", sa.String(36), nullable=False, index=True),
        sa.Column("queue", sa.String(60), nullable=False),
        sa.Column("priority", sa.Integer, nullable=False, server_default="3"),
        sa.Column("child_safety", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("state", sa.String(20), nullable=False, server_default="open"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("submission_id", "queue", name="uq_review_item"),
    )
    op.create_table(
        "labels",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("target", sa.String(20), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("target", "subject", "label", name="uq_label"),
    )


def downgrade() -> None:
    op.drop_table("labels")
    op.drop_table("review_items")
