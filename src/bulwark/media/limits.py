"""Configurable resource limits applied before any pixel is decoded."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MediaLimits:
    """Upper bounds for one piece of media.

    Limits are checked against header values before decoding, so a
    decompression bomb is refused without allocating its pixels.
    """

    max_bytes: int = 200 * 1024 * 1024
    max_pixels: int = 100_000_000
    max_frames: int = 2_000
    max_duration_s: float = 4 * 3600.0
    max_video_pixels_per_frame: int = 8192 * 8192

    def check_bytes(self, size: int) -> None:
        from bulwark.errors import MediaLimitError

        if size > self.max_bytes:
            raise MediaLimitError(
                f"file of {size:,} bytes exceeds the {self.max_bytes:,}-byte limit"
            )

    def check_pixels(self, width: int, height: int) -> None:
        from bulwark.errors import CorruptMediaError, MediaLimitError

        if width <= 0 or height <= 0:
            raise CorruptMediaError(f"image of {width}x{height} has no pixels")
        if width * height > self.max_pixels:
            raise MediaLimitError(
                f"image of {width}x{height} exceeds the {self.max_pixels / 1e6:g} MP limit"
            )


DEFAULT_LIMITS = MediaLimits()
