"""Synthetic datasets for tests and benchmarks, built from benign photos.

WebDataset tar shards (img2dataset layout) and LAION-layout metadata Parquet
with aligned embedding shards. A few photos are "known": their originals are
what a test banks, and transformed copies of them (resized to ``side``,
re-encoded at another JPEG quality; not cropped — PDQ is fragile to crops,
issue 8) are planted in the shards. The embeddings are random,
except that each planted copy sits at a cluster centre with a few rows close
around it — the neighbours an expansion should find. Captions are benign
unless the caller passes flagged ones (tests take those from their fixture
file; no violating text lives in the package).
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image

from bulwark.audit.stages import AuditOptions
from bulwark.banks.store import BankStore
from bulwark.signals import FileContent, hash_content
from bulwark.store.db import Database

BENIGN = ("a photo of a street", "landscape at dusk", "a bowl of fruit", "city skyline", "a dog")


@dataclass
class Synthetic:
    root: Path
    known: list[Path]  # the originals to bank
    planted: list[tuple[str, str]] = field(default_factory=list)  # (shard id, key)
    planted_md5: list[str] = field(default_factory=list)  # what a hotline's MD5 list would hold
    neighbours: list[tuple[str, str]] = field(default_factory=list)  # planted in embeddings
    flagged: list[tuple[str, str]] = field(default_factory=list)  # captions passed in


def _jpeg(im: Image.Image, side: int, quality: int) -> bytes:
    im = im.copy()
    im.thumbnail((side, side))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def make_synthetic(
    out: Path,
    photos: list[Path],
    *,
    shards: int = 4,
    per_shard: int = 50,
    known: int = 3,
    side: int = 512,
    dims: int = 64,
    neighbours_per_known: int = 3,
    flagged_captions: tuple[str, ...] = (),
    seed: int = 0,
) -> Synthetic:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    images = []
    for p in photos:  # shrunk once: each sample is then one JPEG encode
        im = Image.open(p).convert("RGB")
        im.thumbnail((side, side), Image.Resampling.LANCZOS)
        images.append(im)
    if len(images) <= known:
        raise ValueError(f"need more than {known} photos, got {len(images)}")
    syn = Synthetic(out, photos[:known])
    wds, emb = out / "webdataset", out / "laion"
    wds.mkdir(parents=True, exist_ok=True)
    (emb / "img_emb").mkdir(parents=True, exist_ok=True)
    (emb / "metadata").mkdir(parents=True, exist_ok=True)
    flagged = list(flagged_captions)
    for n in range(shards):
        name = f"{n:05d}.tar"
        meta_rows = []
        vectors = nrng.standard_normal((per_shard, dims)).astype(np.float32)
        with tarfile.open(wds / name, "w") as tar:
            for i in range(per_shard):
                key = f"{n:05d}{i:04d}"
                plant = i < known and n % 2 == 0 and i < len(images)
                src = images[i] if plant else images[known + rng.randrange(len(images) - known)]
                data = _jpeg(src, side, rng.choice((80, 85, 90)))
                caption = flagged.pop() if flagged and i == per_shard - 1 else rng.choice(BENIGN)
                md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
                url = f"https://images.example/{key}.jpg"
                for ext, body in (
                    ("jpg", data),
                    ("txt", caption.encode()),
                    ("json", json.dumps({"url": url, "md5": md5, "key": key}).encode()),
                ):
                    info = tarfile.TarInfo(f"{key}.{ext}")
                    info.size = len(body)
                    tar.addfile(info, io.BytesIO(body))
                if plant:
                    syn.planted.append((f"webdataset:{name}", key))
                    syn.planted_md5.append(md5)
                if caption in flagged_captions:
                    syn.flagged.append((f"webdataset:{name}", key))
                meta_rows.append(
                    {
                        "key": key,
                        "url": url,
                        "caption": caption,
                        "similarity": round(rng.uniform(0.28, 0.4), 4),
                        "punsafe": round(rng.random() * 0.1, 4),
                        "pwatermark": round(rng.random() * 0.2, 4),
                        "md5": md5,
                    }
                )
        meta_id = f"embeddings:{emb.name}/metadata_{n}.parquet"
        planted_rows = [i for i in range(min(known, per_shard)) if n % 2 == 0 and i < len(images)]
        free = [i for i in range(per_shard) if i not in planted_rows and i != per_shard - 1]
        rng.shuffle(free)
        for i in planted_rows:
            centre = vectors[i] / np.linalg.norm(vectors[i])
            for _ in range(min(neighbours_per_known, len(free))):
                j = free.pop()
                vectors[j] = centre + nrng.standard_normal(dims).astype(np.float32) * 0.05
                syn.neighbours.append((meta_id, str(meta_rows[j]["key"])))
        pq.write_table(pa.Table.from_pylist(meta_rows), emb / "metadata" / f"metadata_{n}.parquet")
        np.save(emb / "img_emb" / f"img_emb_{n}.npy", vectors)
    return syn


def bank_known(syn: Synthetic, db_url: str, index_dir: str, name: str = "known") -> AuditOptions:
    """A bank of the known photos — their originals' PDQ, and the MD5 of every
    planted copy, as a hotline's list would hold — and audit options using it."""
    db = Database(db_url)
    store = BankStore(db)
    store.create(name, category="child_safety.known_csam")
    for p in syn.known:
        pdq = hash_content(FileContent(p.read_bytes())).first("pdq")
        if pdq is not None:
            store.add_signal(name, "pdq", pdq.value)
    for md5 in syn.planted_md5:
        store.add_signal(name, "md5", md5)
    db.dispose()
    return AuditOptions(banks=(name,), db_url=db_url, index_dir=index_dir)


__all__ = ["Synthetic", "bank_known", "make_synthetic"]
