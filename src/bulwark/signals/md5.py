"""MD5 of the file bytes: what most hotline lists (NCMEC, Project VIC) still carry."""

from __future__ import annotations

from bulwark.signals.base import DigestSignalType


class MD5Signal(DigestSignalType):
    name = "md5"
    threatexchange_name = "video_md5"
    aliases = ("video_md5", "photo_md5")
    hex_length = 32
