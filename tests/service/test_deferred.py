"""Slow analyzers finish asynchronously: pending answer now, final decision from a worker."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bulwark.analyze.base import Analyzer, Content, ContentKind, TextContent
from bulwark.effects.jobs import JobQueue
from bulwark.evidence import Evidence
from bulwark.service import pipeline
from bulwark.service.app import create_app
from bulwark.service.keys import KeyStore
from bulwark.service.worker import worker_handlers
from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database
from bulwark.store.models import JobRow, PendingContentRow, ReviewItemRow, SubmissionRow

MARK = "zqxslowmark"


class SlowHateModel(Analyzer):
    """Stands in for a hosted model: slow, and finds 'hate' where the mark is."""

    name = "test.slow_hate"
    kinds: ClassVar[frozenset[ContentKind]] = frozenset({"text", "prompt"})
    categories = frozenset({"hate"})
    slow = True
    calls: ClassVar[int] = 0

    def analyze(self, content: Content) -> list[Evidence]:
        type(self).calls += 1
        if isinstance(content, TextContent) and MARK in str(content.text):
            return [Evidence("model", "hate", 0.95, self.name)]
        return []


@pytest.fixture
def slow_model(monkeypatch: pytest.MonkeyPatch) -> type[SlowHateModel]:
    real = pipeline.analyzers_for
    monkeypatch.setattr(
        pipeline,
        "analyzers_for",
        lambda kind: [*real(kind), *([SlowHateModel()] if kind in SlowHateModel.kinds else [])],
    )
    SlowHateModel.calls = 0
    return SlowHateModel


def _drain(db: Database, tmp_path: Path) -> int:
    q = JobQueue(db, "test-worker")
    table = worker_handlers(db, index_dir=tmp_path / "index")
    n = 0
    while q.run_once(table):
        n += 1
    return n


def test_slow_analyzer_is_deferred_then_decides(
    db: Database, tmp_path: Path, slow_model: type[SlowHateModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BULWARK_COMPLETION_WEBHOOK_URL", "https://hooks.example.test/bulwark")
    client = TestClient(create_app(db, index_dir=tmp_path / "index"))
    key, _ = KeyStore(db).create("p", "client")
    h = {"X-API-Key": key}
    r = client.post("/v1/text", json={"text": f"some words {MARK}", "user_id": "u-7"}, headers=h)
    assert r.status_code == 200, r.text
    first = r.json()
    assert first["status"] == "pending"
    assert first["verdict"] == "allow"  # provisional: nothing fast found anything
    assert "hate" in first["pending_categories"]
    assert slow_model.calls == 0  # not run on the request path
    sid = first["id"]
    with db.session() as s:
        assert s.get(PendingContentRow, sid) is not None
    assert client.get(f"/v1/submissions/{sid}", headers=h).json()["status"] == "pending"

    assert _drain(db, tmp_path) >= 2  # the analysis, then its effects
    final = client.get(f"/v1/submissions/{sid}", headers=h).json()
    assert final["status"] == "complete"
    assert final["verdict"] == "review"
    assert any(f["rule"] == "hate-or-harassment" for f in final["fired"])
    assert "pending_categories" not in final
    assert slow_model.calls == 1
    with db.session() as s:
        assert s.get(PendingContentRow, sid) is None  # not kept beyond processing
        assert [i.queue for i in s.scalars(select(ReviewItemRow))] == ["general"]
        hooks = [
            j.payload for j in s.scalars(select(JobRow).where(JobRow.kind == "effect.webhook"))
        ]
        row = s.get(SubmissionRow, sid)
        assert row is not None and row.completed_at is not None
    assert [(p["event"], p["submission"], p["verdict"]) for p in hooks] == [
        ("submission.completed", sid, "review")
    ]
    assert AuditLog(db).verify() == []


def test_finishing_twice_acts_once(
    db: Database, tmp_path: Path, slow_model: type[SlowHateModel]
) -> None:
    """A worker that dies after finishing but before marking its job done runs it
    again: the second run must change nothing."""
    client = TestClient(create_app(db, index_dir=tmp_path / "index"))
    key, _ = KeyStore(db).create("p", "client")
    sid = client.post("/v1/text", json={"text": MARK}, headers={"X-API-Key": key}).json()["id"]
    table = worker_handlers(db, index_dir=tmp_path / "index")
    table["analyze.deferred"]({"submission": sid})
    with db.session() as s:
        jobs_after_first = len(s.scalars(select(JobRow)).all())
    table["analyze.deferred"]({"submission": sid})
    with db.session() as s:
        assert len(s.scalars(select(JobRow)).all()) == jobs_after_first
    assert slow_model.calls == 1  # the bytes were gone, so nothing ran again


def test_nothing_deferred_when_no_rule_needs_a_slow_analyzer(
    db: Database, tmp_path: Path, slow_model: type[SlowHateModel]
) -> None:
    from bulwark.policy.rules import parse_policy

    policy = parse_policy(
        """
rules:
  - name: spam-only
    when: {evidence: {category: spam, min_score: 0.8}}
    verdict: review
"""
    )
    client = TestClient(create_app(db, policy=policy, index_dir=tmp_path / "index"))
    key, _ = KeyStore(db).create("p", "client")
    r = client.post("/v1/text", json={"text": MARK}, headers={"X-API-Key": key}).json()
    assert r["status"] == "complete"
    with db.session() as s:
        assert s.scalars(select(PendingContentRow)).all() == []


def test_a_hard_fast_verdict_is_not_deferred(
    db: Database, tmp_path: Path, slow_model: type[SlowHateModel]
) -> None:
    import json

    cases = json.loads(
        (
            Path(__file__).parents[1] / "fixtures" / "violating_text" / "child_safety_prompts.json"
        ).read_text(encoding="utf-8")
    )
    client = TestClient(create_app(db, index_dir=tmp_path / "index"))
    key, _ = KeyStore(db).create("p", "client")
    text = f"{cases['youth_and_sexual_hard'][0]} {MARK}"
    r = client.post("/v1/text", json={"text": text, "kind": "prompt"}, headers={"X-API-Key": key})
    body = r.json()
    assert body["verdict"] == "block_and_report" and body["status"] == "complete"


def test_webhook_delivery_state_is_visible_to_admins_without_secrets(
    db: Database, tmp_path: Path, slow_model: type[SlowHateModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A completion webhook to a dead endpoint: the failure shows, the secret does not."""
    monkeypatch.setenv("BULWARK_COMPLETION_WEBHOOK_URL", "http://127.0.0.1:9/hook")
    monkeypatch.setenv("BULWARK_WEBHOOK_SECRET", "very-secret-value")
    client = TestClient(create_app(db, index_dir=tmp_path / "index"))
    key, _ = KeyStore(db).create("p", "client")
    admin, _ = KeyStore(db).create("ops", "admin")
    client.post("/v1/text", json={"text": MARK}, headers={"X-API-Key": key})
    _drain(db, tmp_path)  # the delivery fails once and waits for its retry
    r = client.get("/v1/webhooks/deliveries", headers={"X-API-Key": admin})
    assert r.status_code == 200, r.text
    [d] = r.json()
    assert d["event"] == "submission.completed" and d["url"] == "http://127.0.0.1:9/hook"
    assert d["state"] == "pending" and d["attempts"] == 1 and d["last_error"]
    assert "very-secret-value" not in r.text
    assert client.get("/v1/webhooks/deliveries", headers={"X-API-Key": key}).status_code == 403
    refused = [r for r in AuditLog(db).records() if r.action == "refused"]
    assert refused and refused[-1].details["status"] == 403  # the wrong-role try, recorded
    metrics = client.get("/metrics").text
    assert 'bulwark_refused_requests_total{kind="auth",status="403"} 1.0' in metrics
