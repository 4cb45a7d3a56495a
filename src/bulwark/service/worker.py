"""Workers: the job handlers of the service, and the loop that runs them.

``bulwark worker`` runs the loop as its own process; ``bulwark serve`` runs it
in threads next to the API by default, so one command is a whole system. The
handlers are the effects (effects/dispatch.py) plus finishing deferred
analysis: run the slow analyzers on a pending submission's bytes, decide again
with all the evidence, and record the final decision.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from bulwark.banks.store import BankStore
from bulwark.effects.dispatch import handlers as effect_handlers
from bulwark.effects.jobs import JobQueue
from bulwark.effects.preservation import vault_from_env
from bulwark.match.matcher import Matcher
from bulwark.policy.rules import Policy, default_policy
from bulwark.service.pipeline import process_image, process_text
from bulwark.service.submissions import DEFERRED_JOB, SubmissionRecorder
from bulwark.store.db import Database, home_dir
from bulwark.store.models import PendingContentRow

Handler = Callable[[dict[str, Any]], None]


def recorder_from_env(db: Database) -> SubmissionRecorder:
    """Evidence vault and completion webhook as configured (both optional)."""
    hook = os.environ.get("BULWARK_COMPLETION_WEBHOOK_URL") or None
    return SubmissionRecorder(db, vault_from_env(db), hook)


def deferred_handler(
    db: Database, policy: Policy, recorder: SubmissionRecorder, index_dir: Path | None = None
) -> Handler:
    matcher: list[Matcher] = []
    lock = threading.Lock()  # the matcher is refreshed and read by one thread at a time

    def finish(p: dict[str, Any]) -> None:
        sid = str(p["submission"])
        with db.session() as s:
            row = s.get(PendingContentRow, sid)
            if row is None:
                return  # finished by an earlier run of this job
            data, meta = bytes(row.data), dict(row.meta)
        if meta["kind"] == "image":
            with lock:
                if not matcher:
                    matcher.append(Matcher(BankStore(db), index_dir or home_dir() / "index"))
                else:
                    matcher[0].refresh()
                name = str(meta.get("name", "upload"))
                outcome = process_image(policy, matcher[0], data, name, sid)
        else:
            text = data.decode("utf-8")
            negative = str(meta.get("negative_prompt", ""))
            outcome = process_text(policy, text, negative, str(meta["kind"]), sid)
        recorder.complete(sid, outcome, data, user=str(meta.get("user", "")))

    return finish


def worker_handlers(
    db: Database, policy: Policy | None = None, index_dir: Path | None = None
) -> dict[str, Handler]:
    table = effect_handlers(db)
    table[DEFERRED_JOB] = deferred_handler(
        db, policy or default_policy(), recorder_from_env(db), index_dir
    )
    return table


def run_worker(
    queue: JobQueue,
    table: dict[str, Handler],
    stop: threading.Event,
    *,
    poll_s: float = 0.5,
    once: bool = False,
    lease_s: float = 60.0,
) -> int:
    """Run jobs until ``stop`` is set (or, with ``once``, until none is ready);
    the number of jobs run."""
    done = 0
    lease = timedelta(seconds=lease_s)
    while not stop.is_set():
        if queue.run_once(table, lease):
            done += 1
        elif once:
            break
        else:
            stop.wait(poll_s)
    return done


class InProcessWorkers:
    """Worker threads beside the API (``bulwark serve``'s default)."""

    def __init__(
        self,
        db: Database,
        count: int,
        policy: Policy | None = None,
        index_dir: Path | None = None,
    ) -> None:
        self._stop = threading.Event()
        table = worker_handlers(db, policy, index_dir)
        self._threads = [
            threading.Thread(
                target=run_worker,
                args=(JobQueue(db, f"serve-{os.getpid()}-{i}"), table, self._stop),
                name=f"bulwark-worker-{i}",
                daemon=True,
            )
            for i in range(count)
        ]

    def start(self) -> None:
        for t in self._threads:
            t.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout_s)


__all__ = [
    "InProcessWorkers",
    "deferred_handler",
    "recorder_from_env",
    "run_worker",
    "worker_handlers",
]
