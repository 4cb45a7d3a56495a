"""A console with real submissions behind it: the API takes images, prompts and
text, the effect workers turn decisions into review items, and people with each
role can sign in. Shared by the page tests and the browser tests."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from bulwark.banks.store import BankStore
from bulwark.console.accounts import Accounts
from bulwark.effects.jobs import JobQueue
from bulwark.policy.rules import parse_policy
from bulwark.service.app import create_app
from bulwark.service.keys import KeyStore
from bulwark.service.worker import worker_handlers
from bulwark.signals import FileContent, hash_content
from bulwark.store.db import Database
from bulwark.store.models import ReviewItemRow

PASSWORD = "correct horse battery"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "violating_text"
CHILD_SAFETY_CASES = json.loads((FIXTURES / "child_safety_prompts.json").read_text("utf-8"))
HARASSMENT = next(
    text
    for text, category in json.loads((FIXTURES / "general_categories.json").read_text("utf-8"))[
        "cases"
    ]
    if category == "harassment"
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
  - name: harassment
    when: {evidence: {category: harassment, min_score: 0.5}}
    verdict: review
    effects:
      - {type: review, queue: text, priority: 3}
"""
)


def near_copy(data: bytes) -> bytes:
    """The same picture re-encoded smaller, as a re-upload would be (PDQ stays close)."""
    im = Image.open(io.BytesIO(data)).convert("RGB")
    im = im.resize((im.width * 3 // 4, im.height * 3 // 4))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=70)
    return out.getvalue()


@dataclass
class World:
    db: Database
    app: FastAPI
    client: TestClient
    api_key: str
    index_dir: Path

    def submit_image(self, data: bytes, user: str = "") -> str:
        r = self.client.post(
            "/v1/images",
            files={"file": ("a.jpg", data)},
            headers={"X-API-Key": self.api_key, "X-Subject-User": user},
        )
        assert r.status_code == 200, r.text
        return str(r.json()["id"])

    def submit_text(self, text: str, user: str = "", kind: str = "text") -> str:
        r = self.client.post(
            "/v1/text",
            json={"text": text, "kind": kind, "user_id": user},
            headers={"X-API-Key": self.api_key},
        )
        assert r.status_code == 200, r.text
        return str(r.json()["id"])

    def run_jobs(self) -> None:
        q = JobQueue(self.db, "test-worker")
        table = worker_handlers(self.db, policy=POLICY, index_dir=self.index_dir)
        while q.run_once(table):
            pass

    def items(self) -> dict[str, int]:
        """submission id -> review item id (first queue only)."""
        with self.db.session() as s:
            rows = s.scalars(select(ReviewItemRow).order_by(ReviewItemRow.id))
            out: dict[str, int] = {}
            for r in rows:
                out.setdefault(r.submission_id, r.id)
            return out


def make_world(db: Database, tmp_path: Path, photos: list[Path]) -> World:
    """Needs BULWARK_PRESERVATION_KEY set (items for review keep an encrypted copy)."""
    store = BankStore(db)
    store.create("known", category="child_safety.known_csam")
    pdq = hash_content(FileContent(photos[0].read_bytes())).first("pdq")
    assert pdq is not None
    store.add_signal("known", "pdq", pdq.value)
    app = create_app(db, policy=POLICY, index_dir=tmp_path / "index")
    key, _ = KeyStore(db).create("platform", "client")
    people = Accounts(db)
    for name, role in (
        ("rev", "reviewer"),
        ("rev2", "reviewer"),
        ("csr", "child_safety_reviewer"),
        ("csr2", "child_safety_reviewer"),
        ("ops", "admin"),
    ):
        people.add(name, role, PASSWORD)
    return World(db, app, TestClient(app), key, tmp_path / "index")


@pytest.fixture
def world(
    db: Database, tmp_path: Path, photos: list[Path], monkeypatch: pytest.MonkeyPatch
) -> World:
    monkeypatch.setenv("BULWARK_PRESERVATION_KEY", base64.b64encode(bytes(range(32))).decode())
    return make_world(db, tmp_path, photos)


@pytest.fixture
def cybertipline(ncmec: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Reporting configured against the local CyberTipline server (tests/ncmec_server.py)."""
    for name, value in {
        "BULWARK_CYBERTIP_USER": "esp",
        "BULWARK_CYBERTIP_PASSWORD": "secret",
        "BULWARK_CYBERTIP_URL": ncmec,
        "BULWARK_REPORTER_FIRST_NAME": "Trust",
        "BULWARK_REPORTER_LAST_NAME": "Safety",
        "BULWARK_REPORTER_EMAIL": "ts@example.org",
    }.items():
        monkeypatch.setenv(name, value)
    return ncmec


def sign_in(client: TestClient, name: str) -> str:
    """Sign in and return the session's CSRF token."""
    client.cookies.clear()
    r = client.post(
        "/console/login", data={"name": name, "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    page = client.get("/console/dashboard")
    return page.text.split('name="csrf" content="')[1].split('"')[0]
