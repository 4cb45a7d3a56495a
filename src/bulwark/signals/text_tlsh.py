"""TLSH (py-tlsh) of the readable normalised text: near-duplicate scripts.

A sextortion or spam script is reused with a changed amount, name or link;
TLSH's distance stays low across such edits. TLSH needs at least 50 bytes
with some variety, so short texts get no TLSH value (exact and semantic
matching still cover them).
"""

from __future__ import annotations

import tlsh

from bulwark.analyze.text.normalize import NormalizedText
from bulwark.errors import SignalError
from bulwark.signals.base import Signal
from bulwark.signals.text_base import TextSignalType

#: Distances at or under this count as the same script (measured in benchmarks/bench_text_banks.py).
DEFAULT_TLSH_THRESHOLD = 70


class TextTLSHSignal(TextSignalType):
    name = "text_tlsh"
    threatexchange_name = "text_tlsh"
    is_distance_based = True

    @classmethod
    def validate(cls, value: str) -> str:
        v = value.strip().upper()
        body = v[2:] if v.startswith("T1") else v
        if len(body) != 70:
            raise SignalError(f"text_tlsh must be 'T1' and 70 hex characters, got {len(v)}")
        try:
            bytes.fromhex(body)
        except ValueError as exc:
            raise SignalError(f"text_tlsh is not hexadecimal: {value!r}") from exc
        return "T1" + body

    @classmethod
    def compute_text(cls, norm: NormalizedText) -> Signal | None:
        digest = tlsh.hash(norm.readable.lower().encode("utf-8"))
        if not digest or digest == "TNULL":
            return None
        return Signal(cls.name, digest)


def distance(a: str, b: str) -> int:
    return int(tlsh.diff(a, b))


__all__ = ["DEFAULT_TLSH_THRESHOLD", "TextTLSHSignal", "distance"]
