"""Crash test: ``kill -9`` the API server and a worker in the middle of 5,000 submissions.

Run: .venv/bin/python -m benchmarks.bench_crash [--submissions 5000] [--rate 250]
     [--kill-at 0.4] [--postgres URL]

(``--postgres``: a throw-away database — it is emptied first.)

Starts ``bulwark serve`` (one API process, no worker threads) and a separate
``bulwark worker`` on loopback, then submits texts, prompts (some that the
default policy blocks and reports, some it sends to review, with user ids so
labels are applied) and a few photos (whose nudity check is deferred to the
worker), each with its own idempotency key. Clients behave as real ones must:
a request that gets no answer is retried with the same key until it is
answered. When ``--kill-at`` of the submissions have been sent, both
processes get SIGKILL and are started again.

Then it waits for the worker to drain the queue and checks, against the
database itself:

* every acknowledged submission is stored with its verdict (complete, or still
  pending), and the stored verdict is the one the client was told — none lost;
* each idempotency key maps to exactly one submission, and each submission has
  exactly one ``submit`` record in the audit log — none recorded twice;
* effects happened once: one job per effect key, one review item per
  submission and queue, one label per user, every deferred analysis finished
  once;
* the audit log verifies.

Everything stays on 127.0.0.1 and the run is bounded by ``--timeout``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import func, select

from benchmarks.bench_service import _port, databases
from benchmarks.common import machine
from bulwark.demo import demo_photos
from bulwark.service.keys import KeyStore
from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database, empty_database
from bulwark.store.models import (
    AuditRecordRow,
    JobRow,
    LabelRow,
    PendingContentRow,
    ReviewItemRow,
    SubmissionRow,
)


class Processes:
    """The server and the worker as child processes that can be killed and restarted."""

    def __init__(self, url: str, home: Path, port: int) -> None:
        self.env = {**os.environ, "BULWARK_DB_URL": url, "BULWARK_HOME": str(home)}
        self.port = port
        self.server: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "bulwark.cli", *args], env=self.env)

    def start(self) -> None:
        self.server = self._spawn(
            "serve", "--port", str(self.port), "--workers", "0", "--processes", "1"
        )
        self.worker = self._spawn("worker", "--poll", "0.2", "--lease", "5")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/ready", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("bulwark serve did not become ready")

    def kill(self) -> None:
        for p in (self.server, self.worker):
            if p is not None:
                p.send_signal(signal.SIGKILL)
                p.wait()

    def stop(self) -> None:
        for p in (self.server, self.worker):
            if p is not None and p.poll() is None:
                p.terminate()
                p.wait(timeout=30)


def _requests(n: int, rng: random.Random) -> list[dict[str, Any]]:
    texts = json.loads(
        resources.files("bulwark.demo").joinpath("demo_texts.json").read_text("utf-8")
    )
    photos = [p.read_bytes() for p in demo_photos()[:6]]
    out: list[dict[str, Any]] = []
    for i in range(n):
        roll = rng.random()
        user = f"user-{i % 97}"
        if roll < 0.04:
            out.append({"image": photos[i % len(photos)], "name": f"p{i}.jpg", "user": user})
        elif roll < 0.10:
            out.append({"text": texts["violating_prompt"], "kind": "prompt", "user_id": user})
        elif roll < 0.20:
            out.append({"text": texts["review_prompt"], "kind": "prompt", "user_id": user})
        else:
            out.append({"text": f"{rng.choice(texts['allowed'])} #{i}", "kind": "prompt"})
    return out


async def _submit_all(
    base: str,
    key: str,
    reqs: list[dict[str, Any]],
    rate: float,
    kill_at: int,
    crash: Callable[[], None],
    timeout_s: float,
    progress: Progress,
) -> tuple[dict[str, dict[str, Any]], int]:
    """Acknowledged answers by idempotency key, and how many tries failed."""
    answers: dict[str, dict[str, Any]] = {}
    failures = 0
    task = progress.add_task("submissions acknowledged", total=len(reqs))
    deadline = time.monotonic() + timeout_s
    crashed = asyncio.Event()

    async with aiohttp.ClientSession(
        headers={"X-API-Key": key}, timeout=aiohttp.ClientTimeout(total=15)
    ) as client:

        async def one(i: int, req: dict[str, Any]) -> None:
            nonlocal failures
            idem = f"crash-{i}"
            while time.monotonic() < deadline:
                try:
                    headers = {"Idempotency-Key": idem}
                    if "image" in req:
                        form = aiohttp.FormData()
                        form.add_field("file", req["image"], filename=req["name"])
                        headers["X-Subject-User"] = req["user"]
                        call = client.post(f"{base}/v1/images", data=form, headers=headers)
                    else:
                        call = client.post(f"{base}/v1/text", json=req, headers=headers)
                    async with call as r:
                        if r.status == 200:
                            answers[idem] = await r.json()
                            progress.advance(task)
                            return
                        failures += 1
                except (aiohttp.ClientError, TimeoutError):
                    failures += 1
                await asyncio.sleep(0.25)  # the server is down: try again, same key

        tasks = []
        start = time.perf_counter()
        for i, req in enumerate(reqs):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if i == kill_at and not crashed.is_set():
                crashed.set()
                await asyncio.to_thread(crash)
            tasks.append(asyncio.create_task(one(i, req)))
        await asyncio.gather(*tasks)
    return answers, failures


def _drain(db: Database, timeout_s: float) -> None:
    """Wait until no job the worker handles is pending or running."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with db.session() as s:
            left = s.scalar(
                select(func.count())
                .select_from(JobRow)
                .where(JobRow.state.in_(("pending", "running")))
            )
        if not left:
            return
        time.sleep(0.5)


def _check(db: Database, answers: dict[str, dict[str, Any]], n: int) -> list[tuple[str, str, bool]]:
    with db.session() as s:
        rows = {r.id: r for r in s.scalars(select(SubmissionRow))}
        submit_records = Counter(
            r.subject
            for r in s.scalars(select(AuditRecordRow).where(AuditRecordRow.action == "submit"))
        )
        effect_keys = Counter(k for k in s.scalars(select(JobRow.idempotency_key)) if k is not None)
        reviews = Counter((r.submission_id, r.queue) for r in s.scalars(select(ReviewItemRow)))
        labels = Counter((r.target, r.subject, r.label) for r in s.scalars(select(LabelRow)))
        pending_left = s.scalar(select(func.count()).select_from(PendingContentRow)) or 0
        deferred = {
            r.idempotency_key: r.state
            for r in s.scalars(select(JobRow).where(JobRow.kind == "analyze.deferred"))
        }
        dead = s.scalar(select(func.count()).select_from(JobRow).where(JobRow.state == "dead"))
    ids = [a["id"] for a in answers.values()]
    lost = [i for i in ids if i not in rows]
    changed = [
        a["id"]
        for a in answers.values()
        if a["id"] in rows
        and a.get("status") == "complete"
        and rows[a["id"]].verdict != a["verdict"]
    ]
    unanswered = [r for r in rows if r not in set(ids)]
    want_reviews = sum(1 for a in answers.values() for e in a["effects"] if e["type"] == "review")
    problems = AuditLog(db).verify()
    status = Counter(r.status for r in rows.values())
    return [
        ("submissions acknowledged", f"{len(answers):,} of {n:,}", len(answers) == n),
        ("one submission per idempotency key", f"{len(set(ids)):,} ids", len(set(ids)) == n),
        ("acknowledged but not stored (lost)", str(len(lost)), not lost),
        ("stored verdict differs from the answer", str(len(changed)), not changed),
        ("stored without an acknowledged answer", str(len(unanswered)), not unanswered),
        (
            "audit 'submit' records per submission",
            f"max {max(submit_records.values(), default=0)}",
            all(submit_records.get(i) == 1 for i in ids),
        ),
        (
            "jobs per effect key",
            f"max {max(effect_keys.values(), default=0)}",
            max(effect_keys.values(), default=1) == 1,
        ),
        (
            "review items (one per submission and queue)",
            f"{sum(reviews.values())} for {want_reviews} review effects",
            max(reviews.values(), default=1) == 1 and sum(reviews.values()) == want_reviews,
        ),
        (
            "labels (one per user and label)",
            str(sum(labels.values())),
            max(labels.values(), default=1) == 1,
        ),
        (
            "deferred analyses finished",
            f"{sum(v == 'done' for v in deferred.values())} of {len(deferred)}",
            all(v == "done" for v in deferred.values()) and pending_left == 0,
        ),
        ("submission status", ", ".join(f"{k} {v}" for k, v in status.items()), True),
        ("dead jobs", str(dead), not dead),
        (
            "audit log verifies",
            "yes" if not problems else f"{len(problems)} problem(s)",
            not problems,
        ),
    ]


def run(
    url: str, n: int, rate: float, kill_frac: float, timeout_s: float, console: Console
) -> bool:
    empty_database(url)  # the checks count every row in it
    db = Database(url)
    key, _ = KeyStore(db).create("crash", "client", rate_per_minute=10**9)
    reqs = _requests(n, random.Random(5))
    with tempfile.TemporaryDirectory() as home:
        procs = Processes(url, Path(home), _port())
        procs.start()
        downtime: list[float] = []

        def crash() -> None:
            t = time.monotonic()
            procs.kill()
            procs.start()
            downtime.append(time.monotonic() - t)

        try:
            with Progress(console=console) as progress:
                answers, failures = asyncio.run(
                    _submit_all(
                        f"http://127.0.0.1:{procs.port}",
                        key,
                        reqs,
                        rate,
                        int(n * kill_frac),
                        crash,
                        timeout_s,
                        progress,
                    )
                )
            _drain(db, timeout_s)
        finally:
            procs.stop()
    rows = _check(db, answers, n)
    db.dispose()
    t = Table(title=f"kill -9 of server and worker after {kill_frac:.0%} of {n:,} submissions")
    for c in ("check", "result", "ok"):
        t.add_column(c)
    for name, result, ok in rows:
        t.add_row(name, result, "[green]yes[/]" if ok else "[red]NO[/]")
    console.print(t)
    console.print(
        f"failed tries retried by clients: {failures:,}; restart took {downtime[0]:.1f} s"
        if downtime
        else "the crash never happened (too few submissions?)"
    )
    return all(ok for _, _, ok in rows) and bool(downtime)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--submissions", type=int, default=5000)
    ap.add_argument("--rate", type=float, default=250)
    ap.add_argument("--kill-at", type=float, default=0.4)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--postgres", default=None)
    args = ap.parse_args()
    console = Console()
    console.print(f"machine: {machine()}")
    ok = True
    with tempfile.TemporaryDirectory() as d:
        for name, url in databases(d, args.postgres):
            console.rule(name)
            ok &= run(url, args.submissions, args.rate, args.kill_at, args.timeout, console)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
