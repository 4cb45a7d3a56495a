"""``sexual.explicit`` and ``sexual.suggestive`` from NudeNet's detector.

NudeNet ships its ONNX model inside the package (the ``image-models`` extra).
Images are decoded once, safely, by ``media/`` and handed over as arrays in
batches; per-class detections (boxes and scores) are kept as details and
aggregated per category as the strongest detection of that category's
classes, weighted by how specific the class is.

Calibration limits: no sexual imagery may enter this repository, so scores
cannot be fitted on positives here. The weights below are the model's own
confidences, lightly weighted; false positives are measured on the benign
corpus (benchmarks/bench_provenance.py) and thresholds are configurable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from bulwark.evidence import Evidence

#: detector class -> (category, weight)
CLASS_WEIGHTS: dict[str, tuple[str, float]] = {
    "FEMALE_GENITALIA_EXPOSED": ("sexual.explicit", 1.0),
    "MALE_GENITALIA_EXPOSED": ("sexual.explicit", 1.0),
    "ANUS_EXPOSED": ("sexual.explicit", 1.0),
    "FEMALE_BREAST_EXPOSED": ("sexual.explicit", 0.9),
    "BUTTOCKS_EXPOSED": ("sexual.explicit", 0.8),
    "FEMALE_GENITALIA_COVERED": ("sexual.suggestive", 0.8),
    "FEMALE_BREAST_COVERED": ("sexual.suggestive", 0.6),
    "BUTTOCKS_COVERED": ("sexual.suggestive", 0.6),
    "ANUS_COVERED": ("sexual.suggestive", 0.7),
    "MALE_BREAST_EXPOSED": ("sexual.suggestive", 0.3),
    "BELLY_EXPOSED": ("sexual.suggestive", 0.3),
}


@dataclass(frozen=True)
class NudityConfig:
    thresholds: Mapping[str, float] = field(
        default_factory=lambda: {"sexual.explicit": 0.5, "sexual.suggestive": 0.6}
    )
    batch_size: int = 8


@lru_cache(maxsize=1)
def load_detector() -> Any | None:
    try:
        from nudenet import NudeDetector
    except ImportError:
        return None
    return NudeDetector()


def _rgba(pixels: np.ndarray) -> np.ndarray:
    """NudeNet converts its input with COLOR_RGBA2BGR, then swaps to RGB: give it RGBA."""
    alpha = np.full((*pixels.shape[:2], 1), 255, dtype=np.uint8)
    return np.ascontiguousarray(np.concatenate([pixels, alpha], axis=2))


def score_detections(detections: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    scores: dict[str, float] = {}
    for d in detections:
        cat_w = CLASS_WEIGHTS.get(str(d.get("class")))
        if cat_w is None:
            continue
        cat, w = cat_w
        scores[cat] = max(scores.get(cat, 0.0), w * float(d.get("score", 0.0)))
    return scores


DEFAULT_CONFIG = NudityConfig()


def detect_nudity(
    images: Sequence[np.ndarray], config: NudityConfig = DEFAULT_CONFIG
) -> list[list[Evidence]]:
    """Evidence per image (RGB uint8 arrays, as ``media.decode_image`` returns them)."""
    detector = load_detector()
    if detector is None:
        raise RuntimeError(
            "nudity detection needs the image-models extra: pip install 'bulwark[image-models]'"
        )
    out: list[list[Evidence]] = []
    for i in range(0, len(images), config.batch_size):
        batch = [_rgba(im) for im in images[i : i + config.batch_size]]
        for detections in detector.detect_batch(batch, batch_size=len(batch)):
            scores = score_detections(detections)
            found = []
            for cat, score in scores.items():
                if score >= config.thresholds.get(cat, 0.5):
                    found.append(
                        Evidence(
                            source="classifier",
                            category=cat,
                            score=min(1.0, score),
                            analyzer="image.nudity",
                            rule="nudenet",
                            details={
                                "detections": [
                                    {
                                        "class": d["class"],
                                        "score": round(float(d["score"]), 3),
                                        "box": list(d["box"]),
                                    }
                                    for d in detections
                                    if d["class"] in CLASS_WEIGHTS
                                ][:50]
                            },
                        )
                    )
            out.append(found)
    return out


__all__ = ["CLASS_WEIGHTS", "NudityConfig", "detect_nudity", "load_detector", "score_detections"]
