"""SHA-256 of the file bytes."""

from __future__ import annotations

from bulwark.signals.base import DigestSignalType


class SHA256Signal(DigestSignalType):
    name = "sha256"
    threatexchange_name = "video_sha256"
    aliases = ("video_sha256", "photo_sha256")
    hex_length = 64
