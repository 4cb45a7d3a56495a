"""A small synthetic dataset and a bank of its known photos (benign photos only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bulwark.audit.stages import AuditOptions
from bulwark.audit.synthetic import Synthetic, make_synthetic
from bulwark.banks.store import BankStore
from bulwark.signals import FileContent, hash_content
from bulwark.store.db import Database

FLAGGED = json.loads(
    (
        Path(__file__).parents[1] / "fixtures" / "violating_text" / "child_safety_prompts.json"
    ).read_text("utf-8")
)["youth_and_sexual_hard"][:2]


@pytest.fixture
def synthetic(tmp_path: Path, photos: list[Path]) -> Synthetic:
    return make_synthetic(
        tmp_path / "ds", photos, shards=4, per_shard=16, flagged_captions=tuple(FLAGGED)
    )


@pytest.fixture
def banked(tmp_path: Path, synthetic: Synthetic) -> AuditOptions:
    """A bank holding the known photos' PDQ and the planted copies' MD5 (as a
    hotline's list would), on SQLite."""
    db = Database(f"sqlite:///{tmp_path / 'banks.db'}")
    store = BankStore(db)
    store.create("known", category="child_safety.known_csam")
    for p in synthetic.known:
        pdq = hash_content(FileContent(p.read_bytes())).first("pdq")
        assert pdq is not None
        store.add_signal("known", "pdq", pdq.value)
    for md5 in synthetic.planted_md5:
        store.add_signal("known", "md5", md5)
    db.dispose()
    return AuditOptions(
        banks=("known",),
        db_url=f"sqlite:///{tmp_path / 'banks.db'}",
        index_dir=str(tmp_path / "index"),
    )
