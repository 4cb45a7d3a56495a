"""Answer "which bank entries does this content match?" for whole files.

Index snapshots are built from the bank store into a directory and memory-
mapped on open; entries added after the snapshot are read from the database
into each index's delta, and disabled entries or banks are filtered at query
time, so neither an addition nor a disable needs a rebuild.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bulwark.banks.model import Bank, BankEntry
from bulwark.banks.store import BankStore
from bulwark.locks import exclusive_file_lock
from bulwark.match.exact_index import ExactIndex
from bulwark.match.pdq_index import PDQHashIndex, hex_to_words
from bulwark.match.vpdq_match import VPDQCriteria, VPDQIndex
from bulwark.signals.hashing import FileHashes
from bulwark.signals.pdq import QUALITY_THRESHOLD
from bulwark.signals.vpdq import value_to_features

DIGESTS = {"md5": 16, "sha1": 20, "sha256": 32}
SNAPSHOT_VERSION = 2
#: Rebuild the snapshot on open once this many entries wait in the delta.
AUTO_REBUILD_DELTA = 20_000


@dataclass(frozen=True)
class Match:
    """One bank entry matched by one query signal. Carries no bank hash value."""

    bank: str
    entry_id: int
    signal_type: str
    distance: int
    negative: bool
    category: str | None
    ncmec_classification: str | None
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass
class MatchResult:
    name: str
    matches: list[Match] = field(default_factory=list)
    suppressed: list[Match] = field(default_factory=list)
    negatives: list[Match] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    hashes: FileHashes | None = None

    @property
    def matched(self) -> bool:
        return bool(self.matches)


class _Segment:
    """An index plus, per row, the bank entry and bank it stands for."""

    def __init__(self, entry_ids: np.ndarray, bank_ids: np.ndarray) -> None:
        self.entry_ids = entry_ids
        self.bank_ids = bank_ids

    def append(self, entry_ids: Sequence[int], bank_ids: Sequence[int]) -> None:
        self.entry_ids = np.concatenate([self.entry_ids, np.asarray(entry_ids, np.int64)])
        self.bank_ids = np.concatenate([self.bank_ids, np.asarray(bank_ids, np.int64)])


def build_snapshot(store: BankStore, directory: Path) -> dict[str, int]:
    """Write every PDQ and digest entry to an index snapshot (atomically replaced)."""
    directory = directory.resolve()
    tmp = directory.with_name(directory.name + ".building")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    max_id = store.max_entry_id()
    counts: dict[str, int] = {}
    for st in ["pdq", *DIGESTS]:
        values: list[str] = []
        eids: list[int] = []
        bids: list[int] = []
        for e in store.iter_entries(signal_type=st):
            if e.id > max_id:
                break
            values.append(e.value)
            eids.append(e.id)
            bids.append(e.bank_id)
        counts[st] = len(values)
        np.save(tmp / f"{st}.entry_ids.npy", np.asarray(eids, np.int64))
        np.save(tmp / f"{st}.bank_ids.npy", np.asarray(bids, np.int64))
        if st == "pdq":
            PDQHashIndex(hex_to_words(values)).save(tmp / "pdq")
        else:
            ExactIndex(values, width=DIGESTS[st]).save(tmp, st)
    meta = {"version": SNAPSHOT_VERSION, "max_entry_id": max_id, "built_at": time.time()}
    (tmp / "snapshot.json").write_text(json.dumps({**meta, "counts": counts}))
    old = directory.with_name(directory.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if directory.exists():
        directory.rename(old)
    tmp.rename(directory)
    shutil.rmtree(old, ignore_errors=True)
    return counts


class Matcher:
    def __init__(
        self,
        store: BankStore,
        index_dir: Path,
        *,
        vpdq_criteria: VPDQCriteria | None = None,
        auto_rebuild: bool = True,
        match_low_quality: bool = False,
    ) -> None:
        self.store = store
        #: Flat or featureless images hash to near-identical low-quality PDQs that
        #: "match" each other; like threatexchange, we do not match on them by default.
        self.match_low_quality = match_low_quality
        self.index_dir = index_dir
        self.vpdq_criteria = vpdq_criteria or VPDQCriteria()
        self._open(auto_rebuild)

    # -- loading -------------------------------------------------------------
    def _snapshot_ok(self) -> bool:
        meta_path = self.index_dir / "snapshot.json"
        if not meta_path.exists():
            return False
        meta = json.loads(meta_path.read_text())
        return bool(meta.get("version") == SNAPSHOT_VERSION)

    def _open(self, auto_rebuild: bool) -> None:
        # Several processes (API processes, workers) may open the same index at
        # start-up: one builds a missing or stale snapshot while the others wait,
        # instead of building over each other.
        lock = self.index_dir.with_name(self.index_dir.name + ".lock")
        with exclusive_file_lock(lock):
            self._open_locked(auto_rebuild)

    def _open_locked(self, auto_rebuild: bool) -> None:
        if not self._snapshot_ok():
            build_snapshot(self.store, self.index_dir)
        meta = json.loads((self.index_dir / "snapshot.json").read_text())
        if auto_rebuild and self.store.max_entry_id() - meta["max_entry_id"] > AUTO_REBUILD_DELTA:
            build_snapshot(self.store, self.index_dir)
            meta = json.loads((self.index_dir / "snapshot.json").read_text())
        self.snapshot_max_id = int(meta["max_entry_id"])
        d = self.index_dir
        self.pdq = PDQHashIndex.load(d / "pdq")
        self.exact = {st: ExactIndex.load(d, st, width=w) for st, w in DIGESTS.items()}
        self.segments = {
            st: _Segment(
                np.load(d / f"{st}.entry_ids.npy", mmap_mode="r"),
                np.load(d / f"{st}.bank_ids.npy", mmap_mode="r"),
            )
            for st in ["pdq", *DIGESTS]
        }
        self.refresh()

    def refresh(self) -> None:
        """Pick up banks, disables and entries added since the last look."""
        self.banks: dict[int, Bank] = {b.id: b for b in self.store.banks(counts=False)}
        self.disabled = self.store.disabled_entry_ids()
        last = max(
            [self.snapshot_max_id]
            + [int(s.entry_ids[-1]) for s in self.segments.values() if len(s.entry_ids)]
        )
        for e in self.store.iter_entries(after_id=last):
            self._add_entry(e)
        self._load_vpdq()

    def _add_entry(self, e: BankEntry) -> None:
        if e.signal_type == "pdq":
            self.pdq.add(hex_to_words([e.value]))
        elif e.signal_type in DIGESTS:
            self.exact[e.signal_type].add([e.value])
        else:
            return
        self.segments[e.signal_type].append([e.id], [e.bank_id])

    def _load_vpdq(self) -> None:
        entries = list(self.store.iter_entries(signal_type="vpdq"))
        self.vpdq_entries = entries
        self.vpdq = VPDQIndex([value_to_features(e.value) for e in entries], self.vpdq_criteria)

    # -- matching ------------------------------------------------------------
    def pdq_threshold(self, bank_name: str) -> int:
        return next((b.pdq_threshold for b in self.banks.values() if b.name == bank_name), 31)

    @property
    def max_pdq_threshold(self) -> int:
        return max((b.pdq_threshold for b in self.banks.values() if b.enabled), default=31)

    def _make(
        self, st: str, entry_id: int, bank_id: int, distance: int, slack: int = 0, **details: Any
    ) -> Match | None:
        bank = self.banks.get(bank_id)
        if bank is None or not bank.enabled or entry_id in self.disabled:
            return None
        if st in {"pdq", "vpdq"} and distance > bank.pdq_threshold + slack:
            return None
        return Match(
            bank.name,
            entry_id,
            st,
            distance,
            bank.is_negative,
            bank.category,
            bank.ncmec_classification,
            details,
        )

    def match(self, hashes: FileHashes, *, slack: int = 0) -> MatchResult:
        return self.match_many([hashes], slack=slack)[0]

    def match_many(self, files: Sequence[FileHashes], *, slack: int = 0) -> list[MatchResult]:
        """Match a batch; all PDQ lookups of the batch go to the index at once.

        ``slack`` widens every bank's PDQ threshold: for hashes known to lie
        within that many bits of the reference (fast-mode hashes), whose
        candidates the caller then confirms with reference hashes."""
        found: list[list[Match]] = [[] for _ in files]
        notes: list[list[str]] = [[] for _ in files]
        pdq_rows: list[tuple[int, str, dict[str, Any]]] = []
        for i, fh in enumerate(files):
            for s in fh.signals:
                if s.type == "pdq":
                    low = s.quality is not None and s.quality < QUALITY_THRESHOLD
                    if low and not self.match_low_quality:
                        note = f"PDQ quality {s.quality} < {QUALITY_THRESHOLD}: not matched on PDQ"
                        if note not in notes[i]:
                            notes[i].append(note)
                        continue
                    pdq_rows.append((i, s.value, dict(s.details)))
                elif s.type in DIGESTS:
                    seg = self.segments[s.type]
                    for row in self.exact[s.type].lookup(s.value):
                        m = self._make(s.type, int(seg.entry_ids[row]), int(seg.bank_ids[row]), 0)
                        if m:
                            found[i].append(m)
                elif s.type == "vpdq":
                    for vm in self.vpdq.query(value_to_features(s.value)):
                        e = self.vpdq_entries[vm.video]
                        m = self._make(
                            "vpdq",
                            e.id,
                            e.bank_id,
                            0,
                            query_match_pct=vm.query_match_pct,
                            compared_match_pct=vm.compared_match_pct,
                        )
                        if m:
                            found[i].append(m)
        if pdq_rows:
            res = self.pdq.search(
                hex_to_words([v for _, v, _ in pdq_rows]), self.max_pdq_threshold + slack
            )
            seg = self.segments["pdq"]
            for q, row, dist in zip(res.query, res.index, res.distance, strict=True):
                fi, _, det = pdq_rows[int(q)]
                m = self._make(
                    "pdq", int(seg.entry_ids[row]), int(seg.bank_ids[row]), int(dist), slack, **det
                )
                if m:
                    found[fi].append(m)
        return [self._result(fh, ms, ns) for fh, ms, ns in zip(files, found, notes, strict=True)]

    @staticmethod
    def _result(fh: FileHashes, ms: list[Match], notes: list[str]) -> MatchResult:
        best: dict[tuple[str, int], Match] = {}
        for m in ms:  # one match per entry: the closest variant wins
            key = (m.bank, m.entry_id)
            if key not in best or m.distance < best[key].distance:
                best[key] = m
        uniq = sorted(best.values(), key=lambda m: (m.distance, m.bank, m.entry_id))
        negatives = [m for m in uniq if m.negative]
        positives = [m for m in uniq if not m.negative]
        r = MatchResult(
            fh.name, errors=list(fh.errors), notes=notes, hashes=fh, negatives=negatives
        )
        if negatives:
            r.suppressed = positives
        else:
            r.matches = positives
        return r
