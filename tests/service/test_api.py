"""The REST API's fast path through FastAPI's TestClient, on both databases."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from bulwark.banks.store import BankStore
from bulwark.service.app import create_app
from bulwark.service.keys import KeyStore
from bulwark.signals import FileContent, hash_content
from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database

CASES = json.loads(
    (
        Path(__file__).parents[1] / "fixtures" / "violating_text" / "child_safety_prompts.json"
    ).read_text(encoding="utf-8")
)


@pytest.fixture
def api(db: Database, tmp_path: Path):  # type: ignore[no-untyped-def]
    client = TestClient(create_app(db, index_dir=tmp_path / "index"))
    keys = KeyStore(db)
    client_key, _ = keys.create("platform", "client", rate_per_minute=1000)
    other, _ = keys.create("other", "client")
    reviewer, _ = keys.create("rev", "reviewer")
    return client, {"client": client_key, "other": other, "reviewer": reviewer}


def test_health_ready_metrics_openapi(api) -> None:  # type: ignore[no-untyped-def]
    client, _ = api
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/ready").json() == {"status": "ready"}
    assert "bulwark_submissions_total" in client.get("/metrics").text
    assert "/v1/text" in client.get("/openapi.json").json()["paths"]


def test_prompt_verdicts_and_idempotency(api, db: Database) -> None:  # type: ignore[no-untyped-def]
    client, keys = api
    h = {"X-API-Key": keys["client"], "Idempotency-Key": "req-1"}
    bad = client.post(
        "/v1/text", json={"text": CASES["youth_and_sexual_hard"][0], "kind": "prompt"}, headers=h
    )
    assert bad.status_code == 200, bad.text
    body = bad.json()
    assert body["verdict"] == "block_and_report"
    assert {"preserve_evidence", "cybertipline_draft"} <= {e["type"] for e in body["effects"]}
    again = client.post("/v1/text", json={"text": "something else"}, headers=h)
    assert again.json()["id"] == body["id"]
    ok = client.post(
        "/v1/text", json={"text": "a lighthouse at dusk"}, headers={"X-API-Key": keys["client"]}
    )
    assert ok.json()["verdict"] == "allow"
    assert AuditLog(db).verify() == []


def test_auth_roles_and_bad_input(api) -> None:  # type: ignore[no-untyped-def]
    client, keys = api
    assert client.post("/v1/text", json={"text": "x"}).status_code == 401
    assert (
        client.post("/v1/text", json={"text": "x"}, headers={"X-API-Key": "bw_nope_x"}).status_code
        == 401
    )
    assert (
        client.post(
            "/v1/text", json={"text": "x"}, headers={"X-API-Key": keys["reviewer"]}
        ).status_code
        == 403
    )
    r = client.post(
        "/v1/text", json={"text": "x", "colour": "red"}, headers={"X-API-Key": keys["client"]}
    )
    assert r.status_code == 422
    r = client.post("/v1/text", json={"text": "x" * 100_001}, headers={"X-API-Key": keys["client"]})
    assert r.status_code == 422
    sid = client.post(
        "/v1/text", json={"text": "hello"}, headers={"X-API-Key": keys["client"]}
    ).json()["id"]
    assert (
        client.get(f"/v1/submissions/{sid}", headers={"X-API-Key": keys["client"]}).status_code
        == 200
    )
    assert (
        client.get(f"/v1/submissions/{sid}", headers={"X-API-Key": keys["other"]}).status_code
        == 403
    )
    assert (
        client.get(
            f"/v1/submissions/{sid}", headers={"Authorization": f"Bearer {keys['reviewer']}"}
        ).status_code
        == 200
    )
    assert (
        client.get("/v1/submissions/none", headers={"X-API-Key": keys["client"]}).status_code == 404
    )


def test_image_hash_match_blocks(api, db: Database, photos: list[Path]) -> None:  # type: ignore[no-untyped-def]
    client, keys = api
    store = BankStore(db)
    store.create("demo-csam", category="child_safety.known_csam")
    sig = hash_content(FileContent(photos[0].read_bytes())).first("pdq")
    assert sig is not None
    store.add_signal("demo-csam", "pdq", sig.value)
    edited = io.BytesIO()
    Image.open(photos[0]).convert("RGB").save(edited, "JPEG", quality=60)
    r = client.post(
        "/v1/images",
        files={"file": ("a.jpg", edited.getvalue())},
        headers={"X-API-Key": keys["client"]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["verdict"] == "block_and_report"
    new = client.post(
        "/v1/images",
        files={"file": ("b.jpg", photos[5].read_bytes())},
        headers={"X-API-Key": keys["client"]},
    )
    assert new.json()["verdict"] == "allow"
    junk = client.post(
        "/v1/images",
        files={"file": ("c.jpg", b"not an image")},
        headers={"X-API-Key": keys["client"]},
    )
    assert junk.status_code == 200 and junk.json()["details"]["errors"]


def test_rate_limit(db: Database, tmp_path: Path) -> None:
    client = TestClient(create_app(db, index_dir=tmp_path / "i"))
    key, _ = KeyStore(db).create("tiny", "client", rate_per_minute=2)
    codes = [
        client.post("/v1/text", json={"text": "hi"}, headers={"X-API-Key": key}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]


def test_image_by_url_refuses_internal_addresses(api) -> None:  # type: ignore[no-untyped-def]
    client, keys = api
    for url in (
        "http://169.254.169.254/latest/meta-data",
        "http://127.0.0.1:1/x",
        "file:///etc/passwd",
    ):
        r = client.post("/v1/images/url", json={"url": url}, headers={"X-API-Key": keys["client"]})
        assert r.status_code == 422
        assert "refused" in r.text or "only http" in r.text


def test_effects_are_queued_and_carried_out_once(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import base64

    from sqlalchemy import select

    from bulwark.effects.dispatch import handlers
    from bulwark.effects.jobs import JobQueue
    from bulwark.effects.preservation import EvidenceVault
    from bulwark.store.models import CyberTiplineReportRow, JobRow, LabelRow, ReviewItemRow

    monkeypatch.setenv("BULWARK_PRESERVATION_KEY", base64.b64encode(bytes(range(32))).decode())
    client = TestClient(create_app(db, index_dir=tmp_path / "i"))
    key, _ = KeyStore(db).create("p", "client")
    prompt = CASES["youth_and_sexual_hard"][1]
    r = client.post(
        "/v1/text",
        json={"text": prompt, "kind": "prompt", "user_id": "u-42"},
        headers={"X-API-Key": key},
    )
    body = r.json()
    assert body["verdict"] == "block_and_report"
    item = body["details"]["preserved_item"]
    assert EvidenceVault(db, bytes(range(32))).retrieve(item) == (body["id"], prompt.encode())
    soft = CASES["youth_and_sexual_hard"][1].split(",")[0]  # youth alone: allowed, no effects
    client.post("/v1/text", json={"text": soft}, headers={"X-API-Key": key})
    q = JobQueue(db, "test-worker")
    table = handlers(db)
    while q.run_once(table):
        pass
    with db.session() as s:
        labels = s.scalars(select(LabelRow)).all()
        assert [(lb.target, lb.subject, lb.label) for lb in labels] == [
            ("user", "u-42", "csam_prompt")
        ]
        kinds = sorted(j.kind for j in s.scalars(select(JobRow)).all())
        states = {j.kind: j.state for j in s.scalars(select(JobRow)).all()}
    assert kinds == ["effect.cybertipline_draft", "effect.label"]
    assert states["effect.label"] == "done"
    assert states["effect.cybertipline_draft"] == "done"
    with db.session() as s:
        [draft] = s.scalars(select(CyberTiplineReportRow)).all()
        assert (draft.submission_id, draft.user, draft.status) == (body["id"], "u-42", "draft")
    with db.session() as s:
        assert s.scalars(select(ReviewItemRow)).all() == []


def test_review_effect_creates_a_child_safety_item(db: Database, tmp_path: Path) -> None:
    from sqlalchemy import select

    from bulwark.effects.dispatch import handlers
    from bulwark.effects.jobs import JobQueue
    from bulwark.store.models import ReviewItemRow

    client = TestClient(create_app(db, index_dir=tmp_path / "i"))
    key, _ = KeyStore(db).create("p", "client")
    r = client.post(
        "/v1/text",
        json={"text": CASES["soft_ambiguous"][0], "kind": "prompt"},
        headers={"X-API-Key": key},
    )
    assert r.json()["verdict"] == "review"
    q = JobQueue(db, "w")
    for _ in range(2):  # a second pass finds nothing new: the item exists once
        while q.run_once(handlers(db)):
            pass
    with db.session() as s:
        items = s.scalars(select(ReviewItemRow)).all()
    assert [(i.queue, i.priority, i.child_safety) for i in items] == [("child_safety", 2, True)]


def test_conversation_endpoint(api) -> None:  # type: ignore[no-untyped-def]
    client, keys = api
    msgs = [
        {"sender": "x", "text": "i have your pics"},
        {"sender": "x", "text": "pay me or everyone will see"},
    ]
    r = client.post(
        "/v1/conversations", json={"messages": msgs}, headers={"X-API-Key": keys["client"]}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verdict"] == "review" and body["fired"][0]["rule"] == "grooming-or-sextortion"
    bad = client.post(
        "/v1/conversations",
        json={"messages": [{"text": "no sender"}]},
        headers={"X-API-Key": keys["client"]},
    )
    assert bad.status_code == 422
    empty = client.post(
        "/v1/conversations", json={"messages": []}, headers={"X-API-Key": keys["client"]}
    )
    assert empty.status_code == 422


def test_hma_style_hash_and_lookup_never_return_bank_values(
    api, db: Database, photos: list[Path]
) -> None:  # type: ignore[no-untyped-def]
    client, keys = api
    h = {"X-API-Key": keys["client"]}
    signals = client.post(
        "/v1/hash", files={"file": ("p.jpg", photos[0].read_bytes())}, headers=h
    ).json()["signals"]
    pdq = next(s for s in signals if s["type"] == "pdq")
    store = BankStore(db)
    store.create("hotline", category="child_safety.known_csam")
    store.add_signal("hotline", "pdq", pdq["value"])
    r = client.get("/v1/lookup", params={"signal_type": "pdq", "signal": pdq["value"]}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["matches"] == [
        {
            "bank": "hotline",
            "category": "child_safety.known_csam",
            "signal_type": "pdq",
            "distance": 0,
        }
    ]
    assert pdq["value"] not in json.dumps(r.json())
    assert (
        client.get(
            "/v1/lookup", params={"signal_type": "pdq", "signal": "zz"}, headers=h
        ).status_code
        == 422
    )
    assert (
        client.get(
            "/v1/lookup", params={"signal_type": "photodna", "signal": "ab"}, headers=h
        ).status_code
        == 422
    )
    assert client.get("/v1/banks", headers=h).status_code == 403
    admin, _ = KeyStore(db).create("ops", "admin")
    banks = client.get("/v1/banks", headers={"X-API-Key": admin}).json()
    assert [
        {k: b[k] for k in ("name", "category", "negative", "enabled", "entries")} for b in banks
    ] == [
        {
            "name": "hotline",
            "category": "child_safety.known_csam",
            "negative": False,
            "enabled": True,
            "entries": 1,
        }
    ]
    assert pdq["value"] not in json.dumps(banks)
