from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bulwark.match.pdq_index import (
    PDQHashIndex,
    RangeResult,
    brute_force,
    hex_to_words,
    words_to_hex,
)


def _triples(r: RangeResult) -> list[tuple[int, int, int]]:
    return sorted(zip(r.query.tolist(), r.index.tolist(), r.distance.tolist(), strict=True))


def _flip(rng: np.random.Generator, h: np.ndarray, nbits: int) -> np.ndarray:
    out = h.copy()
    for bit in rng.choice(256, nbits, replace=False):
        out[bit // 64] ^= np.uint64(1) << np.uint64(bit % 64)
    return out


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    hashes = rng.integers(0, 2**64, size=(30_000, 4), dtype=np.uint64)
    picks = rng.integers(0, len(hashes), 400)
    queries = np.stack([_flip(rng, hashes[i], int(rng.integers(0, 60))) for i in picks])
    return hashes, queries


@pytest.mark.parametrize("threshold", [0, 5, 10, 21, 31, 32, 43, 44, 70])
def test_range_search_equals_brute_force(
    data: tuple[np.ndarray, np.ndarray], threshold: int
) -> None:
    hashes, queries = data
    index = PDQHashIndex(hashes)
    got = _triples(index.search(queries, threshold))
    want = _triples(brute_force(hashes, queries, threshold))
    assert got == want
    assert len(want) > 0


def test_clusters_larger_than_the_result_buffer() -> None:
    rng = np.random.default_rng(3)
    seed = rng.integers(0, 2**64, size=4, dtype=np.uint64)
    cluster = np.stack([_flip(rng, seed, int(rng.integers(0, 12))) for _ in range(200)])
    noise = rng.integers(0, 2**64, size=(5000, 4), dtype=np.uint64)
    hashes = np.concatenate([noise, cluster])
    index = PDQHashIndex(hashes)
    got = _triples(index.search(seed[None, :], 31))
    assert len(got) == 200
    assert got == _triples(brute_force(hashes, seed[None, :], 31))


def test_additions_are_searchable_without_rebuild(data: tuple[np.ndarray, np.ndarray]) -> None:
    hashes, queries = data
    index = PDQHashIndex(hashes[:20_000])
    rows = index.add(hashes[20_000:])
    assert rows == range(20_000, 30_000) and index.delta_size == 10_000
    assert _triples(index.search(queries, 31)) == _triples(brute_force(hashes, queries, 31))
    index.compact()
    assert index.delta_size == 0
    assert _triples(index.search(queries, 31)) == _triples(brute_force(hashes, queries, 31))


def test_save_and_memory_mapped_load(tmp_path: Path, data: tuple[np.ndarray, np.ndarray]) -> None:
    hashes, queries = data
    PDQHashIndex(hashes).save(tmp_path / "idx")
    loaded = PDQHashIndex.load(tmp_path / "idx")
    assert isinstance(loaded._base, np.memmap)
    assert len(loaded) == len(hashes)
    assert _triples(loaded.search(queries, 31)) == _triples(brute_force(hashes, queries, 31))


def test_empty_index_and_hex_round_trip() -> None:
    index = PDQHashIndex()
    assert len(index) == 0
    assert index.search(hex_to_words(["00" * 32]), 31).query.size == 0
    hexes = ["0123456789abcdef" * 4, "f" * 64]
    assert words_to_hex(hex_to_words(hexes)) == hexes
