"""API keys: random tokens stored only as SHA-256, scoped to one role.

A key is ``bw_<prefix>_<secret>``; the prefix finds the row, the full key is
compared by hash in constant time. Keys are high-entropy random tokens, so a
plain SHA-256 is enough (password stretching protects guessable secrets, not
256-bit ones). A process remembers a key it has checked for ``cache_s``
seconds (10 by default), which keeps a database read off every request; a
revocation in another process therefore takes effect within that time, and in
this one at once. Roles:

* ``client``: submit content and read its own results;
* ``reviewer``: review queues except child safety;
* ``child_safety_reviewer``: the only role that may open child-safety items;
* ``admin``: banks, policies, keys — but not child-safety items.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from bulwark.errors import BulwarkError
from bulwark.store.db import Database
from bulwark.store.models import ApiKeyRow, as_utc, utcnow

ROLES = ("client", "reviewer", "child_safety_reviewer", "admin")
PERMISSIONS: dict[str, frozenset[str]] = {
    "client": frozenset({"submit", "read_own"}),
    "reviewer": frozenset({"review", "read_any"}),
    "child_safety_reviewer": frozenset({"review", "review_child_safety", "read_any"}),
    "admin": frozenset({"admin", "read_any", "manage_banks", "manage_keys", "manage_policy"}),
}


class AuthError(BulwarkError):
    """Missing, unknown, expired or revoked key (HTTP 401), wrong role (403), or a
    key over its rate limit (429)."""

    def __init__(self, message: str, status: int = 401, key_id: int | None = None):
        super().__init__(message)
        self.status = status
        #: the (valid) key that was refused, for the audit log; None for bad keys
        self.key_id = key_id


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str
    role: str
    rate_per_minute: int


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyStore:
    def __init__(self, db: Database, *, cache_s: float = 10.0) -> None:
        self.db = db
        self.cache_s = cache_s
        #: key hash -> (record, expiry, when checked)
        self._cache: dict[str, tuple[ApiKey, datetime | None, float]] = {}
        self._lock = threading.Lock()

    def create(
        self,
        name: str,
        role: str,
        *,
        expires_in: timedelta | None = None,
        rate_per_minute: int = 600,
    ) -> tuple[str, ApiKey]:
        """The new key (shown once, never stored) and its record."""
        if role not in ROLES:
            raise BulwarkError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        prefix = secrets.token_hex(6)
        key = f"bw_{prefix}_{secrets.token_urlsafe(32)}"
        row = ApiKeyRow(
            prefix=prefix,
            key_hash=_hash(key),
            name=name,
            role=role,
            rate_per_minute=rate_per_minute,
            expires_at=utcnow() + expires_in if expires_in else None,
        )
        with self.db.session() as s:
            s.add(row)
            s.flush()
            return key, ApiKey(row.id, name, role, rate_per_minute)

    def authenticate(self, key: str | None) -> ApiKey:
        if not key:
            raise AuthError("missing API key")
        parts = key.split("_", 2)
        if len(parts) != 3 or parts[0] != "bw":
            raise AuthError("malformed API key")
        digest = _hash(key)
        with self._lock:
            hit = self._cache.get(digest)
        if hit is not None and time.monotonic() - hit[2] < self.cache_s:
            if hit[1] is not None and hit[1] <= utcnow():
                raise AuthError("API key expired")
            return hit[0]
        with self.db.session() as s:
            row = s.scalar(select(ApiKeyRow).where(ApiKeyRow.prefix == parts[1]))
            if row is None or not hmac.compare_digest(row.key_hash, digest):
                raise AuthError("unknown API key")
            if row.revoked_at is not None:
                raise AuthError("API key revoked")
            expires = as_utc(row.expires_at) if row.expires_at is not None else None
            if expires is not None and expires <= utcnow():
                raise AuthError("API key expired")
            found = ApiKey(row.id, row.name, row.role, row.rate_per_minute)
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[digest] = (found, expires, time.monotonic())
        return found

    def revoke(self, key_id: int) -> None:
        with self.db.session() as s:
            row = s.get(ApiKeyRow, key_id)
            if row is None:
                raise BulwarkError(f"no API key with id {key_id}")
            row.revoked_at = utcnow()
        with self._lock:
            self._cache = {d: v for d, v in self._cache.items() if v[0].id != key_id}


def require(key: ApiKey, permission: str) -> None:
    if permission not in PERMISSIONS[key.role]:
        raise AuthError(
            f"role {key.role!r} may not {permission.replace('_', ' ')}", status=403, key_id=key.id
        )


__all__ = ["PERMISSIONS", "ROLES", "ApiKey", "AuthError", "KeyStore", "require"]
