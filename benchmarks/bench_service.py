"""Service latency under load: text/prompt submissions at a fixed rate, on loopback.

Run: .venv/bin/python -m benchmarks.bench_service [--rate 200] [--seconds 10] [--postgres URL]

Starts the API (the app ``bulwark serve`` runs, one uvicorn process) on
127.0.0.1, then an open-loop load generator sends prompts at a fixed rate for a
bounded time and reports p50/p95/p99 latency, next to the target (p99 <= 25 ms
at 200 requests/s). SQLite always; PostgreSQL too when a URL is given.
Requests go to loopback only and the run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from rich.console import Console
from rich.table import Table

from benchmarks.common import machine
from bulwark.service.app import create_app
from bulwark.service.keys import KeyStore
from bulwark.store.db import Database

PROMPTS = [
    "masterpiece, best quality, a lighthouse on a cliff at dusk, oil painting",
    "1girl, solo, long hair, smile, outdoors, sunset, beach, cinematic lighting",
    "a red fox in the snow, photorealistic, 8k, sharp focus",
    "concept art, castle, dragon, fantasy, volumetric light",
]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _load(base: str, key: str, rate: float, seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    rng = random.Random(1)
    limits = httpx.Limits(max_connections=2000, max_keepalive_connections=200)
    async with httpx.AsyncClient(
        base_url=base, headers={"X-API-Key": key}, timeout=30, limits=limits
    ) as client:

        async def one() -> None:
            nonlocal errors
            t = time.perf_counter()
            try:
                r = await client.post(
                    "/v1/text", json={"text": rng.choice(PROMPTS), "kind": "prompt"}
                )
                errors += r.status_code != 200
            except httpx.HTTPError:
                errors += 1
            latencies.append((time.perf_counter() - t) * 1e3)

        tasks = []
        start = time.perf_counter()
        n = int(rate * seconds)
        for i in range(n):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
    return latencies, errors


def run(url: str, rate: float, seconds: float) -> dict[str, float]:
    db = Database(url)
    key, _ = KeyStore(db).create("bench", "client", rate_per_minute=1_000_000)
    port = _port()
    with tempfile.TemporaryDirectory() as d:
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(db, index_dir=Path(d) / "index"),
                host="127.0.0.1",
                port=port,
                log_level="warning",
            )
        )
        th = threading.Thread(target=server.run, daemon=True)
        th.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        asyncio.run(_load(base, key, 20, 2))  # warm-up: models loaded, caches filled
        lat, errors = asyncio.run(_load(base, key, rate, seconds))
        server.should_exit = True
        th.join(timeout=10)
    db.dispose()
    q = statistics.quantiles(lat, n=100)
    return {"n": len(lat), "errors": errors, "p50": q[49], "p95": q[94], "p99": q[98]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--postgres", default=None)
    args = ap.parse_args()
    console = Console()
    t = Table(
        title=f"Prompt submissions at {args.rate:.0f}/s for {args.seconds:.0f} s ({machine()})"
    )
    for c in ("database", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "target p99"):
        t.add_column(c)
    with tempfile.TemporaryDirectory() as d:
        dbs = [("SQLite", f"sqlite:///{Path(d) / 'bench.db'}")]
        if args.postgres:
            dbs.append(("PostgreSQL", args.postgres))
        for name, url in dbs:
            r = run(url, args.rate, args.seconds)
            t.add_row(
                name,
                str(int(r["n"])),
                str(int(r["errors"])),
                f"{r['p50']:.1f}",
                f"{r['p95']:.1f}",
                f"{r['p99']:.1f}",
                "<= 25",
            )
    console.print(t)


if __name__ == "__main__":
    main()
