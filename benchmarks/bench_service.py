"""Service latency under load: text/prompt submissions at a fixed rate, on loopback.

Run: .venv/bin/python -m benchmarks.bench_service [--rate 200] [--seconds 10]
     [--processes 2] [--postgres URL]

Starts ``bulwark serve`` itself (``--processes`` API processes, no worker
threads: the benign prompts queue no jobs) on 127.0.0.1 in its own process,
then an open-loop load generator here sends prompts at a fixed rate for a
bounded time and reports p50/p95/p99 latency, next to the target (p99 <= 25 ms
at 200 requests/s). SQLite always; PostgreSQL too when a URL is given.
Requests go to loopback only and the run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from rich.console import Console
from rich.table import Table

from benchmarks.common import machine
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


Send = Callable[[aiohttp.ClientSession, int], Any]


def _send_prompt(rng: random.Random) -> Send:
    def send(client: aiohttp.ClientSession, i: int) -> Any:
        return client.post("/v1/text", json={"text": rng.choice(PROMPTS), "kind": "prompt"})

    return send


async def _load(
    base: str, key: str, rate: float, seconds: float, send: Send | None = None
) -> tuple[list[float], int]:
    """Open loop: requests start on schedule whether or not earlier ones finished,
    so a slow server shows up as latency rather than as a lower rate. ``send``
    makes request ``i`` (a prompt submission unless given)."""
    latencies: list[float] = []
    errors = 0
    request = send or _send_prompt(random.Random(1))
    connector = aiohttp.TCPConnector(limit=2000)
    async with aiohttp.ClientSession(
        base_url=base,
        headers={"X-API-Key": key},
        timeout=aiohttp.ClientTimeout(total=30),
        connector=connector,
    ) as client:

        async def one(i: int) -> None:
            nonlocal errors
            t = time.perf_counter()
            try:
                async with request(client, i) as r:
                    await r.read()
                    errors += r.status != 200
            except (aiohttp.ClientError, TimeoutError):
                errors += 1
            latencies.append((time.perf_counter() - t) * 1e3)

        tasks = []
        start = time.perf_counter()
        n = int(rate * seconds)
        for i in range(n):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i)))
        await asyncio.gather(*tasks)
    return latencies, errors


def databases(tmp: str, postgres: str | None) -> list[tuple[str, str]]:
    """SQLite in ``tmp``, and PostgreSQL when a URL is given."""
    dbs = [("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}")]
    if postgres:
        dbs.append(("PostgreSQL", postgres))
    return dbs


def latency_cells(r: dict[str, float]) -> list[str]:
    """requests, errors, p50, p95, p99 — the columns every service benchmark prints."""
    return [
        str(int(r["n"])),
        str(int(r["errors"])),
        f"{r['p50']:.1f}",
        f"{r['p95']:.1f}",
        f"{r['p99']:.1f}",
    ]


def percentiles(lat: list[float]) -> dict[str, float]:
    q = statistics.quantiles(lat, n=100)
    return {"n": len(lat), "p50": q[49], "p95": q[94], "p99": q[98]}


@contextmanager
def serving(url: str, home: Path, processes: int, workers: int = 0) -> Iterator[str]:
    """``bulwark serve`` on a free loopback port; its base URL until the block ends."""
    port = _port()
    env = {**os.environ, "BULWARK_DB_URL": url, "BULWARK_HOME": str(home)}
    cmd = [sys.executable, "-m", "bulwark.cli", "serve", "--port", str(port)]
    cmd += ["--workers", str(workers), "--processes", str(processes)]
    proc = subprocess.Popen(cmd, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("bulwark serve did not become ready")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def run(url: str, rate: float, seconds: float, processes: int) -> dict[str, float]:
    db = Database(url)
    key, _ = KeyStore(db).create("bench", "client", rate_per_minute=1_000_000)
    db.dispose()
    with tempfile.TemporaryDirectory() as d, serving(url, Path(d), processes) as base:
        asyncio.run(_load(base, key, 20, 3))  # warm-up: models loaded in every process
        lat, errors = asyncio.run(_load(base, key, rate, seconds))
    return {**percentiles(lat), "errors": errors}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--postgres", default=None)
    args = ap.parse_args()
    console = Console()
    t = Table(
        title=f"Prompt submissions at {args.rate:.0f}/s for {args.seconds:.0f} s, "
        f"{args.processes} API process(es) ({machine()})"
    )
    for c in ("database", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "target p99"):
        t.add_column(c)
    with tempfile.TemporaryDirectory() as d:
        for name, url in databases(d, args.postgres):
            r = run(url, args.rate, args.seconds, args.processes)
            t.add_row(name, *latency_cells(r), "<= 25")
    console.print(t)


if __name__ == "__main__":
    main()
