"""A partial index on disabled bank entries.

Every API process re-reads the disabled entries every few seconds to honour
false-positive reports; without this index that is a scan of the whole bank
(135 ms at a million entries, on a request's path).

Revision ID: 0007_disabled_entries_index
Revises: 0006_deferred_analysis
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_disabled_entries_index"
down_revision = "0006_deferred_analysis"
branch_labels = None
depends_on = None

_WHERE = sa.text("enabled = false")


def upgrade() -> None:
    op.create_index(
        "ix_entry_disabled",
        "bank_entries",
        ["id"],
        sqlite_where=_WHERE,
        postgresql_where=_WHERE,
    )


def downgrade() -> None:
    op.drop_index("ix_entry_disabled", table_name="bank_entries")
