"""Signal types computed from text rather than media files.

They live in the same registry as the media signals, so banks import, export
and validate them the same way; ``compute`` on a media file yields nothing and
``compute_text`` works on the evasion-proof normalised text.
"""

from __future__ import annotations

import abc

from bulwark.analyze.text.normalize import NormalizedText
from bulwark.signals.base import FileContent, Signal, SignalType


class TextSignalType(SignalType):
    media_kinds = frozenset()

    @classmethod
    def compute(cls, content: FileContent) -> list[Signal]:
        return []

    @classmethod
    @abc.abstractmethod
    def compute_text(cls, norm: NormalizedText) -> Signal | None:
        """The fingerprint of ``norm``, or None when this type cannot describe it
        (too short for TLSH, embedding model not installed)."""


__all__ = ["TextSignalType"]
