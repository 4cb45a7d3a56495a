"""Neighbour expansion: exact below the limit, HNSW above it with its recall measured."""

from __future__ import annotations

import numpy as np

from bulwark.audit.neighbours import EmbeddingSet, expand


def _set(n: int, d: int = 32, seed: int = 1) -> EmbeddingSet:
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n, d)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    # a chain in a plane, 20 degrees a step: 0-1 and 1-2 at 0.94, 0-2 at 0.77
    e0, e1 = np.eye(d, dtype=np.float32)[:2]
    for i in range(3):
        a = np.radians(20 * i)
        v[i] = np.cos(a) * e0 + np.sin(a) * e1
    keys = [f"k{i}" for i in range(n)]
    return EmbeddingSet(v, ["s"] * n, keys, [f"https://x/{i}" for i in range(n)])


def test_depth_follows_the_chain_and_keeps_the_seed() -> None:
    emb = _set(500)
    one = expand(emb, {"k0"}, k=5, depth=1, min_similarity=0.9)
    two = expand(emb, {"https://x/0"}, k=5, depth=2, min_similarity=0.9)  # seeds by URL too
    assert [s.key for s in one.suspects] == ["k1"] and one.index.startswith("exact")
    assert [(s.key, s.depth, s.seed_key) for s in two.suspects][:2] == [
        ("k1", 1, "k0"),
        ("k2", 2, "k0"),
    ]
    assert one.recall_at_k is None  # exact: nothing to measure
    assert expand(emb, {"nobody"}, k=5).suspects == []


def test_approximate_index_reports_its_recall() -> None:
    emb = _set(3000)
    out = expand(emb, {"k0"}, k=10, depth=1, min_similarity=0.9, exact_limit=1000)
    assert out.index.startswith("approximate") and out.recall_at_k is not None
    assert 0.9 <= out.recall_at_k <= 1.0
    assert [s.key for s in out.suspects][:1] == ["k1"]
