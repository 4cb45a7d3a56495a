"""Shared shapes for signal types: a fingerprint and the thing that makes it."""

from __future__ import annotations

import abc
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import ClassVar

from bulwark.errors import SignalError
from bulwark.media.image import DecodedImage, decode_image
from bulwark.media.limits import DEFAULT_LIMITS, MediaLimits
from bulwark.media.sniff import MediaKind, MediaType, sniff


@dataclass(frozen=True)
class Signal:
    """``(type, value, quality)``: one fingerprint of one piece of content."""

    type: str
    value: str
    quality: int | None = None
    #: Extra facts a person may want (dihedral variant name, low-quality flag, frame count).
    details: dict[str, object] = field(default_factory=dict, compare=False, hash=False)


class FileContent:
    """Bytes of one submitted file, decoded lazily and at most once.

    Several signal types read the same decoded pixels; caching them here is why a
    file is decoded once however many signals are asked for.
    """

    def __init__(
        self,
        data: bytes,
        *,
        name: str = "<bytes>",
        limits: MediaLimits = DEFAULT_LIMITS,
        fast: bool = False,
    ) -> None:
        limits.check_bytes(len(data))
        self.data = data
        self.name = name
        self.limits = limits
        self.fast = fast

    @classmethod
    def from_path(cls, path: Path, **kwargs: object) -> FileContent:
        limits = kwargs.get("limits", DEFAULT_LIMITS)
        assert isinstance(limits, MediaLimits)
        size = path.stat().st_size
        limits.check_bytes(size)
        return cls(path.read_bytes(), name=str(path), **kwargs)  # type: ignore[arg-type]

    @cached_property
    def media_type(self) -> MediaType:
        return sniff(self.data)

    @property
    def kind(self) -> MediaKind:
        return self.media_type.kind

    @cached_property
    def image(self) -> DecodedImage:
        return decode_image(self.data, self.limits, fast=self.fast)


class SignalType(abc.ABC):
    """One kind of fingerprint. Subclasses are registered by name.

    ``name`` follows python-threatexchange where the concept is the same; the
    ``threatexchange_name`` is what its file format and exchanges call it.
    """

    name: ClassVar[str]
    threatexchange_name: ClassVar[str]
    aliases: ClassVar[tuple[str, ...]] = ()
    #: Kinds of media this signal can be computed from.
    media_kinds: ClassVar[frozenset[MediaKind]]
    #: True when similar (not only identical) values should match.
    is_distance_based: ClassVar[bool] = False

    @classmethod
    @abc.abstractmethod
    def validate(cls, value: str) -> str:
        """Return the canonical form of ``value`` or raise :class:`SignalError`."""

    @classmethod
    @abc.abstractmethod
    def compute(cls, content: FileContent) -> list[Signal]:
        """Fingerprint ``content``; raise a typed error if it cannot be done."""


def validate_hex(name: str, value: str, length: int) -> str:
    """Lowercase ``value`` if it is exactly ``length`` hex digits, else raise."""
    v = value.strip().lower()
    if len(v) != length:
        raise SignalError(f"{name} must be {length} hex characters, got {len(v)}")
    try:
        bytes.fromhex(v)
    except ValueError as exc:
        raise SignalError(f"{name} is not hexadecimal: {value!r}") from exc
    return v


class DigestSignalType(SignalType):
    """Cryptographic digests of the raw bytes: identical files only."""

    hex_length: ClassVar[int]
    media_kinds = frozenset({MediaKind.IMAGE, MediaKind.VIDEO})

    @classmethod
    def digest(cls, data: bytes) -> str:
        return hashlib.new(cls.name, data).hexdigest()

    @classmethod
    def validate(cls, value: str) -> str:
        return validate_hex(cls.name, value, cls.hex_length)

    @classmethod
    def compute(cls, content: FileContent) -> list[Signal]:
        return [Signal(cls.name, cls.digest(content.data))]
