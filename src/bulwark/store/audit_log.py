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
from typing import Any, cast

from sqlalchemy import Table, event, func, insert, select, update
from sqlalchemy.orm import Session

from bulwark.store.db import Database
from bulwark.store.models import AuditHeadRow, AuditRecordRow, as_utc, utcnow

GENESIS = "0" * 64
_PENDING = "bulwark_audit_pending"
_HEAD = cast(Table, AuditHeadRow.__table__)
_RECORDS = cast(Table, AuditRecordRow.__table__)


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
        """Append one record in its own transaction; its id."""
        details = json.loads(json.dumps(details, default=str))
        with self.db.session() as s:
            return self._chain(s, [(actor, action, subject, details)])

    @staticmethod
    def append_in(s: Session, actor: str, action: str, subject: str = "", **details: Any) -> None:
        """Append inside the caller's transaction, so the record commits with what
        it records. The record joins the chain just before that transaction
        commits (a ``before_commit`` hook), so the chain's lock is held only for
        the commit itself, not for the caller's other work — which is what lets
        concurrent transactions overlap."""
        details = json.loads(json.dumps(details, default=str))  # what the database will hand back
        s.info.setdefault(_PENDING, []).append((actor, action, subject, details))

    @staticmethod
    def _chain(s: Session, entries: list[tuple[str, str, str, dict[str, Any]]]) -> int:
        # Take the write lock and read the tip in one statement: the no-op UPDATE locks
        # the row on PostgreSQL and makes SQLite's transaction a writer, so a second
        # appender waits here instead of reading the same tip.
        # (Core statements on the tables: the ORM's bulk machinery costs more than the
        # statements themselves, on the path every submission takes.)
        head = s.execute(
            update(_HEAD)
            .where(_HEAD.c.id == 1)
            .values(last_id=_HEAD.c.last_id)
            .returning(_HEAD.c.last_id, _HEAD.c.last_hash)
        ).one()
        rid, prev = int(head.last_id), str(head.last_hash)
        rows = []
        for actor, action, subject, details in entries:
            rid += 1
            at = utcnow()
            actor, action, subject = actor[:200], action[:100], subject[:500]
            h = record_hash(prev, rid, at, actor, action, subject, details)
            rows.append(
                {
                    "id": rid,
                    "at": at,
                    "actor": actor,
                    "action": action,
                    "subject": subject,
                    "details": details,
                    "prev_hash": prev,
                    "hash": h,
                }
            )
            prev = h
        s.execute(insert(_RECORDS), rows)
        s.execute(update(_HEAD).where(_HEAD.c.id == 1).values(last_id=rid, last_hash=prev))
        return rid

    def count(
        self,
        action: str,
        *,
        subject: str | None = None,
        actor: str | None = None,
        since: datetime | None = None,
    ) -> int:
        """How many records of ``action`` there are (for one subject, one actor,
        since a time): what was done is read from the record of it."""
        q = select(func.count()).select_from(AuditRecordRow).where(AuditRecordRow.action == action)
        if subject is not None:
            q = q.where(AuditRecordRow.subject == subject)
        if actor is not None:
            q = q.where(AuditRecordRow.actor == actor)
        if since is not None:
            q = q.where(AuditRecordRow.at >= since)
        with self.db.session() as s:
            return int(s.scalar(q) or 0)

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


@event.listens_for(Session, "before_commit")
def _chain_pending(s: Session) -> None:
    """Chain the records ``append_in`` left in this transaction, in order — after
    flushing everything else, so the chain's lock is held for as little as possible."""
    pending = s.info.pop(_PENDING, None)
    if pending:
        s.flush()
        AuditLog._chain(s, pending)


@event.listens_for(Session, "after_rollback")
def _drop_pending(s: Session) -> None:
    s.info.pop(_PENDING, None)


__all__ = ["GENESIS", "AuditLog", "AuditProblem", "record_hash"]
