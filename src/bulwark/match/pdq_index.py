"""Exact PDQ range index that persists to disk and memory-maps back in.

An index is one immutable multi-index-hashing segment (built in one go, saved
as plain ``.npy`` arrays, loaded with ``mmap_mode="r"`` so start-up does no
work and pages are shared between processes) plus an append-only delta that is
scanned linearly. Additions go to the delta; ``compact()`` folds it in.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from bulwark.errors import SignalError
from bulwark.match import hamming_kernels as hk

N_CHUNKS = 11  # 256 bits -> 3 chunks of 24 bits + 8 of 23; r = t // 11 is 2 at t = 31
CHUNK_LENS = np.array([24, 24, 24] + [23] * 8, dtype=np.int64)
CHUNK_STARTS = np.concatenate([[0], np.cumsum(CHUNK_LENS)[:-1]]).astype(np.int64)
MAX_MIH_RADIUS = 3  # beyond this many probes per chunk a linear scan is cheaper
MAX_MIH_THRESHOLD = N_CHUNKS * (MAX_MIH_RADIUS + 1) - 1
_FIRST_CAP = 32
FORMAT_VERSION = 2


def hex_to_words(hexes: Sequence[str]) -> np.ndarray:
    """PDQ hex strings as an (N, 4) little-endian uint64 array."""
    if not hexes:
        return np.zeros((0, 4), dtype=np.uint64)
    try:
        raw = bytes.fromhex("".join(hexes))
    except ValueError as exc:
        raise SignalError(f"PDQ hashes must be hexadecimal: {exc}") from exc
    if len(raw) != 32 * len(hexes):
        raise SignalError("every PDQ hash must be 64 hex characters")
    return np.frombuffer(raw, dtype="<u8").reshape(-1, 4).astype(np.uint64)


def words_to_hex(words: np.ndarray) -> list[str]:
    raw = np.ascontiguousarray(words, dtype="<u8").tobytes()
    return [raw[i : i + 32].hex() for i in range(0, len(raw), 32)]


def _hi_bits_for(n: int) -> int:
    """High bits addressed directly: buckets of ~16 entries, tables of <= 4 MB."""
    return int(min(20, max(16, math.floor(math.log2(max(n, 2))) - 4)))


def _masks(hi_bits: int, radius: int) -> tuple[np.ndarray, np.ndarray]:
    masks: list[int] = []
    bits: list[int] = []
    for k in range(radius + 1):
        for combo in itertools.combinations(range(hi_bits), k):
            masks.append(sum(1 << b for b in combo))
            bits.append(k)
    return np.array(masks, dtype=np.uint64), np.array(bits, dtype=np.int64)


@dataclass
class _Tables:
    """One table per chunk, slots sorted by chunk value.

    Each slot packs the row in ``hashes`` with the chunk's bits below ``hi_bits``
    (``row << 8 | low``): one 4-byte read filters a candidate and finds its row,
    and at 10M hashes the tables take 440 MB instead of 550 MB as separate arrays.
    """

    hi_bits: int
    offsets: np.ndarray  # (m, 2**hi_bits + 1) uint32/uint64: slot range of each high value
    slots: np.ndarray  # (m, N) uint32 (uint64 from 2**24 rows): row << 8 | low bits


def _build_tables(hashes: np.ndarray) -> _Tables:
    n = hashes.shape[0]
    hi_bits = _hi_bits_for(n)
    chunks = hk.chunk_values(hashes, CHUNK_STARTS, CHUNK_LENS)
    offsets = np.empty((N_CHUNKS, (1 << hi_bits) + 1), dtype=np.uint32 if n < 2**32 else np.uint64)
    slot_type = np.uint32 if n < 2**24 else np.uint64
    slots = np.empty((N_CHUNKS, n), dtype=slot_type)
    probe = np.arange((1 << hi_bits) + 1, dtype=np.uint64)
    for c in range(N_CHUNKS):
        lo_bits = int(CHUNK_LENS[c]) - hi_bits
        order = np.argsort(chunks[c], kind="stable")
        sorted_vals = chunks[c][order]
        low = (sorted_vals & np.uint32((1 << lo_bits) - 1)).astype(slot_type)
        row = slots[c]
        row[:] = order
        np.left_shift(row, 8, out=row)
        np.bitwise_or(row, low, out=row)
        offsets[c] = np.searchsorted(sorted_vals >> np.uint32(lo_bits), probe)
        del order, sorted_vals, low
    return _Tables(hi_bits, offsets, slots)


@dataclass(frozen=True)
class RangeResult:
    """Flat results of a batch: query row, index row and distance per hit."""

    query: np.ndarray
    index: np.ndarray
    distance: np.ndarray

    def for_query(self, i: int) -> list[tuple[int, int]]:
        sel = self.query == i
        return list(zip(self.index[sel].tolist(), self.distance[sel].tolist(), strict=True))


def _flatten(
    counts: np.ndarray, idx: np.ndarray, dist: np.ndarray, offset: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    cap = idx.shape[1]
    take = np.minimum(counts, cap)
    mask = np.arange(cap)[None, :] < take[:, None]
    q = np.nonzero(mask)[0]
    return q, idx[mask] + offset, dist[mask].astype(np.int64)


class PDQHashIndex:
    """Exact Hamming range search over PDQ hashes (results equal brute force)."""

    def __init__(self, hashes: np.ndarray | None = None, *, _tables: _Tables | None = None):
        base = np.zeros((0, 4), np.uint64) if hashes is None else hashes
        if base.ndim != 2 or base.shape[1] != 4:
            raise ValueError("hashes must be an (N, 4) uint64 array")
        self._base = base
        self._tables = _tables if _tables is not None or len(base) == 0 else _build_tables(base)
        self._delta_chunks: list[np.ndarray] = []
        self._delta: np.ndarray = np.zeros((0, 4), np.uint64)

    # -- size and growth -----------------------------------------------------
    def __len__(self) -> int:
        return int(self._base.shape[0] + self._delta_len())

    def _delta_len(self) -> int:
        return int(self._delta.shape[0] + sum(c.shape[0] for c in self._delta_chunks))

    @property
    def delta_size(self) -> int:
        return self._delta_len()

    def add(self, hashes: np.ndarray) -> range:
        """Append hashes (searchable at once, without a rebuild); returns their rows."""
        start = len(self)
        if hashes.shape[0]:
            self._delta_chunks.append(np.ascontiguousarray(hashes, dtype=np.uint64))
        return range(start, start + hashes.shape[0])

    def _delta_array(self) -> np.ndarray:
        if self._delta_chunks:
            self._delta = np.concatenate([self._delta, *self._delta_chunks])
            self._delta_chunks.clear()
        return self._delta

    def compact(self) -> None:
        """Fold the delta into a fresh multi-index segment."""
        delta = self._delta_array()
        if delta.shape[0]:
            self._base = np.concatenate([np.asarray(self._base), delta])
            self._delta = np.zeros((0, 4), np.uint64)
            self._tables = _build_tables(self._base)

    # -- search --------------------------------------------------------------
    def search(self, queries: np.ndarray, threshold: int) -> RangeResult:
        """Every stored hash within ``threshold`` of each query row."""
        if queries.ndim != 2 or queries.shape[1] != 4:
            raise ValueError("queries must be an (B, 4) uint64 array")
        queries = np.ascontiguousarray(queries, dtype=np.uint64)
        parts = []
        if self._base.shape[0]:
            parts.append(self._search_base(queries, threshold))
        delta = self._delta_array()
        if delta.shape[0]:
            parts.append(
                self._run(
                    lambda q, cap: hk.brute_query_batch(q, delta, threshold, cap),
                    queries,
                    self._base.shape[0],
                )
            )
        if not parts:
            empty = np.zeros(0, np.int64)
            return RangeResult(empty, empty, empty)
        return RangeResult(*(np.concatenate(x) for x in zip(*parts, strict=True)))

    def search_hex(self, hexes: Sequence[str], threshold: int) -> RangeResult:
        return self.search(hex_to_words(hexes), threshold)

    def _search_base(
        self, queries: np.ndarray, threshold: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        base = self._base
        if threshold > MAX_MIH_THRESHOLD or self._tables is None:
            return self._run(lambda q, cap: hk.brute_query_batch(q, base, threshold, cap), queries)
        t = self._tables
        masks, mask_bits = _masks(t.hi_bits, threshold // N_CHUNKS)
        return self._run(
            lambda q, cap: hk.mih_query_batch(
                q,
                base,
                t.offsets,
                t.slots,
                CHUNK_STARTS,
                CHUNK_LENS,
                t.hi_bits,
                threshold,
                masks,
                mask_bits,
                cap,
            ),
            queries,
        )

    @staticmethod
    def _run(
        kernel: object, queries: np.ndarray, offset: int = 0
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Run with a small result buffer; re-ask only the rows that overflowed."""
        run = kernel  # typed as object to keep numba's dispatchers out of mypy's way
        counts, idx, dist = run(queries, _FIRST_CAP)  # type: ignore[operator]
        q, i, d = _flatten(counts, idx, dist, offset)
        over = np.nonzero(counts > _FIRST_CAP)[0]
        if over.size:
            keep = ~np.isin(q, over)
            q, i, d = q[keep], i[keep], d[keep]
            c2, idx2, dist2 = run(queries[over], int(counts[over].max()))  # type: ignore[operator]
            q2, i2, d2 = _flatten(c2, idx2, dist2, offset)
            q, i, d = (
                np.concatenate([q, over[q2]]),
                np.concatenate([i, i2]),
                np.concatenate([d, d2]),
            )
        return q, i, d

    # -- persistence ---------------------------------------------------------
    def save(self, directory: Path) -> None:
        """Write the index (delta folded in) as .npy files plus a small manifest."""
        self.compact()
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / "hashes.npy", np.asarray(self._base))
        if self._tables is not None:
            np.save(directory / "offsets.npy", self._tables.offsets)
            np.save(directory / "slots.npy", self._tables.slots)
        meta = {
            "format": FORMAT_VERSION,
            "count": int(self._base.shape[0]),
            "hi_bits": self._tables.hi_bits if self._tables else None,
            "chunk_lens": CHUNK_LENS.tolist(),
        }
        (directory / "pdq_index.json").write_text(json.dumps(meta))

    @classmethod
    def load(cls, directory: Path, *, mmap: bool = True) -> PDQHashIndex:
        meta = json.loads((directory / "pdq_index.json").read_text())
        if meta.get("format") != FORMAT_VERSION or meta.get("chunk_lens") != CHUNK_LENS.tolist():
            raise ValueError(f"{directory}: index format not understood; rebuild it")
        mode: Literal["r"] | None = "r" if mmap else None
        hashes = np.load(directory / "hashes.npy", mmap_mode=mode)
        tables = None
        if meta["hi_bits"] is not None:
            tables = _Tables(
                int(meta["hi_bits"]),
                np.load(directory / "offsets.npy", mmap_mode=mode),
                np.load(directory / "slots.npy", mmap_mode=mode),
            )
        return cls(hashes, _tables=tables)


def brute_force(hashes: np.ndarray, queries: np.ndarray, threshold: int) -> RangeResult:
    """Reference answer in plain numpy (slow; for tests and recall checks)."""
    qs, idx, dist = [], [], []
    bits = np.unpackbits(hashes.view(np.uint8), axis=1)
    for j, q in enumerate(queries):
        qb = np.unpackbits(q.view(np.uint8))
        d = np.count_nonzero(bits != qb, axis=1)
        hit = np.nonzero(d <= threshold)[0]
        qs.append(np.full(hit.size, j))
        idx.append(hit)
        dist.append(d[hit])
    if not qs:
        e = np.zeros(0, np.int64)
        return RangeResult(e, e, e)
    return RangeResult(np.concatenate(qs), np.concatenate(idx), np.concatenate(dist))
