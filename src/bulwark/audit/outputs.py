"""What an audit leaves in ``--out``: the removal list, the suspects, a hashes-only
export for hotlines, problems, a JSON summary (and report.html, report.py).

The removal list names samples a dataset should drop and why (bank match with
its signal and distance, or a caption the child-safety policy flags). The
hotline export carries hashes only — no bytes, and no URLs unless asked for.
Nothing written here contains an image, a thumbnail or a caption.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from bulwark.audit.neighbours import Expansion
from bulwark.audit.stages import CHILD_SAFETY_CAPTION

REMOVAL_COLUMNS = ("key", "shard", "url", "md5", "sha256", "pdq", "reason", "evidence", "bank")
SUSPECT_COLUMNS = ("key", "shard", "url", "similarity", "seed_key", "seed_shard", "depth")


def removal_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        base = {c: r.get(c) for c in ("key", "shard", "url", "md5", "sha256", "pdq")}
        if r["banks"] and not r["negative"]:
            how = "exact" if r["match_signal"] in ("md5", "sha256") else f"distance {r['distance']}"
            out.append(
                {
                    **base,
                    "reason": "bank_match",
                    "evidence": f"{r['match_signal']} {how}",
                    "bank": r["banks"],
                }
            )
        elif CHILD_SAFETY_CAPTION in (r["caption_flags"] or "").split(","):
            out.append(
                {**base, "reason": "caption", "evidence": CHILD_SAFETY_CAPTION, "bank": None}
            )
    return out


def _write(path: Path, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> None:
    table = (
        pa.Table.from_pylist(rows)
        if rows
        else pa.table({c: pa.array([], pa.string()) for c in columns})
    )
    pq.write_table(table.select(list(columns)), path.with_suffix(".parquet"))
    with path.with_suffix(".csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def write_outputs(
    out: Path,
    rows: list[dict[str, Any]],
    problems: list[dict[str, str]],
    expansion: Expansion | None,
    summary: dict[str, Any],
    *,
    hashes_with_urls: bool = False,
) -> dict[str, Any]:
    removal = removal_rows(rows)
    _write(out / "removal", removal, REMOVAL_COLUMNS)
    suspects = [
        {
            "key": s.key,
            "shard": s.shard,
            "url": s.url,
            "similarity": s.similarity,
            "seed_key": s.seed_key,
            "seed_shard": s.seed_shard,
            "depth": s.depth,
        }
        for s in (expansion.suspects if expansion else [])
    ]
    _write(out / "suspects", suspects, SUSPECT_COLUMNS)
    cols = ("md5", "sha256", "pdq", "reason") + (("url",) if hashes_with_urls else ())
    with (out / "hashes_for_hotlines.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        w.writerows(removal)
    with (out / "problems.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=("shard", "key", "reason"))
        w.writeheader()
        w.writerows(problems)
    by_reason: dict[str, int] = {}
    for r in removal:
        by_reason[r["reason"]] = by_reason.get(r["reason"], 0) + 1
    summary.update(
        samples=len(rows),
        removal=len(removal),
        removal_by_reason=by_reason,
        suspects=len(suspects),
        problems=len(problems),
        neighbours=expansion.summary() if expansion else None,
    )
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    return summary


__all__ = ["REMOVAL_COLUMNS", "SUSPECT_COLUMNS", "removal_rows", "write_outputs"]
