"""Turn a decision's effects into jobs, and the handlers that carry them out.

Each effect of a submission is queued once (the idempotency key is the
submission id, the effect type and its parameters), and every handler is
idempotent — review items and labels are unique rows, bank additions ignore
duplicates — so a job that runs twice after a crash acts once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError

from bulwark.banks.model import NewEntry
from bulwark.banks.store import BankStore
from bulwark.effects import webhooks
from bulwark.effects.jobs import JobQueue, JobSpec
from bulwark.errors import BankError
from bulwark.policy.engine import Decision
from bulwark.policy.rules import duration
from bulwark.reporting.desk import ReportDesk
from bulwark.store.db import Database
from bulwark.store.models import LabelRow, ReviewItemRow, utcnow

CHILD_SAFETY_QUEUES = {"child_safety"}


def effect_jobs(
    decision: Decision,
    submission_id: str,
    *,
    user: str = "",
    signals: list[dict[str, str]] | None = None,
) -> list[JobSpec]:
    """Jobs for every effect except evidence preservation, which is done at once.
    The idempotency key (submission, effect type, parameters) makes a decision
    that is recorded again — a deferred analysis finishing — queue each effect once."""
    jobs = []
    for e in decision.effects:
        if e.type == "preserve_evidence":
            continue
        payload: dict[str, Any] = {"submission": submission_id, "user": user, **e.params}
        if e.type == "add_to_bank":
            payload["signals"] = signals or []
        if e.type == "webhook":
            payload["verdict"] = decision.verdict
        digest = hashlib.sha256(
            json.dumps(e.params, sort_keys=True, default=str).encode()
        ).hexdigest()[:16]
        jobs.append(JobSpec(f"effect.{e.type}", payload, f"{submission_id}:{e.type}:{digest}"))
    return jobs


def handlers(db: Database) -> dict[str, Callable[[dict[str, Any]], None]]:
    store = BankStore(db)
    queue = JobQueue(db, "effects")

    def review(p: dict[str, Any]) -> None:
        try:
            with db.session() as s:
                s.add(
                    ReviewItemRow(
                        submission_id=p["submission"],
                        queue=p.get("queue", "general"),
                        priority=int(p.get("priority", 3)),
                        # an escalated child-safety item stays child-safety
                        child_safety=bool(p.get("child_safety"))
                        or p.get("queue") in CHILD_SAFETY_QUEUES,
                        user_ref=str(p.get("user", "")),
                    )
                )
        except IntegrityError:
            pass  # already queued by an earlier run of this job

    def label(p: dict[str, Any]) -> None:
        subject = p["user"] if p.get("target") == "user" else p["submission"]
        if not subject:
            return
        try:
            with db.session() as s:
                s.add(
                    LabelRow(
                        target=p.get("target", "content"),
                        subject=subject,
                        label=p["label"],
                        expires_at=utcnow() + duration(str(p.get("expires_in", "30d"))),
                    )
                )
        except IntegrityError:
            pass

    def add_to_bank(p: dict[str, Any]) -> None:
        entries = [
            NewEntry(s["type"], s["value"], f"submission:{p['submission']}")
            for s in p.get("signals", [])
        ]
        if not entries:
            return
        if "create" in p:  # reviewers' banks come into being with their first entry
            ensure_bank(store, p["bank"], negative=bool(p["create"].get("negative")))
        store.add_entries(p["bank"], entries)  # duplicates are ignored by the store

    def webhook(p: dict[str, Any]) -> None:
        webhooks.queue_webhook(
            queue,
            p["url"],
            p.get("event", "decision"),
            {"submission": p["submission"], "verdict": p.get("verdict")},
        )

    def cybertipline_draft(p: dict[str, Any]) -> None:
        ReportDesk(db).draft(p["submission"], p.get("user", ""))  # one per submission

    def report_decision(p: dict[str, Any]) -> None:
        """A reviewer's classification from the console, for the report's second reviewer."""
        desk = ReportDesk(db)
        report = desk.draft(p["submission"], p.get("user", ""))
        if desk.get(report).status in ("draft", "decided"):  # a rerun after confirming: done
            desk.decide(report, p["reviewer"], p["classification"], tuple(p.get("annotations", ())))

    return {
        "effect.review": review,
        "effect.cybertipline_draft": cybertipline_draft,
        "effect.report_decision": report_decision,
        "effect.label": label,
        "effect.add_to_bank": add_to_bank,
        "effect.webhook": webhook,
        webhooks.KIND: webhooks.deliver,
    }


def ensure_bank(store: BankStore, name: str, *, negative: bool) -> None:
    try:
        store.get(name)
    except BankError:
        with contextlib.suppress(BankError):  # created meanwhile by another worker
            store.create(
                name,
                description="false positives marked by reviewers"
                if negative
                else "items reviewers confirmed as violating",
                negative=negative,
            )


__all__ = ["effect_jobs", "ensure_bank", "handlers"]
