"""The audit log detects edits, deletions, reordering and truncation, on both databases."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from typer.testing import CliRunner

from bulwark.cli import app
from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database
from bulwark.store.models import AuditHeadRow, AuditRecordRow


def _filled(db: Database, n: int = 5) -> AuditLog:
    log = AuditLog(db)
    for i in range(n):
        log.append("reviewer:7", "open_item", f"item:{i}", reason="review", n=i)
    return log


def test_intact_chain_verifies(db: Database) -> None:
    log = _filled(db)
    assert log.verify() == []
    assert [r.id for r in log.records()] == [1, 2, 3, 4, 5]


def test_edit_is_detected(db: Database) -> None:
    log = _filled(db)
    with db.session() as s:
        s.execute(update(AuditRecordRow).where(AuditRecordRow.id == 3).values(actor="someone-else"))
    problems = log.verify()
    assert [(p.record_id, "edited" in p.problem) for p in problems] == [(3, True)]


def test_deletion_and_truncation_are_detected(db: Database) -> None:
    log = _filled(db)
    with db.session() as s:
        s.execute(delete(AuditRecordRow).where(AuditRecordRow.id == 2))
    text = " ".join(p.problem for p in log.verify())
    assert "missing" in text and "deleted or reordered" in text
    with db.session() as s:
        s.execute(delete(AuditRecordRow).where(AuditRecordRow.id == 5))
    assert any("truncated" in p.problem for p in log.verify())


def test_reordering_is_detected(db: Database) -> None:
    log = _filled(db)
    with db.session() as s:
        a = s.get(AuditRecordRow, 2)
        b = s.get(AuditRecordRow, 4)
        assert a is not None and b is not None
        fields = ("actor", "action", "subject", "details", "prev_hash", "hash", "at")
        va, vb = ({f: getattr(r, f) for f in fields} for r in (a, b))
        s.execute(update(AuditRecordRow).where(AuditRecordRow.id == 2).values(hash="x" * 64))
        s.execute(update(AuditRecordRow).where(AuditRecordRow.id == 4).values(**va))
        s.execute(update(AuditRecordRow).where(AuditRecordRow.id == 2).values(**vb))
    assert log.verify()


def test_concurrent_appends_keep_one_chain(db: Database) -> None:
    log = AuditLog(db)
    errors: list[Exception] = []

    def writer(k: int) -> None:
        try:
            for i in range(10):
                log.append(f"worker:{k}", "job_done", f"job:{k}:{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert log.verify() == []
    with db.session() as s:
        head = s.get(AuditHeadRow, 1)
        assert head is not None and head.last_id == 40


def test_cli_verify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULWARK_HOME", str(tmp_path))
    monkeypatch.delenv("BULWARK_DB_URL", raising=False)
    db = Database()
    _filled(db, 3)
    r = CliRunner().invoke(app, ["audit-log", "verify"])
    assert r.exit_code == 0 and "3 records" in r.output, r.output
    with db.session() as s:
        s.execute(update(AuditRecordRow).where(AuditRecordRow.id == 1).values(subject="changed"))
    r = CliRunner().invoke(app, ["audit-log", "verify"])
    assert r.exit_code == 1 and "record 1" in r.output
    db.dispose()
