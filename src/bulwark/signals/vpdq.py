"""vPDQ: PDQ of video frames (and frames of animated images).

A vPDQ signal value is the JSON list python-threatexchange's ``VPDQSignal``
uses (``"<pdq hex>,<quality>,<timestamp>"`` per frame), so banks move between
the two unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from bulwark.errors import SignalError
from bulwark.media.image import ImageFrame, open_image_frames
from bulwark.media.sniff import MediaKind
from bulwark.media.video import open_video_frames
from bulwark.signals.base import FileContent, Signal, SignalType
from bulwark.signals.pdq import HEX_LENGTH, pdq_from_pixels

SECONDS_PER_HASH = 1.0


@dataclass(frozen=True)
class VPDQFeature:
    pdq_hex: str
    quality: int
    timestamp: float
    frame_number: int = -1

    def __str__(self) -> str:
        return f"{self.pdq_hex},{self.quality},{self.timestamp:.3}"

    @classmethod
    def parse(cls, text: str) -> VPDQFeature:
        parts = text.split(",")
        if len(parts) != 3:
            raise SignalError(f"vpdq feature must be 'hash,quality,timestamp': {text[:80]!r}")
        pdq_hex, q, ts = parts
        pdq_hex = pdq_hex.strip().lower()
        try:
            if len(pdq_hex) != HEX_LENGTH:
                raise ValueError("pdq hash must be 64 hex characters")
            bytes.fromhex(pdq_hex)
            quality, timestamp = int(q), float(ts)
        except ValueError as exc:
            raise SignalError(f"bad vpdq feature {text[:80]!r}: {exc}") from exc
        if not 0 <= quality <= 100 or timestamp < 0:
            raise SignalError(f"bad vpdq feature {text[:80]!r}: quality or timestamp out of range")
        return cls(pdq_hex, quality, timestamp)


def features_to_value(features: Iterable[VPDQFeature]) -> str:
    return json.dumps([str(f) for f in features])


def value_to_features(value: str) -> list[VPDQFeature]:
    try:
        items = json.loads(value)
    except json.JSONDecodeError as exc:
        raise SignalError(f"vpdq value is not JSON: {exc}") from exc
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise SignalError("vpdq value must be a JSON list of 'hash,quality,timestamp' strings")
    return [VPDQFeature.parse(i) for i in items]


def features_from_frames(frames: Iterable[ImageFrame]) -> list[VPDQFeature]:
    out = []
    for frame in frames:
        h, q = pdq_from_pixels(frame.pixels)
        out.append(VPDQFeature(h, q, frame.timestamp_s, frame.index))
    return out


def _sample_by_time(frames: Iterable[ImageFrame], seconds: float) -> Iterable[ImageFrame]:
    """Animated images have per-frame durations, not a frame rate: sample by time."""
    next_t = 0.0
    for frame in frames:
        if seconds <= 0 or frame.timestamp_s >= next_t - 1e-9:
            yield frame
            next_t = frame.timestamp_s + seconds


class VPDQSignal(SignalType):
    name = "vpdq"
    threatexchange_name = "vpdq"
    aliases = ("video_vpdq",)
    media_kinds = frozenset({MediaKind.VIDEO, MediaKind.IMAGE})
    is_distance_based = True

    @classmethod
    def validate(cls, value: str) -> str:
        features = value_to_features(value)
        if not features:
            raise SignalError("vpdq value has no frames")
        return features_to_value(features)

    @classmethod
    def compute_features(
        cls, content: FileContent, seconds_per_hash: float = SECONDS_PER_HASH
    ) -> list[VPDQFeature]:
        if content.kind is MediaKind.VIDEO:
            _, frames = open_video_frames(
                content.data, content.limits, seconds_per_hash=seconds_per_hash
            )
            return features_from_frames(frames)
        _, _, image_frames = open_image_frames(content.data, content.limits)
        return features_from_frames(_sample_by_time(image_frames, seconds_per_hash))

    @classmethod
    def compute(cls, content: FileContent) -> list[Signal]:
        if content.kind is MediaKind.IMAGE and not content.image.is_animated:
            return []  # a still image is matched by PDQ; vPDQ of one frame adds nothing
        features = cls.compute_features(content)
        if not features:
            raise SignalError(f"{content.name}: no frames to hash")
        quality = min(f.quality for f in features)
        return [Signal(cls.name, features_to_value(features), quality, {"frames": len(features)})]
