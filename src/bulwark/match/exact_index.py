"""Exact lookup for digest signals (MD5, SHA-1, SHA-256).

Digests are kept as one sorted fixed-width byte array (searched with binary
search, saved as .npy and memory-mapped back), so millions of them load
instantly and cost 16-32 bytes each instead of a Python object apiece.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


class ExactIndex:
    def __init__(self, digests: Sequence[str] = (), *, width: int = 32) -> None:
        self.width = width
        raw = np.array([bytes.fromhex(d) for d in digests], dtype=f"S{width}")
        order = np.argsort(raw, kind="stable")
        self._keys = raw[order]
        self._rows = order.astype(np.int64)
        self._delta: dict[bytes, list[int]] = {}
        self._count = len(raw)

    def __len__(self) -> int:
        return self._count

    def add(self, digests: Sequence[str]) -> range:
        start = self._count
        for i, d in enumerate(digests):
            self._delta.setdefault(bytes.fromhex(d), []).append(start + i)
        self._count += len(digests)
        return range(start, self._count)

    def lookup(self, digest: str) -> list[int]:
        """Rows whose digest equals ``digest`` (several banks may hold one)."""
        key = bytes.fromhex(digest)
        if len(key) != self.width:
            return []
        k = np.array([key], dtype=f"S{self.width}")
        lo = int(np.searchsorted(self._keys, k[0], side="left"))
        hi = int(np.searchsorted(self._keys, k[0], side="right"))
        return [int(r) for r in self._rows[lo:hi]] + self._delta.get(key, [])

    def save(self, directory: Path, name: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        keys, rows = self._keys, self._rows
        if self._delta:
            extra = [(k, r) for k, rs in self._delta.items() for r in rs]
            ek = np.array([k for k, _ in extra], dtype=f"S{self.width}")
            er = np.array([r for _, r in extra], dtype=np.int64)
            keys, rows = np.concatenate([keys, ek]), np.concatenate([rows, er])
            order = np.argsort(keys, kind="stable")
            keys, rows = keys[order], rows[order]
        np.save(directory / f"{name}.keys.npy", keys)
        np.save(directory / f"{name}.rows.npy", rows)

    @classmethod
    def load(cls, directory: Path, name: str, *, width: int) -> ExactIndex:
        idx = cls(width=width)
        idx._keys = np.load(directory / f"{name}.keys.npy", mmap_mode="r")
        idx._rows = np.load(directory / f"{name}.rows.npy", mmap_mode="r")
        idx._count = len(idx._keys)
        return idx
