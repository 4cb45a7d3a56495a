from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from bulwark.errors import CorruptMediaError, MediaLimitError, UnsupportedMediaError
from bulwark.media import MediaLimits, decode_image, open_image_frames, sniff
from bulwark.media.sniff import MediaKind
from tests.conftest import encode


@pytest.fixture
def rgb(photo_bytes: bytes) -> Image.Image:
    import io

    im = Image.open(io.BytesIO(photo_bytes)).convert("RGB")
    im.thumbnail((128, 128))
    return im


@pytest.mark.parametrize(
    ("fmt", "kwargs", "expected"),
    [
        ("JPEG", {}, "jpeg"),
        ("PNG", {}, "png"),
        ("WEBP", {}, "webp"),
        ("GIF", {}, "gif"),
        ("BMP", {}, "bmp"),
        ("TIFF", {}, "tiff"),
        ("HEIF", {}, "heif"),
        ("AVIF", {}, "avif"),
    ],
)
def test_every_still_format_decodes_to_rgb(
    rgb: Image.Image, fmt: str, kwargs: dict[str, object], expected: str
) -> None:
    data = encode(rgb, fmt, **kwargs)
    assert sniff(data).format == expected
    img = decode_image(data)
    assert img.media_type.format == expected
    assert img.pixels.shape == (rgb.height, rgb.width, 3)
    assert img.pixels.dtype == np.uint8


def test_type_comes_from_bytes_not_name(rgb: Image.Image) -> None:
    png = encode(rgb, "PNG")
    # Whatever the caller calls it, PNG bytes are a PNG.
    assert sniff(png).format == "png"


def test_empty_and_non_media_are_refused() -> None:
    with pytest.raises(UnsupportedMediaError, match="empty file"):
        decode_image(b"")
    with pytest.raises(UnsupportedMediaError, match="not an image or video"):
        decode_image(b"hello, this is plain text and not a picture at all")
    with pytest.raises(UnsupportedMediaError, match=r"application/pdf"):
        decode_image(b"%PDF-1.7\n" + b"0" * 100)


def test_truncated_jpeg_names_the_problem(photo_bytes: bytes) -> None:
    with pytest.raises(CorruptMediaError, match="truncated JPEG"):
        decode_image(photo_bytes[: len(photo_bytes) // 3])


def test_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = encode(Image.new("1", (20000, 20000)), "PNG")  # ~50 KB on disk, 400 MP
    assert len(bomb) < 200_000
    with pytest.raises(MediaLimitError, match=r"20000x20000 exceeds the 100 MP limit"):
        decode_image(bomb)


def _png_with_size(w: int, h: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def test_zero_by_zero_image_is_corrupt() -> None:
    with pytest.raises(CorruptMediaError):
        decode_image(_png_with_size(0, 0))


def test_one_pixel_image_decodes() -> None:
    img = decode_image(encode(Image.new("RGB", (1, 1), "red"), "PNG"))
    assert img.pixels.shape == (1, 1, 3)


def test_cmyk_and_16_bit_images_become_rgb(rgb: Image.Image) -> None:
    cmyk = decode_image(encode(rgb.convert("CMYK"), "JPEG"))
    assert cmyk.source_mode == "CMYK" and cmyk.pixels.shape[2] == 3
    ramp = (np.arange(64 * 64, dtype=np.uint16).reshape(64, 64) * 16).astype(np.uint16)
    wide = Image.fromarray(ramp)
    assert wide.mode.startswith("I;16")
    img = decode_image(encode(wide, "PNG"))
    # 16-bit values are scaled to 8 bits, not clipped to white.
    assert img.pixels[..., 0].max() == (ramp.max() >> 8)
    assert img.pixels[..., 0].min() == 0


def test_byte_limit() -> None:
    with pytest.raises(MediaLimitError, match="exceeds the 10-byte limit"):
        decode_image(b"\xff\xd8\xff" + b"0" * 100, MediaLimits(max_bytes=10))


def test_animated_gif_frames_and_frame_limit(rgb: Image.Image) -> None:
    frames = [rgb.rotate(i * 30) for i in range(5)]
    buf = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=200)
    assert decode_image(buf).n_frames == 5
    media_type, n, it = open_image_frames(buf)
    got = list(it)
    assert media_type.kind is MediaKind.IMAGE and n == 5 and len(got) == 5
    assert got[1].timestamp_s == pytest.approx(0.2)
    with pytest.raises(MediaLimitError, match="5 frames, exceeds the 3-frame limit"):
        open_image_frames(buf, MediaLimits(max_frames=3))


def test_thousands_of_frames_refused_without_decoding() -> None:
    tiny = [Image.new("L", (4, 4), (i * 37) % 256) for i in range(3000)]
    buf = encode(tiny[0], "GIF", save_all=True, append_images=tiny[1:], duration=10)
    with pytest.raises(MediaLimitError, match="3,000 frames"):
        open_image_frames(buf)
