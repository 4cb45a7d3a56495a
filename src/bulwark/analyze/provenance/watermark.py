"""Invisible watermarks that Stable Diffusion pipelines embed (``invisible-watermark``).

The reference scripts mark outputs with the ``dwtDct`` method: SD 1.x the 136
bits of ``StableDiffusionV1``, SD 2.x ``SDV2`` (32 bits), SDXL the 48-bit
constant 0xB3EC907BB19E. diffusers hands the encoder RGB arrays while the
library reads BGR, so marks exist in both channel orders; both are read. A mark
counts when enough bits agree (SDXL: >= 34 of 48; random agreement has mean 24,
sd 3.5). Images under 256 px a side are never marked by the pipelines and are
skipped. A JPEG re-encode destroys most marks: absence means nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

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


@lru_cache(maxsize=8)
def _decoder(n_bits: int):  # type: ignore[no-untyped-def]
    from imwatermark import WatermarkDecoder

    return WatermarkDecoder("bits", n_bits)


def available() -> bool:
    try:
        import imwatermark  # noqa: F401
    except ImportError:
        return False
    return True


def read_watermarks(rgb: np.ndarray) -> list[WatermarkHit]:
    """Marks found in an (H, W, 3) uint8 RGB array; [] when too small or none."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or min(rgb.shape[:2]) < MIN_SIDE:
        return []
    hits = []
    for order, arr in (("bgr", rgb[:, :, ::-1]), ("rgb", rgb)):
        arr = np.ascontiguousarray(arr)
        for name, (expected, needed) in MARKS.items():
            got = _decoder(len(expected)).decode(arr, "dwtDct")
            agree = int(sum(int(bool(a)) == b for a, b in zip(got, expected, strict=False)))
            if agree >= needed:
                hits.append(WatermarkHit(name, order, agree, len(expected)))
    return hits


__all__ = ["MARKS", "MIN_SIDE", "WatermarkHit", "available", "read_watermarks"]
