"""CyberTipline reports: drafted by policy, confirmed by two people, filed.

Revision ID: 0008_cybertipline_reports
Revises: 0007_disabled_entries_index
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_cybertipline_reports"
down_revision = "0007_disabled_entries_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cybertipline_reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("submission_id", sa.String(36), nullable=False, unique=True),
        sa.Column("user", sa.String(200), nullable=False, server_default=""),
        sa.Column("status", sa.String(20), nullable=False, server_default="draft"),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("confirmed_by", sa.String(200), nullable=True),
        sa.Column("classification", sa.String(4), nullable=True),
        sa.Column("annotations", sa.JSON, nullable=False),
        sa.Column("ncmec_report_id", sa.String(100), nullable=True),
        sa.Column("file_ids", sa.JSON, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("cybertipline_reports")
