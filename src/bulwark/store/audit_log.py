"""Append-only, hash-chained audit log.

Each record's hash is SHA-256 over the previous record's hash and the record's
own canonical JSON (id, time, actor, action, subject, details), so editing,
deleting or reordering any record breaks every hash after it. Appends lock the
single ``audit_head`` row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite
serialises writers itself), so concurrent writers cannot fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bulwark.store.db import Database
from bulwark.store.models import AuditHeadRow, AuditRecordRow, as_utc, utcnow

GENESIS = "0" * 64


def record_hash(
    prev: str,
    rid: int,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    details: dict[str, Any],
) -> str:
    body = json.dumps(
        {
            "id": rid,
            "at": as_utc(at).isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "subject": subject,
            "details": details,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256((prev + body).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditProblem:
    record_id: int
    problem: str


class AuditLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def append(self, actor: str, action: str, subject: str = "", **details: Any) -> int:
        with self.db.session() as s:
            return self.append_in(s, actor, action, subject, **details)

    @staticmethod
    def append_in(s: Session, actor: str, action: str, subject: str = "", **details: Any) -> int:
        """Append inside the caller's transaction, so the record commits with what
        it records (and the chain's lock is held until then)."""
        details = json.loads(json.dumps(details, default=str))  # what the database will hand back
        # Take the write lock before reading the tip: a no-op UPDATE locks the row on
        # PostgreSQL and makes SQLite's deferred transaction a writer at once, so a
        # second appender waits here instead of reading the same tip.
        s.execute(
            update(AuditHeadRow).where(AuditHeadRow.id == 1).values(last_id=AuditHeadRow.last_id)
        )
        head = s.execute(
            select(AuditHeadRow).where(AuditHeadRow.id == 1).with_for_update()
        ).scalar_one()
        rid = head.last_id + 1
        at = utcnow()
        h = record_hash(head.last_hash, rid, at, actor, action, subject, details)
        s.add(
            AuditRecordRow(
                id=rid,
                at=at,
                actor=actor[:200],
                action=action[:100],
                subject=subject[:500],
                details=details,
                prev_hash=head.last_hash,
                hash=h,
            )
        )
        head.last_id, head.last_hash = rid, h
        return rid

    def records(self, batch: int = 10_000) -> Iterator[AuditRecordRow]:
        last = 0
        while True:
            with self.db.session() as s:
                rows = s.scalars(
                    select(AuditRecordRow)
                    .where(AuditRecordRow.id > last)
                    .order_by(AuditRecordRow.id)
                    .limit(batch)
                ).all()
            if not rows:
                return
            yield from rows
            last = rows[-1].id

    def verify(self) -> list[AuditProblem]:
        """Every break in the chain: edited, deleted or reordered records, a moved tip."""
        problems: list[AuditProblem] = []
        prev, expected_id = GENESIS, 1
        for r in self.records():
            if r.id != expected_id:
                problems.append(
                    AuditProblem(r.id, f"records {expected_id}..{r.id - 1} are missing")
                )
            if r.prev_hash != prev:
                problems.append(
                    AuditProblem(
                        r.id, "does not follow the record before it (deleted or reordered)"
                    )
                )
            at = r.at if r.at.tzinfo else r.at.replace(tzinfo=utcnow().tzinfo)
            if (
                record_hash(r.prev_hash, r.id, at, r.actor, r.action, r.subject, r.details)
                != r.hash
            ):
                problems.append(AuditProblem(r.id, "content does not match its hash (edited)"))
            prev, expected_id = r.hash, r.id + 1
        with self.db.session() as s:
            head = s.get(AuditHeadRow, 1)
            if head is not None and (head.last_id != expected_id - 1 or head.last_hash != prev):
                problems.append(
                    AuditProblem(
                        head.last_id, "chain tip does not match the last record (truncated)"
                    )
                )
        return problems


__all__ = ["GENESIS", "AuditLog", "AuditProblem", "record_hash"]
