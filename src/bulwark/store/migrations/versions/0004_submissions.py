"""Submissions and their decisions.

Revision ID: 0004_submissions
Revises: 0003_service_tables
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_submissions"
down_revision = "0003_service_tables"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("key_id", sa.Integer, nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("decision", sa.JSON, nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("key_id", "idempotency_key", name="uq_submission_idem"),
    )


def downgrade() -> None:
    op.drop_table("submissions")
