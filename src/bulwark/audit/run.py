"""One audit, start to finish: find shards, skip the ones already done, run the
rest on the chosen engine with a progress bar, expand around confirmed hits,
write the outputs and the report. Rerunning with the same ``--out`` resumes."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bulwark.audit import neighbours
from bulwark.audit.checkpoints import Checkpoints
from bulwark.audit.engines.local import run_local
from bulwark.audit.engines.ray_engine import run_ray
from bulwark.audit.outputs import removal_rows, write_outputs
from bulwark.audit.readers import discover
from bulwark.audit.report import write_report
from bulwark.audit.sample import DatasetError
from bulwark.audit.stages import AuditOptions, ShardResult
from bulwark.banks.store import BankStore
from bulwark.errors import BankError
from bulwark.store.db import Database

ENGINES = ("local", "ray")


@dataclass
class AuditConfig:
    datasets: list[Path]
    out: Path
    opts: AuditOptions
    engine: str = "local"
    address: str | None = None
    workers: int = 2
    embeddings: Path | None = None
    k: int = 10
    depth: int = 1
    min_similarity: float = 0.8
    exact_limit: int = neighbours.DEFAULT_EXACT_LIMIT
    hashes_with_urls: bool = False
    progress: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def check_banks(db: Database, names: tuple[str, ...]) -> None:
    store = BankStore(db)
    missing = []
    for n in names:
        try:
            store.get(n)
        except BankError:
            missing.append(n)
    if missing:
        raise DatasetError(f"no bank named {', '.join(missing)}: create or import it first")


def run_audit(cfg: AuditConfig) -> dict[str, Any]:
    if cfg.engine not in ENGINES:
        raise DatasetError(f"engine must be one of {', '.join(ENGINES)}, not {cfg.engine!r}")
    ds = discover(cfg.datasets, cfg.embeddings)
    cfg.out.mkdir(parents=True, exist_ok=True)
    cp = Checkpoints(cfg.out)
    todo = [s for s in ds.shards if not cp.done(s.id)]
    started = time.perf_counter()
    finished: list[tuple[float, int]] = []
    failed: list[dict[str, str]] = []
    with Progress(
        TextColumn("[bold]audit[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=not cfg.progress,
    ) as bar:
        task = bar.add_task(f"{cfg.engine}: shards", total=len(todo))

        def done(r: ShardResult) -> None:
            if r.failed:
                failed.extend(r.problems)
            else:
                cp.save(r)
                finished.append((time.perf_counter() - started, len(r.rows)))
            bar.advance(task)

        if cfg.engine == "ray":
            run_ray(todo, cfg.opts, cfg.workers, done, cfg.address)
        else:
            run_local(todo, cfg.opts, cfg.workers, done)
    elapsed = time.perf_counter() - started
    rows = cp.rows().to_pylist()
    problems = [p.as_dict() for p in ds.problems]
    problems += [p for m in cp.markers() for p in m["problems"]] + failed
    # samples read but not (fully) processed: a file that is not media, say
    problems += [
        {"shard": r["shard"], "key": r["key"], "reason": r["error"]} for r in rows if r["error"]
    ]
    problems.sort(key=lambda p: (p["shard"], p["key"], p["reason"]))
    expansion = None
    if ds.embeddings:
        hits = [r for r in rows if r["banks"] and not r["negative"]]
        seeds = {r["key"] for r in hits} | {r["url"] for r in hits if r["url"]}
        expansion = neighbours.expand(
            neighbours.load(ds.embeddings),
            seeds,
            k=cfg.k,
            depth=cfg.depth,
            min_similarity=cfg.min_similarity,
            exact_limit=cfg.exact_limit,
        )
    ran = sum(n for _, n in finished)
    summary: dict[str, Any] = {
        "engine": cfg.engine,
        "shards": len(ds.shards),
        "shards_resumed": len(ds.shards) - len(todo),
        "samples_this_run": ran,
        "seconds_this_run": round(elapsed, 2),
        "samples_per_second": round(ran / elapsed, 1) if elapsed > 0 and ran else None,
        "banks": ",".join(cfg.opts.banks),
        **cfg.extra,
    }
    summary = write_outputs(
        cfg.out, rows, problems, expansion, summary, hashes_with_urls=cfg.hashes_with_urls
    )
    write_report(cfg.out, summary, rows, removal_rows(rows), expansion, finished)
    return summary


__all__ = ["ENGINES", "AuditConfig", "check_banks", "run_audit"]
