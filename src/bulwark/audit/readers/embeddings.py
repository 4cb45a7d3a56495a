"""LAION's embedding layout: ``img_emb/img_emb_N.npy`` aligned row by row with
``metadata/metadata_N.parquet``.

The metadata rows are samples like any Parquet shard's (matched on MD5 or URL
without bytes); the vectors are for neighbour expansion. A shard whose vector
count disagrees with its metadata is reported and its vectors left out of the
search — its rows are still audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from bulwark.audit.sample import DatasetError, Problem, ShardRef

_N = re.compile(r"(\d+)")


@dataclass(frozen=True)
class EmbeddingShard:
    id: str  # the metadata shard's id: a suspect's shard in the outputs
    vectors: Path
    metadata: Path


def is_embedding_layout(root: Path) -> bool:
    return (root / "img_emb").is_dir() and (root / "metadata").is_dir()


def _number(p: Path) -> str:
    m = _N.findall(p.stem)
    return m[-1] if m else p.stem


def embedding_shards(root: Path) -> tuple[list[ShardRef], list[EmbeddingShard], list[Problem]]:
    if not is_embedding_layout(root):
        raise DatasetError(f"{root}: no img_emb/ and metadata/ folders")
    metas = {_number(p): p for p in sorted((root / "metadata").glob("*.parquet"))}
    vecs = {_number(p): p for p in sorted((root / "img_emb").glob("*.npy"))}
    refs, pairs, problems = [], [], []
    for n, meta in sorted(metas.items()):
        sid = f"embeddings:{root.name}/{meta.name}"
        refs.append(ShardRef("parquet", str(meta), sid))
        vec = vecs.get(n)
        if vec is None:
            problems.append(Problem(sid, "", f"no img_emb file for {meta.name}: no neighbours"))
            continue
        try:
            rows = np.load(vec, mmap_mode="r").shape[0]
            meta_rows = pq.ParquetFile(meta).metadata.num_rows
        except (OSError, ValueError) as exc:
            problems.append(Problem(sid, "", f"unreadable embedding shard {vec.name}: {exc}"))
            continue
        if rows != meta_rows:
            problems.append(
                Problem(
                    sid,
                    "",
                    f"{vec.name} has {rows:,} vectors but {meta.name} has {meta_rows:,} rows: "
                    "vectors left out of the neighbour search",
                )
            )
            continue
        pairs.append(EmbeddingShard(sid, vec, meta))
    for n in sorted(set(vecs) - set(metas)):
        problems.append(
            Problem(f"embeddings:{root.name}", vecs[n].name, "vectors without metadata")
        )
    return refs, pairs, problems


__all__ = ["EmbeddingShard", "embedding_shards", "is_embedding_layout"]
