"""A local server implementing NCMEC's documented reporting flow (fixture ``ncmec``,
made available to every test directory by tests/conftest.py)."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from bulwark.reporting.xml import _schema


class FakeCyberTipline(BaseHTTPRequestHandler):
    """The documented flow: submit -> upload -> fileinfo -> finish (and retract, status)."""

    calls: ClassVar[list[tuple[str, bytes]]] = []
    fail_on: ClassVar[str] = ""
    AUTH = "Basic " + base64.b64encode(b"esp:secret").decode()

    def log_message(self, *args: object) -> None:
        pass

    def _reply(self, body: str, status: int = 200) -> None:
        data = f'<?xml version="1.0"?>{body}'.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        ok = self.headers.get("Authorization") == self.AUTH
        self._reply(
            "<reportResponse><responseCode>0</responseCode></reportResponse>", 200 if ok else 401
        )

    def do_POST(self) -> None:
        if self.headers.get("Authorization") != self.AUTH:
            self._reply("", 401)
            return
        step = self.path.rsplit("/", 1)[-1]
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).calls.append((step, body))
        if step == self.fail_on:
            self._reply(
                "<reportResponse><responseCode>4100</responseCode>"
                "<responseDescription>Invalid XML</responseDescription></reportResponse>"
            )
            return
        if step in ("submit", "fileinfo"):
            _schema().validate(body.decode())  # what NCMEC does: reject invalid documents
        ids = {"reportId": "1001", "fileId": f"f{len(type(self).calls)}"}
        extra = "".join(f"<{k}>{v}</{k}>" for k, v in ids.items())
        self._reply(f"<reportResponse><responseCode>0</responseCode>{extra}</reportResponse>")


@pytest.fixture
def ncmec() -> Iterator[str]:
    FakeCyberTipline.calls, FakeCyberTipline.fail_on = [], ""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeCyberTipline)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/ispws"
    httpd.shutdown()
    httpd.server_close()


__all__ = ["FakeCyberTipline", "ncmec"]
