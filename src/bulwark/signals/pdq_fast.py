"""PDQ for bulk work: the reference algorithm written as two small linear operators.

PDQ blurs full-size luma with two passes of a box filter (Jarosz), samples a 64x64
grid, takes a 16x16 DCT and thresholds it at the median. Blur and sampling are
linear and separable, so for an image of H x W they collapse into a 64 x H and a
64 x W matrix, each with ~H/32 non-zeros per row: ``B64 = Ry @ luma @ Rx.T``.
Applying them costs a few operations per pixel, against the reference binding's
full-size float buffers and box passes (~10x slower on 2.5 MP here).

When the image was decoded at a reduced size (JPEG DCT scaling by ``factor``),
each reduced pixel stands for a ``factor`` x ``factor`` block, and the operator
columns of the block are summed. That keeps the blur the full-size image would
have had; how far hashes move is measured in benchmarks/bench_hashing.py.

Results are PDQ hashes in the reference bit order (threatexchange hex), but
float summation order differs from ``pdqhash``, so only exact mode promises
bit-identical output. Written by hand because no library exposes PDQ's
intermediate 64x64 buffer or accepts a reduced-size decode.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numba
import numpy as np

from bulwark.errors import SignalError

_GRID = 64
_JAROSZ_DIVISOR = 128


def _box_matrix(n: int, window: int) -> np.ndarray:
    """PDQ's 1-D box filter as a matrix: centred window, edges averaged over what exists."""
    half = (window + 2) // 2
    i = np.arange(n)
    lo = np.clip(i - (window - half), 0, n - 1)
    hi = np.clip(i + half - 1, 0, n - 1)
    m = ((i[None, :] >= lo[:, None]) & (i[None, :] <= hi[:, None])).astype(np.float64)
    out: np.ndarray = m / m.sum(axis=1, keepdims=True)
    return out


@lru_cache(maxsize=128)
def _full_operator(n: int) -> np.ndarray:
    window = (n + _JAROSZ_DIVISOR - 1) // _JAROSZ_DIVISOR
    box = _box_matrix(n, window)
    rows = ((np.arange(_GRID) + 0.5) * n / _GRID).astype(np.int64)
    out: np.ndarray = (box[rows] @ box).astype(np.float64)
    return out


@lru_cache(maxsize=128)
def axis_operator(n_full: int, n_decoded: int) -> np.ndarray:
    """64 x n_decoded float32 operator for one axis of an image stored n_full long."""
    full = _full_operator(n_full)
    if n_decoded == n_full:
        return np.ascontiguousarray(full, dtype=np.float32)
    factor = max(1, round(n_full / n_decoded))
    block = np.minimum(np.arange(n_full) // factor, n_decoded - 1)
    out = np.zeros((_GRID, n_decoded))
    np.add.at(out.T, block, full.T)
    return np.ascontiguousarray(out, dtype=np.float32)


@numba.njit(cache=True, nogil=True)
def _rows_of_luma(
    pixels: np.ndarray, ry: np.ndarray, first: np.ndarray, last: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    """``ry @ luma`` touching each pixel once; ``first/last`` bound each column's support."""
    h, w = pixels.shape[0], pixels.shape[1]
    out = np.zeros((ry.shape[0], w), dtype=np.float32)
    line = np.empty(w, dtype=np.float32)
    cr, cg, cb = np.float32(0.299), np.float32(0.587), np.float32(0.114)
    for y in range(h):
        for x in range(w):
            line[x] = cr * pixels[y, x, 0] + cg * pixels[y, x, 1] + cb * pixels[y, x, 2]
        for i in range(first[y], last[y]):
            wgt = ry[i, y]
            if wgt != 0.0:
                for x in range(w):
                    out[i, x] += wgt * line[x]
    return out


@lru_cache(maxsize=128)
def _support(n_full: int, n_decoded: int) -> tuple[np.ndarray, np.ndarray]:
    """For each decoded row, the range of grid rows whose weight on it is non-zero."""
    nz = axis_operator(n_full, n_decoded) != 0
    any_nz = nz.any(axis=0)
    first = np.where(any_nz, nz.argmax(axis=0), 0).astype(np.int64)
    last = np.where(any_nz, _GRID - nz[::-1].argmax(axis=0), 0).astype(np.int64)
    return first, last


@lru_cache(maxsize=1)
def _dct16() -> np.ndarray:
    i = np.arange(1, 17)[:, None]
    j = np.arange(_GRID)[None, :]
    out: np.ndarray = np.cos((math.pi / 2 / _GRID) * i * (2 * j + 1)) * math.sqrt(2.0 / _GRID)
    return out


def _quality(grid: np.ndarray) -> int:
    """PDQ's gradient-count quality heuristic on the 64x64 grid, truncating as the reference."""
    dy = np.abs(np.trunc((grid[1:] - grid[:-1]) * 100 / 255)).sum()
    dx = np.abs(np.trunc((grid[:, 1:] - grid[:, :-1]) * 100 / 255)).sum()
    return min(100, int((dy + dx) / 90))


def _bits_to_hex(dct: np.ndarray) -> str:
    bits = (dct > np.median(dct)).astype(np.uint8).ravel()
    # PDQ sets bit i*16+j for coefficient (i, j) and prints bit 255 first.
    return np.packbits(bits[::-1]).tobytes().hex()


def _dihedral(dct: np.ndarray) -> list[np.ndarray]:
    """The eight variants from one DCT: sign changes of odd rows/columns plus transposes."""
    odd = (np.arange(16) % 2).astype(bool)
    row_sign = np.where(odd, 1.0, -1.0)[:, None]
    col_sign = np.where(odd, 1.0, -1.0)[None, :]
    checker = np.where((np.add.outer(np.arange(16), np.arange(16)) % 2) == 1, -1.0, 1.0)
    return [
        dct,
        (dct * col_sign).T,  # rotate 90
        dct * checker,  # rotate 180
        (dct * row_sign).T,  # rotate 270
        dct * row_sign,  # flip x
        dct * col_sign,  # flip y
        dct.T,  # flip +1
        (dct * checker).T,  # flip -1
    ]


def _dct_and_quality(
    pixels: np.ndarray, full_height: int, full_width: int
) -> tuple[np.ndarray, int]:
    if pixels.ndim != 3 or pixels.shape[2] != 3 or pixels.dtype != np.uint8:
        raise SignalError(f"PDQ needs HxWx3 uint8 pixels, got {pixels.shape} {pixels.dtype}")
    h, w = pixels.shape[:2]
    if h == 0 or w == 0:
        raise SignalError(f"PDQ needs a non-empty image, got {pixels.shape}")
    ry = axis_operator(full_height, h)
    rx = axis_operator(full_width, w)
    first, last = _support(full_height, h)
    partial = _rows_of_luma(np.ascontiguousarray(pixels), ry, first, last)
    grid = (partial @ rx.T).astype(np.float64)
    d = _dct16()
    return d @ grid @ d.T, _quality(grid)


def pdq_fast(pixels: np.ndarray, full_height: int, full_width: int) -> tuple[str, int]:
    """PDQ hash and quality of pixels decoded from an image stored at full_height x full_width."""
    dct, quality = _dct_and_quality(pixels, full_height, full_width)
    return _bits_to_hex(dct), quality


def pdq_fast_dihedral(
    pixels: np.ndarray, full_height: int, full_width: int
) -> tuple[list[str], int]:
    """All eight rotations/mirrors, in ``pdqhash.compute_dihedral``'s order."""
    dct, quality = _dct_and_quality(pixels, full_height, full_width)
    return [_bits_to_hex(v) for v in _dihedral(dct)], quality


__all__ = ["axis_operator", "pdq_fast", "pdq_fast_dihedral"]
