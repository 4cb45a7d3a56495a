"""SHA-256 of the normalised match view: identical texts, whatever their disguise.

Leetspeak, look-alike letters, zero-width characters, spacing and case all
normalise away first, so "P4Y M3 0R..." and "pay me or..." share one value.
"""

from __future__ import annotations

import hashlib

from bulwark.analyze.text.normalize import NormalizedText
from bulwark.signals.base import Signal, validate_hex
from bulwark.signals.text_base import TextSignalType


class TextExactSignal(TextSignalType):
    name = "text_exact"
    threatexchange_name = "text_exact"
    aliases = ("text_sha256",)

    @classmethod
    def validate(cls, value: str) -> str:
        return validate_hex(cls.name, value, 64)

    @classmethod
    def compute_text(cls, norm: NormalizedText) -> Signal | None:
        if not norm.match.text:
            return None
        return Signal(cls.name, hashlib.sha256(norm.match.text.encode("utf-8")).hexdigest())


__all__ = ["TextExactSignal"]
