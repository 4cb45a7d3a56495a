"""Order a queue by triage priority, stack near-duplicates, group by platform user.

The order is the architecture's: policy priority first, then — within a
priority — suspected abuse with no evidence of AI generation ahead of the same
with it (a real child may be at risk now), then the oldest first. Items whose
PDQ hashes lie within the stacking threshold of a card's lead join that card,
so a reviewer decides once for re-uploads of the same picture. The
child-safety queue is grouped by the platform user who uploaded, because
CyberTipline reports are filed per user; stacks form within a user's group.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from bulwark.match.near_duplicates import group_near_duplicates

#: the banks' default PDQ threshold: what a bank would call the same picture
DEFAULT_STACK_THRESHOLD = 31


def stack_threshold() -> int:
    raw = os.environ.get("BULWARK_STACK_PDQ_THRESHOLD", "")
    return int(raw) if raw.isdigit() else DEFAULT_STACK_THRESHOLD


@dataclass(frozen=True)
class QueuedItem:
    id: int
    submission_id: str
    queue: str
    priority: int
    created_at: datetime
    user: str
    kind: str
    pdq: int | None
    ai_generated: bool
    summary: str

    def triage_key(self) -> tuple[int, bool, datetime, int]:
        return (self.priority, self.ai_generated, self.created_at, self.id)


@dataclass
class Card:
    lead: QueuedItem
    members: list[QueuedItem] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [m.id for m in self.members]


@dataclass
class UserGroup:
    user: str
    cards: list[Card]

    @property
    def count(self) -> int:
        return sum(len(c.members) for c in self.cards)


def stack(items: Iterable[QueuedItem], threshold: int) -> list[Card]:
    """Cards in triage order; each item joins the first card whose lead is near it."""
    ordered = sorted(items, key=QueuedItem.triage_key)
    cards: list[Card] = []
    for item, group in zip(
        ordered, group_near_duplicates([i.pdq for i in ordered], threshold), strict=True
    ):
        if group == len(cards):
            cards.append(Card(item, [item]))
        else:
            cards[group].members.append(item)
    return cards


def by_user(items: Iterable[QueuedItem], threshold: int) -> list[UserGroup]:
    """Groups per platform user, the group with the most urgent card first."""
    users: dict[str, list[QueuedItem]] = {}
    for item in items:
        users.setdefault(item.user, []).append(item)
    groups = [UserGroup(user, stack(its, threshold)) for user, its in users.items()]
    return sorted(groups, key=lambda g: g.cards[0].lead.triage_key())


__all__ = [
    "DEFAULT_STACK_THRESHOLD",
    "Card",
    "QueuedItem",
    "UserGroup",
    "by_user",
    "stack",
    "stack_threshold",
]
