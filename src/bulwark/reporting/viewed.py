"""``fileViewedByEsp`` from the audit log, never assumed.

Whether a person at the platform looked at the file matters in court (a
report of a file nobody at the ESP viewed is handled differently), so the
answer comes from the record of it: the console writes a ``reveal`` record
each time a reviewer deliberately views an item unblurred.
"""

from __future__ import annotations

from sqlalchemy import func, select

from bulwark.store.db import Database
from bulwark.store.models import AuditRecordRow

REVEAL = "reveal"


def file_viewed_by_esp(db: Database, submission_id: str) -> bool:
    with db.session() as s:
        n = s.scalar(
            select(func.count())
            .select_from(AuditRecordRow)
            .where(AuditRecordRow.action == REVEAL, AuditRecordRow.subject == submission_id)
        )
    return bool(n)


__all__ = ["REVEAL", "file_viewed_by_esp"]
