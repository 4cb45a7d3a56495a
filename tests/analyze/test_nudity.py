"""Nudity detection: aggregation logic, and no false findings on the benign photos."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bulwark.analyze.image.nudity import NudityConfig, detect_nudity, score_detections
from bulwark.media.image import decode_image


def test_benign_photos_give_no_findings(photos: list[Path]) -> None:
    images = [decode_image(p.read_bytes()).pixels for p in photos]
    results = detect_nudity(images, NudityConfig(batch_size=4))
    assert len(results) == len(images)
    assert all(r == [] for r in results)


def test_scores_aggregate_per_category() -> None:
    detections = [
        {"class": "FACE_FEMALE", "score": 0.99, "box": [0, 0, 1, 1]},
        {"class": "FEMALE_BREAST_COVERED", "score": 0.8, "box": [0, 0, 1, 1]},
        {"class": "BUTTOCKS_COVERED", "score": 0.9, "box": [0, 0, 1, 1]},
        {"class": "MALE_GENITALIA_EXPOSED", "score": 0.7, "box": [0, 0, 1, 1]},
    ]
    scores = score_detections(detections)
    assert scores["sexual.explicit"] == pytest.approx(0.7)
    assert scores["sexual.suggestive"] == pytest.approx(max(0.6 * 0.8, 0.6 * 0.9))
    assert "FACE_FEMALE" not in str(scores)


def test_flat_and_odd_images() -> None:
    images = [np.zeros((1, 1, 3), np.uint8), np.full((64, 2000, 3), 200, np.uint8)]
    assert detect_nudity(images) == [[], []]


def test_image_analyzers_through_the_registry(photos: list[Path]) -> None:
    from PIL import Image

    from bulwark.analyze.registry import analyzers_for
    from bulwark.demo.provenance_samples import a1111
    from bulwark.signals.base import FileContent

    names = {a.name for a in analyzers_for("image")}
    assert {"provenance.ai_generated", "image.nudity"} <= names
    data = a1111(Image.open(photos[0]), "PNG")
    found = [e for a in analyzers_for("image") for e in a.analyze(FileContent(data))]
    assert [e.category for e in found] == ["provenance.ai_generated"]
    assert all(
        a.analyze(FileContent(b"junk")) == []
        for a in analyzers_for("image")
        if a.name == "image.nudity"
    )
