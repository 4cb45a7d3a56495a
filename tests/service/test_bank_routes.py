"""Bank management over the API: admin only, audited, never returns bank contents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bulwark.service.app import create_app
from bulwark.service.keys import KeyStore
from bulwark.signals import FileContent, hash_content
from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database


@pytest.fixture
def admin_api(db: Database, tmp_path: Path):  # type: ignore[no-untyped-def]
    client = TestClient(create_app(db, index_dir=tmp_path / "index"))
    admin, _ = KeyStore(db).create("ops", "admin")
    platform, _ = KeyStore(db).create("platform", "client")
    return client, {"X-API-Key": admin}, {"X-API-Key": platform}


def test_bank_lifecycle(admin_api, db: Database, photos: list[Path]) -> None:  # type: ignore[no-untyped-def]
    client, admin, platform = admin_api
    spec = {"name": "hotline", "category": "child_safety.known_csam", "pdq_threshold": 28}
    r = client.post("/v1/banks", json=spec, headers=admin)
    assert r.status_code == 201, r.text
    assert r.json()["entries"] == 0 and r.json()["pdq_threshold"] == 28
    assert client.post("/v1/banks", json=spec, headers=admin).status_code == 409
    assert client.post("/v1/banks", json=spec, headers=platform).status_code == 403

    pdq = hash_content(FileContent(photos[1].read_bytes())).first("pdq")
    assert pdq is not None
    r = client.post(
        "/v1/banks/hotline/signals",
        json={"signals": [{"type": "pdq", "value": pdq.value}, {"type": "md5", "value": "0" * 32}]},
        headers=admin,
    )
    assert r.json() == {"added": 2, "already_present": 0}
    r = client.post(
        "/v1/banks/hotline/content",
        files={"file": ("p.jpg", photos[2].read_bytes())},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    assert r.json()["added"] >= 2 and "pdq" in r.json()["signal_types"]

    listing = client.get("/v1/banks", headers=admin).json()
    one = client.get("/v1/banks/hotline", headers=admin).json()
    assert one["entries"] == listing[0]["entries"] >= 4
    for answer in (listing, one):
        assert pdq.value not in json.dumps(answer)  # never the contents

    # the bank now matches, through the public lookup
    hit = client.get(
        "/v1/lookup", params={"signal_type": "pdq", "signal": pdq.value}, headers=platform
    )
    assert hit.json()["matches"][0]["bank"] == "hotline"

    off = client.post(
        "/v1/banks/hotline/signals/disable",
        json={"type": "pdq", "value": pdq.value, "reason": "false positive"},
        headers=admin,
    )
    assert off.json() == {"disabled": 1}
    assert (
        client.patch("/v1/banks/hotline", json={"enabled": False}, headers=admin).json()["enabled"]
        is False
    )
    gone = client.delete("/v1/banks/hotline", headers=admin)
    assert gone.status_code == 200 and gone.json()["deleted"] == "hotline"
    assert client.get("/v1/banks/hotline", headers=admin).status_code == 404
    actions = [r.action for r in AuditLog(db).records()]
    for a in (
        "bank_create",
        "bank_add_signals",
        "bank_add_content",
        "bank_disable_signal",
        "bank_disable",
        "bank_delete",
    ):
        assert a in actions
    assert AuditLog(db).verify() == []


def test_bank_bad_input(admin_api) -> None:  # type: ignore[no-untyped-def]
    client, admin, _ = admin_api
    assert (
        client.post("/v1/banks", json={"name": "x", "category": "nope"}, headers=admin).status_code
        == 422
    )
    assert (
        client.post("/v1/banks", json={"name": "x", "colour": "red"}, headers=admin).status_code
        == 422
    )
    assert client.post("/v1/banks", json={"name": "b"}, headers=admin).status_code == 201
    bad = client.post(
        "/v1/banks/b/signals",
        json={"signals": [{"type": "md5", "value": "0" * 32}, {"type": "pdq", "value": "zz"}]},
        headers=admin,
    )
    assert bad.status_code == 422
    assert bad.json()["detail"]["problems"][0]["item"] == 2  # which one, and nothing stored
    assert client.get("/v1/banks/b", headers=admin).json()["entries"] == 0
    assert (
        client.post(
            "/v1/banks/none/signals",
            json={"signals": [{"type": "md5", "value": "0" * 32}]},
            headers=admin,
        ).status_code
        == 404
    )
    junk = client.post("/v1/banks/b/content", files={"file": ("x.bin", b"")}, headers=admin)
    assert junk.status_code == 422
    assert (
        client.post(
            "/v1/banks/b/signals/disable", json={"type": "md5", "value": "1" * 32}, headers=admin
        ).status_code
        == 404
    )


def test_clients_cannot_probe_which_banks_exist(admin_api) -> None:  # type: ignore[no-untyped-def]
    client, admin, platform = admin_api
    client.post("/v1/banks", json={"name": "real"}, headers=admin)
    for name in ("real", "made-up"):
        for method, path, body in (
            ("patch", f"/v1/banks/{name}", {"enabled": False}),
            ("delete", f"/v1/banks/{name}", None),
            (
                "post",
                f"/v1/banks/{name}/signals",
                {"signals": [{"type": "md5", "value": "0" * 32}]},
            ),
            ("get", f"/v1/banks/{name}", None),
        ):
            r = client.request(method, path, json=body, headers=platform)
            assert r.status_code == 403, (method, path, r.status_code)
