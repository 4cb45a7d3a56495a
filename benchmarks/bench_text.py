"""Text safety: the child-safety prompt policy against a naive single-regex baseline.

Run: .venv/bin/python -m benchmarks.bench_text

Prints, side by side in one run:
* quality on evaluation/text/dev_set.jsonl (recall on violating items, false
  positives on benign hard cases) — targets recall >= 0.98, FPR <= 1%;
* throughput on typical prompts, one process — target >= 5,000 prompts/s;
* the worst time on 20,000-character adversarial inputs — target <= 5 ms.
The baseline is the kind of single combined regex (nested quantifiers, one
alternation per word list) that burnt 11-47 s of CPU per prompt elsewhere; it
runs in a child process with a time limit so a catastrophic case cannot hang
the benchmark.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import random
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.common import machine
from bulwark.analyze.text.child_safety import check_prompt
from bulwark.analyze.text.normalize import _tables

DEV_SET = Path(__file__).resolve().parents[1] / "evaluation" / "text" / "dev_set.jsonl"
ADVERSARIAL_LEN = 20_000
NAIVE_LIMIT_S = 5.0

# The baseline: what a hand-written filter often looks like — one regex, a lazy
# "anything in between" so the terms need not be adjacent. Fine on short
# prompts; each youth word restarts a scan to the end, so long inputs go quadratic.
_NAIVE = re.compile(
    r"(?i)\b(?:child|kid|little girl|young girl|preteen|toddler|\d{1,2} ?yo)\b(?:\W+\w+)*?\W+"
    r"(?:nude|naked|nsfw|sex)\b|\b(?:loli|shota|jailbait)\b"
)


def naive(prompt: str, negative: str = "") -> bool:
    return _NAIVE.search(prompt) is not None


def adversarial_inputs() -> dict[str, str]:
    n = ADVERSARIAL_LEN
    unit = {
        "youth terms, no sexual term": "child little girl kid ",
        "words with no hard term": "word ",
        "spaced letters": "a.b.c.d.e.f.g.h ",
        "leet runs": "l0l1 5 3 7 4 1 ",
        "unclosed lora tags": "<lora:",
        "html entity starts": "&#1234",
        "full-width text": "ｃｈｉｌｄ ",
        "ligatures": "ﬁﬂ",
        "zero-width every other char": "a\u200b",
        "repeated letter": "a",
        "digits and year words": "12 year 12 yo 12 ",
        "nested brackets": "((((([[[[",
        "mixed scripts": "сhіld nаkеd 幼女 ",
        "ages of things": "12 year old tree ",
        "lora tag flood": "<lora:kid_style:0.7>",
        "varied entities": "".join(f"&#{c};" for c in range(0x4E00, 0x4E00 + 400)),
        "adult nouns after young": "young woman nude ",
    }
    return {k: (v * (n // len(v) + 1))[:n] for k, v in unit.items()}


_TAGS = [
    "masterpiece",
    "best quality",
    "ultra detailed",
    "1girl",
    "solo",
    "long hair",
    "blue eyes",
    "smile",
    "looking at viewer",
    "outdoors",
    "sunset",
    "beach",
    "cinematic lighting",
    "depth of field",
    "photorealistic",
    "8k",
    "sharp focus",
    "intricate details",
    "portrait",
    "upper body",
    "dress",
    "flowers",
    "city street",
    "night",
    "neon lights",
    "rain",
    "reflections",
    "fantasy",
    "castle",
    "dragon",
    "armor",
    "sword",
    "forest",
    "river",
    "mountains",
    "snow",
    "watercolor",
    "oil painting",
    "anime style",
    "concept art",
    "trending on artstation",
    "volumetric light",
    "bokeh",
    "film grain",
]


def typical_prompts(n: int = 2000) -> list[tuple[str, str]]:
    """Prompts shaped like real image-generator requests: 12-30 tags, some weights,
    sometimes a LoRA, a usual negative prompt (deterministic)."""
    rng = random.Random(7)
    out = []
    for _ in range(n):
        tags = rng.sample(_TAGS, rng.randint(12, 30))
        if rng.random() < 0.3:
            i = rng.randrange(len(tags))
            tags[i] = f"({tags[i]}:1.{rng.randint(1, 5)})"
        if rng.random() < 0.2:
            tags.append(f"<lora:style_{rng.randint(1, 99)}:0.{rng.randint(3, 9)}>")
        negative = "lowres, bad anatomy, bad hands, text, error, worst quality, jpeg artifacts"
        out.append((", ".join(tags), negative))
    return out


def _time_each(fn: Callable[[str], object], texts: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for s in texts:
            fn(s)
        best = min(best, time.perf_counter() - t)
    return best


def _time_each_pair(
    fn: Callable[[str, str], object], reqs: list[tuple[str, str]], repeat: int
) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for p, n in reqs:
            fn(p, n)
        best = min(best, time.perf_counter() - t)
    return best


def _naive_worker(text: str, q: mp.Queue) -> None:  # type: ignore[type-arg]
    t = time.perf_counter()
    naive(text)
    q.put(time.perf_counter() - t)


def naive_guarded(text: str) -> float | None:
    """Seconds the baseline took, or None if it ran past NAIVE_LIMIT_S."""
    q: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    p = mp.Process(target=_naive_worker, args=(text, q))
    p.start()
    p.join(NAIVE_LIMIT_S)
    if p.is_alive():
        p.kill()
        p.join()
        return None
    return float(q.get())


def main() -> None:
    console = Console(width=150)
    items = [json.loads(line) for line in DEV_SET.read_text("utf-8").splitlines() if line]
    _tables()  # one-time table build (~0.3 s) is start-up, not per prompt
    check_prompt("warm up")

    # quality
    def fired(fn: Callable[[str, str], bool], it: dict[str, str]) -> bool:
        return fn(it["text"], it["negative_prompt"])

    ours = lambda p, n: check_prompt(p, n).fired  # noqa: E731
    q = Table(title=f"Quality on {DEV_SET.name} ({len(items)} items)")
    for col in ("detector", "recall (violating)", "false positives (benign hard cases)"):
        q.add_column(col)
    for name, fn in (("bulwark", ours), ("naive regex", naive)):
        viol = [it for it in items if it["expected"]]
        benign = [it for it in items if not it["expected"]]
        rec = sum(fired(fn, it) for it in viol) / len(viol)
        fp = sum(fired(fn, it) for it in benign)
        q.add_row(name, f"{rec:.3f} ({len(viol)})", f"{fp}/{len(benign)} ({fp / len(benign):.1%})")
    console.print(q)

    # throughput: typical requests (prompt + negative prompt) and the dev set's prompts
    tt = Table(title="Throughput, one process")
    for col in ("prompts", "median chars", "bulwark prompts/s", "naive regex prompts/s"):
        tt.add_column(col)
    sets = {
        "typical requests (prompt + negative)": typical_prompts(),
        "development set": [(it["text"], it["negative_prompt"]) for it in items],
    }
    for label, reqs in sets.items():
        t_ours = _time_each_pair(check_prompt, reqs, 5)
        t_naive = _time_each_pair(naive, reqs, 5)
        med = statistics.median(len(p) + len(n) for p, n in reqs)
        tt.add_row(label, f"{med:.0f}", f"{len(reqs) / t_ours:,.0f}", f"{len(reqs) / t_naive:,.0f}")
    console.print(tt)

    # adversarial inputs
    at = Table(title=f"Adversarial inputs of {ADVERSARIAL_LEN:,} characters")
    for col in ("input", "bulwark (ms)", "naive regex (ms)"):
        at.add_column(col)
    worst = 0.0
    for name, text in adversarial_inputs().items():
        ms = _time_each(lambda s: check_prompt(s), [text], 3) * 1e3
        worst = max(worst, ms)
        nt = naive_guarded(text)
        at.add_row(
            name,
            f"{ms:.2f}",
            f">{NAIVE_LIMIT_S * 1e3:,.0f} (killed)" if nt is None else f"{nt * 1e3:.2f}",
        )
    console.print(at)
    console.print(
        f"machine: {machine()}. Targets: recall >= 0.98, FPR <= 1% on benign hard cases, "
        f">= 5,000 prompts/s, worst adversarial <= 5 ms. Worst here: {worst:.2f} ms."
    )


if __name__ == "__main__":
    main()
