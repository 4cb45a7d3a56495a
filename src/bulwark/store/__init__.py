"""Persistence: SQLAlchemy models and Alembic migrations (SQLite or PostgreSQL)."""

from bulwark.store.db import Database, default_url

__all__ = ["Database", "default_url"]
