"""Console accounts: argon2id hashes, lock-out, sessions that end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bulwark.cli import app
from bulwark.console import accounts as acc
from bulwark.console.accounts import AccountError, Accounts
from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database
from bulwark.store.models import ConsoleSessionRow, ConsoleUserRow

PASSWORD = "correct horse battery"


def test_add_sign_in_session_sign_out(db: Database) -> None:
    people = Accounts(db)
    ana = people.add("ana", "child_safety_reviewer", PASSWORD)
    with db.session() as s:
        row = s.get(ConsoleUserRow, ana.id)
        assert row is not None and row.password_hash.startswith("$argon2id$")
        assert PASSWORD not in row.password_hash
    signed = people.sign_in("ana", PASSWORD)
    assert signed.person.role == "child_safety_reviewer" and signed.csrf
    with db.session() as s:
        stored = s.scalars(select(ConsoleSessionRow.token_hash)).all()
    assert signed.token not in stored  # only the digest is kept
    again = people.session(signed.token)
    assert again is not None and again.person.name == "ana" and again.csrf == signed.csrf
    people.sign_out(signed.token)
    assert people.session(signed.token) is None
    assert people.session("made-up") is None and people.session(None) is None


def test_bad_accounts_are_refused(db: Database) -> None:
    people = Accounts(db)
    with pytest.raises(AccountError, match="at least 12"):
        people.add("ben", "reviewer", "short")
    with pytest.raises(AccountError, match="role must be"):
        people.add("ben", "superuser", PASSWORD)
    people.add("ben", "reviewer", PASSWORD)
    with pytest.raises(AccountError, match="already exists"):
        people.add("ben", "reviewer", PASSWORD)


def test_lock_out_after_repeated_failures(db: Database) -> None:
    people = Accounts(db)
    people.add("cy", "reviewer", PASSWORD)
    for _ in range(acc.MAX_FAILURES):
        with pytest.raises(AccountError, match="wrong name or password"):
            people.sign_in("cy", "not the password")
    with pytest.raises(AccountError, match="too many failed"):
        people.sign_in("cy", PASSWORD)  # locked, even with the right password
    with pytest.raises(AccountError, match="wrong name or password"):
        people.sign_in("nobody", PASSWORD)  # an unknown name reads the same
    actions = [r.action for r in AuditLog(db).records()]
    assert actions.count("sign_in_failed") == acc.MAX_FAILURES + 1
    assert "sign_in_locked" in actions


def test_idle_sessions_and_disabled_accounts_end(db: Database) -> None:
    people = Accounts(db, idle_timeout=timedelta(seconds=-1))  # every session is idle
    people.add("dee", "reviewer", PASSWORD)
    assert people.session(people.sign_in("dee", PASSWORD).token) is None
    active = Accounts(db)
    token = active.sign_in("dee", PASSWORD).token
    assert active.session(token) is not None
    active.disable("dee")
    assert active.session(token) is None
    with pytest.raises(AccountError, match="disabled"):
        active.sign_in("dee", PASSWORD)


def test_user_add_command(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULWARK_DB_URL", db.url)
    run = CliRunner().invoke
    ok = run(
        app, ["user", "add", "eve", "--role", "reviewer", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert ok.exit_code == 0, ok.output
    assert Accounts(db).sign_in("eve", PASSWORD).person.name == "eve"
    bad = run(
        app, ["user", "add", "fay", "--role", "boss", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert bad.exit_code == 2 and "role must be" in bad.output
