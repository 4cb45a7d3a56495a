"""PDQ perceptual hash (Meta), computed with the reference ``pdqhash`` binding.

We hand ``pdqhash`` exactly the RGB array the reference threatexchange hasher
would build for RGB and greyscale images, so hashes are bit-identical to it.
Hashes under quality 50 are kept and flagged rather than dropped: a
low-quality hash is still evidence, and silently losing it hides content.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pdqhash

from bulwark.errors import SignalError
from bulwark.media.sniff import MediaKind
from bulwark.signals.base import FileContent, Signal, SignalType, validate_hex
from bulwark.signals.pdq_fast import pdq_fast, pdq_fast_dihedral

QUALITY_THRESHOLD = 50
DEFAULT_DISTANCE_THRESHOLD = 31
HEX_LENGTH = 64
#: Order in which ``pdqhash.compute_dihedral`` returns the eight variants.
DIHEDRAL_NAMES = (
    "original",
    "rotate90",
    "rotate180",
    "rotate270",
    "flip_x",
    "flip_y",
    "flip_plus1",
    "flip_minus1",
)


def bits_to_hex(bits: np.ndarray) -> str:
    """256 0/1 values, most significant first, as 64 lowercase hex digits."""
    return np.packbits(bits.astype(np.uint8)).tobytes().hex()


def pdq_from_pixels(pixels: np.ndarray) -> tuple[str, int]:
    """PDQ hash and quality of an (H, W, 3) uint8 array."""
    if pixels.ndim != 3 or pixels.shape[2] != 3 or pixels.dtype != np.uint8:
        raise SignalError(f"PDQ needs HxWx3 uint8 pixels, got {pixels.shape} {pixels.dtype}")
    bits, quality = pdqhash.compute(pixels)
    return bits_to_hex(bits), int(quality)


def pdq_dihedral_from_pixels(pixels: np.ndarray) -> tuple[list[str], int]:
    """The eight rotations/mirrors of the PDQ hash, computed in one pass."""
    hashes, quality = pdqhash.compute_dihedral(pixels)
    return [bits_to_hex(h) for h in hashes], int(quality)


def pdq_signal(hex_hash: str, quality: int, **details: object) -> Signal:
    if quality < QUALITY_THRESHOLD:
        details["low_quality"] = True
    return Signal(PDQSignal.name, hex_hash, quality, details)


class PDQSignal(SignalType):
    name = "pdq"
    threatexchange_name = "pdq"
    aliases = ("photo_pdq", "hash_pdq")
    media_kinds = frozenset({MediaKind.IMAGE})
    is_distance_based = True
    include_dihedral: ClassVar[bool] = False

    @classmethod
    def validate(cls, value: str) -> str:
        return validate_hex(cls.name, value, HEX_LENGTH)

    @classmethod
    def compute(cls, content: FileContent) -> list[Signal]:
        """Exact mode: the reference binding; fast mode: bulk operators on a reduced decode."""
        image = content.image
        if content.fast:
            hex_hash, quality = pdq_fast(image.pixels, image.height, image.width)
            return [pdq_signal(hex_hash, quality, mode="fast")]
        hex_hash, quality = pdq_from_pixels(image.pixels)
        return [pdq_signal(hex_hash, quality)]

    @classmethod
    def compute_dihedral(cls, content: FileContent) -> list[Signal]:
        """All eight variants, for matching rotated or mirrored re-uploads."""
        image = content.image
        if content.fast:
            hashes, quality = pdq_fast_dihedral(image.pixels, image.height, image.width)
        else:
            hashes, quality = pdq_dihedral_from_pixels(image.pixels)
        return [
            pdq_signal(h, quality, variant=name)
            for h, name in zip(hashes, DIHEDRAL_NAMES, strict=True)
        ]


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()
