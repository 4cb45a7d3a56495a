"""``fileViewedByEsp`` from the audit log, never assumed.

Whether a person at the platform looked at the file matters in court (a
report of a file nobody at the ESP viewed is handled differently), so the
answer comes from the record of it: the console writes a ``reveal`` record
each time a reviewer deliberately views an item unblurred.
"""

from __future__ import annotations

from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database

REVEAL = "reveal"


def file_viewed_by_esp(db: Database, submission_id: str) -> bool:
    return AuditLog(db).count(REVEAL, subject=submission_id) > 0


__all__ = ["REVEAL", "file_viewed_by_esp"]
