"""Helpers shared by the benchmarks (corpus location, machine description)."""

from __future__ import annotations

import os
import platform
from pathlib import Path

CORPUS = Path(
    os.environ.get(
        "BULWARK_CORPUS",
        Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "photos",
    )
)


def corpus_photos() -> list[Path]:
    photos = sorted(
        p for p in CORPUS.resolve().glob("dev-*") if p.suffix in {".jpg", ".png", ".webp"}
    )
    if not photos:
        raise SystemExit(f"no corpus photos under {CORPUS} (set BULWARK_CORPUS)")
    return photos


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"
