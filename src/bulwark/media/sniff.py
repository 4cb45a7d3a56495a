"""Decide what a file really is from its first bytes, never from its name.

A file called ``cat.jpg`` that holds a video, or an executable, must not reach
the image decoder. ``filetype`` reads magic numbers for us; we only map its
MIME types onto the kinds Bulwark handles.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import filetype

from bulwark.errors import UnsupportedMediaError


class MediaKind(enum.StrEnum):
    IMAGE = "image"
    VIDEO = "video"


@dataclass(frozen=True)
class MediaType:
    kind: MediaKind
    format: str  # short name: jpeg, png, webp, gif, bmp, tiff, heif, avif, mp4, ...
    mime: str


_IMAGE_MIMES = {
    "image/jpeg": "jpeg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "image/bmp": "bmp",
    "image/tiff": "tiff",
    "image/heic": "heif",
    "image/heif": "heif",
    "image/avif": "avif",
}
_VIDEO_MIMES = {
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/x-matroska": "mkv",
    "video/webm": "webm",
    "video/x-msvideo": "avi",
    "video/x-flv": "flv",
    "video/mpeg": "mpeg",
    "video/x-m4v": "m4v",
    "video/3gpp": "3gp",
    "video/x-ms-wmv": "wmv",
}
_HEAD = 8192


def sniff(data: bytes) -> MediaType:
    """Return the media type of ``data`` or raise :class:`UnsupportedMediaError`."""
    if not data:
        raise UnsupportedMediaError("empty file: not an image or video")
    kind = filetype.guess(data[:_HEAD])
    if kind is not None:
        if kind.mime in _IMAGE_MIMES:
            return MediaType(MediaKind.IMAGE, _IMAGE_MIMES[kind.mime], kind.mime)
        if kind.mime in _VIDEO_MIMES:
            return MediaType(MediaKind.VIDEO, _VIDEO_MIMES[kind.mime], kind.mime)
        raise UnsupportedMediaError(f"not an image or video (looks like {kind.mime})")
    # MPEG transport streams have no magic filetype knows; 0x47 sync byte every 188 bytes.
    if len(data) >= 376 and data[0] == 0x47 and data[188] == 0x47:
        return MediaType(MediaKind.VIDEO, "mpegts", "video/mp2t")
    raise UnsupportedMediaError("not an image or video")
