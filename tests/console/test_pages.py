"""The console's pages through FastAPI's TestClient (the browser tests come with
Playwright): sessions, roles, the protected view, audited reveals, decisions once."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from bulwark.banks.store import BankStore
from bulwark.console.accounts import Accounts
from bulwark.effects.jobs import JobQueue
from bulwark.policy.rules import parse_policy
from bulwark.reporting.viewed import file_viewed_by_esp
from bulwark.service.app import create_app
from bulwark.service.keys import KeyStore
from bulwark.service.worker import worker_handlers
from bulwark.signals import FileContent, hash_content
from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database
from bulwark.store.models import ReviewItemRow

PASSWORD = "correct horse battery"
CASES = json.loads(
    (
        Path(__file__).parents[1] / "fixtures" / "violating_text" / "child_safety_prompts.json"
    ).read_text(encoding="utf-8")
)
POLICY = parse_policy(
    """
rules:
  - name: known
    when: {bank_match: true}
    verdict: block
    effects:
      - {type: review, queue: general, priority: 1}
  - name: images-to-review
    when: {content_kind: image}
    verdict: review
    effects:
      - {type: review, queue: general, priority: 2}
  - name: child-safety-prompts
    when: {evidence: {category: child_safety.sexualised_minor_prompt}}
    verdict: review
    effects:
      - {type: review, queue: child_safety, priority: 1}
"""
)


@pytest.fixture
def console(db: Database, tmp_path: Path, photos: list[Path], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BULWARK_PRESERVATION_KEY", base64.b64encode(bytes(range(32))).decode())
    store = BankStore(db)
    store.create("known", category="child_safety.known_csam")
    pdq = hash_content(FileContent(photos[0].read_bytes())).first("pdq")
    assert pdq is not None
    store.add_signal("known", "pdq", pdq.value)
    client = TestClient(create_app(db, policy=POLICY, index_dir=tmp_path / "index"))
    key, _ = KeyStore(db).create("p", "client")
    h = {"X-API-Key": key}
    ids = {
        "photo": client.post(
            "/v1/images", files={"file": ("a.jpg", photos[4].read_bytes())}, headers=h
        ).json()["id"],
        "banked": client.post(
            "/v1/images", files={"file": ("b.jpg", photos[0].read_bytes())}, headers=h
        ).json()["id"],
        "prompt": client.post(
            "/v1/text",
            json={"text": CASES["youth_and_sexual_hard"][0], "kind": "prompt"},
            headers=h,
        ).json()["id"],
    }
    q = JobQueue(db, "t")
    table = worker_handlers(db, policy=POLICY, index_dir=tmp_path / "index")
    while q.run_once(table):
        pass
    with db.session() as s:
        items = {r.submission_id: r.id for r in s.scalars(select(ReviewItemRow))}
    people = Accounts(db)
    people.add("rev", "reviewer", PASSWORD)
    people.add("csr", "child_safety_reviewer", PASSWORD)
    people.add("ops", "admin", PASSWORD)
    return client, {k: items[v] for k, v in ids.items()}, ids


def _sign_in(client: TestClient, name: str) -> str:
    r = client.post(
        "/console/login", data={"name": name, "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    assert (
        "httponly" in r.headers["set-cookie"].lower()
        and "samesite=strict" in r.headers["set-cookie"].lower()
    )
    page = client.get("/console/")
    return page.text.split('name="csrf" value="')[1].split('"')[0]


def test_every_page_needs_a_session(console) -> None:  # type: ignore[no-untyped-def]
    client, items, _ = console
    for path in ("/console/", "/console/queue/general", f"/console/item/{items['photo']}"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/console/login"
    bad = client.post("/console/login", data={"name": "rev", "password": "nope nope nope"})
    assert bad.status_code == 401 and "wrong name or password" in bad.text


def test_roles_decide_what_opens(console) -> None:  # type: ignore[no-untyped-def]
    client, items, _ = console
    _sign_in(client, "rev")
    home = client.get("/console/").text
    assert "general" in home and "child_safety" not in home
    assert client.get(f"/console/item/{items['prompt']}").status_code == 403  # by typed URL
    assert client.get("/console/queue/child_safety").status_code == 403
    client.cookies.clear()
    _sign_in(client, "csr")
    assert "child_safety" in client.get("/console/").text
    page = client.get(f"/console/item/{items['prompt']}")
    assert page.status_code == 200 and "child-safety-prompts" in page.text
    client.cookies.clear()
    signed = client.post(
        "/console/login", data={"name": "ops", "password": PASSWORD}, follow_redirects=False
    )
    assert signed.status_code == 303
    assert (
        client.get("/console/", follow_redirects=False).status_code == 403
    )  # admins do not review


def test_protected_view_reveal_and_decisions(console, db: Database, photos: list[Path]) -> None:  # type: ignore[no-untyped-def]
    client, items, ids = console
    csrf = _sign_in(client, "rev")
    item = items["photo"]
    view = client.get(f"/console/item/{item}/image")
    assert view.status_code == 200 and view.headers["content-type"] == "image/jpeg"
    shown = Image.open(io.BytesIO(view.content))
    assert shown.mode == "L" and max(shown.size) <= 640
    assert view.content != photos[4].read_bytes()
    assert client.post(f"/console/item/{item}/reveal", data={"csrf": "forged"}).status_code == 403
    assert not file_viewed_by_esp(db, ids["photo"])
    revealed = client.post(f"/console/item/{item}/reveal", data={"csrf": csrf})
    assert revealed.status_code == 200 and revealed.content == photos[4].read_bytes()
    assert file_viewed_by_esp(db, ids["photo"])  # recorded, for the report
    first = client.post(
        f"/console/item/{item}/decide",
        data={"csrf": csrf, "decision": "no_violation"},
        follow_redirects=False,
    )
    assert first.status_code == 303
    again = client.post(
        f"/console/item/{item}/decide", data={"csrf": csrf, "decision": "violation"}
    )
    assert again.status_code == 409
    assert AuditLog(db).verify() == []


def test_bank_matched_items_are_never_shown(console, db: Database) -> None:  # type: ignore[no-untyped-def]
    client, items, ids = console
    csrf = _sign_in(client, "rev")
    item = items["banked"]
    page = client.get(f"/console/item/{item}")
    assert page.status_code == 200 and "never shown" in page.text and "/image" not in page.text
    assert client.get(f"/console/item/{item}/image").status_code == 403
    assert client.post(f"/console/item/{item}/reveal", data={"csrf": csrf}).status_code == 403
    assert not file_viewed_by_esp(db, ids["banked"])


def test_daily_exposure_limit(console, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    client, items, _ = console
    monkeypatch.setenv("BULWARK_REVEAL_DAILY_LIMIT", "1")
    csrf = _sign_in(client, "rev")
    item = items["photo"]
    assert "Reveals today: 0 of 1" in client.get(f"/console/item/{item}").text
    assert client.post(f"/console/item/{item}/reveal", data={"csrf": csrf}).status_code == 200
    page = client.get(f"/console/item/{item}").text
    assert "Reveals today: 1 of 1" in page and "take a break" in page
    over = client.post(f"/console/item/{item}/reveal", data={"csrf": csrf})
    assert over.status_code == 429 and "take a" in over.text
