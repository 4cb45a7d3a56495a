"""Durable jobs, signed webhooks and the evidence vault, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from sqlalchemy import update

from bulwark.effects.jobs import JobQueue
from bulwark.effects.preservation import EvidenceVault, PreservationError
from bulwark.effects.webhooks import deliver, queue_webhook, sign, verify
from bulwark.store.db import Database
from bulwark.store.models import JobRow, PreservedItemRow


def test_jobs_run_once_and_idempotency_keys_dedupe(db: Database) -> None:
    q = JobQueue(db, "w1")
    a = q.enqueue("label", {"user": 1}, idempotency_key="label:1")
    assert q.enqueue("label", {"user": 1}, idempotency_key="label:1") == a
    done: list[dict[str, Any]] = []
    assert q.run_once({"label": done.append})
    assert not q.run_once({"label": done.append})
    assert done == [{"user": 1}] and q.state(a)["state"] == "done"


def test_failures_back_off_then_go_dead(db: Database) -> None:
    q = JobQueue(db, "w1")
    job_id = q.enqueue("flaky", {}, max_attempts=2)

    def boom(_: dict[str, Any]) -> None:
        raise RuntimeError("service down")

    assert q.run_once({"flaky": boom})
    st = q.state(job_id)
    assert st["state"] == "pending" and "service down" in st["last_error"]
    assert not q.run_once({"flaky": boom})  # backing off
    with db.session() as s:
        s.execute(update(JobRow).where(JobRow.id == job_id).values(run_after=JobRow.created_at))
    assert q.run_once({"flaky": boom})
    assert q.state(job_id)["state"] == "dead"


def test_a_dead_workers_lease_expires(db: Database) -> None:
    crashed = JobQueue(db, "crashed")
    job_id = crashed.enqueue("effect", {"n": 1})
    job = crashed.claim(lease=timedelta(seconds=-1))  # the worker dies holding it
    assert job is not None
    survivor = JobQueue(db, "survivor")
    seen: list[dict[str, Any]] = []
    assert survivor.run_once({"effect": seen.append})
    assert seen == [{"n": 1}] and survivor.state(job_id)["state"] == "done"
    assert survivor.state(job_id)["attempts"] == 2


def test_concurrent_workers_never_share_a_job(db: Database) -> None:
    q = JobQueue(db, "seed")
    for i in range(40):
        q.enqueue("count", {"i": i})
    seen: list[int] = []
    lock = threading.Lock()

    def handler(p: dict[str, Any]) -> None:
        with lock:
            seen.append(p["i"])

    def worker(name: str) -> None:
        w = JobQueue(db, name)
        while w.run_once({"count": handler}):
            pass

    threads = [threading.Thread(target=worker, args=(f"w{k}",)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen) == list(range(40))


class Receiver(BaseHTTPRequestHandler):
    got: ClassVar[list[tuple[dict[str, str], bytes]]] = []
    status = 200

    def log_message(self, *a: object) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.got.append((dict(self.headers), body))
        self.send_response(Receiver.status)
        self.end_headers()


def test_webhooks_are_signed_retried_and_verifiable(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BULWARK_WEBHOOK_SECRET", "s3cret")
    Receiver.got, Receiver.status = [], 500
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        q = JobQueue(db, "w")
        url = f"http://127.0.0.1:{httpd.server_address[1]}/hook"
        event_id, job = queue_webhook(q, url, "verdict", {"id": "c1", "verdict": "block"})
        with db.session() as s:
            row = s.get(JobRow, job)
            assert row is not None and "s3cret" not in json.dumps(row.payload)  # never stored
        assert q.run_once({"webhook": deliver})
        assert q.state(job)["state"] == "pending"  # 500: retried later
        Receiver.status = 200
        with db.session() as s:
            s.execute(update(JobRow).where(JobRow.id == job).values(run_after=JobRow.created_at))
        assert q.run_once({"webhook": deliver})
        assert q.state(job)["state"] == "done"
        headers, body = Receiver.got[-1]
        assert headers["X-Bulwark-Event-Id"] == event_id
        assert verify(body, headers["X-Bulwark-Signature"], "s3cret")
        assert not verify(body, headers["X-Bulwark-Signature"], "wrong")
        assert not verify(body + b" ", headers["X-Bulwark-Signature"], "s3cret")
        assert json.loads(body)["data"]["verdict"] == "block"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_replayed_webhooks_are_refused_by_time() -> None:
    old = sign(b"{}", "k", timestamp=1_000)
    assert not verify(b"{}", old, "k", now=1_000 + 301)
    assert verify(b"{}", old, "k", now=1_000 + 10)
    assert not verify(b"{}", "garbage", "k")


def test_vault_encrypts_retrieves_and_purges(db: Database) -> None:
    vault = EvidenceVault(db, bytes(range(32)))
    item = vault.preserve("content:1", b"evidence bytes")
    with db.session() as s:
        row = s.get(PreservedItemRow, item)
        assert row is not None and b"evidence bytes" not in row.ciphertext
    assert vault.retrieve(item) == ("content:1", b"evidence bytes")
    with pytest.raises(PreservationError, match="fails authentication"):
        EvidenceVault(db, bytes(32)).retrieve(item)
    with db.session() as s:
        s.execute(
            update(PreservedItemRow)
            .where(PreservedItemRow.id == item)
            .values(content_id="content:2")
        )
    with pytest.raises(PreservationError, match="fails authentication"):
        vault.retrieve(item)
    gone = vault.preserve("content:3", b"x", days=-1)
    assert vault.purge_expired() == 1
    with pytest.raises(PreservationError, match="purged"):
        vault.retrieve(gone)


def test_vault_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from bulwark.effects.preservation import key_from_env

    monkeypatch.delenv("BULWARK_PRESERVATION_KEY", raising=False)
    with pytest.raises(PreservationError, match="not set"):
        key_from_env()
    monkeypatch.setenv("BULWARK_PRESERVATION_KEY", base64.b64encode(b"short").decode())
    with pytest.raises(PreservationError, match="32 bytes"):
        key_from_env()
    monkeypatch.setenv("BULWARK_PRESERVATION_KEY", base64.b64encode(bytes(32)).decode())
    assert key_from_env() == bytes(32)
