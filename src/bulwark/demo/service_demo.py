"""The service part of the README demo: the API on loopback, a mix of submissions.

Starts the same app ``bulwark serve`` runs (uvicorn, 127.0.0.1, a free port)
against the demo database, submits edited copies of banked photos, new photos
and texts with an API key, runs the worker until the queue is empty (effects,
and the slow analyzers of submissions answered as pending), verifies the audit
log and prints the final verdicts: what was blocked, queued for review and
allowed.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from importlib import resources
from pathlib import Path

import httpx
import uvicorn
from rich.console import Console
from rich.table import Table

from bulwark.demo.transforms import apply
from bulwark.effects.jobs import JobQueue
from bulwark.service.app import create_app
from bulwark.service.keys import KeyStore
from bulwark.service.worker import worker_handlers
from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database
from bulwark.store.models import SubmissionRow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_service_demo(
    db: Database, home: Path, banked: list[Path], others: list[Path], console: Console
) -> bool:
    texts = json.loads(
        resources.files("bulwark.demo").joinpath("demo_texts.json").read_text("utf-8")
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(db, index_dir=home / "index"),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    key, _ = KeyStore(db).create("demo-platform", "client", rate_per_minute=10_000)
    base = f"http://127.0.0.1:{port}"
    rows: list[tuple[str, str, str]] = []  # what, expected verdict, submission id
    answered_pending: set[str] = set()

    def sid(answer: dict[str, str]) -> str:
        if answer.get("status") == "pending":
            answered_pending.add(answer["id"])
        return answer["id"]

    try:
        with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=60) as client:
            for p in banked[:2]:
                edited = apply("jpeg_q50", p.read_bytes())
                r = client.post("/v1/images", files={"file": (f"{p.stem}-q50.jpg", edited)}).json()
                rows.append(
                    (
                        f"{p.stem} (JPEG q=50 copy of a banked photo)",
                        "block_and_report",
                        sid(r),
                    )
                )
            for p in others[:2]:
                r = client.post("/v1/images", files={"file": (p.name, p.read_bytes())}).json()
                rows.append((f"{p.name} (new photo)", "allow", sid(r)))
            for t in texts["allowed"]:
                r = client.post("/v1/text", json={"text": t, "kind": "prompt"}).json()
                rows.append((f"prompt: {t[:40]}", "allow", sid(r)))
            r = client.post(
                "/v1/text",
                json={"text": texts["violating_prompt"], "kind": "prompt", "user_id": "demo-user"},
            ).json()
            rows.append(("prompt: (child-safety test terms)", "block_and_report", sid(r)))
            r = client.post(
                "/v1/text", json={"text": texts["review_prompt"], "kind": "prompt"}
            ).json()
            rows.append(("prompt: (ambiguous test terms)", "review", sid(r)))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    queue = JobQueue(db, "demo-worker")
    table_h = worker_handlers(db, index_dir=home / "index")
    ran = 0
    while queue.run_once(table_h):
        ran += 1
    with db.session() as s:
        final = {sid: s.get(SubmissionRow, sid) for _, _, sid in rows}
        verdicts = {sid: (r.verdict if r is not None else "missing") for sid, r in final.items()}
    rows = [(name, want, verdicts[sid]) for name, want, sid in rows]
    t = Table(title=f"Bulwark service demo (API on {base})")
    for col in ("submission", "expected", "verdict"):
        t.add_column(col)
    ok = True
    for name, want, got in rows:
        good = want == got
        ok &= good
        t.add_row(name, want, f"[{'green' if good else 'red'}]{got}[/]")
    console.print(t)
    problems = AuditLog(db).verify()
    counts = {
        v: sum(1 for _, _, g in rows if g == v)
        for v in ("block_and_report", "block", "review", "allow")
    }
    console.print(
        f"blocked {counts['block_and_report'] + counts['block']}, "
        f"queued for review {counts['review']}, allowed {counts['allow']}; "
        f"{len(answered_pending)} answered at once as pending and finished by the worker; "
        f"worker ran {ran} job(s); "
        f"audit log {'verified' if not problems else 'BROKEN'}"
    )
    return ok and not problems


__all__ = ["run_service_demo"]
