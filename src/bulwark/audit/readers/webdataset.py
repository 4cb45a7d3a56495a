"""WebDataset tar shards in img2dataset's layout: ``key.jpg`` + ``key.txt`` + ``key.json``.

Read as a stream (``tarfile`` mode ``r|*``), never extracted: nothing from a
tar touches the disk, so path-traversal names (``../../etc/passwd``) cannot
escape anywhere — they are still reported, as are links and devices, members
over the size limit and a truncated tail. Samples read before a truncation
are kept.
"""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterator
from pathlib import PurePosixPath

from bulwark.audit.archives import unsafe_name
from bulwark.audit.sample import Problem, Sample, ShardRef
from bulwark.media.limits import DEFAULT_LIMITS

IMAGE_EXTS = {"jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff", "avif", "heic"}


def _key_and_ext(name: str) -> tuple[str, str]:
    p = PurePosixPath(name)
    stem, _, ext = p.name.partition(".")
    return str(p.parent / stem) if str(p.parent) != "." else stem, ext.lower()


def read_webdataset(shard: ShardRef) -> Iterator[Sample | Problem]:
    current: Sample | None = None

    def finish(s: Sample | None) -> Iterator[Sample | Problem]:
        if s is None:
            return
        if s.data is None:
            yield Problem(shard.id, s.key, "no image in this sample (caption or metadata only)")
        else:
            yield s

    try:
        with tarfile.open(shard.path, mode="r|*") as tar:
            for member in tar:
                if unsafe_name(member.name):
                    yield Problem(shard.id, member.name, "path traversal entry: not read")
                    continue
                if not member.isfile():
                    yield Problem(shard.id, member.name, f"{_kind(member)} entry: not read")
                    continue
                if member.size > DEFAULT_LIMITS.max_bytes:
                    yield Problem(shard.id, member.name, f"{member.size:,} bytes: over the limit")
                    continue
                key, ext = _key_and_ext(member.name)
                if current is None or current.key != key:
                    yield from finish(current)
                    current = Sample(key, shard.id)
                f = tar.extractfile(member)
                body = f.read() if f is not None else b""
                if ext in IMAGE_EXTS:
                    current.data = body
                elif ext == "txt":
                    current.caption = body.decode("utf-8", "replace")[:10_000]
                elif ext == "json":
                    try:
                        meta = json.loads(body)
                    except ValueError:
                        yield Problem(shard.id, key, "unreadable JSON metadata")
                        meta = {}
                    if isinstance(meta, dict):
                        current.meta = meta
                        current.url = str(meta.get("url") or "")
                        current.md5 = str(meta.get("md5") or "")
    except (tarfile.TarError, EOFError, OSError) as exc:
        last = current.key if current is not None else ""
        yield Problem(shard.id, last, f"truncated or corrupt tar after this sample: {exc}")
        current = None  # its image may be cut short: not hashed
    yield from finish(current)


def _kind(m: tarfile.TarInfo) -> str:
    if m.issym() or m.islnk():
        return "link"
    if m.isdir():
        return "folder"
    return "device or special"


__all__ = ["read_webdataset"]
