"""Reviewer decisions as events, claims on open items, the platform user on review
items, reviewer preferences.

Revision ID: 0010_review_decisions
Revises: 0009_console_accounts
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_review_decisions"
down_revision = "0009_console_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review_items") as t:
        t.add_column(sa.Column("user_ref", sa.String(200), nullable=False, server_default=""))
    with op.batch_alter_table("console_users") as t:
        t.add_column(sa.Column("prefs", sa.JSON, nullable=False, server_default="{}"))
    op.create_table(
        "review_decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, nullable=False, unique=True),
        sa.Column("submission_id", sa.String(36), nullable=False, index=True),
        sa.Column("queue", sa.String(60), nullable=False),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("category", sa.String(100), nullable=True),
        sa.Column("actions", sa.JSON, nullable=False),
        sa.Column("classification", sa.String(4), nullable=True),
        sa.Column("annotations", sa.JSON, nullable=False),
        sa.Column("stack_lead", sa.Integer, nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        "review_claims",
        sa.Column("item_id", sa.Integer, primary_key=True),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("review_claims")
    op.drop_table("review_decisions")
    with op.batch_alter_table("console_users") as t:
        t.drop_column("prefs")
    with op.batch_alter_table("review_items") as t:
        t.drop_column("user_ref")
