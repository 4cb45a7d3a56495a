"""Record a decision: the submission, its effects, its evidence and its audit record
in one transaction.

One transaction is what makes the crash guarantee hold: a submission the API
acknowledged has its verdict, its queued effects and its audit record all
committed, or none of them (and the client, having no answer, retries with its
idempotency key). New submissions go through a group committer
(store/group_commit.py), so concurrent requests share a commit — which is
what the latency target needs.

A submission whose policy reads categories only a slow analyzer answers
(``Outcome.deferred``) is answered with the provisional decision and status
``pending``; its bytes wait in ``pending_content`` for a worker, which records
the final decision with ``complete`` and deletes them.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import Table, delete, insert
from sqlalchemy.orm import Session

from bulwark.effects.dispatch import effect_jobs
from bulwark.effects.jobs import JobQueue, JobSpec
from bulwark.effects.preservation import EvidenceVault
from bulwark.policy.engine import Decision
from bulwark.service.pipeline import Outcome
from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database
from bulwark.store.group_commit import GroupCommitter
from bulwark.store.models import PendingContentRow, SubmissionRow, utcnow

DEFERRED_JOB = "analyze.deferred"
#: how long the bytes of an item waiting for human review are kept (encrypted)
REVIEW_KEEP_DAYS = 30
_SUBMISSIONS = cast(Table, SubmissionRow.__table__)
_PENDING = cast(Table, PendingContentRow.__table__)
#: nothing a slow analyzer finds can raise this verdict, so it is never deferred
FINAL_VERDICT = "block_and_report"


class SubmissionRecorder:
    def __init__(
        self,
        db: Database,
        vault: EvidenceVault | None = None,
        completion_webhook: str | None = None,
    ) -> None:
        self.db = db
        self.vault = vault
        self.completion_webhook = completion_webhook
        self.writer = GroupCommitter(db)

    def record(self, **kwargs: Any) -> dict[str, Any]:
        """The answer for a new submission (stored, and returned again on replay),
        once it is committed; arguments as for ``prepare``."""
        body, write = self.prepare(**kwargs)
        self.writer.run(write)
        return body

    async def record_async(self, **kwargs: Any) -> dict[str, Any]:
        """``record`` for the event loop: waits for the commit without a thread."""
        body, write = self.prepare(**kwargs)
        await asyncio.wrap_future(self.writer.submit(write))
        return body

    def prepare(
        self,
        *,
        key_id: int,
        kind: str,
        outcome: Outcome,
        idempotency_key: str | None = None,
        content: bytes = b"",
        user: str = "",
        meta: dict[str, Any] | None = None,
    ) -> tuple[dict[str, Any], Callable[[Session], None]]:
        """The answer for a new submission and the write that stores it."""
        sid = str(uuid.uuid4())
        decision = outcome.decision
        pending = bool(outcome.deferred) and decision.verdict != FINAL_VERDICT
        body: dict[str, Any] = {
            "id": sid,
            "kind": kind,
            "status": "pending" if pending else "complete",
            **decision.as_dict(),
            "details": dict(outcome.details),
        }
        if pending:
            body["pending_categories"] = sorted(outcome.deferred)

        def write(s: Session) -> None:
            body["details"].update(self._preserve(s, sid, decision, content))
            # Core inserts: the ORM's unit of work costs more than the statements here
            s.execute(
                insert(_SUBMISSIONS).values(
                    id=sid,
                    key_id=key_id,
                    kind=kind,
                    verdict=decision.verdict,
                    decision=body,
                    idempotency_key=idempotency_key,
                    status=body["status"],
                    completed_at=None if pending else utcnow(),
                )
            )
            jobs = self._effects(decision, sid, user, outcome)
            if pending:
                s.execute(
                    insert(_PENDING).values(
                        submission_id=sid,
                        data=content,
                        meta={**(meta or {}), "kind": kind, "user": user},
                    )
                )
                jobs.append(JobSpec(DEFERRED_JOB, {"submission": sid}, f"{sid}:deferred"))
            JobQueue.add_in(s, jobs, fresh=True)  # keys start with this new submission's id
            AuditLog.append_in(
                s,
                f"key:{key_id}",
                "submit",
                sid,
                kind=kind,
                verdict=decision.verdict,
                status=body["status"],
            )

        return body, write

    def complete(self, sid: str, outcome: Outcome, content: bytes, user: str = "") -> bool:
        """Record the final decision of a pending submission; False if it was not
        pending (already completed by an earlier run of the same job)."""
        decision = outcome.decision
        with self.db.session() as s:
            row = s.get(SubmissionRow, sid, with_for_update=True)
            if row is None or row.status != "pending":
                s.execute(delete(PendingContentRow).where(PendingContentRow.submission_id == sid))
                return False
            body = dict(row.decision)
            details = {**body.get("details", {}), **outcome.details}
            if "preserved_item" not in details:
                details.update(self._preserve(s, sid, decision, content, "review_copy" in details))
            body.update(decision.as_dict())
            body.update(status="complete", details=details)
            body.pop("pending_categories", None)
            row.decision, row.verdict = body, decision.verdict
            row.status, row.completed_at = "complete", utcnow()
            jobs = self._effects(decision, sid, user, outcome)
            if self.completion_webhook:
                jobs.append(
                    JobSpec(
                        "effect.webhook",
                        {
                            "url": self.completion_webhook,
                            "event": "submission.completed",
                            "submission": sid,
                            "verdict": decision.verdict,
                        },
                        f"{sid}:completed",
                    )
                )
            JobQueue.add_in(s, jobs)
            s.execute(delete(PendingContentRow).where(PendingContentRow.submission_id == sid))
            AuditLog.append_in(s, "worker", "analysis_complete", sid, verdict=decision.verdict)
        return True

    @staticmethod
    def _effects(decision: Decision, sid: str, user: str, outcome: Outcome) -> list[JobSpec]:
        return effect_jobs(decision, sid, user=user, signals=outcome.details.get("signals", []))

    def _preserve(
        self,
        s: Session,
        sid: str,
        decision: Decision,
        content: bytes,
        have_review_copy: bool = False,
    ) -> dict[str, Any]:
        """Evidence of reported items for the legal period; a copy of items sent to
        human review for ``REVIEW_KEEP_DAYS``, so the console can show them (both
        encrypted). Nothing else is kept."""
        wanted = [e for e in decision.effects if e.type == "preserve_evidence"]
        review = any(e.type == "review" for e in decision.effects)
        if not (wanted or review) or not content or (not wanted and have_review_copy):
            return {}
        if self.vault is None:
            return {"preservation": "not configured: set BULWARK_PRESERVATION_KEY"}
        if not wanted:
            item = self.vault.preserve_in(s, sid, content, days=REVIEW_KEEP_DAYS)
            AuditLog.append_in(
                s, "service", "keep_for_review", sid, item=item, days=REVIEW_KEEP_DAYS
            )
            return {"review_copy": item}
        days = int(wanted[0].params.get("days", 365))
        item = self.vault.preserve_in(s, sid, content, days=days)
        AuditLog.append_in(s, "service", "preserve_evidence", sid, item=item, days=days)
        return {"preserved_item": item}


__all__ = ["DEFERRED_JOB", "SubmissionRecorder"]
