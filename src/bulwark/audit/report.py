"""report.html: what an audit found, as plots and counts — never content.

Counts by reason and by shard, distance histograms for bank matches and
neighbour suspects, caption categories, and throughput over time. No image,
thumbnail or caption of any sample appears: the plots are drawn from the
same rows as the removal list (keys, hashes, scores, category names).
"""

from __future__ import annotations

import base64
import html
import io
from collections import Counter
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot
import matplotlib.pyplot as plt

from bulwark.audit.neighbours import Expansion


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _bars(title: str, counts: dict[str, int] | Counter[str], xlabel: str = "") -> str:
    fig, ax = plt.subplots(figsize=(6, 2.6))
    items = sorted(counts.items(), key=lambda kv: -kv[1])[:30]
    ax.barh([k for k, _ in items][::-1], [v for _, v in items][::-1], color="#546e7a")
    ax.set_title(title)
    ax.set_xlabel(xlabel or "samples")
    return _png(fig)


def _hist(title: str, values: list[float], xlabel: str) -> str:
    fig, ax = plt.subplots(figsize=(6, 2.6))
    ax.hist(values, bins=30, color="#546e7a")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("samples")
    return _png(fig)


def write_report(
    out: Path,
    summary: dict[str, Any],
    rows: list[dict[str, Any]],
    removal: list[dict[str, Any]],
    expansion: Expansion | None,
    shard_times: list[tuple[float, int]],
) -> Path:
    """``shard_times``: (finished at, seconds since start; samples) per shard."""
    plots: list[tuple[str, str]] = []
    plots.append(
        (
            "Removal list by reason",
            _bars("removal by reason", Counter(r["reason"] for r in removal)),
        )
    )
    plots.append(
        ("Removal list by shard", _bars("removal by shard", Counter(r["shard"] for r in removal)))
    )
    dist = [
        float(r["distance"])
        for r in rows
        if r["banks"] and r["distance"] is not None and r["match_signal"] == "pdq"
    ]
    if dist:
        plots.append(
            ("PDQ distance of bank matches", _hist("bank matches", dist, "PDQ distance (bits)"))
        )
    if expansion and expansion.suspects:
        sims = [s.similarity for s in expansion.suspects]
        plots.append(
            ("Neighbour suspects", _hist("suspects", sims, "cosine similarity to their seed"))
        )
    cats: Counter[str] = Counter()
    for r in rows:
        for c in filter(None, (r["caption_flags"] or "").split(",")):
            cats[c] += 1
    if cats:
        plots.append(("Caption categories", _bars("captions flagged", cats)))
    if shard_times:
        fig, ax = plt.subplots(figsize=(6, 2.6))
        t = [a for a, _ in shard_times]
        n = [b for _, b in shard_times]
        total = 0
        cum = []
        for x in n:
            total += x
            cum.append(total)
        ax.plot(t, cum, marker=".", color="#546e7a")
        ax.set_title("samples done over time")
        ax.set_xlabel("seconds")
        ax.set_ylabel("samples")
        plots.append(("Throughput", _png(fig)))
    facts = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in summary.items()
        if not isinstance(v, dict | list)
    )
    body = "".join(
        f"<section><h2>{html.escape(t)}</h2>"
        f'<img alt="{html.escape(t)}" src="data:image/png;base64,{p}"></section>'
        for t, p in plots
    )
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Bulwark dataset audit</title><style>body{{font:15px system-ui;margin:2em;max-width:60em}}
th{{text-align:left;padding-right:1em}}</style></head><body>
<h1>Dataset audit</h1>
<p>No image, thumbnail or caption of any sample is shown here. Suspects found by
neighbour expansion are for validation by an authorised organisation, not findings.</p>
<table>{facts}</table>{body}</body></html>"""
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


__all__ = ["write_report"]
