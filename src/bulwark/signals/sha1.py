"""SHA-1 of the file bytes: Project VIC (VICS) lists carry it beside MD5."""

from __future__ import annotations

from bulwark.signals.base import DigestSignalType


class SHA1Signal(DigestSignalType):
    name = "sha1"
    threatexchange_name = "sha1"
    aliases = ("photo_sha1",)
    hex_length = 40
