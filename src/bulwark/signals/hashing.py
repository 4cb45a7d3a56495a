"""Compute every applicable signal of a file, keeping going when one fails.

Digests need only bytes, so a file that will not decode still gets its MD5 and
SHA-256 (hotline lists match on those); the decode error is reported next to
them instead of losing the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bulwark.errors import BulwarkError
from bulwark.media.limits import DEFAULT_LIMITS, MediaLimits
from bulwark.media.sniff import MediaType
from bulwark.signals.base import DigestSignalType, FileContent, Signal, SignalType
from bulwark.signals.pdq import PDQSignal
from bulwark.signals.registry import all_signal_types


@dataclass
class FileHashes:
    name: str
    media_type: MediaType | None = None
    signals: list[Signal] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def first(self, signal_type: str) -> Signal | None:
        return next((s for s in self.signals if s.type == signal_type), None)

    @property
    def ok(self) -> bool:
        return not self.errors


def hash_content(
    content: FileContent,
    types: Sequence[type[SignalType]] | None = None,
    *,
    dihedral: bool = False,
) -> FileHashes:
    """Every requested signal of ``content``; failures land in ``errors``."""
    wanted = list(types) if types is not None else list(all_signal_types().values())
    result = FileHashes(content.name)
    for st in wanted:
        if issubclass(st, DigestSignalType):
            result.signals.extend(st.compute(content))
    try:
        result.media_type = content.media_type
    except BulwarkError as exc:
        result.errors.append(str(exc))
        return result
    for st in wanted:
        if issubclass(st, DigestSignalType) or content.kind not in st.media_kinds:
            continue
        try:
            if st is PDQSignal and dihedral:
                result.signals.extend(PDQSignal.compute_dihedral(content))
            else:
                result.signals.extend(st.compute(content))
        except BulwarkError as exc:
            # Signals of one file share one decode: report a decode failure once.
            if not any(e.endswith(f": {exc}") for e in result.errors):
                result.errors.append(f"{st.name}: {exc}")
    return result


def hash_path(
    path: Path,
    types: Sequence[type[SignalType]] | None = None,
    *,
    limits: MediaLimits = DEFAULT_LIMITS,
    fast: bool = False,
    dihedral: bool = False,
) -> FileHashes:
    """Read and hash one file; unreadable or oversized files become errors."""
    try:
        content = FileContent.from_path(path, limits=limits, fast=fast)
    except (OSError, BulwarkError) as exc:
        return FileHashes(str(path), errors=[f"cannot read: {exc}"])
    return hash_content(content, types, dihedral=dihedral)
