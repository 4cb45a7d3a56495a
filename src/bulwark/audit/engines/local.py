"""The local engine: a process pool over shards, with progress bars.

Each worker process opens the matcher once (pool initializer). The parent
writes each finished shard's checkpoint as it arrives, so a killed run
restarts where it was. A shard whose worker fails outright is reported as a
problem of that shard; the others finish.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
from collections.abc import Callable
from functools import partial

from bulwark.audit.sample import ShardRef
from bulwark.audit.stages import AuditOptions, Auditor, ShardResult

_auditor: Auditor | None = None


def _init(opts: AuditOptions) -> None:
    global _auditor
    _auditor = Auditor(opts)


def _run(ref: ShardRef) -> ShardResult:
    assert _auditor is not None
    return _auditor.run(ref)


def run_local(
    shards: list[ShardRef],
    opts: AuditOptions,
    workers: int,
    on_done: Callable[[ShardResult], None],
) -> None:
    if workers <= 1:  # no pool: easier to debug, and no start-up cost for small runs
        auditor = Auditor(opts)
        for ref in shards:
            on_done(_safe(partial(auditor.run, ref), ref))
        return
    ctx = multiprocessing.get_context("spawn")  # no inherited DB connections or threads
    with cf.ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_init, initargs=(opts,)
    ) as pool:
        futures = {pool.submit(_run, ref): ref for ref in shards}
        for fut in cf.as_completed(futures):
            ref = futures[fut]
            on_done(_safe(fut.result, ref))


def _safe(work: Callable[[], ShardResult], ref: ShardRef) -> ShardResult:
    try:
        return work()
    except Exception as exc:  # a shard that brought its worker down: reported, run goes on
        return ShardResult.failure(ref.id, exc)


__all__ = ["run_local"]
