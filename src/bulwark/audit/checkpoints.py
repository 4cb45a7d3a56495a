"""One finished shard on disk: its rows (Parquet), its problems and a done marker.

The marker is written last and atomically, so a shard either counts as done
— with all its rows — or is run again from the start: a killed audit
restarted with the same ``--out`` loses no shard and counts none twice.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from bulwark.audit.stages import ROW_SCHEMA, ShardResult

SCHEMA = ROW_SCHEMA


def _name(shard_id: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in shard_id)[:80]
    return f"{safe}-{hashlib.sha256(shard_id.encode()).hexdigest()[:10]}"


def _atomic(path: Path, data: bytes) -> None:
    tmp = path.parent / (path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class Checkpoints:
    def __init__(self, out: Path) -> None:
        self.dir = out / "shards"
        self.dir.mkdir(parents=True, exist_ok=True)

    def _path(self, shard_id: str, suffix: str) -> Path:
        return self.dir / f"{_name(shard_id)}{suffix}"

    def done(self, shard_id: str) -> bool:
        return self._path(shard_id, ".done.json").exists()

    def save(self, result: ShardResult) -> None:
        table = pa.Table.from_pylist(result.rows, schema=SCHEMA)
        tmp = self._path(result.shard, ".parquet.tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, self._path(result.shard, ".parquet"))
        marker = {
            "shard": result.shard,
            "samples": len(result.rows),
            "seconds": round(result.seconds, 3),
            "problems": result.problems,
        }
        _atomic(self._path(result.shard, ".done.json"), json.dumps(marker).encode())

    def markers(self) -> list[dict[str, Any]]:
        return [json.loads(p.read_text()) for p in sorted(self.dir.glob("*.done.json"))]

    def rows(self) -> pa.Table:
        """Every done shard's rows, in a stable order (shard, key)."""
        parts = []
        for m in self.markers():
            parts.append(pq.read_table(self._path(m["shard"], ".parquet"), schema=SCHEMA))
        if not parts:
            return SCHEMA.empty_table()
        return pa.concat_tables(parts).sort_by([("shard", "ascending"), ("key", "ascending")])


__all__ = ["SCHEMA", "Checkpoints"]
