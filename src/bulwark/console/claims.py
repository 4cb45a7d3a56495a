"""Who has an open card on screen: one reviewer per item at a time.

Opening a card claims its items for ``CLAIM_FOR``; the next-card flow skips
cards another reviewer holds, and a decision on an item someone else holds is
refused with their name — so two people never clear the same stack twice, and
a reviewer cannot decide items they were never shown by posting their ids.
A claim simply lapses (a closed tab leaves nothing locked for long).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bulwark.store.db import Database
from bulwark.store.models import ReviewClaimRow, as_utc, utcnow

CLAIM_FOR = timedelta(minutes=10)


def claim(db: Database, reviewer: str, item_ids: Iterable[int]) -> str | None:
    """Claim the items for ``reviewer``; the name of another reviewer holding any
    of them instead (and nothing is claimed)."""
    ids = sorted(set(item_ids))
    now = utcnow()
    try:
        with db.session() as s:
            rows = {
                r.item_id: r
                for r in s.scalars(
                    select(ReviewClaimRow).where(ReviewClaimRow.item_id.in_(ids)).with_for_update()
                )
            }
            for r in rows.values():
                if r.reviewer != reviewer and as_utc(r.until) > now:
                    return r.reviewer
            for i in ids:
                row = rows.get(i)
                if row is None:
                    s.add(ReviewClaimRow(item_id=i, reviewer=reviewer, until=now + CLAIM_FOR))
                else:
                    row.reviewer, row.until = reviewer, now + CLAIM_FOR
            return None
    except IntegrityError:  # another reviewer claimed one of them at this moment
        return holder(db, ids, reviewer) or "another reviewer"


def holder(db: Database, item_ids: Iterable[int], reviewer: str) -> str | None:
    """Another reviewer with a live claim on any of the items, if there is one."""
    with db.session() as s:
        found = s.scalars(
            select(ReviewClaimRow.reviewer).where(
                ReviewClaimRow.item_id.in_(list(item_ids)),
                ReviewClaimRow.reviewer != reviewer,
                ReviewClaimRow.until > utcnow(),
            )
        ).first()
    return found


def held_by_others(db: Database, reviewer: str) -> set[int]:
    with db.session() as s:
        return set(
            s.scalars(
                select(ReviewClaimRow.item_id).where(
                    ReviewClaimRow.reviewer != reviewer, ReviewClaimRow.until > utcnow()
                )
            )
        )


__all__ = ["CLAIM_FOR", "claim", "held_by_others", "holder"]
