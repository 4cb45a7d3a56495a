"""The hashes model hubs and UIs use to name a model file.

* ``model_sha256``: SHA-256 of the whole file;
* ``model_autov2``: its first 10 hex digits (AUTOMATIC1111's "AutoV2", Civitai);
* ``model_autov3``: first 12 hex of the SHA-256 of the tensor data after a
  safetensors header (kohya's ``sshs_model_hash``; survives metadata edits);
* ``model_a1111``: first 8 hex of the SHA-256 of bytes 0x100000-0x110000, the
  old A1111 "model hash" still printed in many image ``parameters``.

All four come from one streaming pass over the file. They are bank signal types
like any other, so model-hash banks import, export and match the same way.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import ClassVar

from bulwark.signals.base import FileContent, Signal, SignalType, validate_hex

_OLD_START, _OLD_END = 0x100000, 0x110000
_CHUNK = 1 << 20


class _ModelHash(SignalType):
    media_kinds = frozenset()
    hex_length: ClassVar[int]

    @classmethod
    def validate(cls, value: str) -> str:
        return validate_hex(cls.name, value, cls.hex_length)

    @classmethod
    def compute(cls, content: FileContent) -> list[Signal]:
        return []  # computed from model files by model_file_hashes, not from media


class ModelSHA256Signal(_ModelHash):
    name = "model_sha256"
    threatexchange_name = "model_sha256"
    hex_length = 64


class ModelAutoV2Signal(_ModelHash):
    name = "model_autov2"
    threatexchange_name = "model_autov2"
    hex_length = 10


class ModelAutoV3Signal(_ModelHash):
    name = "model_autov3"
    threatexchange_name = "model_autov3"
    aliases = ("sshs_model_hash",)
    hex_length = 12


class ModelA1111Signal(_ModelHash):
    name = "model_a1111"
    threatexchange_name = "model_a1111"
    hex_length = 8


def model_file_hashes(path: Path, data_offset: int | None = None) -> dict[str, str]:
    """All applicable model hashes; ``data_offset`` (safetensors) enables AutoV3."""
    full = hashlib.sha256()
    tensors = hashlib.sha256() if data_offset is not None else None
    old = hashlib.sha256()
    pos = 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            full.update(chunk)
            end = pos + len(chunk)
            if tensors is not None and data_offset is not None and end > data_offset:
                tensors.update(chunk[max(0, data_offset - pos) :])
            if end > _OLD_START and pos < _OLD_END:
                old.update(chunk[max(0, _OLD_START - pos) : _OLD_END - pos])
            pos = end
    digest = full.hexdigest()
    out = {"model_sha256": digest, "model_autov2": digest[:10]}
    if pos > _OLD_START:
        out["model_a1111"] = old.hexdigest()[:8]
    if tensors is not None:
        out["model_autov3"] = tensors.hexdigest()[:12]
    return out


MODEL_HASH_TYPES = ("model_sha256", "model_autov2", "model_autov3", "model_a1111")

__all__ = [
    "MODEL_HASH_TYPES",
    "ModelA1111Signal",
    "ModelAutoV2Signal",
    "ModelAutoV3Signal",
    "ModelSHA256Signal",
    "model_file_hashes",
]
