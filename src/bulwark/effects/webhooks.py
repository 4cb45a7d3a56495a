"""Webhooks: HMAC-SHA256-signed, delivered at least once through the job queue.

Each delivery carries an event id (receivers drop duplicates) and a timestamp
inside the signature, ``X-Bulwark-Signature: t=<unix>,v1=<hex>`` over
``"<t>.<body>"``, so a captured request cannot be replayed later than the
receiver's tolerance. The signing secret comes from ``BULWARK_WEBHOOK_SECRET``
when a delivery is attempted; it is never written into the job table.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import uuid
from typing import Any

import httpx

from bulwark.effects.jobs import JobQueue

KIND = "webhook"


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(
    body: bytes, header: str, secret: str, *, tolerance_s: int = 300, now: int | None = None
) -> bool:
    """For receivers (and tests): a valid, fresh signature."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        t = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((int(time.time()) if now is None else now) - t) > tolerance_s:
        return False
    expected = sign(body, secret, t).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def queue_webhook(queue: JobQueue, url: str, event: str, data: dict[str, Any]) -> tuple[str, int]:
    event_id = str(uuid.uuid4())
    job = queue.enqueue(
        KIND,
        {"url": url, "event": event, "event_id": event_id, "data": data},
        idempotency_key=f"webhook:{event_id}",
    )
    return event_id, job


def deliver(payload: dict[str, Any]) -> None:
    """Job handler: raises on anything but 2xx (or with no secret configured) so
    the queue retries with back-off, and the failure is visible in the job."""
    secret = os.environ.get("BULWARK_WEBHOOK_SECRET", "")
    if not secret:
        raise RuntimeError("BULWARK_WEBHOOK_SECRET is not set")
    body = json.dumps(
        {"id": payload["event_id"], "event": payload["event"], "data": payload["data"]}
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Bulwark-Event-Id": payload["event_id"],
        "X-Bulwark-Signature": sign(body, secret),
    }
    with httpx.Client(timeout=10) as c:
        r = c.post(payload["url"], content=body, headers=headers)
    if not 200 <= r.status_code < 300:
        raise RuntimeError(f"webhook answered HTTP {r.status_code}")


__all__ = ["KIND", "deliver", "queue_webhook", "sign", "verify"]
