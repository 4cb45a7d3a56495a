"""A small synthetic dataset and a bank of its known photos (benign photos only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bulwark.audit.stages import AuditOptions
from bulwark.audit.synthetic import Synthetic, bank_known, make_synthetic

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
    """A bank holding the known photos' PDQ and the planted copies' MD5, on SQLite."""
    return bank_known(synthetic, f"sqlite:///{tmp_path / 'banks.db'}", str(tmp_path / "index"))
