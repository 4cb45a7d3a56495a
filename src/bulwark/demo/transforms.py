"""Benign image transformations used to test matching robustness.

The same edits re-uploaders make (resize, recompress, crop, flip, caption),
applied to benign photos so tests and benchmarks never need real abuse media.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageEnhance, ImageOps


def _jpeg(im: Image.Image, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _crop(frac: float) -> Callable[[Image.Image], bytes]:
    def f(im: Image.Image) -> bytes:
        w, h = im.size
        dx, dy = round(w * frac), round(h * frac)
        return _jpeg(im.crop((dx, dy, w - dx, h - dy)))

    return f


def _caption_bar(im: Image.Image, frac: float = 0.10) -> bytes:
    w, h = im.size
    bar = round(h * frac)
    out = Image.new("RGB", (w, h + bar), "white")
    out.paste(im.convert("RGB"), (0, 0))
    d = ImageDraw.Draw(out)
    d.text((10, h + bar // 4), "reposted caption text", fill="black")
    return _jpeg(out)


def _text_overlay(im: Image.Image) -> bytes:
    out = im.convert("RGB").copy()
    d = ImageDraw.Draw(out)
    w, h = out.size
    for i in range(3):
        d.text((w // 10, h // 4 + i * h // 6), "SAMPLE OVERLAY TEXT", fill="white")
    return _jpeg(out)


def _webp(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "WEBP", quality=80)
    return buf.getvalue()


TRANSFORMS: dict[str, Callable[[Image.Image], bytes]] = {
    "resize_50": lambda im: _jpeg(im.resize((max(1, im.width // 2), max(1, im.height // 2)))),
    "jpeg_q50": lambda im: _jpeg(im, 50),
    "crop_5": _crop(0.05),
    "crop_10": _crop(0.10),
    "rotate_90": lambda im: _jpeg(im.rotate(90, expand=True)),
    "mirror": lambda im: _jpeg(ImageOps.mirror(im)),
    "brighter_20": lambda im: _jpeg(ImageEnhance.Brightness(im.convert("RGB")).enhance(1.2)),
    "darker_20": lambda im: _jpeg(ImageEnhance.Brightness(im.convert("RGB")).enhance(0.8)),
    "text_overlay": _text_overlay,
    "caption_bar_10": _caption_bar,
    "webp": _webp,
}


def apply(name: str, data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        return TRANSFORMS[name](im)
