"""How much a reviewer has been exposed to today, and the limit on it.

Counted from the audit log's ``reveal`` records (each one a deliberate look at
an unblurred item), so the figure cannot drift from what happened. Past the
daily limit (``BULWARK_REVEAL_DAILY_LIMIT``, 50 by default) reveals are
refused until the next day (UTC): the reviewer is told to take a break and can
still decide from the evidence and the protected view.
"""

from __future__ import annotations

import os
from datetime import datetime, time

from bulwark.reporting.viewed import REVEAL
from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database
from bulwark.store.models import utcnow

DEFAULT_DAILY_LIMIT = 50


def daily_limit() -> int:
    raw = os.environ.get("BULWARK_REVEAL_DAILY_LIMIT", "")
    return int(raw) if raw.isdigit() else DEFAULT_DAILY_LIMIT


def reveals_today(db: Database, reviewer: str) -> int:
    now = utcnow()
    start = datetime.combine(now.date(), time.min, tzinfo=now.tzinfo)
    return AuditLog(db).count(REVEAL, actor=f"user:{reviewer}", since=start)


__all__ = ["DEFAULT_DAILY_LIMIT", "daily_limit", "reveals_today"]
