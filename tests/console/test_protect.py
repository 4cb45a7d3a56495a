"""The protected view is made on the server: reduced, greyscale, and without detail."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bulwark.console.protect import Protection, protected_jpeg
from bulwark.errors import MediaError


def _detail(im: Image.Image) -> float:
    """Mean absolute difference between neighbouring pixels (edges, texture)."""
    a = np.asarray(im.convert("L").resize((256, 256)), dtype=np.float64)
    return float(np.abs(np.diff(a, axis=1)).mean() + np.abs(np.diff(a, axis=0)).mean())


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_blurred_greyscale_and_small(photos: list[Path], fmt: str) -> None:
    original = Image.open(photos[3]).convert("RGB")
    buf = io.BytesIO()
    original.save(buf, fmt)
    shown = Image.open(io.BytesIO(protected_jpeg(buf.getvalue())))
    assert shown.format == "JPEG" and shown.mode == "L"
    assert max(shown.size) <= 640
    assert _detail(shown) < _detail(original) / 4  # the detail is gone


def test_unblurred_colour_view_keeps_detail(photos: list[Path]) -> None:
    data = photos[3].read_bytes()
    clear = Image.open(io.BytesIO(protected_jpeg(data, Protection(blur=False, greyscale=False))))
    blurred = Image.open(io.BytesIO(protected_jpeg(data)))
    assert clear.mode == "RGB" and _detail(clear) > 4 * _detail(blurred)


@pytest.mark.parametrize("data", [b"", b"not an image", b"\xff\xd8\xff\xe0" + b"\x00" * 20])
def test_bad_input_is_a_media_error(data: bytes) -> None:
    with pytest.raises(MediaError):
        protected_jpeg(data)
