"""Hashing throughput: Bulwark exact and fast mode vs threatexchange's PdqSignal.

Run: .venv/bin/python -m benchmarks.bench_hashing
Prints images/s per core for each, bit-identity of exact mode with the
reference, and how far fast mode's hashes move from exact mode.
"""

from __future__ import annotations

import time

import numpy as np
from rich.console import Console
from rich.table import Table
from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_file
from threatexchange.signal_type.pdq.signal import PdqSignal

from benchmarks.common import corpus_photos, machine
from bulwark.signals.base import FileContent
from bulwark.signals.pdq import PDQSignal, hamming

REPEATS = 3


def _rate(fn, paths) -> tuple[float, list]:  # type: ignore[no-untyped-def]
    best = float("inf")
    out = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        out = [fn(p) for p in paths]
        best = min(best, time.perf_counter() - t)
    return len(paths) / best, out


def main() -> None:
    photos = corpus_photos()
    ref_rate, _ = _rate(PdqSignal.hash_from_file, photos)
    _, ref = zip(*[(p, pdq_from_file(p)) for p in photos], strict=True)

    def ours(fast: bool):  # type: ignore[no-untyped-def]
        def f(p):  # type: ignore[no-untyped-def]
            s = PDQSignal.compute(FileContent(p.read_bytes(), fast=fast))[0]
            return s.value, s.quality

        return f

    exact_rate, exact = _rate(ours(False), photos)
    fast_rate, fast = _rate(ours(True), photos)
    identical = sum(e == r for e, r in zip(exact, ref, strict=True))
    dists = np.array([hamming(e[0], f[0]) for e, f in zip(exact, fast, strict=True)])
    good = np.array([e[1] >= 80 for e in exact])
    within = int(np.sum(dists[good] <= 10))
    jpeg = np.array([p.suffix == ".jpg" for p in photos])

    t = Table(title=f"PDQ hashing on {len(photos)} corpus photos ({machine()}, 1 process)")
    for c in ("hasher", "images/s", "vs reference", "note"):
        t.add_column(c)
    t.add_row("threatexchange PdqSignal.hash_from_file", f"{ref_rate:.1f}", "1.00x", "reference")
    t.add_row(
        "bulwark exact",
        f"{exact_rate:.1f}",
        f"{exact_rate / ref_rate:.2f}x",
        f"bit-identical on {identical}/{len(photos)}",
    )
    t.add_row(
        "bulwark fast (JPEG draft)",
        f"{fast_rate:.1f}",
        f"{fast_rate / ref_rate:.2f}x",
        f"quality>=80 within distance 10: {within}/{int(good.sum())} "
        f"({100 * within / max(1, good.sum()):.1f}%)",
    )
    console = Console(width=140)
    console.print(t)
    console.print(
        f"fast-vs-exact distance: median {np.median(dists):.0f}, max {dists.max()}, "
        f"JPEG-only max {dists[jpeg].max()}; targets: exact bit-identical, fast >= 5x the "
        "reference and >= 99% of quality>=80 images within 10"
    )


if __name__ == "__main__":
    main()
