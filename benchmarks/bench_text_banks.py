"""Text banks: how the three matchers separate edits and paraphrases from other texts,
and what a lookup costs as the bank grows.

Run: .venv/bin/python -m benchmarks.bench_text_banks

Prints, for the default thresholds (TLSH distance <= 70, cosine >= 0.7):
* TLSH distance of edited scripts (amounts, names, links changed) against
  distances between unrelated scripts;
* embedding cosine of paraphrased claims against texts on the same topic that
  say something else;
* per-query time of exact, TLSH and semantic lookups at 1,000 and 10,000 bank
  entries (SQLite, one process).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.common import machine
from bulwark.analyze.text.normalize import normalize
from bulwark.banks.store import BankStore
from bulwark.banks.text_entries import KnownText, entries_for
from bulwark.match.text_index import TextBankIndex
from bulwark.signals import text_embedding as te
from bulwark.signals.text_tlsh import DEFAULT_TLSH_THRESHOLD, TextTLSHSignal, distance
from bulwark.store.db import Database

SCRIPTS = [
    "I have your photos. Pay me {n} dollars in bitcoin within {h} hours or I will send "
    "them to all your friends and family.",
    "Hello dear, you have won a {n} dollar prize from our lottery. Send a processing fee "
    "of {h} dollars to claim it today at {url}.",
    "This is the last warning. Your account will be closed in {h} hours unless you verify "
    "your password at {url} and pay a fee of {n} dollars.",
    "Hey, I saw your video on a website, it is really embarrassing. Send {n} dollars or "
    "I share it with your school within {h} hours.",
    "Make {n} dollars a week working from home, no experience needed. Join our team at "
    "{url} before the {h} free places are gone.",
]
CLAIMS = [
    (
        "Drinking bleach cures viral infections.",
        "drinking disinfectant will cure the virus",
        "bleach is useful for cleaning bathrooms",
    ),
    (
        "The moon landing in 1969 was staged in a film studio.",
        "the 1969 moon landing was faked in a studio",
        "the moon landing in 1969 was watched by millions on television",
    ),
    (
        "Vaccines cause autism in children.",
        "childhood vaccines make kids autistic",
        "vaccines are tested for safety before approval",
    ),
    (
        "5G towers spread the coronavirus.",
        "the coronavirus is spread by 5G masts",
        "5G towers are being built across the city",
    ),
    (
        "The earth is flat and NASA hides it.",
        "NASA is hiding that the earth is flat",
        "NASA launched a new satellite to study the earth",
    ),
]


def _fill(n: int, store: BankStore, rng: random.Random) -> None:
    store.create("bench", category="spam")
    words = [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "offer",
        "prize",
        "account",
        "money",
        "video",
        "school",
        "team",
        "week",
    ]
    texts = [
        KnownText(" ".join(rng.choice(words) for _ in range(rng.randint(12, 30))) + f" {i}")
        for i in range(n)
    ]
    store.add_entries("bench", entries_for(texts, source="bench"))


def _spread(
    title: str,
    cut: str,
    groups: list[tuple[str, Sequence[float]]],
    fmt: str,
    within: Callable[[float], bool],
) -> Table:
    """Min/median/max of each group and how many pairs the threshold would call a match."""
    table = Table(title=title)
    for c in ("pairs", "min", "median", "max", cut):
        table.add_column(c)
    for name, xs in groups:
        table.add_row(
            name,
            fmt.format(min(xs)),
            fmt.format(statistics.median(xs)),
            fmt.format(max(xs)),
            f"{sum(within(x) for x in xs)}/{len(xs)}",
        )
    return table


def main() -> None:
    console = Console(width=140)
    rng = random.Random(3)
    base = [s.format(n=500, h=24, url="pay.example") for s in SCRIPTS]
    edited = [s.format(n=rng.randint(600, 990), h=12, url="other.example") for s in SCRIPTS]
    digest = [TextTLSHSignal.compute_text(normalize(t)) for t in base + edited]
    d_same = [
        distance(a.value, b.value) for a, b in zip(digest[:5], digest[5:], strict=True) if a and b
    ]
    d_other = [
        distance(digest[i].value, digest[j].value)  # type: ignore[union-attr]
        for i in range(5)
        for j in range(5)
        if i != j
    ]
    console.print(
        _spread(
            f"TLSH distance (threshold {DEFAULT_TLSH_THRESHOLD})",
            f"<= {DEFAULT_TLSH_THRESHOLD}",
            [("edited copy of a script", d_same), ("two different scripts", d_other)],
            fmt="{:.0f}",
            within=lambda d: d <= DEFAULT_TLSH_THRESHOLD,
        )
    )

    vecs = te.embed([x for triple in CLAIMS for x in triple]).reshape(len(CLAIMS), 3, -1)
    para = [float(v[0] @ v[1]) for v in vecs]
    topic = [float(v[0] @ v[2]) for v in vecs]
    console.print(
        _spread(
            f"Embedding cosine (threshold {te.DEFAULT_SIMILARITY})",
            f">= {te.DEFAULT_SIMILARITY}",
            [("paraphrase of a claim", para), ("same topic, other statement", topic)],
            fmt="{:.3f}",
            within=lambda x: x >= te.DEFAULT_SIMILARITY,
        )
    )

    lt = Table(title="Lookup time per query (all three matchers, 200 queries)")
    for c in ("bank entries (texts)", "build index (s)", "ms per query", "ms per query, batched"):
        lt.add_column(c)
    queries = [edited[i % 5] + f" {i}" for i in range(200)]
    for n in (1_000, 10_000):
        with tempfile.TemporaryDirectory() as d:
            db = Database(f"sqlite:///{Path(d) / 'b.db'}")
            store = BankStore(db)
            _fill(n, store, rng)
            t0 = time.perf_counter()
            index = TextBankIndex(store)
            build = time.perf_counter() - t0
            t0 = time.perf_counter()
            for q in queries[:50]:
                index.match(q)
            single = (time.perf_counter() - t0) / 50 * 1e3
            t0 = time.perf_counter()
            index.match_many(queries)
            batched = (time.perf_counter() - t0) / len(queries) * 1e3
            lt.add_row(f"{n:,}", f"{build:.2f}", f"{single:.2f}", f"{batched:.2f}")
            db.dispose()
    console.print(lt)
    console.print(f"machine: {machine()}; embeddings on CPU, one process.")


if __name__ == "__main__":
    main()
