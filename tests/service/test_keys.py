"""API keys: hashed at rest, one role each, child-safety items for one role only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bulwark.service.keys import AuthError, KeyStore, require
from bulwark.store.db import Database
from bulwark.store.models import ApiKeyRow


def test_keys_are_stored_hashed_and_authenticate(db: Database) -> None:
    keys = KeyStore(db)
    key, rec = keys.create("partner", "client")
    with db.session() as s:
        row = s.scalar(select(ApiKeyRow))
        assert row is not None and key not in (row.key_hash, row.prefix) and len(row.key_hash) == 64
    assert keys.authenticate(key).role == "client"
    for bad, message in [
        (None, "missing"),
        ("nonsense", "malformed"),
        (key[:-2] + "xx", "unknown"),
        ("bw_000000000000_x", "unknown"),
    ]:
        with pytest.raises(AuthError, match=message):
            keys.authenticate(bad)
    keys.revoke(rec.id)
    with pytest.raises(AuthError, match="revoked"):
        keys.authenticate(key)


def test_expired_keys_are_refused(db: Database) -> None:
    keys = KeyStore(db)
    key, _ = keys.create("old", "reviewer", expires_in=timedelta(seconds=-1))
    with pytest.raises(AuthError, match="expired"):
        keys.authenticate(key)


def test_roles() -> None:
    from bulwark.service.keys import ApiKey

    cs = ApiKey(1, "a", "child_safety_reviewer", 60)
    require(cs, "review_child_safety")
    for role in ("client", "reviewer", "admin"):
        with pytest.raises(AuthError) as err:
            require(ApiKey(2, "b", role, 60), "review_child_safety")
        assert err.value.status == 403
    with pytest.raises(AuthError, match="may not manage banks"):
        require(ApiKey(3, "c", "client", 60), "manage_banks")
    with pytest.raises(Exception, match="role must be one of"):
        KeyStore.__new__(KeyStore).create("x", "superuser")


def test_revocation_reaches_other_processes_within_the_cache_time(db: Database) -> None:
    import time

    api_side = KeyStore(db, cache_s=0.3)  # the API process
    admin_side = KeyStore(db)  # another process revoking
    key, rec = admin_side.create("p", "client")
    assert api_side.authenticate(key).id == rec.id
    admin_side.revoke(rec.id)
    assert api_side.authenticate(key).id == rec.id  # still cached, by design
    time.sleep(0.35)
    with pytest.raises(AuthError, match="revoked"):
        api_side.authenticate(key)
    other, rec2 = api_side.create("q", "client")
    api_side.authenticate(other)
    api_side.revoke(rec2.id)  # revoked in this process: at once
    with pytest.raises(AuthError, match="revoked"):
        api_side.authenticate(other)
