"""Read the open review items of a queue and the queues' sizes.

An item is open until a decision names it (``review_decisions``); nothing
about the item row itself changes when it is decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, cast, exists, func, select

from bulwark.console.stacks import Card, QueuedItem, UserGroup, by_user, stack, stack_threshold
from bulwark.effects.dispatch import CHILD_SAFETY_QUEUES
from bulwark.store.db import Database
from bulwark.store.models import (
    ReviewDecisionRow,
    ReviewItemRow,
    SubmissionRow,
    as_utc,
    utcnow,
)

#: a queue page shows at most this many items (the oldest and most urgent first)
PAGE_LIMIT = 500
_decided = exists().where(ReviewDecisionRow.item_id == ReviewItemRow.id)


@dataclass(frozen=True)
class QueueSize:
    name: str
    open: int
    oldest: datetime
    child_safety: bool


def _pdq(details: dict[str, Any]) -> int | None:
    for s in details.get("signals", []):
        if s.get("type") == "pdq":
            return int(s["value"], 16)
    return None


def _summary(details: dict[str, Any], fired: list[dict[str, Any]]) -> str:
    if details.get("bank_matches"):
        return "bank match"
    evidence = sorted(details.get("evidence", []), key=lambda e: -float(e.get("score", 0)))
    if evidence:
        return str(evidence[0].get("category", ""))
    return ", ".join(str(f.get("rule", "")) for f in fired)


def open_items(
    db: Database, queue: str, child_safety: bool = True, limit: int = PAGE_LIMIT
) -> list[QueuedItem]:
    """Open items of a queue (``child_safety`` False: without child-safety items)."""
    q = (
        select(ReviewItemRow, SubmissionRow.kind, SubmissionRow.decision)
        .join(SubmissionRow, SubmissionRow.id == ReviewItemRow.submission_id)
        .where(ReviewItemRow.queue == queue, ~_decided)
        .order_by(ReviewItemRow.priority, ReviewItemRow.created_at)
        .limit(limit)
    )
    if not child_safety:
        q = q.where(ReviewItemRow.child_safety.is_(False))
    with db.session() as s:
        rows = s.execute(q).all()
    out = []
    for r, kind, decision in rows:
        details = dict((decision or {}).get("details", {}))
        out.append(
            QueuedItem(
                id=r.id,
                submission_id=r.submission_id,
                queue=r.queue,
                priority=r.priority,
                created_at=r.created_at,
                user=r.user_ref,
                kind=kind,
                pdq=_pdq(details),
                ai_generated=details.get("provenance") in ("confirmed", "likely"),
                summary=_summary(details, list((decision or {}).get("fired", []))),
            )
        )
    return out


def is_child_safety(queue: str) -> bool:
    return queue in CHILD_SAFETY_QUEUES


def cards(db: Database, queue: str, child_safety: bool = True) -> list[Card]:
    """The queue's cards in triage order (for child safety: user by user)."""
    items = open_items(db, queue, child_safety)
    if is_child_safety(queue):
        return [c for g in by_user(items, stack_threshold()) for c in g.cards]
    return stack(items, stack_threshold())


def groups(db: Database, queue: str) -> list[UserGroup]:
    return by_user(open_items(db, queue), stack_threshold())


def card_of(db: Database, queue: str, item_id: int, child_safety: bool) -> Card | None:
    """The open card an item belongs to (None once it is decided)."""
    return next((c for c in cards(db, queue, child_safety) if item_id in c.ids), None)


def sizes(db: Database, child_safety: bool) -> list[QueueSize]:
    q = select(
        ReviewItemRow.queue,
        func.count(),
        func.min(ReviewItemRow.created_at),
        func.max(cast(ReviewItemRow.child_safety, Integer)),  # PostgreSQL has no max(bool)
    ).where(~_decided)
    if not child_safety:
        q = q.where(ReviewItemRow.child_safety.is_(False))
    with db.session() as s:
        rows = s.execute(q.group_by(ReviewItemRow.queue).order_by(ReviewItemRow.queue)).all()
    return [QueueSize(n, int(c), at, bool(cs) or is_child_safety(n)) for n, c, at, cs in rows if c]


def age(at: datetime) -> str:
    minutes = int((utcnow() - as_utc(at)).total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


__all__ = [
    "PAGE_LIMIT",
    "QueueSize",
    "age",
    "card_of",
    "cards",
    "groups",
    "is_child_safety",
    "open_items",
    "sizes",
]
