"""NovelAI's "stealth" metadata: a copy hidden in the alpha channel's lowest bits.

Bits are read column by column (x outer, y inner). The first 120 bits spell
``stealth_pnginfo`` (plain) or ``stealth_pngcomp`` (gzip), the next 32 give the
payload length in bits, then the payload: UTF-8 JSON. Lengths are bounded by
the pixel count and the decompressed size is capped, so a crafted alpha channel
cannot ask for more memory than the image already has.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

import numpy as np
from PIL import Image

MAGIC_PLAIN = b"stealth_pnginfo"
MAGIC_GZIP = b"stealth_pngcomp"
MAX_PAYLOAD = 8 * 1024 * 1024


def read_stealth(im: Image.Image) -> dict[str, Any] | None:
    """The hidden JSON, or None when the alpha channel carries none."""
    if im.mode != "RGBA":
        return None
    alpha = np.asarray(im)[:, :, 3]
    bits = (alpha.T & 1).ravel().astype(np.uint8)
    head = 8 * len(MAGIC_PLAIN)
    if bits.size < head + 32:
        return None
    magic = np.packbits(bits[:head]).tobytes()
    if magic not in (MAGIC_PLAIN, MAGIC_GZIP):
        return None
    length = int.from_bytes(np.packbits(bits[head : head + 32]).tobytes(), "big")
    if length <= 0 or length > bits.size - head - 32 or length > 8 * MAX_PAYLOAD:
        return None
    payload = np.packbits(bits[head + 32 : head + 32 + length]).tobytes()
    if magic == MAGIC_GZIP:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            payload = d.decompress(payload, MAX_PAYLOAD)
        except zlib.error:
            return None
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def write_stealth(im: Image.Image, data: dict[str, Any], *, compress: bool = True) -> Image.Image:
    """Hide ``data`` the way NovelAI does (used to build test and benchmark images)."""
    import gzip

    raw = json.dumps(data).encode("utf-8")
    payload = gzip.compress(raw) if compress else raw
    magic = MAGIC_GZIP if compress else MAGIC_PLAIN
    bits = np.unpackbits(
        np.frombuffer(magic + (8 * len(payload)).to_bytes(4, "big") + payload, dtype=np.uint8)
    )
    rgba = np.array(im.convert("RGBA"))
    column_major = rgba[:, :, 3].T.copy().ravel()
    if bits.size > column_major.size:
        raise ValueError("image too small for the payload")
    column_major[: bits.size] = (column_major[: bits.size] & 0xFE) | bits
    rgba[:, :, 3] = column_major.reshape(rgba.shape[1], rgba.shape[0]).T
    return Image.fromarray(rgba, "RGBA")


__all__ = ["read_stealth", "write_stealth"]
