"""Warm an API process before it accepts connections.

The first text request loads the text models, the first image request opens
the bank index and compiles the hashing and Hamming kernels (numba) — seconds
of work that would otherwise land on whichever requests come first, and with
several API processes, on each process's first requests. uvicorn starts
accepting only after the app's startup finishes, so doing it there moves that
cost out of every measured and every real request.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

import numpy as np
from PIL import Image

from bulwark.match.matcher import Matcher
from bulwark.policy.rules import Policy
from bulwark.service.pipeline import process_image, process_text

log = logging.getLogger(__name__)


def _sample_jpeg(size: int = 256) -> bytes:
    """A smooth synthetic picture (nothing anyone uploaded)."""
    y, x = np.mgrid[0:size, 0:size]
    rgb = np.stack([x, y, (x + y) // 2], axis=-1).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def warm_up(policy: Policy, matcher: Callable[[], Matcher], fast_hash: bool) -> None:
    """Run one text and one image through the fast path; failures are logged, not
    raised (a cold process is slow, not broken)."""
    try:
        process_text(policy, "warm-up: a lighthouse at dusk", "", "prompt", defer=True)
        jpeg = _sample_jpeg()
        for fast in {fast_hash, False}:
            process_image(policy, matcher(), jpeg, "warm-up.jpg", defer=True, fast=fast)
    except Exception:  # pragma: no cover - defensive: never stop the server starting
        log.exception("warm-up failed; the first requests will be slower")


__all__ = ["warm_up"]
