"""Service latency for image submissions: 1 MP JPEGs, hashed and matched against a
1,000,000-entry PDQ bank, at a fixed rate on loopback.

Run: .venv/bin/python -m benchmarks.bench_service_images [--rate 50] [--seconds 10]
     [--entries 1000000] [--processes 2] [--postgres URL]

Builds a bank of random PDQ hashes plus the hashes of a few corpus photos
(``../shared/corpus/photos``), snapshots the index as ``bulwark serve`` would,
starts ``bulwark serve`` and sends 1-megapixel JPEG re-encodes of corpus photos —
half of them banked, half not — at a fixed rate for a bounded time. Reports
p50/p95/p99 next to the target (p99 <= 100 ms at 50 requests/s) and checks that
every banked photo was blocked and no other was. (``--postgres``: a throw-away
database — it is emptied first.)
"""

from __future__ import annotations

import argparse
import asyncio
import io
import math
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np
from PIL import Image
from rich.console import Console
from rich.progress import track
from rich.table import Table

from benchmarks.bench_service import _load, databases, latency_cells, percentiles, serving
from benchmarks.common import machine
from bulwark.banks.model import NewEntry
from bulwark.banks.store import BankStore
from bulwark.match.matcher import build_snapshot
from bulwark.service.keys import KeyStore
from bulwark.signals import FileContent, hash_content
from bulwark.signals.pdq import hamming
from bulwark.store.db import Database, empty_database

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "photos"
N_PHOTOS = 20
CHUNK = 100_000


def one_megapixel_jpegs() -> list[bytes]:
    out = []
    for p in sorted(CORPUS.glob("*.jpg"))[:N_PHOTOS]:
        im = Image.open(p).convert("RGB")
        scale = math.sqrt(1_000_000 / (im.width * im.height))
        im = im.resize((round(im.width * scale), round(im.height * scale)), Image.LANCZOS)
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=90)
        out.append(buf.getvalue())
    if len(out) < N_PHOTOS:
        raise SystemExit(f"need {N_PHOTOS} photos in {CORPUS}")
    return out


def build_bank(db: Database, entries: int, banked: list[bytes], index_dir: Path) -> float:
    """Random PDQ entries plus the banked photos' own hashes; seconds to build the index."""
    store = BankStore(db)
    store.create("bench-known", category="child_safety.known_csam")
    rng = np.random.default_rng(3)
    for start in track(range(0, entries, CHUNK), description="filling the bank"):
        words = rng.integers(0, 2**64, size=(min(CHUNK, entries - start), 4), dtype=np.uint64)
        values = ["".join(f"{int(w):016x}" for w in row) for row in words]
        store.add_entries("bench-known", [NewEntry("pdq", v, "random") for v in values])
    for data in banked:
        pdq = hash_content(FileContent(data)).first("pdq")
        assert pdq is not None
        store.add_signal("bench-known", "pdq", pdq.value, source="corpus photo")
    t = time.perf_counter()
    build_snapshot(store, index_dir)
    return time.perf_counter() - t


def _reference_match(original: bytes, copy: bytes, threshold: int = 31) -> bool:
    a = hash_content(FileContent(original)).first("pdq")
    b = hash_content(FileContent(copy)).first("pdq")
    if a is None or b is None or min(a.quality or 0, b.quality or 0) < 50:
        return False
    return hamming(a.value, b.value) <= threshold


def run(
    url: str, rate: float, seconds: float, entries: int, processes: int, fast: bool = True
) -> dict[str, Any]:
    os.environ["BULWARK_FAST_HASH"] = "1" if fast else "0"  # read by the served app
    empty_database(url)
    db = Database(url)
    photos = one_megapixel_jpegs()
    banked, fresh = photos[: N_PHOTOS // 2], photos[N_PHOTOS // 2 :]
    # what the bank holds is the original; what is submitted is a re-encode of it
    reencoded = []
    for data in banked:
        buf = io.BytesIO()
        Image.open(io.BytesIO(data)).save(buf, "JPEG", quality=75)
        reencoded.append(buf.getvalue())
    key, _ = KeyStore(db).create("bench", "client", rate_per_minute=10**9)
    # which re-encodes the reference hasher itself would match (PDQ quality >= 50 and
    # within the threshold of the banked original): the service must block exactly those
    expect = [_reference_match(orig, copy) for orig, copy in zip(banked, reencoded, strict=True)]
    verdicts: dict[bool, list[tuple[int, str]]] = {True: [], False: []}
    with tempfile.TemporaryDirectory() as home:
        index_s = build_bank(db, entries, banked, Path(home) / "index")
        db.dispose()

        def send(client: aiohttp.ClientSession, i: int) -> Any:
            is_banked, k = i % 2 == 0, i // 2 % len(reencoded)
            data = reencoded[k] if is_banked else fresh[k]
            form = aiohttp.FormData()
            form.add_field("file", data, filename=f"{i}.jpg", content_type="image/jpeg")
            request = client.post("/v1/images", data=form)
            return _Recording(request, verdicts[is_banked], k)

        with serving(url, Path(home), processes) as base:
            asyncio.run(_load(base, key, 10, 2, send))  # warm-up: every process loads the index
            for v in verdicts.values():
                v.clear()
            lat, errors = asyncio.run(_load(base, key, rate, seconds, send))
    return {
        **percentiles(lat),
        "errors": errors,
        "index_s": index_s,
        "banked_blocked": sum(v == "block_and_report" for _, v in verdicts[True]),
        "banked": len(verdicts[True]),
        "banked_expected": sum(expect[k] for k, _ in verdicts[True]),
        "banked_wrong": sum((v == "block_and_report") != expect[k] for k, v in verdicts[True]),
        "fresh_blocked": sum(v != "allow" for _, v in verdicts[False]),
        "fresh": len(verdicts[False]),
    }


class _Recording:
    """Wraps a request so the verdict of each answer is collected."""

    def __init__(self, request: Any, into: list[tuple[int, str]], photo: int) -> None:
        self.request = request
        self.into = into
        self.photo = photo

    async def __aenter__(self) -> aiohttp.ClientResponse:
        self.response: aiohttp.ClientResponse = await self.request.__aenter__()
        if self.response.status == 200:
            self.into.append((self.photo, (await self.response.json())["verdict"]))
        return self.response

    async def __aexit__(self, *exc: object) -> None:
        await self.request.__aexit__(*exc)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=50)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--no-fast", action="store_true", help="reference PDQ on every upload")
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--postgres", default=None)
    args = ap.parse_args()
    console = Console()
    t = Table(
        title=f"1 MP JPEG submissions at {args.rate:.0f}/s for {args.seconds:.0f} s against "
        f"{args.entries:,} PDQ entries, {args.processes} API process(es), "
        f"{'reference' if args.no_fast else 'fast'} hashing ({machine()})"
    )
    for c in (
        "database",
        "requests",
        "errors",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "target p99",
        "banked blocked",
        "others flagged",
    ):
        t.add_column(c)
    with tempfile.TemporaryDirectory() as d:
        for name, url in databases(d, args.postgres):
            r = run(url, args.rate, args.seconds, args.entries, args.processes, not args.no_fast)
            t.add_row(
                name,
                *latency_cells(r),
                "<= 100",
                f"{r['banked_blocked']}/{r['banked']} "
                f"(reference: {r['banked_expected']}; differ: {r['banked_wrong']})",
                f"{r['fresh_blocked']}/{r['fresh']}",
            )
    console.print(t)


if __name__ == "__main__":
    main()
