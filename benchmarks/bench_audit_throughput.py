"""Audit throughput per core on 512-px JPEGs in WebDataset shards.

Run: .venv/bin/python -m benchmarks.bench_audit_throughput [--shards 4] [--per-shard 300]

A synthetic WebDataset (``bulwark.audit.synthetic``) from ``../shared/corpus/photos``
at 512 px, with transformed copies of 5 known photos planted. One process, one
core (threads pinned to 1): the hashing + matching + caption path (MD5,
SHA-256, fast PDQ, bank lookup, child-safety caption policy), then the
provenance and nudity stages added one at a time and reported separately
(nudity on one shard: NudeNet is the slow one).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from rich.console import Console
from rich.table import Table
from threadpoolctl import threadpool_limits

from benchmarks.audit_data import dataset
from benchmarks.common import machine
from bulwark.audit.readers import discover
from bulwark.audit.stages import AuditOptions, Auditor


def rate(opts: AuditOptions, shards: list) -> tuple[float, int, int]:  # type: ignore[type-arg]
    auditor = Auditor(opts)
    auditor.run(shards[0])  # warm-up: models loaded, index mapped
    start = time.perf_counter()
    n = hits = 0
    for s in shards:
        r = auditor.run(s)
        n += len(r.rows)
        hits += sum(1 for row in r.rows if row["banks"])
    return n / (time.perf_counter() - start), n, hits


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--per-shard", type=int, default=300)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, threadpool_limits(1):
        syn, opts = dataset(Path(tmp), args.shards, args.per_shard)
        shards = discover([Path(tmp) / "ds" / "webdataset"]).shards
        t = Table(title=f"Audit stages on 512-px JPEG WebDataset shards, one core ({machine()})")
        for c in ("stages", "samples", "samples/s", "bank hits", "reference"):
            t.add_column(c)
        base, n, hits = rate(opts, shards)
        t.add_row(
            "hash + match + caption",
            str(n),
            f"{base:.0f}",
            f"{hits} (planted {len(syn.planted)})",
            ">= 150 per core",
        )
        prov, n, _ = rate(dataclasses.replace(opts, provenance=True), shards)
        t.add_row(
            "+ provenance",
            str(n),
            f"{prov:.0f}",
            "",
            f"stage alone: {1000 / prov - 1000 / base:.1f} ms/sample",
        )
        nud, n, _ = rate(dataclasses.replace(opts, nudity=True), shards[:1])
        t.add_row(
            "+ nudity (1 shard)",
            str(n),
            f"{nud:.1f}",
            "",
            f"stage alone: {1000 / nud - 1000 / base:.0f} ms/sample",
        )
        Console().print(t)


if __name__ == "__main__":
    main()
