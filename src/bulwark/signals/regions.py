"""Parts of an image worth hashing on their own, because PDQ is fragile to crops.

PDQ (like PhotoDNA) hashes the whole frame: crop 5% from each side, or add a
caption bar, and the hash moves past any sane threshold. Two remedies live
here, both pure pixel work with a defined answer for every input:

* ``find_bars``: uniform borders, letterboxing and solid caption or banner
  bars (a background colour covering most of each row or column, text
  allowed) at any edge, so the query can also be hashed without them.
* fixed sub-regions: ``BANK_CROPS`` (central 90% and 80%, the four 90%
  corners) are hashed when a file is banked into a crop-augmented bank;
  ``QUERY_REGIONS`` (central 90% and 80%, upper and lower 90%) when a query
  is matched.

Regions whose pixels would fall under ``MIN_REGION_SIDE`` are not hashed (a
tiny image gets no sub-region hashes, and says so). Written by hand: no
library detects bars (OpenCV's contour tools find shapes, not "a band of
near-constant background with some text on it").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bulwark.media.image import DecodedImage
from bulwark.signals.pdq import pdq_from_pixels
from bulwark.signals.pdq_fast import pdq_fast

#: a region narrower or lower than this (stored-image pixels) is not hashed
MIN_REGION_SIDE = 48
#: colour distance (max over channels) that still counts as background
TOLERANCE = 10
#: a bar row/column has at least this share of background pixels (text allowed)
ROW_BACKGROUND = 0.55
#: and the bar as a whole at least this share
BAR_BACKGROUND = 0.8
#: bars thinner than this share of the side are left alone (no effect on PDQ)
MIN_BAR = 0.015
#: never trim more than this share from one side: beyond it, it is the picture
MAX_BAR = 0.35


@dataclass(frozen=True)
class Region:
    name: str
    box: tuple[float, float, float, float]  # left, top, right, bottom as fractions


BANK_CROPS = (
    Region("center90", (0.05, 0.05, 0.95, 0.95)),
    Region("center80", (0.10, 0.10, 0.90, 0.90)),
    Region("corner90_tl", (0.0, 0.0, 0.90, 0.90)),
    Region("corner90_tr", (0.10, 0.0, 1.0, 0.90)),
    Region("corner90_bl", (0.0, 0.10, 0.90, 1.0)),
    Region("corner90_br", (0.10, 0.10, 1.0, 1.0)),
)
#: the query also without a band of 10% at the top or bottom: where a caption
#: bar the detector missed (or over-trimmed into a bright sky) usually sits
QUERY_REGIONS = (
    BANK_CROPS[0],
    BANK_CROPS[1],
    Region("upper90", (0.0, 0.0, 1.0, 0.90)),
    Region("lower90", (0.0, 0.10, 1.0, 1.0)),
)


@dataclass(frozen=True)
class Trim:
    """Pixel box (left, top, right, bottom) of what is left after removing bars;
    ``box`` is None when nothing was trimmed, ``empty`` when nothing is left."""

    box: tuple[int, int, int, int] | None
    empty: bool = False
    sides: tuple[str, ...] = ()


def _bar(lines: np.ndarray) -> int:
    """How many leading lines (rows of an (n, m, 3) int16 array) form a bar."""
    if len(lines) == 0:
        return 0
    background = np.median(lines[0], axis=0)
    near = (np.abs(lines - background).max(axis=2) <= TOLERANCE).mean(axis=1)
    n = 0
    while n < len(near) and near[n] >= ROW_BACKGROUND:
        n += 1
    while n > 0 and near[:n].mean() < BAR_BACKGROUND:  # shrink to a mostly-background band
        n -= 1
    return n


#: bars are found on a copy at most this many pixels across (every k-th pixel)
BAR_SCAN_SIDE = 256


def find_bars(pixels: np.ndarray) -> Trim:
    h, w = pixels.shape[:2]
    if h == 0 or w == 0:
        return Trim(None, empty=True)
    k = max(1, -(-max(h, w) // BAR_SCAN_SIDE))
    if k > 1:  # bars are large: a strided copy finds them at a fraction of the cost
        small = _find_bars(pixels[::k, ::k])
        if small.box is None:
            return small
        left, top, right, bottom = small.box
        box = (left * k, top * k, min(w, right * k), min(h, bottom * k))
        return Trim(box, sides=small.sides)
    return _find_bars(pixels)


def _find_bars(pixels: np.ndarray) -> Trim:
    h, w = pixels.shape[:2]
    px = pixels.astype(np.int16)
    # only the outer MAX_BAR of each side can hold a bar: scan no further (+1 to see its end)
    dh, dw = int(MAX_BAR * h) + 2, int(MAX_BAR * w) + 2
    cuts = {
        "top": _bar(px[:dh]),
        "bottom": _bar(px[::-1][:dh]),
        "left": _bar(px[:, :dw].transpose(1, 0, 2)),
        "right": _bar(px[:, ::-1][:, :dw].transpose(1, 0, 2)),
    }
    flat = np.abs(px - px[0, 0]).max() <= TOLERANCE  # one colour all over: all border
    if flat:
        return Trim(None, empty=True)
    side = {"top": h, "bottom": h, "left": w, "right": w}
    kept = {k: v if MIN_BAR * side[k] <= v <= MAX_BAR * side[k] else 0 for k, v in cuts.items()}
    if not any(kept.values()):
        return Trim(None)
    box = (kept["left"], kept["top"], w - kept["right"], h - kept["bottom"])
    if box[2] - box[0] <= 0 or box[3] - box[1] <= 0:
        return Trim(None, empty=True)
    return Trim(box, sides=tuple(k for k, v in kept.items() if v))


def region_box(box: tuple[int, int, int, int], region: Region) -> tuple[int, int, int, int]:
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    fl, ft, fr, fb = region.box
    return (left + round(w * fl), top + round(h * ft), left + round(w * fr), top + round(h * fb))


def pdq_of(
    image: DecodedImage, box: tuple[int, int, int, int], fast: bool
) -> tuple[str, int] | None:
    """PDQ of the pixel box (in decoded pixels), or None when it is too small."""
    ph, pw = image.pixels.shape[:2]
    sy, sx = image.height / ph, image.width / pw
    left, top, right, bottom = box
    full_h, full_w = round((bottom - top) * sy), round((right - left) * sx)
    if min(full_h, full_w) < MIN_REGION_SIDE or bottom <= top or right <= left:
        return None
    crop = np.ascontiguousarray(image.pixels[top:bottom, left:right])
    if fast:
        return pdq_fast(crop, full_h, full_w)
    return pdq_from_pixels(crop)


__all__ = [
    "BANK_CROPS",
    "MIN_REGION_SIDE",
    "QUERY_REGIONS",
    "Region",
    "Trim",
    "find_bars",
    "pdq_of",
    "region_box",
]
