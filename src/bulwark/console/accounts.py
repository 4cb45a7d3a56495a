"""Reviewer accounts: argon2id passwords, lock-out, server-side sessions.

People sign in to the console with a name and password (API keys are for
machines). Passwords are hashed with argon2id (``argon2-cffi``'s defaults,
re-hashed when those change). After ``MAX_FAILURES`` wrong passwords in a row
an account is locked for ``LOCKOUT``; the answer to a failed sign-in never
says whether the name exists. Sessions live in the database — only the
token's SHA-256 — so signing out and disabling an account take effect at
once, and a session unused for ``IDLE_TIMEOUT`` is over. Each session carries
its own CSRF token for the console's forms.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bulwark.errors import BulwarkError
from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database
from bulwark.store.models import ConsoleSessionRow, ConsoleUserRow, as_utc, utcnow

ROLES = ("reviewer", "child_safety_reviewer", "admin")
MIN_PASSWORD = 12
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
IDLE_TIMEOUT = timedelta(minutes=30)

_hasher = PasswordHasher()


class AccountError(BulwarkError):
    """A refused account operation or sign-in (the message is safe to show)."""


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    role: str


@dataclass(frozen=True)
class SignedIn:
    person: Person
    token: str  # for the cookie; never stored
    csrf: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    def __init__(self, db: Database, *, idle_timeout: timedelta = IDLE_TIMEOUT) -> None:
        self.db = db
        self.idle_timeout = idle_timeout
        self.audit = AuditLog(db)

    def add(self, name: str, role: str, password: str) -> Person:
        name = name.strip()
        if not name or len(name) > 100:
            raise AccountError("a name of 1 to 100 characters is needed")
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"passwords need at least {MIN_PASSWORD} characters")
        try:
            with self.db.session() as s:
                row = ConsoleUserRow(name=name, role=role, password_hash=_hasher.hash(password))
                s.add(row)
                s.flush()
                AuditLog.append_in(s, "operator", "user_add", name, role=role)
                return Person(row.id, row.name, row.role)
        except IntegrityError as exc:
            raise AccountError(f"a user named {name!r} already exists") from exc

    def sign_in(self, name: str, password: str) -> SignedIn:
        # Refusals are raised after the transaction, so the failure count and the
        # audit record of the attempt are kept.
        with self.db.session() as s:
            outcome = self._sign_in(s, name, password)
        if isinstance(outcome, AccountError):
            raise outcome
        return outcome

    def _sign_in(self, s: Session, name: str, password: str) -> SignedIn | AccountError:
        now = utcnow()
        wrong = AccountError("wrong name or password")
        row = s.scalar(select(ConsoleUserRow).where(ConsoleUserRow.name == name))
        if row is None:
            _hasher.hash(password)  # the same work either way: no timing tell
            AuditLog.append_in(s, f"user:{name[:100]}", "sign_in_failed", name[:100])
            return wrong
        if row.disabled:
            return AccountError("this account is disabled")
        if row.locked_until is not None and as_utc(row.locked_until) > now:
            AuditLog.append_in(s, f"user:{row.name}", "sign_in_locked", row.name)
            return AccountError("too many failed sign-ins: try again later")
        try:
            _hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            row.failed_logins += 1
            if row.failed_logins >= MAX_FAILURES:
                row.locked_until, row.failed_logins = now + LOCKOUT, 0
            AuditLog.append_in(s, f"user:{row.name}", "sign_in_failed", row.name)
            return wrong
        if _hasher.check_needs_rehash(row.password_hash):
            row.password_hash = _hasher.hash(password)
        row.failed_logins, row.locked_until = 0, None
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        s.add(
            ConsoleSessionRow(
                token_hash=_digest(token), user_id=row.id, csrf_token=csrf, last_seen=now
            )
        )
        AuditLog.append_in(s, f"user:{row.name}", "sign_in", row.name)
        return SignedIn(Person(row.id, row.name, row.role), token, csrf)

    def session(self, token: str | None) -> SignedIn | None:
        """The person behind a session cookie, or None (unknown, idle, disabled)."""
        if not token:
            return None
        now = utcnow()
        with self.db.session() as s:
            sess = s.get(ConsoleSessionRow, _digest(token))
            if sess is None:
                return None
            user = s.get(ConsoleUserRow, sess.user_id)
            if user is None or user.disabled or now - as_utc(sess.last_seen) > self.idle_timeout:
                s.delete(sess)
                return None
            sess.last_seen = now
            return SignedIn(Person(user.id, user.name, user.role), token, sess.csrf_token)

    def sign_out(self, token: str) -> None:
        with self.db.session() as s:
            s.execute(
                delete(ConsoleSessionRow).where(ConsoleSessionRow.token_hash == _digest(token))
            )

    def disable(self, name: str) -> None:
        with self.db.session() as s:
            row = s.scalar(select(ConsoleUserRow).where(ConsoleUserRow.name == name))
            if row is None:
                raise AccountError(f"no user named {name!r}")
            row.disabled = True
            s.execute(delete(ConsoleSessionRow).where(ConsoleSessionRow.user_id == row.id))
            AuditLog.append_in(s, "operator", "user_disable", name)


__all__ = ["ROLES", "AccountError", "Accounts", "Person", "SignedIn"]
