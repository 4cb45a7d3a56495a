"""What the readers hand the stages: samples, and problems that name where they are.

A shard is the unit of work, checkpointing and resumption: a tar file, a
Parquet file, an embedding shard's metadata, or a fixed slice of a folder's
files. Its ``id`` is stable across runs, so a resumed run knows what it has
done. A problem never stops a shard's other samples (or other shards).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bulwark.errors import BulwarkError


class DatasetError(BulwarkError):
    """A dataset that cannot be read at all (the message names the path and why)."""


@dataclass(frozen=True)
class ShardRef:
    """Where a shard is; picklable, so process pools and Ray tasks can take it."""

    kind: str  # "folder", "webdataset", "parquet", "embedding_meta"
    path: str
    id: str
    files: tuple[str, ...] = ()  # a folder shard's files, relative to ``path``


@dataclass
class Sample:
    key: str
    shard: str
    data: bytes | None = None
    caption: str = ""
    url: str = ""
    md5: str = ""  # given by the dataset (rows that carry only an MD5)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    shard: str
    key: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"shard": self.shard, "key": self.key, "reason": self.reason}


__all__ = ["DatasetError", "Problem", "Sample", "ShardRef"]
