"""URL fetching with SSRF protection, against a loopback server only (allow-listed)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bulwark.service.fetch import FetchPolicy, FetchRefused, fetch


class Site(BaseHTTPRequestHandler):
    def log_message(self, *a: object) -> None:
        pass

    def do_GET(self) -> None:
        port = self.server.server_address[1]
        routes = {
            "/img": (200, {}, b"x" * 100),
            "/big": (200, {}, b"y" * 5000),
            "/to-img": (302, {"Location": "/img"}, b""),
            "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data"}, b""),
            "/loop": (302, {"Location": f"http://127.0.0.1:{port}/loop"}, b""),
            "/gone": (404, {}, b""),
        }
        code, headers, body = routes.get(self.path, (404, {}, b""))
        self.send_response(code)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


LOOPBACK_OK = FetchPolicy.allowing(["127.0.0.0/8"], max_bytes=1000)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:9/x", "loopback"),
        ("http://localhost:9/x", "loopback"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://10.1.2.3/x", "private"),
        ("http://[::1]:9/x", "loopback"),
        ("http://[::ffff:192.168.0.1]/x", "private"),
        ("ftp://example.org/x", "only http and https"),
        ("http:///nohost", "no host"),
    ],
)
def test_private_targets_are_refused_before_any_request(url: str, why: str) -> None:
    with pytest.raises(FetchRefused, match=why):
        fetch(url)


def test_allow_listed_fetch_and_redirects(site: str) -> None:
    assert fetch(f"{site}/img", LOOPBACK_OK) == b"x" * 100
    assert fetch(f"{site}/to-img", LOOPBACK_OK) == b"x" * 100
    with pytest.raises(FetchRefused, match="link-local"):
        fetch(f"{site}/to-metadata", LOOPBACK_OK)
    with pytest.raises(FetchRefused, match="redirects"):
        fetch(f"{site}/loop", LOOPBACK_OK)
    with pytest.raises(FetchRefused, match="byte limit"):
        fetch(f"{site}/big", LOOPBACK_OK)
    with pytest.raises(FetchRefused, match="HTTP 404"):
        fetch(f"{site}/gone", LOOPBACK_OK)
