"""Hash banks and their entries.

Revision ID: 0001_banks
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_banks"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "banks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("category", sa.String(100), nullable=True),
        sa.Column("ncmec_classification", sa.String(4), nullable=True),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("pdq_threshold", sa.Integer, nullable=False, server_default="31"),
        sa.Column("is_negative", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "bank_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "bank_id",
            sa.Integer,
            sa.ForeignKey("banks.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("signal_type", sa.String(50), nullable=False),
        sa.Column("value_key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("source", sa.String(500), nullable=False, server_default=""),
        sa.Column("metadata", sa.JSON, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("disabled_reason", sa.Text, nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("bank_id", "signal_type", "value_key", name="uq_entry_signal"),
    )
    op.create_index("ix_entry_signal", "bank_entries", ["signal_type", "value_key"])


def downgrade() -> None:
    op.drop_index("ix_entry_signal", "bank_entries")
    op.drop_table("bank_entries")
    op.drop_table("banks")
