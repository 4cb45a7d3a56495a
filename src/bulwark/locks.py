"""An exclusive lock between processes, held on a file (``flock``).

A blocking ``flock`` wakes the next waiter the moment the lock is released,
which is what both users need: SQLite writers in several API processes
(store/db.py) and index snapshots that several processes may want to build at
start-up (match/matcher.py). On systems without ``fcntl`` it is a no-op and the
callers fall back on their own safety (SQLite's locking, atomic renames).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


@contextmanager
def exclusive_file_lock(path: str | Path) -> Iterator[None]:
    if fcntl is None:
        yield
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


__all__ = ["exclusive_file_lock"]
