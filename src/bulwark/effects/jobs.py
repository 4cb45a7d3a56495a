"""A durable job queue in the database: leases, retries with back-off, dead letters.

A worker claims a job by taking a lease; a job whose lease ran out (its worker
died) is claimable again, so nothing acknowledged is lost. Failed jobs come
back after ``2^attempts`` seconds (capped) until ``max_attempts``, then stay in
``dead`` for a person to look at. Handlers must be idempotent — an effect that
runs twice after a crash must act once — and the idempotency key on enqueue
keeps the same effect from being queued twice.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bulwark.store.db import Database, rows_affected
from bulwark.store.models import JobRow, utcnow

MAX_BACKOFF_S = 3600


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class JobSpec:
    """A job to queue, possibly inside a caller's transaction (``JobQueue.add_in``)."""

    kind: str
    payload: dict[str, Any]
    idempotency_key: str | None = None
    max_attempts: int = 5


class JobQueue:
    def __init__(self, db: Database, worker_id: str | None = None) -> None:
        self.db = db
        self.worker_id = worker_id or f"{socket.gethostname()}:{id(self)}"

    def enqueue(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        idempotency_key: str | None = None,
        max_attempts: int = 5,
    ) -> int:
        """The job's id; an already-queued idempotency key returns the existing job."""
        try:
            with self.db.session() as s:
                row = JobRow(
                    kind=kind,
                    payload=payload,
                    idempotency_key=idempotency_key,
                    max_attempts=max_attempts,
                )
                s.add(row)
                s.flush()
                return row.id
        except IntegrityError:
            with self.db.session() as s:
                found = s.scalar(select(JobRow.id).where(JobRow.idempotency_key == idempotency_key))
                if found is None:
                    raise
                return int(found)

    @staticmethod
    def add_in(session: Session, specs: list[JobSpec], *, fresh: bool = False) -> int:
        """Queue ``specs`` in the caller's transaction, so the jobs commit (or not)
        with whatever caused them; idempotency keys already queued are skipped
        (``fresh``: the caller knows none can be — a new submission's — and the
        look-up is saved). The number of jobs added."""
        keys = [j.idempotency_key for j in specs if j.idempotency_key and not fresh]
        seen = (
            set(
                session.scalars(
                    select(JobRow.idempotency_key).where(JobRow.idempotency_key.in_(keys))
                )
            )
            if keys
            else set()
        )
        rows = []
        for j in specs:
            if j.idempotency_key and j.idempotency_key in seen:
                continue
            if j.idempotency_key:
                seen.add(j.idempotency_key)
            rows.append(
                {
                    "kind": j.kind,
                    "payload": j.payload,
                    "idempotency_key": j.idempotency_key,
                    "max_attempts": j.max_attempts,
                }
            )
        if rows:  # a Core insert: this is on every submission's path
            session.execute(insert(cast(Table, JobRow.__table__)), rows)
        return len(rows)

    def claim(
        self, lease: timedelta = timedelta(seconds=60), kinds: tuple[str, ...] = ()
    ) -> Job | None:
        now = utcnow()
        with self.db.session() as s:
            ready = or_(
                and_(JobRow.state == "pending", JobRow.run_after <= now),
                and_(JobRow.state == "running", JobRow.lease_until < now),
            )
            q = select(JobRow.id).where(ready).order_by(JobRow.id).limit(1)
            if kinds:
                q = q.where(JobRow.kind.in_(kinds))
            if s.get_bind().dialect.name == "postgresql":
                q = q.with_for_update(skip_locked=True)
            job_id = s.scalar(q)
            if job_id is None:
                return None
            # the conditional UPDATE is the claim: if another worker got there first, 0 rows
            claimed = rows_affected(
                s.execute(
                    update(JobRow)
                    .where(JobRow.id == job_id, ready)
                    .values(
                        state="running",
                        lease_until=now + lease,
                        locked_by=self.worker_id,
                        attempts=JobRow.attempts + 1,
                    )
                )
            )
            if not claimed:
                return None
            row = s.get(JobRow, job_id)
            assert row is not None
            s.refresh(row)
            return Job(row.id, row.kind, dict(row.payload), row.attempts)

    def complete(self, job: Job) -> None:
        with self.db.session() as s:
            s.execute(
                update(JobRow)
                .where(JobRow.id == job.id, JobRow.locked_by == self.worker_id)
                .values(state="done", finished_at=utcnow(), lease_until=None)
            )

    def fail(self, job: Job, error: str) -> str:
        """Back to pending after a back-off, or ``dead`` after the last attempt."""
        with self.db.session() as s:
            row = s.get(JobRow, job.id)
            if row is None:
                return "missing"
            if row.attempts >= row.max_attempts:
                row.state = "dead"
                row.finished_at = utcnow()
            else:
                row.state = "pending"
                row.run_after = utcnow() + timedelta(seconds=min(MAX_BACKOFF_S, 2**row.attempts))
            row.last_error = error[:4000]
            row.lease_until = None
            return row.state

    def run_once(
        self,
        handlers: Mapping[str, Callable[[dict[str, Any]], None]],
        lease: timedelta = timedelta(seconds=60),
    ) -> bool:
        """Claim and run one job; False when there was none ready. ``lease`` is how
        long a worker that died holding the job keeps others from it."""
        job = self.claim(lease, kinds=tuple(handlers))
        if job is None:
            return False
        try:
            handlers[job.kind](job.payload)
        except Exception as exc:  # a failing effect is retried, never lost
            self.fail(job, f"{type(exc).__name__}: {exc}")
        else:
            self.complete(job)
        return True

    def state(self, job_id: int) -> dict[str, Any]:
        with self.db.session() as s:
            row = s.get(JobRow, job_id)
            if row is None:
                return {}
            return {
                "id": row.id,
                "kind": row.kind,
                "state": row.state,
                "attempts": row.attempts,
                "last_error": row.last_error,
            }


__all__ = ["Job", "JobQueue", "JobSpec"]
