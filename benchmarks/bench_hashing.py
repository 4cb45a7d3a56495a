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
    identical = [e == r for e, r in zip(exact, ref, strict=True)]
    dists = np.array([hamming(e[0], f[0]) for e, f in zip(exact, fast, strict=True)])
    good = np.array([e[1] >= 80 for e in exact])

    t = Table(title=f"PDQ hashing on {len(photos)} corpus photos ({machine()}, 1 process)")
    for c in ("hasher", "subset", "images/s", "vs reference", "note"):
        t.add_column(c)
    subsets = {"all": [True] * len(photos)} | {
        ext: [p.suffix == f".{ext}" for p in photos] for ext in ("jpg", "png", "webp")
    }
    for name, mask in subsets.items():
        chosen = [p for p, m in zip(photos, mask, strict=True) if m]
        if name == "all":
            r_ref, r_exact, r_fast = ref_rate, exact_rate, fast_rate
        else:
            r_ref = _rate(PdqSignal.hash_from_file, chosen)[0]
            r_exact = _rate(ours(False), chosen)[0]
            r_fast = _rate(ours(True), chosen)[0]
        sel = np.array(mask)
        n_good = int((good & sel).sum())
        n_within = int(np.sum((dists <= 10) & good & sel))
        t.add_row("threatexchange PdqSignal.hash_from_file", name, f"{r_ref:.1f}", "1.00x", "")
        t.add_row(
            "bulwark exact",
            name,
            f"{r_exact:.1f}",
            f"{r_exact / r_ref:.2f}x",
            f"bit-identical {int(np.sum(np.array(identical) & sel))}/{len(chosen)}",
        )
        t.add_row(
            "bulwark fast",
            name,
            f"{r_fast:.1f}",
            f"{r_fast / r_ref:.2f}x",
            f"quality>=80 within 10: {n_within}/{n_good} ({100 * n_within / max(1, n_good):.1f}%), "
            f"max distance {dists[sel].max()}",
            end_section=True,
        )
    console = Console(width=160)
    console.print(t)
    console.print(
        f"fast-vs-exact distance, all photos: median {np.median(dists):.0f}, max {dists.max()} "
        f"(max among quality>=80: {dists[good].max()}); targets: exact bit-identical, fast >= 5x "
        "the reference and >= 99% of quality>=80 images within 10"
    )


if __name__ == "__main__":
    main()
