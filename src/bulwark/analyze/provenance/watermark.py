"""Invisible watermarks that Stable Diffusion pipelines embed (``invisible-watermark``).

The reference scripts mark outputs with the ``dwtDct`` method: SD 1.x the 136
bits of ``StableDiffusionV1``, SD 2.x ``SDV2`` (32 bits), SDXL the 48-bit
constant 0xB3EC907BB19E. diffusers hands the encoder RGB arrays while the
library reads BGR, so marks exist in both channel orders; both are read. A mark
counts when enough bits agree (SDXL: >= 34 of 48; random agreement has mean 24,
sd 3.5). Images under 256 px a side are never marked by the pipelines and are
skipped. A JPEG re-encode destroys most marks: absence means nothing.

The decoder is written here rather than taken from ``invisible-watermark``,
whose encoder the pipelines use. ``dwtDct`` hides each bit in the
largest-magnitude coefficient of a 4x4 block of the U channel's Haar
approximation (its remainder modulo 36 set to a quarter or three quarters).
When the runner-up coefficient is nearly as large, the decoder cannot tell
which one was marked, and the reference decoder's vote over every block then
loses 1 SDXL mark in 4 on ordinary photos. Here blocks whose two largest
magnitudes differ by less than ``AMBIGUOUS_MARGIN`` do not vote: on the
benchmark's PNG outputs SDXL detection goes from 75% to 95%, and unmarked
photos still agree on at most 31 of 48 bits (threshold 34). It is also
vectorised: milliseconds per image instead of a Python loop over blocks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_SIDE = 256
_SDXL = 0xB3EC907BB19E


def _bits_of(data: bytes) -> list[int]:
    return [int(b) for b in np.unpackbits(np.frombuffer(data, dtype=np.uint8))]


#: name -> (expected bits, minimum agreeing bits)
MARKS: dict[str, tuple[list[int], int]] = {
    "sdxl": ([int(b) for b in bin(_SDXL)[2:]], 34),
    "sd1": (_bits_of(b"StableDiffusionV1"), 110),
    "sd2": (_bits_of(b"SDV2"), 29),
}


@dataclass(frozen=True)
class WatermarkHit:
    mark: str
    channel_order: str
    matching_bits: int
    total_bits: int


#: blocks whose two largest coefficients differ by less than this do not vote
AMBIGUOUS_MARGIN = 6.0
_SCALE = 36.0  # the U and V scales the encoder uses (only U is ever marked)
_BLOCK = 4


def available() -> bool:
    try:
        import cv2  # noqa: F401
        import pywt  # noqa: F401
    except ImportError:
        return False
    return True


def _block_votes(bgr: np.ndarray, margin: float) -> tuple[np.ndarray, np.ndarray]:
    """Each 4x4 block's vote (its largest coefficient's remainder in the upper half)
    and whether that vote counts, in the encoder's block order."""
    import cv2
    import pywt

    rows, cols = bgr.shape[:2]
    yuv = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV)
    approx, _ = pywt.dwt2(yuv[: rows // 4 * 4, : cols // 4 * 4, 1], "haar")
    br, bc = approx.shape[0] // _BLOCK, approx.shape[1] // _BLOCK
    blocks = (
        approx[: br * _BLOCK, : bc * _BLOCK]
        .reshape(br, _BLOCK, bc, _BLOCK)
        .transpose(0, 2, 1, 3)
        .reshape(-1, _BLOCK * _BLOCK)
    )
    mags = np.sort(np.abs(blocks[:, 1:]), axis=1)  # the DC term is never marked
    top, runner_up = mags[:, -1], mags[:, -2]
    return (top % _SCALE) > _SCALE / 2, (top - runner_up) >= margin


def _bits(votes: np.ndarray, counts: np.ndarray, n_bits: int) -> np.ndarray:
    bit = np.arange(len(votes)) % n_bits  # the encoder repeats the bits block by block
    ones = np.bincount(bit, weights=votes & counts, minlength=n_bits)
    counted = np.bincount(bit, weights=counts, minlength=n_bits)
    out: np.ndarray = ones * 255 > counted * 127  # the reference decoder's own cut
    return out


def decode_dwtdct(bgr: np.ndarray, n_bits: int, margin: float = AMBIGUOUS_MARGIN) -> np.ndarray:
    """The ``n_bits`` bits a ``dwtDct`` mark carries in an (H, W, 3) uint8 BGR array,
    read from the blocks whose marked coefficient is unambiguous."""
    return _bits(*_block_votes(bgr, margin), n_bits)


def read_watermarks(rgb: np.ndarray) -> list[WatermarkHit]:
    """Marks found in an (H, W, 3) uint8 RGB array; [] when too small or none."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or min(rgb.shape[:2]) < MIN_SIDE:
        return []
    hits = []
    for order, arr in (("bgr", rgb[:, :, ::-1]), ("rgb", rgb)):
        votes, counts = _block_votes(np.ascontiguousarray(arr), AMBIGUOUS_MARGIN)
        for name, (expected, needed) in MARKS.items():
            got = _bits(votes, counts, len(expected))
            agree = int((got == np.asarray(expected, dtype=bool)).sum())
            if agree >= needed:
                hits.append(WatermarkHit(name, order, agree, len(expected)))
    return hits


__all__ = [
    "AMBIGUOUS_MARGIN",
    "MARKS",
    "MIN_SIDE",
    "WatermarkHit",
    "available",
    "decode_dwtdct",
    "read_watermarks",
]
