"""Crop-robust matching against plain PDQ, on the corpus photos.

Run: .venv/bin/python -m benchmarks.bench_robust_crops [--match-low-quality]

Every corpus photo (``../shared/corpus/photos``) is banked twice: into a
hash-only bank (full-image PDQ) and into a crop-augmented bank (full image
plus six fixed crops). Queries: each photo cropped 5% from each side, each
photo with a 10% caption bar (white, with black text) added at the bottom,
and the untouched photos. For each bank, plain PDQ (full image against full
image, the reference behaviour) and the robust matcher (trimmed query,
sub-regions, banked crops, verification) are run in the same process.

Recall: the query's own photo among the verified matches. False matches: a
verified match to another photo — except pairs the corpus itself holds as
near-duplicates (light and dark variants of one wallpaper, which plain PDQ
matches too; listed separately). False-match rate per million comparisons:
every query hash against every banked hash of *other* photos, how many land
within the threshold before verification, and how many verified matches
result. Cost: entries per photo, query time, index size on disk.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw
from rich.console import Console
from rich.table import Table

from benchmarks.common import corpus_photos, machine
from bulwark.banks.augment import crop_entries
from bulwark.banks.model import NewEntry
from bulwark.banks.store import BankStore
from bulwark.match.matcher import Matcher
from bulwark.match.robust import EntryParts, match_robust, query_parts
from bulwark.signals import FileContent, hash_content
from bulwark.signals.registry import get_signal_type
from bulwark.store.db import Database

THRESHOLD = 31
PDQ = [get_signal_type("pdq")]


def jpeg(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def crop5(im: Image.Image) -> Image.Image:
    w, h = im.size
    return im.crop((round(w * 0.05), round(h * 0.05), round(w * 0.95), round(h * 0.95)))


def caption10(im: Image.Image) -> Image.Image:
    w, h = im.size
    bar = round(h * 0.10)
    out = Image.new("RGB", (w, h + bar), (255, 255, 255))
    out.paste(im, (0, 0))
    ImageDraw.Draw(out).text(
        (w // 20, h + bar // 3), "when the weekend finally arrives", fill=(0, 0, 0)
    )
    return out


def build(
    root: Path, photos: dict[str, bytes], augment: bool, low_quality: bool = False
) -> tuple[Matcher, float]:
    db = Database(f"sqlite:///{root / 'b.db'}")
    store = BankStore(db)
    store.create("bank", augment_crops=augment)
    entries = []
    for name, data in photos.items():
        content = FileContent(data, name=name)
        pdq = hash_content(content, PDQ).first("pdq")
        assert pdq is not None
        entries.append(NewEntry("pdq", pdq.value, name, {"item": name}))
        if augment:
            entries += [
                NewEntry("pdq", e.value, name, {**e.metadata, "item": name})
                for e in crop_entries(content, name)
            ]
    store.add_entries("bank", entries)
    matcher = Matcher(store, root / "index", match_low_quality=low_quality)
    size = sum(p.stat().st_size for p in (root / "index").rglob("*") if p.is_file())
    return matcher, size / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--match-low-quality",
        action="store_true",
        help="also match PDQs of quality < 50 (flat images; off in the engine by default)",
    )
    args = ap.parse_args()
    photos = {}
    for p in corpus_photos():
        im = Image.open(p).convert("RGB")
        im.thumbnail((1024, 1024))
        photos[p.name] = im
    originals = {n: jpeg(im) for n, im in photos.items()}
    queries = {
        "5% crop per side": {n: jpeg(crop5(im)) for n, im in photos.items()},
        "10% caption bar": {n: jpeg(caption10(im)) for n, im in photos.items()},
        "untouched": originals,
    }
    # pairs the corpus itself holds as the same picture (plain PDQ matches them)
    full, quality = {}, {}
    for n, d in originals.items():
        pdq = hash_content(FileContent(d), PDQ).first("pdq")
        assert pdq is not None
        full[n], quality[n] = int(pdq.value, 16), pdq.quality or 0
    twins = {
        (a, b)
        for a in full
        for b in full
        if a != b and (full[a] ^ full[b]).bit_count() <= THRESHOLD
    }
    console = Console(width=150)
    t = Table(
        title=f"Crop-robust matching, {len(photos)} corpus photos, "
        f"threshold {THRESHOLD} ({machine()})"
    )
    for c in (
        "bank",
        "query",
        "plain PDQ recall (quality >= 50)",
        "robust recall (quality >= 50)",
        "routes (robust)",
        "false matches",
        "reference",
    ):
        t.add_column(c)
    cost = Table(title="Cost")
    for c in (
        "bank",
        "entries per photo",
        "index KiB",
        "plain ms/query",
        "robust ms/query",
        "latency x",
    ):
        cost.add_column(c)
    fmr = Table(title="False-match rate on random pairs of distinct photos")
    for c in (
        "bank",
        "comparisons",
        "within threshold",
        "per million",
        "verified false matches",
        "per million query-photo pairs",
    ):
        fmr.add_column(c)
    for augment in (False, True):
        label = "crop-augmented" if augment else "hash-only"
        with tempfile.TemporaryDirectory() as tmp:
            matcher, kib = build(Path(tmp), originals, augment, args.match_low_quality)
            parts = EntryParts(matcher.store)
            plain_ms, robust_ms = [], []
            near, compared, false_pairs, pairs = 0, 0, 0, 0
            bank_hashes = [
                (e.metadata.get("item"), int(e.value, 16))
                for e in matcher.store.iter_entries("bank")
            ]
            for qname, qs in queries.items():
                plain_hits = robust_hits = false = 0
                ok_plain = ok_robust = matchable = 0
                routes: dict[str, int] = {}
                for name, data in qs.items():
                    content = FileContent(data, name=name)
                    start = time.perf_counter()
                    hashes = hash_content(content, PDQ)
                    plain = matcher.match(hashes)
                    plain_ms.append((time.perf_counter() - start) * 1e3)
                    start = time.perf_counter()
                    content = FileContent(data, name=name)
                    hashes = hash_content(content, PDQ)
                    robust = match_robust(matcher, hashes, content, parts)
                    robust_ms.append((time.perf_counter() - start) * 1e3)
                    own = {parts(m.entry_id)[1] for m in plain.matches}
                    items = {parts(r.match.entry_id)[1]: r for r in robust.matches}
                    # a twin the corpus holds (same picture, same hash) counts as the photo
                    plain_ok = any(i == name or (name, i) in twins for i in own)
                    robust_ok = any(i == name or (name, i) in twins for i in items)
                    plain_hits += plain_ok
                    robust_hits += robust_ok
                    # the engine never matches PDQs of quality < 50 (flat images), by
                    # design: a photo whose own hash is that flat is never matchable
                    if quality[name] >= 50 or args.match_low_quality:
                        matchable += 1
                        ok_plain += plain_ok
                        ok_robust += robust_ok
                    for i, r in items.items():
                        if i == name or (name, i) in twins:
                            routes[r.route] = routes.get(r.route, 0) + 1
                            break
                    false += sum(1 for i in items if i != name and (name, i) not in twins)
                    # raw comparisons of every query hash against other photos' banked hashes
                    qh = [int(s.value, 16) for s in hashes.signals if s.type == "pdq"]
                    qh += [int(s.value, 16) for _, s in query_parts(content).hashes]
                    for item, bh in bank_hashes:
                        if item == name or (name, item) in twins:
                            continue
                        for h in qh:
                            compared += 1
                            near += (h ^ bh).bit_count() <= THRESHOLD
                    others = {i for i, _ in bank_hashes if i != name and (name, i) not in twins}
                    pairs += len(others)
                    false_pairs += sum(1 for i in items if i in others)
                n = len(qs)
                t.add_row(
                    label,
                    qname,
                    f"{plain_hits / n:.2f} ({ok_plain / max(1, matchable):.2f})",
                    f"{robust_hits / n:.2f} ({ok_robust / max(1, matchable):.2f})",
                    ", ".join(f"{k} {v}" for k, v in sorted(routes.items())),
                    str(false),
                    ">= 0.9 augmented (crops, bars); 0 false"
                    if qname != "untouched"
                    else "1.00; 0 false",
                )
            cost.add_row(
                label,
                f"{len(bank_hashes) / len(originals):.1f}",
                f"{kib:.0f}",
                f"{statistics.median(plain_ms):.1f}",
                f"{statistics.median(robust_ms):.1f}",
                f"{statistics.median(robust_ms) / statistics.median(plain_ms):.1f}",
            )
            fmr.add_row(
                label,
                f"{compared:,}",
                str(near),
                f"{near / compared * 1e6:,.0f}",
                str(false_pairs),
                f"{false_pairs / pairs * 1e6:,.0f}",
            )
    console.print(t)
    console.print(cost)
    console.print(fmr)
    console.print(
        f"near-duplicate pairs the corpus itself holds (plain PDQ matches them): {len(twins) // 2}"
    )


if __name__ == "__main__":
    main()
