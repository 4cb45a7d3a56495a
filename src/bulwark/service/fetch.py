"""Fetch submitted URLs without becoming a proxy into the platform's network.

Every hop — the URL and each redirect target — is resolved and refused when
any address is private, loopback, link-local (cloud metadata at
169.254.169.254), multicast, reserved or unspecified, unless the network is on
the operator's allow-list. Redirects are followed by hand (at most five), the
body is read in chunks up to a byte limit, and the whole fetch has a deadline.
Residual risk, documented: DNS could change between our check and httpx's own
lookup (rebinding); deployments that care run the fetcher behind an egress
proxy as well.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from bulwark.errors import BulwarkError

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class FetchRefused(BulwarkError):
    """The URL (or a redirect) points somewhere we do not fetch from, or broke a limit."""


@dataclass(frozen=True)
class FetchPolicy:
    max_bytes: int = 50 * 1024 * 1024
    timeout_s: float = 10.0
    max_redirects: int = 5
    allow: tuple[IPNetwork, ...] = field(default_factory=tuple)

    @classmethod
    def allowing(cls, networks: Iterable[str], **kw: object) -> FetchPolicy:
        return cls(allow=tuple(ipaddress.ip_network(n) for n in networks), **kw)  # type: ignore[arg-type]


def _forbidden(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for test, why in (
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_private, "private"),
        (ip.is_multicast, "multicast"),
        (ip.is_reserved, "reserved"),
        (ip.is_unspecified, "unspecified"),
    ):
        if test:
            return why
    return None


def check_url(url: str, policy: FetchPolicy) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(f"only http and https URLs are fetched, not {parts.scheme or 'none'!r}")
    host = parts.hostname
    if not host:
        raise FetchRefused("URL has no host")
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror as exc:
        raise FetchRefused(f"{host}: cannot resolve ({exc.strerror})") from exc
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        why = _forbidden(ip)
        if why and not any(ip in net for net in policy.allow):
            raise FetchRefused(f"{host} resolves to {ip}, a {why} address: refused")


def fetch(url: str, policy: FetchPolicy = FetchPolicy()) -> bytes:
    """The body at ``url``; raises FetchRefused naming what was wrong. The client is
    our own, with redirects off, so every hop goes through ``check_url``."""
    deadline = time.monotonic() + policy.timeout_s
    with httpx.Client(timeout=policy.timeout_s, follow_redirects=False) as c:
        for _ in range(policy.max_redirects + 1):
            check_url(url, policy)
            try:
                with c.stream("GET", url) as r:
                    if r.is_redirect:
                        location = r.headers.get("location")
                        if not location:
                            raise FetchRefused("redirect without a Location")
                        url = urljoin(url, location)
                        continue
                    if r.status_code != 200:
                        raise FetchRefused(f"{url} answered HTTP {r.status_code}")
                    length = int(r.headers.get("content-length") or 0)
                    if length > policy.max_bytes:
                        raise FetchRefused(
                            f"{url} is {length:,} bytes, over the {policy.max_bytes:,}-byte limit"
                        )
                    chunks, total = [], 0
                    for chunk in r.iter_bytes():
                        total += len(chunk)
                        if total > policy.max_bytes:
                            raise FetchRefused(f"{url} is over the {policy.max_bytes:,}-byte limit")
                        if time.monotonic() > deadline:
                            raise FetchRefused(f"{url} took longer than {policy.timeout_s} s")
                        chunks.append(chunk)
                    return b"".join(chunks)
            except httpx.HTTPError as exc:
                raise FetchRefused(f"{url}: {type(exc).__name__}: {exc}") from exc
    raise FetchRefused(f"more than {policy.max_redirects} redirects")


__all__ = ["FetchPolicy", "FetchRefused", "check_url", "fetch"]
