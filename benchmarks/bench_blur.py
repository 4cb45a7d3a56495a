"""Server-side protected view (blur + greyscale + reduce) of 1 MP images.

Run: .venv/bin/python -m benchmarks.bench_blur [--photos 20]

Re-encodes corpus photos (``../shared/corpus/photos``) as 1-megapixel JPEG and
PNG and times ``console.protect.protected_jpeg`` per image, next to the target
(<= 20 ms for a 1 MP image).
"""

from __future__ import annotations

import argparse
import io
import math
import statistics
import time
from pathlib import Path

from PIL import Image
from rich.console import Console
from rich.table import Table

from benchmarks.common import machine
from bulwark.console.protect import protected_jpeg

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "photos"


def one_megapixel(path: Path, fmt: str) -> bytes:
    im = Image.open(path).convert("RGB")
    scale = math.sqrt(1_000_000 / (im.width * im.height))
    im = im.resize((round(im.width * scale), round(im.height * scale)), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    im.save(buf, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--photos", type=int, default=20)
    args = ap.parse_args()
    paths = sorted(CORPUS.glob("*.jpg"))[: args.photos]
    t = Table(title=f"Protected view of 1 MP images, {len(paths)} photos ({machine()})")
    for c in ("format", "median ms", "p95 ms", "max ms", "full decode alone, median ms", "target"):
        t.add_column(c)
    for fmt in ("JPEG", "PNG"):
        data = [one_megapixel(p, fmt) for p in paths]
        protected_jpeg(data[0])  # warm-up
        times = []
        for d in data * 3:
            start = time.perf_counter()
            protected_jpeg(d)
            times.append((time.perf_counter() - start) * 1e3)
        q = statistics.quantiles(times, n=20)
        decode = []
        for d in data:  # the floor for formats without a scaled decode
            start = time.perf_counter()
            Image.open(io.BytesIO(d)).load()
            decode.append((time.perf_counter() - start) * 1e3)
        t.add_row(
            fmt,
            f"{statistics.median(times):.1f}",
            f"{q[18]:.1f}",
            f"{max(times):.1f}",
            f"{statistics.median(decode):.1f}",
            "<= 20",
        )
    Console().print(t)


if __name__ == "__main__":
    main()
