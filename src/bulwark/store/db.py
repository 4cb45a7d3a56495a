"""Open the database and bring its schema up to date.

SQLite (WAL) is the zero-set-up default; any SQLAlchemy URL works, and the test
suite runs against PostgreSQL too. Schema comes only from Alembic migrations so
both back-ends always have the same tables.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

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
    cur.close()


def rows_affected(result: Any) -> int:
    """Rows an UPDATE or DELETE touched (``CursorResult.rowcount``, which the
    generic ``Result`` type does not declare)."""
    return int(getattr(result, "rowcount", 0) or 0)


class Database:
    """An engine plus a session factory, migrated on open."""

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        self.url = url or default_url()
        self.engine: Engine = create_engine(self.url, future=True, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
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

    def dispose(self) -> None:
        self.engine.dispose()
