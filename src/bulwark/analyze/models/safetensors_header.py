"""Read a safetensors header without loading a tensor.

The format is an 8-byte little-endian header length, that many bytes of JSON
(tensor names -> dtype/shape/offsets, plus ``__metadata__`` of string pairs),
then the raw tensor data. A hostile file can claim a 10 GB header or nest its
JSON thousands deep; both are refused with a clear error before any large read.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from bulwark.errors import ModelFileError

#: Largest header we read (real LoRA headers with training metadata are < 10 MB).
MAX_HEADER_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class SafetensorsHeader:
    tensors: dict[str, dict[str, Any]]
    metadata: dict[str, str]
    header_bytes: int
    data_offset: int  # where tensor data starts (8 + header_bytes)
    file_size: int

    @property
    def tensor_count(self) -> int:
        return len(self.tensors)


def looks_like_safetensors(head: bytes) -> bool:
    if len(head) < 9:
        return False
    (n,) = struct.unpack("<Q", head[:8])
    return 2 <= n <= MAX_HEADER_BYTES * 100 and head[8:9] == b"{"


def read_header(f: BinaryIO, file_size: int, *, name: str = "file") -> SafetensorsHeader:
    head = f.read(8)
    if len(head) < 8:
        raise ModelFileError(f"{name}: too short for a safetensors header ({len(head)} bytes)")
    (n,) = struct.unpack("<Q", head)
    if n > MAX_HEADER_BYTES:
        raise ModelFileError(
            f"{name}: safetensors header claims {n:,} bytes, "
            f"over the {MAX_HEADER_BYTES:,}-byte limit"
        )
    if 8 + n > file_size:
        raise ModelFileError(
            f"{name}: safetensors header claims {n:,} bytes "
            f"but the file has {file_size - 8:,} after the length"
        )
    raw = f.read(n)
    if len(raw) != n:
        raise ModelFileError(f"{name}: truncated safetensors header")
    try:
        header = json.loads(raw.decode("utf-8"))
    except RecursionError as exc:
        raise ModelFileError(f"{name}: safetensors header JSON is nested too deeply") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{name}: safetensors header is not JSON: {exc}") from exc
    if not isinstance(header, dict):
        raise ModelFileError(
            f"{name}: safetensors header is {type(header).__name__}, not an object"
        )
    meta_raw = header.pop("__metadata__", {}) or {}
    if not isinstance(meta_raw, dict):
        raise ModelFileError(f"{name}: __metadata__ is not an object")
    metadata = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in meta_raw.items()}
    tensors = {k: v for k, v in header.items() if isinstance(v, dict)}
    return SafetensorsHeader(tensors, metadata, n, 8 + n, file_size)


def read_header_path(path: Path) -> SafetensorsHeader:
    size = path.stat().st_size
    with path.open("rb") as f:
        return read_header(f, size, name=path.name)


__all__ = [
    "MAX_HEADER_BYTES",
    "SafetensorsHeader",
    "looks_like_safetensors",
    "read_header",
    "read_header_path",
]
