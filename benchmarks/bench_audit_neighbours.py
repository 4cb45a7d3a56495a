"""Neighbour expansion over 1M 768-dimension embeddings: exact and approximate.

Run: .venv/bin/python -m benchmarks.bench_audit_neighbours [--vectors 1000000] [--dims 768]

Embeddings are synthetic and clustered like real image embeddings (2,000
centres, Gaussian spread, unit length). 100 seeds are searched for their
k=10 nearest neighbours with the exact index (``IndexFlatIP``) and with the
approximate one the audit uses above its exact limit (IVF-Flat); for each:
build time, search time, memory added (resident set), and the approximate
index's recall@10 against exact search.
"""

from __future__ import annotations

import argparse
import time

import faiss
import numpy as np
import psutil
from rich.console import Console
from rich.table import Table

from benchmarks.common import machine
from bulwark.audit.neighbours import build_index, recall_at_k

K = 10


def clustered(n: int, d: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((2000, d)).astype(np.float32)
    out = np.empty((n, d), np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        out[start : start + m] = centres[rng.integers(0, len(centres), m)]
        out[start : start + m] += rng.standard_normal((m, d), dtype=np.float32) * 0.6
    faiss.normalize_L2(out)
    return out


def rss_gib() -> float:
    return psutil.Process().memory_info().rss / 2**30


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vectors", type=int, default=1_000_000)
    ap.add_argument("--dims", type=int, default=768)
    ap.add_argument("--queries", type=int, default=100)
    args = ap.parse_args()
    t0 = time.perf_counter()
    x = clustered(args.vectors, args.dims)
    made = time.perf_counter() - t0
    queries = x[np.random.default_rng(1).choice(len(x), args.queries, replace=False)]
    t = Table(
        title=f"{args.vectors:,} x {args.dims} embeddings ({x.nbytes / 2**30:.2f} GiB), "
        f"{args.queries} seeds, k={K} ({machine()})"
    )
    for c in ("index", "build s", "search s", "memory added GiB", f"recall@{K}", "reference"):
        t.add_column(c)
    results = {}
    for name, limit in (("exact", len(x)), ("approximate", 0)):
        before = rss_gib()
        start = time.perf_counter()
        index, label = build_index(x, exact_limit=limit)
        built = time.perf_counter() - start
        start = time.perf_counter()
        index.search(queries, K + 1)
        searched = time.perf_counter() - start
        added = rss_gib() - before
        recall = recall_at_k(index, x, queries, K) if name == "approximate" else 1.0
        results[name] = (label, built, searched, added, recall)
        del index
    for name, (label, built, searched, added, recall) in results.items():
        t.add_row(
            label,
            f"{built:.1f}",
            f"{searched:.2f}",
            f"{added:.2f}",
            f"{recall:.3f}",
            "exact is the reference" if name == "exact" else "recall vs exact, same run",
        )
    Console().print(t)
    Console().print(f"(generating the embeddings took {made:.1f} s; not counted above)")


if __name__ == "__main__":
    main()
