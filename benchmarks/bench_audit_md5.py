"""1M LAION-layout metadata rows carrying only an MD5, against a 1M-entry MD5 bank.

Run: .venv/bin/python -m benchmarks.bench_audit_md5 [--rows 1000000] [--bank 1000000]

Builds (not timed) a bank of ``--bank`` random MD5s with its index snapshot,
and ``--rows`` metadata rows in 10 Parquet shards (``url``, ``caption``,
``similarity``, ``punsafe``, ``pwatermark``, ``md5``; no image bytes) of which
1,000 carry an MD5 from the bank. Then times ``bulwark audit`` end to end —
reading, matching, per-shard checkpoints, outputs and the HTML report — with
the local engine on 2 workers, captions off (they are a separate stage), and
checks that exactly the planted rows are on the removal list.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table

from benchmarks.common import machine
from bulwark.audit.run import AuditConfig, run_audit
from bulwark.audit.stages import AuditOptions
from bulwark.banks.model import NewEntry
from bulwark.banks.store import BankStore
from bulwark.match.matcher import build_snapshot
from bulwark.store.db import Database

PLANTED = 1000
SHARDS = 10


def md5s(n: int) -> list[str]:
    return [os.urandom(16).hex() for _ in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--bank", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        db = Database(f"sqlite:///{root / 'banks.db'}")
        store = BankStore(db)
        store.create("hotline_md5", category="child_safety.known_csam")
        bank = md5s(args.bank)
        for i in range(0, len(bank), 100_000):
            store.add_entries("hotline_md5", [NewEntry("md5", v) for v in bank[i : i + 100_000]])
        build_snapshot(store, root / "index")
        setup_bank = time.perf_counter() - t0
        per = args.rows // SHARDS
        planted = set(bank[:PLANTED])
        (root / "meta").mkdir()
        for n in range(SHARDS):
            values = md5s(per)
            if n == 0:
                values[: len(planted)] = sorted(planted)
            pq.write_table(
                pa.table(
                    {
                        "key": [f"{n:02d}{i:07d}" for i in range(per)],
                        "url": [f"https://images.example/{n}/{i}.jpg" for i in range(per)],
                        "caption": ["a photo"] * per,
                        "similarity": [0.3] * per,
                        "punsafe": [0.01] * per,
                        "pwatermark": [0.1] * per,
                        "md5": values,
                    }
                ),
                root / "meta" / f"metadata_{n}.parquet",
            )
        opts = AuditOptions(
            banks=("hotline_md5",),
            db_url=db.url,
            index_dir=str(root / "index"),
            captions=False,
        )
        start = time.perf_counter()
        s = run_audit(
            AuditConfig([root / "meta"], root / "out", opts, workers=args.workers, progress=True)
        )
        took = time.perf_counter() - start
        removal = pq.read_table(root / "out" / "removal.parquet")
        found = set(removal.column("md5").to_pylist())
        db.dispose()
    t = Table(title=f"MD5-only metadata rows against an MD5 bank ({machine()})")
    for c in ("figure", "measured", "reference"):
        t.add_column(c)
    t.add_row("rows / bank entries", f"{s['samples']:,} / {args.bank:,}", "1,000,000 / 1,000,000")
    t.add_row("audit wall time, s", f"{took:.1f}", "< 60")
    t.add_row("rows per second", f"{s['samples'] / took:,.0f}", "> 16,667")
    t.add_row("planted rows on the removal list", f"{len(found & planted):,} of {PLANTED:,}", "all")
    t.add_row("other rows on it", f"{len(found - planted):,}", "0")
    t.add_row("(bank + snapshot set-up, not timed), s", f"{setup_bank:.1f}", "")
    Console().print(t)


if __name__ == "__main__":
    main()
