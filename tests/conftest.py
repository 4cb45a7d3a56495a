"""Shared fixtures: benign photos shipped in the package, and real databases."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from bulwark.banks.store import BankStore
from bulwark.demo import demo_photos
from bulwark.store.db import Database, empty_database
from tests.ncmec_server import ncmec  # noqa: F401  (the local CyberTipline, for every test dir)

PG_URL = os.environ.get("BULWARK_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def photos() -> list[Path]:
    ps = demo_photos()
    assert len(ps) >= 12, "demo photos missing from the package"
    return ps


@pytest.fixture
def photo_bytes(photos: list[Path]) -> bytes:
    return photos[0].read_bytes()


def encode(im: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The same tests run on SQLite and on a real PostgreSQL server."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'bulwark.db'}")
    else:
        if not PG_URL:
            if os.environ.get("CI"):
                pytest.fail("CI must provide BULWARK_TEST_POSTGRES_URL (scripts/test.sh starts it)")
            pytest.skip("BULWARK_TEST_POSTGRES_URL not set")
        empty_database(PG_URL)
        database = Database(PG_URL)
    yield database
    database.dispose()


@pytest.fixture
def store(db: Database) -> BankStore:
    return BankStore(db)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[BankStore]:
    database = Database(f"sqlite:///{tmp_path / 'only-sqlite.db'}")
    yield BankStore(database)
    database.dispose()
