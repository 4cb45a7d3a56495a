"""PDQ matching at scale: Bulwark's index vs threatexchange's PDQIndex.

Run: .venv/bin/python -m benchmarks.bench_match_index --n 1000000 [--n 10000000]
Random hashes with planted near-duplicates (0-31 bits flipped). Each side is
measured in its own subprocess so resident memory (peak RSS) is its own.
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.common import machine

N_QUERIES = 2000
N_SINGLE = 300


def make_data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    hashes = rng.integers(0, 2**64, size=(n, 4), dtype=np.uint64)
    picks = rng.integers(0, n, N_QUERIES // 2)
    planted = hashes[picks].copy()
    for row in planted:
        for bit in rng.choice(256, int(rng.integers(0, 32)), replace=False):
            row[bit // 64] ^= np.uint64(1) << np.uint64(bit % 64)
    randoms = rng.integers(0, 2**64, size=(N_QUERIES - len(picks), 4), dtype=np.uint64)
    return hashes, np.concatenate([planted, randoms]), picks


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM).

    Not ``ru_maxrss``: on Linux a child started by fork+exec inherits the forking
    parent's peak there, which made the serving process look 0.7 GB larger.
    """
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(n: int, workdir: Path) -> dict[str, float]:
    from bulwark.match import hamming_kernels as hk
    from bulwark.match.pdq_index import PDQHashIndex

    hashes, queries, picks = make_data(n)
    t = time.perf_counter()
    idx = PDQHashIndex(hashes)
    build = time.perf_counter() - t
    idx.save(workdir / "idx")
    np.save(workdir / "queries.npy", queries)
    np.save(workdir / "picks.npy", picks)
    del idx, hashes
    # Recall needs the truth: an exact linear scan over the saved hashes.
    base = np.load(workdir / "idx" / "hashes.npy", mmap_mode="r")
    truth = hk.brute_query_batch(queries[:500], np.asarray(base), 31, 64)[0].sum()
    del base
    out = {"build_s": build, "truth_hits": float(truth)}
    # Load + query in a fresh process so RSS counts only what serving needs.
    code = (
        "import json,time,resource,numpy as np,sys\n"
        "from bulwark.match.pdq_index import PDQHashIndex\n"
        "q=np.load(sys.argv[1]+'/../queries.npy'); picks=np.load(sys.argv[1]+'/../picks.npy')\n"
        "t=time.perf_counter(); idx=PDQHashIndex.load(__import__('pathlib').Path(sys.argv[1])); "
        "load=time.perf_counter()-t\n"
        "t=time.perf_counter(); idx.search(q[:1],31); first=time.perf_counter()-t\n"
        f"t=time.perf_counter()\nfor i in range({N_SINGLE}): idx.search(q[i:i+1],31)\n"
        f"single=(time.perf_counter()-t)/{N_SINGLE}\n"
        "t=time.perf_counter(); r=idx.search(q,31); batch=len(q)/(time.perf_counter()-t)\n"
        "found=sum(int(p) in set(r.index[r.query==j].tolist()) for j,p in enumerate(picks))\n"
        "r5=idx.search(q[:500],31)\n"
        "print(json.dumps({'load_s':load,'first_query_s':first,'single_ms':single*1e3,"
        "'batch_qps':batch,'planted_found':found/len(picks),'hits500':int(r5.query.size),"
        "'rss_mb':[int(l.split()[1])/1024 for l in open('/proc/self/status')"
        " if l.startswith('VmHWM')][0]}))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code, str(workdir / "idx")],
        capture_output=True,
        text=True,
        check=True,
    )
    out.update(json.loads(res.stdout.strip().splitlines()[-1]))
    out["recall"] = out["hits500"] / max(1.0, truth)
    return out


def run_reference(n: int, workdir: Path) -> dict[str, float]:
    from threatexchange.signal_type.pdq.pdq_index import PDQIndex

    from bulwark.match.pdq_index import words_to_hex

    hashes, queries, picks = make_data(n)
    hexes = words_to_hex(hashes)
    del hashes
    t = time.perf_counter()
    idx = PDQIndex(((h, i) for i, h in enumerate(hexes)))
    build = time.perf_counter() - t
    del hexes
    qhex = words_to_hex(queries)
    t = time.perf_counter()
    for h in qhex[:N_SINGLE]:
        idx.query(h)
    single = (time.perf_counter() - t) / N_SINGLE
    found = sum(
        int(p) in {m.metadata for m in idx.query(qhex[j])} for j, p in enumerate(picks[:300])
    )
    t = time.perf_counter()
    with (workdir / "ref.pkl").open("wb") as f:
        pickle.dump(idx, f)
    dump = time.perf_counter() - t
    rss = peak_rss_mb()
    del idx
    t = time.perf_counter()
    with (workdir / "ref.pkl").open("rb") as f:
        pickle.load(f)
    load = time.perf_counter() - t
    return {
        "build_s": build,
        "single_ms": single * 1e3,
        "batch_qps": 1 / single,
        "planted_found": found / 300,
        "pickle_s": dump,
        "load_s": load,
        "rss_mb": rss,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, action="append", required=True)
    ap.add_argument("--side", choices=["ours", "reference"], help=argparse.SUPPRESS)
    ap.add_argument("--no-reference", action="store_true")
    args = ap.parse_args()
    if args.side:
        with tempfile.TemporaryDirectory() as d:
            fn = run_ours if args.side == "ours" else run_reference
            print(json.dumps(fn(args.n[0], Path(d))))
        return
    print(f"machine: {machine()}")
    for n in args.n:
        rows = {}
        for side in ["ours"] + ([] if args.no_reference else ["reference"]):
            res = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.bench_match_index",
                    "--n",
                    str(n),
                    "--side",
                    side,
                ],
                capture_output=True,
                text=True,
            )
            if res.returncode:
                print(res.stderr[-2000:])
                continue
            rows[side] = json.loads(res.stdout.strip().splitlines()[-1])
        o, r = rows.get("ours", {}), rows.get("reference", {})
        print(f"\n== {n:,} PDQ hashes, threshold 31, {N_QUERIES} queries (half planted) ==")
        print(f"{'metric':32}{'bulwark':>16}{'threatexchange PDQIndex':>26}")

        def line(name: str, key: str, fmt: str, o: dict = o, r: dict = r) -> None:  # type: ignore[type-arg]
            a = format(o[key], fmt) if key in o else "-"
            b = format(r[key], fmt) if key in r else "-"
            print(f"{name:32}{a:>16}{b:>26}")

        line("build (s)", "build_s", ".1f")
        line("load from disk (s)", "load_s", ".2f")
        line("first query after load (s)", "first_query_s", ".2f")
        line("single query (ms)", "single_ms", ".3f")
        line("batched queries/s", "batch_qps", ".0f")
        line("peak RSS serving (MB)", "rss_mb", ".0f")
        line("planted near-dups found", "planted_found", ".3f")
        line("recall vs brute force (500 q)", "recall", ".4f")
        if o and r:
            print(
                "batched speed-up vs PDQIndex single queries: "
                f"{o['batch_qps'] / r['batch_qps']:.1f}x"
            )


if __name__ == "__main__":
    main()
