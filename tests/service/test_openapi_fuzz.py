"""Schemathesis against the published OpenAPI spec: generated requests — valid,
boundary and malformed — must never make the server fail (5xx).

Runs on SQLite in a temporary home (the spec and the handlers do not depend on
the database); examples per operation are bounded so the suite stays quick.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from bulwark.banks.store import BankStore
from bulwark.service.app import create_app
from bulwark.service.keys import KeyStore
from bulwark.store.db import Database

_home = Path(tempfile.mkdtemp(prefix="bulwark-fuzz-"))
_db = Database(f"sqlite:///{_home / 'fuzz.db'}")
_keys = {
    "client": KeyStore(_db).create("fuzz-client", "client", rate_per_minute=10**9)[0],
    "admin": KeyStore(_db).create("fuzz-admin", "admin", rate_per_minute=10**9)[0],
}
BankStore(_db).create("fuzz-bank", category="child_safety.known_csam")
app = create_app(_db, index_dir=_home / "index")
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_server_errors(case: schemathesis.Case) -> None:
    role = "admin" if case.path.startswith("/v1/banks") else "client"
    case.call_and_validate(headers={"X-API-Key": _keys[role]}, checks=[not_a_server_error])
