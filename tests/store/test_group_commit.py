"""Group commit: concurrent writes share transactions, and one bad write fails alone."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from bulwark.store.db import Database
from bulwark.store.group_commit import GroupCommitter
from bulwark.store.models import LabelRow, utcnow


def _label(subject: str):  # type: ignore[no-untyped-def]
    def write(s):  # type: ignore[no-untyped-def]
        s.execute(
            insert(LabelRow).values(target="user", subject=subject, label="x", expires_at=utcnow())
        )
        return subject

    return write


def test_concurrent_writes_all_commit(db: Database) -> None:
    gc = GroupCommitter(db)
    results: list[str] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        got = gc.run(_label(f"u{i}"))
        with lock:
            results.append(got)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == sorted(f"u{i}" for i in range(40))
    with db.session() as s:
        assert len(s.scalars(select(LabelRow)).all()) == 40


def test_a_failing_write_fails_alone(db: Database) -> None:
    gc = GroupCommitter(db)
    gc.run(_label("dup"))
    futures = [gc.submit(_label(name)) for name in ("a", "dup", "b")]
    assert futures[0].result() == "a" and futures[2].result() == "b"
    with pytest.raises(IntegrityError):
        futures[1].result()
    with db.session() as s:
        assert sorted(r.subject for r in s.scalars(select(LabelRow))) == ["a", "b", "dup"]
