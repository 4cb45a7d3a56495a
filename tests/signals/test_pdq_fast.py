"""Fast-mode PDQ: the operator form must agree with the reference binding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pdqhash
import pytest
from PIL import Image

from bulwark.errors import SignalError
from bulwark.media.image import decode_image
from bulwark.signals import FileContent, hash_content
from bulwark.signals.pdq import DIHEDRAL_NAMES, bits_to_hex, hamming
from bulwark.signals.pdq_fast import axis_operator, pdq_fast, pdq_fast_dihedral
from tests.conftest import encode


def _rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def test_full_size_operator_reproduces_reference(photos: list[Path]) -> None:
    for p in photos:
        pixels = _rgb(p)
        ref_bits, ref_quality = pdqhash.compute(pixels)
        if ref_quality < 50:  # flat images tie at the median; PDQ calls them unreliable
            continue
        ours, quality = pdq_fast(pixels, *pixels.shape[:2])
        assert hamming(ours, bits_to_hex(ref_bits)) <= 2, p.name
        assert abs(quality - int(ref_quality)) <= 1, p.name


def test_dihedral_variants_follow_reference_order(photos: list[Path]) -> None:
    pixels = _rgb(photos[3])
    ref, _ = pdqhash.compute_dihedral(pixels)
    ours, _ = pdq_fast_dihedral(pixels, *pixels.shape[:2])
    assert len(ours) == len(DIHEDRAL_NAMES)
    for name, a, b in zip(DIHEDRAL_NAMES, ours, ref, strict=True):
        assert hamming(a, bits_to_hex(b)) <= 2, name


def test_half_size_jpeg_decode_stays_within_ten_bits(photos: list[Path]) -> None:
    for p in photos[:4]:
        big = Image.open(p).convert("RGB")
        big = big.resize((big.width * 2, big.height * 2), Image.Resampling.BICUBIC)
        data = encode(big, "JPEG", quality=90)
        decoded = decode_image(data, fast=True)
        assert decoded.pixels.shape[1] == (decoded.width + 1) // 2, "draft mode not used"
        exact = hash_content(FileContent(data)).first("pdq")
        fast = hash_content(FileContent(data, fast=True)).first("pdq")
        assert exact and fast and fast.details["mode"] == "fast"
        assert hamming(exact.value, fast.value) <= 10, p.name


def test_operator_rows_are_weighted_averages() -> None:
    for n_full, n_dec in ((1600, 1600), (1365, 683), (97, 49), (1, 1)):
        op = axis_operator(n_full, n_dec)
        assert op.shape == (64, n_dec)
        np.testing.assert_allclose(op.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize(
    "pixels",
    [np.zeros((0, 5, 3), np.uint8), np.zeros((4, 4), np.uint8), np.zeros((4, 4, 3), np.float32)],
)
def test_bad_pixels_are_refused(pixels: np.ndarray) -> None:
    with pytest.raises(SignalError, match="PDQ needs"):
        pdq_fast(pixels, 4, 4)
