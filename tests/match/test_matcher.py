from __future__ import annotations

from pathlib import Path

import pytest

from bulwark.banks.model import NewEntry
from bulwark.banks.store import BankStore
from bulwark.demo.transforms import apply
from bulwark.match.matcher import Matcher, build_snapshot
from bulwark.signals import FileContent, hash_content, hash_path
from bulwark.signals.pdq import hamming


def _bank(store: BankStore, name: str, paths: list[Path], **kw: object) -> None:
    store.create(name, **kw)  # type: ignore[arg-type]
    entries = [NewEntry(s.type, s.value, p.name) for p in paths for s in hash_path(p).signals]
    store.add_entries(name, entries)


def test_originals_and_edits_match_others_do_not(
    store: BankStore, photos: list[Path], tmp_path: Path
) -> None:
    _bank(store, "known", photos[:6], category="child_safety.known_csam")
    m = Matcher(store, tmp_path / "index")
    originals = m.match_many([hash_path(p) for p in photos[:6]])
    assert all(r.matched for r in originals)
    assert all(r.matches[0].distance == 0 for r in originals)
    edited = [
        hash_content(FileContent(apply("jpeg_q50", p.read_bytes())), dihedral=True)
        for p in photos[:6]
    ]
    mirrored = [
        hash_content(FileContent(apply("mirror", p.read_bytes())), dihedral=True)
        for p in photos[:6]
    ]
    for r in m.match_many(edited + mirrored):
        assert r.matched, r.name
        assert (
            r.matches[0].signal_type == "pdq" and r.matches[0].category == "child_safety.known_csam"
        )
    for r in m.match_many([hash_path(p, dihedral=True) for p in photos[6:]]):
        assert not r.matched


def test_per_bank_threshold_disable_and_negative_bank(
    store: BankStore, photos: list[Path], tmp_path: Path
) -> None:
    p = photos[0]
    pdq = hash_path(p).first("pdq")
    assert pdq is not None
    edited = hash_content(FileContent(apply("resize_50", p.read_bytes())))
    d = hamming(pdq.value, edited.first("pdq").value)  # type: ignore[union-attr]
    assert 0 < d <= 31
    store.create("strict", pdq_threshold=d - 1)
    store.create("loose", pdq_threshold=31)
    e_strict = store.add_signal("strict", "pdq", pdq.value)
    e_loose = store.add_signal("loose", "pdq", pdq.value)
    m = Matcher(store, tmp_path / "index")
    assert [x.bank for x in m.match(edited).matches] == ["loose"]

    store.set_entry_enabled(e_loose.id, False, "false positive")
    m.refresh()
    assert m.match(edited).matches == []
    store.set_entry_enabled(e_loose.id, True)
    m.refresh()
    assert m.match(edited).matched

    store.create("benign", negative=True)
    store.add_signal("benign", "pdq", pdq.value)
    m.refresh()
    r = m.match(edited)
    assert not r.matched and [x.bank for x in r.suppressed] == ["loose"]
    assert r.negatives[0].bank == "benign"
    assert e_strict.id != e_loose.id


def test_entries_added_after_snapshot_match_without_rebuild(
    sqlite_store: BankStore, photos: list[Path], tmp_path: Path
) -> None:
    store = sqlite_store
    _bank(store, "b", photos[:2])
    build_snapshot(store, tmp_path / "index")
    for s in hash_path(photos[5]).signals:
        store.add_signal("b", s.type, s.value)
    m = Matcher(store, tmp_path / "index", auto_rebuild=False)
    assert m.snapshot_max_id < store.max_entry_id()
    assert m.match(hash_path(photos[5])).matched
    assert m.pdq.delta_size == 1


def test_disabled_bank_does_not_match(
    sqlite_store: BankStore, photos: list[Path], tmp_path: Path
) -> None:
    _bank(sqlite_store, "b", photos[:1])
    sqlite_store.set_bank_enabled("b", False)
    m = Matcher(sqlite_store, tmp_path / "index")
    assert not m.match(hash_path(photos[0])).matched


def test_vpdq_bank_matches_video(
    sqlite_store: BankStore, photos: list[Path], tmp_path: Path
) -> None:
    from tests.signals.test_vpdq import make_video

    video = make_video(tmp_path / "v.mp4", photos[:3])
    other = make_video(tmp_path / "o.mp4", photos[6:9])
    sig = hash_path(video).first("vpdq")
    assert sig is not None
    sqlite_store.create("videos")
    sqlite_store.add_signal("videos", "vpdq", sig.value)
    m = Matcher(sqlite_store, tmp_path / "index")
    r = m.match(hash_path(video))
    assert r.matched and r.matches[0].details["query_match_pct"] == pytest.approx(100.0)
    assert not m.match(hash_path(other)).matched


def test_low_quality_pdq_is_not_matched_by_default(sqlite_store: BankStore, tmp_path: Path) -> None:
    from PIL import Image

    flat_a, flat_b = tmp_path / "a.png", tmp_path / "b.png"
    Image.new("RGB", (200, 200), (10, 10, 10)).save(flat_a)
    Image.new("RGB", (300, 100), (250, 250, 250)).save(flat_b)
    sqlite_store.create("b")
    pdq = hash_path(flat_a).first("pdq")
    assert pdq is not None and pdq.quality is not None and pdq.quality < 50
    sqlite_store.add_signal("b", "pdq", pdq.value)
    m = Matcher(sqlite_store, tmp_path / "index")
    r = m.match(hash_path(flat_b))
    assert not r.matched and "not matched on PDQ" in r.notes[0]
    lenient = Matcher(sqlite_store, tmp_path / "index", match_low_quality=True)
    assert lenient.match(hash_path(flat_a)).matched
