"""Neighbour expansion: from confirmed hits to their nearest neighbours in the
dataset's embeddings, listed as suspects for an authorised organisation to
validate — the Stanford study's method, made repeatable.

Vectors are compared by cosine similarity (normalised, inner product). Up to
``exact_limit`` vectors the search is exact (``IndexFlatIP``); above it an
inverted-file index is built, and its recall@k against exact search is measured on a sample
of the queries and reported with the results, so nobody has to take the
approximation on trust. Expansion repeats from the new suspects up to
``depth`` times; each suspect keeps the seed it came from.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import faiss
import numpy as np
import pyarrow.parquet as pq

from bulwark.audit.readers.embeddings import EmbeddingShard

DEFAULT_EXACT_LIMIT = 200_000
DEFAULT_NPROBE = 32
RECALL_QUERIES = 100


@dataclass(frozen=True)
class Suspect:
    shard: str
    key: str
    url: str
    similarity: float
    seed_shard: str
    seed_key: str
    depth: int


@dataclass
class Expansion:
    suspects: list[Suspect] = field(default_factory=list)
    index: str = ""
    vectors: int = 0
    dimensions: int = 0
    recall_at_k: float | None = None
    build_seconds: float = 0.0
    search_seconds: float = 0.0
    problems: list[dict[str, str]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "vectors": self.vectors,
            "dimensions": self.dimensions,
            "recall_at_k": self.recall_at_k,
            "build_seconds": round(self.build_seconds, 3),
            "search_seconds": round(self.search_seconds, 3),
            "suspects": len(self.suspects),
        }


@dataclass
class EmbeddingSet:
    vectors: np.ndarray  # float32, unit rows
    shard: list[str]
    key: list[str]
    url: list[str]


def load(shards: list[EmbeddingShard]) -> EmbeddingSet:
    parts, shard_ids, keys, urls = [], [], [], []
    for s in shards:
        v = np.load(s.vectors).astype(np.float32, copy=False)
        meta = pq.read_table(s.metadata, columns=None)
        cols = set(meta.column_names)
        n = v.shape[0]
        key = meta.column("key").to_pylist() if "key" in cols else [f"{i:09d}" for i in range(n)]
        url = meta.column("url").to_pylist() if "url" in cols else [""] * n
        parts.append(v)
        shard_ids += [s.id] * n
        keys += [str(k) for k in key]
        urls += [str(u or "") for u in url]
    if not parts:
        return EmbeddingSet(np.zeros((0, 1), np.float32), [], [], [])
    vectors = np.ascontiguousarray(np.concatenate(parts))
    faiss.normalize_L2(vectors)
    return EmbeddingSet(vectors, shard_ids, keys, urls)


def build_index(
    vectors: np.ndarray, exact_limit: int = DEFAULT_EXACT_LIMIT, nprobe: int = DEFAULT_NPROBE
) -> tuple[Any, str]:
    """Exact up to ``exact_limit`` vectors; above, an inverted-file index (IVF-Flat,
    sqrt(n) lists, trained on a sample): on two cores it builds a million 768-d
    vectors in well under a minute, where HNSW took minutes per few hundred thousand."""
    d = vectors.shape[1]
    index: Any
    if len(vectors) <= exact_limit:
        index = faiss.IndexFlatIP(d)
        index.add(vectors)
        return index, "exact (IndexFlatIP)"
    nlist = max(16, int(np.sqrt(len(vectors))))
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(d), d, nlist, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(0)
    train = vectors[np.sort(rng.choice(len(vectors), min(len(vectors), 40 * nlist), replace=False))]
    index.train(train)
    index.add(vectors)
    index.nprobe = nprobe
    return index, f"approximate (IndexIVFFlat, {nlist} lists, nprobe {nprobe})"


def recall_at_k(index: Any, vectors: np.ndarray, queries: np.ndarray, k: int) -> float:
    """Share of the exact top-k that the index also returns, over ``queries``."""
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, truth = exact.search(queries, k)
    _, got = index.search(queries, k)
    hits = sum(len(set(t) & set(g)) for t, g in zip(truth.tolist(), got.tolist(), strict=True))
    return hits / truth.size


def expand(
    emb: EmbeddingSet,
    seeds: set[str],
    *,
    k: int = 10,
    depth: int = 1,
    min_similarity: float = 0.8,
    exact_limit: int = DEFAULT_EXACT_LIMIT,
) -> Expansion:
    out = Expansion(vectors=len(emb.key), dimensions=int(emb.vectors.shape[1]))
    # a confirmed hit is found in the embeddings by its sample key or its URL
    rows = [
        i
        for i, (key, url) in enumerate(zip(emb.key, emb.url, strict=True))
        if key in seeds or (url and url in seeds)
    ]
    frontier = [(i, i) for i in rows]
    if not frontier or len(emb.key) == 0:
        return out
    t0 = time.perf_counter()
    index, out.index = build_index(emb.vectors, exact_limit)
    out.build_seconds = time.perf_counter() - t0
    if len(emb.key) > exact_limit:
        rng = np.random.default_rng(0)
        sample = rng.choice(len(emb.key), min(RECALL_QUERIES, len(emb.key)), replace=False)
        out.recall_at_k = round(recall_at_k(index, emb.vectors, emb.vectors[sample], k), 4)
    seen = {i for i, _ in frontier}
    t0 = time.perf_counter()
    for level in range(1, depth + 1):
        query = np.array([i for i, _ in frontier], dtype=np.int64)
        sims, found = index.search(emb.vectors[query], k + 1)
        nxt = []
        for (_, origin), srow, frow in zip(frontier, sims.tolist(), found.tolist(), strict=True):
            for sim, j in zip(srow, frow, strict=True):
                if j < 0 or j in seen or sim < min_similarity:
                    continue
                seen.add(j)
                nxt.append((j, origin))
                out.suspects.append(
                    Suspect(
                        emb.shard[j],
                        emb.key[j],
                        emb.url[j],
                        round(float(sim), 5),
                        emb.shard[origin],
                        emb.key[origin],
                        level,
                    )
                )
        frontier = nxt
        if not frontier:
            break
    out.search_seconds = time.perf_counter() - t0
    out.suspects.sort(key=lambda s: (s.depth, -s.similarity, s.shard, s.key))
    return out


__all__ = ["EmbeddingSet", "Expansion", "Suspect", "build_index", "expand", "load", "recall_at_k"]
