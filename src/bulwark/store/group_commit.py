"""Group commit: many request threads' writes committed together by one writer thread.

Every acknowledged submission must be committed before the answer goes out,
and each commit costs a disk flush (and, on PostgreSQL, holds the audit
chain's lock until it is done). One transaction per request therefore caps
the whole service at one commit's worth of requests at a time. Here a request
hands its write to the writer and waits: the writer takes everything queued
since its last commit, runs it in one transaction, commits once, and only then
releases the callers — the durability of a commit per request at the cost of
one commit per batch. If a batch fails (one item breaking a unique
constraint, say), its items are retried one transaction each, so only the bad
one fails and no one else's write is lost. No library offers this for
SQLAlchemy sessions; it is a queue and a loop.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from bulwark.store.db import Database

T = TypeVar("T")
Write = Callable[[Session], Any]


class GroupCommitter:
    def __init__(self, db: Database, *, max_batch: int = 256) -> None:
        self.db = db
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[tuple[Write, Future[Any]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def run(self, write: Callable[[Session], T]) -> T:
        """Run ``write`` in a transaction with others; return once it is committed."""
        result: T = self.submit(write).result()
        return result

    def submit(self, write: Callable[[Session], T]) -> Future[T]:
        """Queue ``write``; the future resolves once it is committed (for async
        callers: ``await asyncio.wrap_future(...)``)."""
        self._ensure_started()
        done: Future[T] = Future()
        self._queue.put((write, done))
        return done

    def _ensure_started(self) -> None:
        if self._thread is not None:
            return
        with self._start_lock:
            if self._thread is None:
                t = threading.Thread(target=self._loop, name="bulwark-group-commit", daemon=True)
                t.start()
                self._thread = t

    def _loop(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._commit(batch)

    def _commit(self, batch: list[tuple[Write, Future[Any]]]) -> None:
        try:
            with self.db.write_lock(), self.db.session() as s:
                results = [write(s) for write, _ in batch]
        except Exception as exc:
            if len(batch) == 1:  # nothing to separate: that write failed
                batch[0][1].set_exception(exc)
                return
            for write, done in batch:  # find the bad one; everyone else still commits
                self._one(write, done)
            return
        for (_, done), result in zip(batch, results, strict=True):
            done.set_result(result)

    def _one(self, write: Write, done: Future[Any]) -> None:
        try:
            with self.db.write_lock(), self.db.session() as s:
                result = write(s)
        except Exception as exc:
            done.set_exception(exc)
        else:
            done.set_result(result)


__all__ = ["GroupCommitter"]
