"""Bank-side crop augmentation: when a file is banked into a crop-augmented
bank, the hashes of six fixed crops are stored next to its full-image hash.

A re-upload cropped 5% per side *is*, near enough, the banked central-90%
crop, so it matches that entry where the full-image hash no longer would.
Only content banked from files can be augmented — an external list of hashes
carries no pixels to crop (the bank's summary says so). Every entry of one
file shares an ``item`` (the file's SHA-256), which is how several agreeing
crops are recognised as one picture when a match is verified.
"""

from __future__ import annotations

import hashlib

from bulwark.banks.model import NewEntry
from bulwark.errors import BulwarkError
from bulwark.signals import FileContent
from bulwark.signals.regions import BANK_CROPS, pdq_of, region_box


def item_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def crop_entries(content: FileContent, source: str) -> list[NewEntry]:
    """PDQ entries for the fixed crops (none for a file that is not an image, or
    crops too small to hash)."""
    try:
        image = content.image
    except BulwarkError:
        return []
    h, w = image.pixels.shape[:2]
    item = item_id(content.data)
    out = []
    for region in BANK_CROPS:
        found = pdq_of(image, region_box((0, 0, w, h), region), fast=content.fast)
        if found is None:
            continue
        out.append(NewEntry("pdq", found[0], source, {"item": item, "crop": region.name}))
    return out


__all__ = ["crop_entries", "item_id"]
