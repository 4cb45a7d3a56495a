"""Submissions whose slow analyzers finish later: a status, and their content until then.

Revision ID: 0006_deferred_analysis
Revises: 0005_review_items_labels
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_deferred_analysis"
down_revision = "0005_review_items_labels"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(
            sa.Column("status", sa.String(12), nullable=False, server_default="complete")
        )
        batch.add_column(sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "pending_content",
        sa.Column("submission_id", sa.String(36), primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("meta", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pending_content")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("completed_at")
        batch.drop_column("status")
