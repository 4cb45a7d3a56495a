"""Webhook delivery state for admins: what was sent where, and what failed.

Deliveries are jobs (effects/webhooks.py), so their state is the job's:
pending (waiting for a retry after a failure), running, done or dead (gave up
after the last attempt) with the last error. Answers carry the event, the
target URL and the state — never the payload or the signing secret.
"""

# No ``from __future__ import annotations``: FastAPI reads these annotations at runtime.
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from bulwark.effects import webhooks
from bulwark.service.keys import ApiKey, require
from bulwark.store.db import Database
from bulwark.store.models import JobRow


def webhook_router(db: Database, caller: Callable[..., Coroutine[Any, Any, ApiKey]]) -> APIRouter:
    router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

    @router.get("/deliveries")
    def deliveries(
        key: Annotated[ApiKey, Depends(caller)],
        state: Literal["pending", "running", "done", "dead"] | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[dict[str, Any]]:
        """The latest deliveries, newest first."""
        require(key, "admin")
        q = select(JobRow).where(JobRow.kind == webhooks.KIND)
        if state is not None:
            q = q.where(JobRow.state == state)
        with db.session() as s:
            rows = s.scalars(q.order_by(JobRow.id.desc()).limit(limit)).all()
            return [
                {
                    "event_id": r.payload.get("event_id"),
                    "event": r.payload.get("event"),
                    "url": r.payload.get("url"),
                    "state": r.state,
                    "attempts": r.attempts,
                    "last_error": r.last_error,
                    "created_at": r.created_at.isoformat(),
                    "finished_at": r.finished_at.isoformat() if r.finished_at else None,
                }
                for r in rows
            ]

    return router


__all__ = ["webhook_router"]
