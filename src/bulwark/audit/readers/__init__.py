"""Find a dataset's shards and read them: one reader per layout.

A new layout is one module here and one entry in ``READERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bulwark.audit.readers.embeddings import EmbeddingShard, embedding_shards, is_embedding_layout
from bulwark.audit.readers.folder import folder_shards, read_folder
from bulwark.audit.readers.parquet import read_parquet
from bulwark.audit.readers.webdataset import read_webdataset
from bulwark.audit.sample import DatasetError, Problem, Sample, ShardRef

READERS: dict[str, Callable[[ShardRef], Iterator[Sample | Problem]]] = {
    "folder": read_folder,
    "webdataset": read_webdataset,
    "parquet": read_parquet,
}


@dataclass
class Dataset:
    shards: list[ShardRef] = field(default_factory=list)
    embeddings: list[EmbeddingShard] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def discover(paths: list[Path], embeddings: Path | None = None) -> Dataset:
    """Every shard under the given paths (a folder tree, tar or Parquet files or
    folders of them, or LAION's embedding layout)."""
    ds = Dataset()
    for root in paths:
        if not root.exists():
            raise DatasetError(f"{root}: no such file or folder")
        if root.is_file():
            ds.shards.append(_file_shard(root))
        elif is_embedding_layout(root):
            refs, pairs, problems = embedding_shards(root)
            ds.shards += refs
            ds.embeddings += pairs
            ds.problems += problems
        elif any(root.glob("*.tar")) or any(root.glob("*.parquet")):
            ds.shards += [
                _file_shard(p) for p in sorted(root.iterdir()) if p.suffix in (".tar", ".parquet")
            ]
        else:
            refs, problems = folder_shards(root)
            ds.shards += refs
            ds.problems += problems
    if embeddings is not None:
        _, pairs, problems = embedding_shards(embeddings)
        ds.embeddings += pairs
        ds.problems += problems
    return ds


def _file_shard(p: Path) -> ShardRef:
    if p.suffix == ".tar":
        return ShardRef("webdataset", str(p), f"webdataset:{p.name}")
    if p.suffix == ".parquet":
        return ShardRef("parquet", str(p), f"parquet:{p.name}")
    raise DatasetError(f"{p}: not a .tar or .parquet shard")


def read(shard: ShardRef) -> Iterator[Sample | Problem]:
    return READERS[shard.kind](shard)


__all__ = ["READERS", "Dataset", "EmbeddingShard", "discover", "read"]
