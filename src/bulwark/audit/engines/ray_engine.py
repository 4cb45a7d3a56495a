"""The Ray engine: the same shard function as Ray Data tasks on a cluster.

``ray.data.from_items`` over the shard references, ``map_batches`` with a
callable class so each Ray worker opens the matcher once (like the local
engine's pool initializer), results streamed back to the driver, which writes
the same checkpoints. ``address=None`` starts a local Ray instance bound to
loopback (tests and single machines).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from bulwark.audit.sample import ShardRef
from bulwark.audit.stages import AuditOptions, Auditor, ShardResult
from bulwark.errors import BulwarkError


class _ShardTask:
    def __init__(self, opts: dict[str, Any]) -> None:
        o = dict(opts)
        o["banks"] = tuple(o["banks"])
        self.auditor = Auditor(AuditOptions(**o))

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, list[Any]] = {"result": []}
        for raw in batch["ref"]:
            ref = ShardRef(**{**json.loads(raw), "files": tuple(json.loads(raw)["files"])})
            try:
                r = self.auditor.run(ref)
            except Exception as exc:  # reported, not checkpointed: retried on the next run
                r = ShardResult.failure(ref.id, exc)
            out["result"].append(json.dumps(asdict(r), default=str))
        return out


def run_ray(
    shards: list[ShardRef],
    opts: AuditOptions,
    workers: int,
    on_done: Callable[[ShardResult], None],
    address: str | None = None,
) -> None:
    try:
        import ray
    except ImportError as exc:
        raise BulwarkError("the Ray engine needs Ray: pip install 'bulwark[ray]'") from exc
    started = not ray.is_initialized()
    if started:
        if address:
            ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
        else:  # a local instance on loopback only
            ray.init(
                num_cpus=workers,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.WARNING,
                _node_ip_address="127.0.0.1",
            )
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False  # the audit has its own
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    try:
        if not shards:
            return
        items = [{"ref": json.dumps(asdict(s))} for s in shards]
        ds = ray.data.from_items(items, override_num_blocks=len(items))
        results = ds.map_batches(
            _ShardTask,
            fn_constructor_args=(asdict(opts),),
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=workers),
            num_cpus=1,
        )
        for row in results.iter_rows():
            r = json.loads(row["result"])
            on_done(ShardResult(r["shard"], r["rows"], r["problems"], r["seconds"], r["failed"]))
    finally:
        if started:
            ray.shutdown()


__all__ = ["run_ray"]
