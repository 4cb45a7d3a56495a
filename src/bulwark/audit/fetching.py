"""Fetching a sample's URL, for audits that ask for it (off by default).

The service's SSRF-safe fetcher does the request (private, loopback and
link-local targets refused at every redirect; size and time limits); this
adds a per-host rate limit, so an audit of a million LAION rows does not
hammer one image host. The limit is per worker process: N workers make at
most N times ``per_host_per_second`` requests to a host.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

from bulwark.service.fetch import FetchPolicy, FetchRefused, fetch


class HostRateLimiter:
    def __init__(self, per_host_per_second: float) -> None:
        self.interval = 1.0 / per_host_per_second if per_host_per_second > 0 else 0.0
        self.next_at: dict[str, float] = {}
        self.lock = threading.Lock()

    def wait(self, host: str) -> None:
        with self.lock:
            now = time.monotonic()
            at = max(now, self.next_at.get(host, now))
            self.next_at[host] = at + self.interval
        if at > now:
            time.sleep(at - now)


class Fetcher:
    def __init__(self, per_host_per_second: float, allow: tuple[str, ...] = ()) -> None:
        self.limiter = HostRateLimiter(per_host_per_second)
        self.policy = FetchPolicy.allowing(allow) if allow else FetchPolicy()

    def get(self, url: str) -> bytes:
        """The body, or ``FetchRefused`` naming why not."""
        host = urlsplit(url).hostname or ""
        if not host:
            raise FetchRefused(f"not a fetchable URL: {url[:200]!r}")
        self.limiter.wait(host)
        return fetch(url, self.policy)


__all__ = ["Fetcher", "HostRateLimiter"]
