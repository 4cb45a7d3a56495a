"""Open the database and bring its schema up to date.

SQLite (WAL) is the zero-set-up default; any SQLAlchemy URL works, and the test
suite runs against PostgreSQL too. Schema comes only from Alembic migrations so
both back-ends always have the same tables.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bulwark.locks import exclusive_file_lock

MIGRATIONS = Path(__file__).parent / "migrations"


def home_dir() -> Path:
    """Where Bulwark keeps its database and index snapshots (``BULWARK_HOME``)."""
    return Path(os.environ.get("BULWARK_HOME", ".bulwark")).resolve()


def default_url() -> str:
    url = os.environ.get("BULWARK_DB_URL")
    if url:
        return url
    home = home_dir()
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{home / 'bulwark.db'}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    # Checkpoints otherwise run inside whichever commit crosses 1,000 WAL pages,
    # which stalls that commit (and every request waiting on it); API processes
    # checkpoint in the background instead (Database.start_checkpointer).
    cur.execute("PRAGMA wal_autocheckpoint=10000")
    cur.close()


def rows_affected(result: Any) -> int:
    """Rows an UPDATE or DELETE touched (``CursorResult.rowcount``, which the
    generic ``Result`` type does not declare)."""
    return int(getattr(result, "rowcount", 0) or 0)


def empty_database(url: str) -> None:
    """Drop every Bulwark table (tests and benchmarks start from nothing)."""
    from sqlalchemy import text

    from bulwark.store.models import Base

    engine = create_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


class Database:
    """An engine plus a session factory, migrated on open."""

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        self.url = url or default_url()
        # A server connection can die between uses (restart, idle timeout): ping it on
        # checkout. A SQLite file cannot, and the ping would cost every transaction.
        self.engine: Engine = create_engine(
            self.url, future=True, pool_pre_ping=not self.url.startswith("sqlite")
        )
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._checkpointer: threading.Thread | None = None
        db_file = self.engine.url.database if self.engine.dialect.name == "sqlite" else None
        self._lock_path = f"{db_file}.write-lock" if db_file and db_file != ":memory:" else None
        if migrate:
            self.upgrade()

    def upgrade(self) -> None:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed on success, rolled back on any error."""
        with self._sessions() as s, s.begin():
            yield s

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Serialise writers across processes before they reach SQLite.

        SQLite lets one writer in at a time and makes the others poll, sleeping
        up to 100 ms between tries, which wrecks tail latency when several API
        processes write at once. A blocking ``flock`` on a file beside the
        database wakes the next writer the moment the lock is free. Other
        databases lock rows themselves: nothing to do.
        """
        if self._lock_path is None:
            yield
            return
        with exclusive_file_lock(self._lock_path):
            yield

    def start_checkpointer(self, every_s: float = 1.0) -> None:
        """SQLite only: copy the WAL into the database every ``every_s`` seconds from
        a background thread (a PASSIVE checkpoint never blocks readers or writers)."""
        if self.engine.dialect.name != "sqlite" or self._checkpointer is not None:
            return

        def loop() -> None:
            while True:
                time.sleep(every_s)
                try:
                    with self.engine.connect() as conn:
                        conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
                except Exception:  # a busy or closed database: try again next time
                    continue

        self._checkpointer = threading.Thread(target=loop, name="bulwark-checkpoint", daemon=True)
        self._checkpointer.start()

    def dispose(self) -> None:
        self.engine.dispose()
