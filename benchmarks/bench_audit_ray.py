"""The Ray engine on this machine: 2 workers against 1 on the same shards, and
the same outputs as the local engine.

Run: .venv/bin/python -m benchmarks.bench_audit_ray [--shards 32] [--per-shard 600]

A local Ray instance on loopback (started once, not timed). Each run is
``bulwark.audit.run.run_audit`` with ``engine="ray"`` into a fresh output
folder; the time is the whole audit (tasks, matcher start-up in each Ray
worker, checkpoints, outputs), so a fixed ~4 s of start-up (Ray Data's
planning, each worker importing Bulwark and loading its models) is in both
figures; enough shards are audited that it does not decide the ratio. Then
the local engine on the same shards, and a byte-for-byte comparison of the
removal lists and the rows.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq
import ray
from rich.console import Console
from rich.table import Table

from benchmarks.audit_data import dataset
from benchmarks.common import machine
from bulwark.audit.checkpoints import Checkpoints
from bulwark.audit.run import AuditConfig, run_audit


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shards", type=int, default=32)
    ap.add_argument("--per-shard", type=int, default=600)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _, opts = dataset(root, args.shards, args.per_shard)
        data = [root / "ds" / "webdataset"]
        ray.init(
            num_cpus=2, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1"
        )
        times = {}
        for workers in (1, 2, 1, 2):  # twice each, alternating; the better of two
            out = root / f"ray{workers}-{time.monotonic_ns()}"
            start = time.perf_counter()
            s = run_audit(
                AuditConfig(data, out, opts, engine="ray", workers=workers, progress=False)
            )
            took = time.perf_counter() - start
            if workers not in times or took < times[workers][0]:
                times[workers] = (took, out, s["samples"])
        ray.shutdown()
        local = root / "local"
        run_audit(AuditConfig(data, local, opts, workers=2, progress=False))
        same = pq.read_table(local / "removal.parquet").equals(
            pq.read_table(times[2][1] / "removal.parquet")
        ) and Checkpoints(local).rows().equals(Checkpoints(times[2][1]).rows())
    t = Table(title=f"Ray engine, {times[1][2]} samples in {args.shards} shards ({machine()})")
    for c in ("figure", "measured", "reference"):
        t.add_column(c)
    t.add_row("1 worker, s", f"{times[1][0]:.1f}", "")
    t.add_row("2 workers, s", f"{times[2][0]:.1f}", "")
    t.add_row("speed-up", f"{times[1][0] / times[2][0]:.2f}x", ">= 1.7x")
    t.add_row("outputs identical to the local engine", str(same), "True")
    Console().print(t)


if __name__ == "__main__":
    main()
