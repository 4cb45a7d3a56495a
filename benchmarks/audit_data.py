"""Shared by the audit benchmarks: a synthetic dataset from the corpus photos and
a bank of its known photos (PDQ of the originals, MD5 of the planted copies)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from benchmarks.common import corpus_photos
from bulwark.audit.stages import AuditOptions
from bulwark.audit.synthetic import Synthetic, bank_known, make_synthetic
from bulwark.signals import FileContent, hash_content


def distinct_first(photos: list[Path], known: int, side: int = 512) -> list[Path]:
    """The photos reordered so the first ``known`` have no near-duplicate (PDQ
    within 40 bits) elsewhere in the corpus as the dataset holds it (``side``-px
    JPEGs): the corpus has light and dark variants of the same wallpapers, and
    smooth gradients that look alike at 512 px — those would rightly match too."""
    full, shown = [], []
    for p in photos:
        im = Image.open(p).convert("RGB")
        im.thumbnail((side, side))
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=85)
        for out, data, fast in ((full, p.read_bytes(), False), (shown, buf.getvalue(), True)):
            pdq = hash_content(FileContent(data, fast=fast)).first("pdq")
            out.append(int(pdq.value, 16) if pdq else 0)
    alone = [
        i
        for i, h in enumerate(full)
        if all((h ^ o).bit_count() > 40 for j, o in enumerate(shown) if j != i)
    ]
    chosen = alone[:known]
    return [photos[i] for i in chosen] + [p for i, p in enumerate(photos) if i not in chosen]


def dataset(
    root: Path, shards: int, per_shard: int, known: int = 5
) -> tuple[Synthetic, AuditOptions]:
    photos = distinct_first(corpus_photos(), known)
    syn = make_synthetic(root / "ds", photos, shards=shards, per_shard=per_shard, known=known)
    return syn, bank_known(syn, f"sqlite:///{root / 'banks.db'}", str(root / "index"))
