"""Crop-robust matching settings per bank: bank-side crop augmentation and the
match routes the bank accepts.

Revision ID: 0011_bank_crop_routes
Revises: 0010_review_decisions
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_bank_crop_routes"
down_revision = "0010_review_decisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("banks") as t:
        t.add_column(
            sa.Column("augment_crops", sa.Boolean, nullable=False, server_default=sa.false())
        )
        t.add_column(
            sa.Column(
                "match_routes",
                sa.JSON,
                nullable=False,
                server_default='["full", "trimmed", "subregion", "bank_crop"]',
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("banks") as t:
        t.drop_column("match_routes")
        t.drop_column("augment_crops")
