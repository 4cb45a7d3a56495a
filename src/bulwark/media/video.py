"""Decode video frames with PyAV (FFmpeg) under limits.

Frame selection mirrors the reference vPDQ hasher: with ``seconds_per_hash``
> 0 every ``round(fps * seconds_per_hash)``-th frame is kept and stamped
``frame_number / fps``, so our features line up with ``vpdq.computeHash``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import av
import numpy as np

from bulwark.errors import CorruptMediaError, MediaLimitError, UnsupportedMediaError
from bulwark.media.image import ImageFrame
from bulwark.media.limits import DEFAULT_LIMITS, MediaLimits
from bulwark.media.sniff import MediaKind, MediaType, sniff


@dataclass(frozen=True)
class VideoInfo:
    media_type: MediaType
    width: int
    height: int
    fps: float
    duration_s: float | None
    frame_count: int | None


def open_video_frames(
    data: bytes,
    limits: MediaLimits = DEFAULT_LIMITS,
    *,
    seconds_per_hash: float = 1.0,
) -> tuple[VideoInfo, Iterator[ImageFrame]]:
    """Probe a video, check limits, and return an iterator over selected frames."""
    limits.check_bytes(len(data))
    media_type = sniff(data)
    if media_type.kind is not MediaKind.VIDEO:
        raise UnsupportedMediaError(f"not a video ({media_type.format} image)")
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise CorruptMediaError(f"corrupt {media_type.format} video: {exc}") from exc
    if not container.streams.video:
        container.close()
        raise CorruptMediaError(f"{media_type.format} file has no video stream")
    stream = container.streams.video[0]
    cc = stream.codec_context
    width, height = int(cc.width or 0), int(cc.height or 0)
    if width * height > limits.max_video_pixels_per_frame:
        container.close()
        raise MediaLimitError(f"video frame of {width}x{height} exceeds the frame-size limit")
    fps = float(stream.average_rate or stream.guessed_rate or 25)
    duration = None
    if stream.duration is not None and stream.time_base is not None:
        duration = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        duration = container.duration / 1_000_000
    if duration is not None and duration > limits.max_duration_s:
        container.close()
        raise MediaLimitError(
            f"video of {duration:,.0f} s exceeds the {limits.max_duration_s:,.0f}-s limit"
        )
    frame_count = int(stream.frames) if stream.frames else None
    info = VideoInfo(media_type, width, height, fps, duration, frame_count)
    every = max(1, round(fps * seconds_per_hash)) if seconds_per_hash > 0 else 1

    def frames() -> Iterator[ImageFrame]:
        decoded = 0
        try:
            for n, frame in enumerate(container.decode(stream)):
                decoded += 1
                if decoded > limits.max_frames * every:
                    raise MediaLimitError(
                        f"video has more than {limits.max_frames:,} frames to hash"
                    )
                if n % every:
                    continue
                pixels: np.ndarray = frame.to_ndarray(format="rgb24")
                yield ImageFrame(n, n / fps, pixels)
        except av.FFmpegError as exc:
            raise CorruptMediaError(f"corrupt {media_type.format} video: {exc}") from exc
        finally:
            container.close()
        if decoded == 0:
            raise CorruptMediaError(f"{media_type.format} video has no decodable frames")

    return info, frames()
