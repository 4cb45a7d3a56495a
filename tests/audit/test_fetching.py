"""URL fetching in audits: off by default, SSRF-safe, rate-limited per host."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bulwark.audit.fetching import HostRateLimiter
from bulwark.audit.readers import discover
from bulwark.audit.stages import AuditOptions, Auditor


@pytest.fixture
def image_host(photo_bytes: bytes) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(photo_bytes)))
            self.end_headers()
            self.wfile.write(photo_bytes)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _rows(tmp_path: Path, urls: list[str], opts: AuditOptions) -> list[dict[str, object]]:
    pq.write_table(pa.table({"url": urls, "caption": ["x"] * len(urls)}), tmp_path / "m.parquet")
    (shard,) = discover([tmp_path / "m.parquet"]).shards
    return Auditor(opts).run(shard).rows


def test_fetching_is_off_by_default_and_ssrf_safe(
    tmp_path: Path, image_host: str, photo_bytes: bytes
) -> None:
    url = f"{image_host}/a.jpg"
    (off,) = _rows(tmp_path, [url], AuditOptions(captions=False))
    assert off["sha256"] is None and off["error"] is None
    (refused,) = _rows(tmp_path, [url], AuditOptions(captions=False, fetch=True))
    assert refused["sha256"] is None and "loopback" in str(refused["error"])
    allowed = AuditOptions(captions=False, fetch=True, fetch_allow=("127.0.0.0/8",))
    (got,) = _rows(tmp_path, [url], allowed)
    assert got["sha256"] == hashlib.sha256(photo_bytes).hexdigest()


def test_rate_limit_is_per_host() -> None:
    limiter = HostRateLimiter(10)
    start = time.monotonic()
    for _ in range(3):
        limiter.wait("a.example")
    same = time.monotonic() - start
    start = time.monotonic()
    for host in ("b.example", "c.example", "d.example"):
        limiter.wait(host)
    assert same >= 0.19 and time.monotonic() - start < 0.05
