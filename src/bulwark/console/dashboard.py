"""The figures on the console's dashboard, all read from the records themselves.

Queue depth and age from the open review items; decisions per hour from the
decision events; the auto-actioned share — submissions no human needed to see
— from submissions against review items; exposure per reviewer from the audit
log's reveal records (the same count that enforces the daily limit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from bulwark.console import queues
from bulwark.reporting.viewed import REVEAL
from bulwark.store.db import Database
from bulwark.store.models import (
    AuditRecordRow,
    ReviewDecisionRow,
    ReviewItemRow,
    SubmissionRow,
    as_utc,
    utcnow,
)

HOURS = 24


@dataclass(frozen=True)
class Figures:
    queues: list[queues.QueueSize]
    decisions_per_hour: list[tuple[str, int]]  # (hour label, count), oldest first
    submissions: int
    auto_actioned: int
    exposure: list[tuple[str, int]]  # (reviewer, reveals today)

    @property
    def auto_share(self) -> float:
        return self.auto_actioned / self.submissions if self.submissions else 0.0


def figures(db: Database, child_safety: bool, days: int = 7) -> Figures:
    now = utcnow()
    since = now - timedelta(hours=HOURS)
    with db.session() as s:
        decided_at = list(
            s.scalars(
                select(ReviewDecisionRow.decided_at).where(ReviewDecisionRow.decided_at >= since)
            )
        )
        window = now - timedelta(days=days)
        submissions = int(
            s.scalar(select(func.count()).where(SubmissionRow.created_at >= window)) or 0
        )
        reviewed = int(
            s.scalar(
                select(func.count(func.distinct(ReviewItemRow.submission_id)))
                .join(SubmissionRow, SubmissionRow.id == ReviewItemRow.submission_id)
                .where(SubmissionRow.created_at >= window)
            )
            or 0
        )
        start = datetime.combine(now.date(), time.min, tzinfo=now.tzinfo)
        exposure = s.execute(
            select(AuditRecordRow.actor, func.count())
            .where(AuditRecordRow.action == REVEAL, AuditRecordRow.at >= start)
            .group_by(AuditRecordRow.actor)
            .order_by(AuditRecordRow.actor)
        ).all()
    counts = [0] * HOURS
    for at in decided_at:
        hours_ago = int((now - as_utc(at)).total_seconds() // 3600)
        if 0 <= hours_ago < HOURS:
            counts[HOURS - 1 - hours_ago] += 1
    labels = [(now - timedelta(hours=HOURS - 1 - i)).strftime("%H:00") for i in range(HOURS)]
    return Figures(
        queues=queues.sizes(db, child_safety),
        decisions_per_hour=list(zip(labels, counts, strict=True)),
        submissions=submissions,
        auto_actioned=submissions - reviewed,
        exposure=[(actor.removeprefix("user:"), int(n)) for actor, n in exposure],
    )


__all__ = ["HOURS", "Figures", "figures"]
