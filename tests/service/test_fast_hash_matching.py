"""Fast-mode hashing on the API path keeps the reference hasher's matching."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from bulwark.banks.store import BankStore
from bulwark.match.matcher import Matcher
from bulwark.policy.rules import default_policy
from bulwark.service import pipeline
from bulwark.service.pipeline import process_image
from bulwark.signals import FileContent, hash_content
from bulwark.store.db import Database


def _bank(db: Database, tmp_path: Path, data: bytes) -> Matcher:
    store = BankStore(db)
    store.create("known", category="child_safety.known_csam")
    pdq = hash_content(FileContent(data)).first("pdq")
    assert pdq is not None
    store.add_signal("known", "pdq", pdq.value)
    return Matcher(store, tmp_path / "index")


def _jpeg(path: Path, quality: int) -> bytes:
    buf = io.BytesIO()
    Image.open(path).convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def test_clear_matches_stand_on_the_fast_hash(
    db: Database, tmp_path: Path, photos: list[Path]
) -> None:
    data = _jpeg(photos[0], 90)
    matcher = _bank(db, tmp_path, data)
    out = process_image(default_policy(), matcher, data, "a.jpg", fast=True)
    assert out.decision.verdict == "block_and_report"
    assert out.details["bank_matches"][0]["bank"] == "known"
    unrelated = process_image(default_policy(), matcher, _jpeg(photos[6], 90), "b.jpg", fast=True)
    assert unrelated.decision.verdict == "allow"


def test_near_threshold_candidates_are_confirmed_with_the_reference_hash(
    db: Database, tmp_path: Path, photos: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a slack wider than the threshold every candidate is 'near': the answer
    must then be exactly the reference hasher's."""
    monkeypatch.setattr(pipeline, "FAST_PDQ_SLACK", 40)
    data = _jpeg(photos[1], 90)
    matcher = _bank(db, tmp_path, data)
    copy = _jpeg(photos[1], 60)
    fast = process_image(default_policy(), matcher, copy, "a.jpg", fast=True)
    reference = process_image(default_policy(), matcher, copy, "a.jpg", fast=False)
    assert fast.details["bank_matches"] == reference.details["bank_matches"]
    assert fast.decision.verdict == reference.decision.verdict == "block_and_report"
    assert fast.details["signals"] == reference.details["signals"]  # the reference hashes
