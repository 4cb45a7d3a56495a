"""Open archives in a seized folder safely: nothing is extracted to disk, and
every limit is checked before and while reading.

Zip and tar members are read into memory one at a time, with a cap on the
number of members, on each member's size, on the total unpacked size and on
the compression ratio (a zip bomb is refused by the ratio and by reading at
most the declared size plus one byte — headers can lie). Absolute names,
``..`` components, links and devices are reported and skipped. Archives
inside archives are reported, not opened.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from bulwark.media.limits import DEFAULT_LIMITS


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int = 10_000
    max_member_bytes: int = DEFAULT_LIMITS.max_bytes
    max_total_bytes: int = 4 * 1024**3
    max_ratio: float = 200.0


ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")


def is_archive(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def unsafe_name(name: str) -> bool:
    """An absolute name, a drive letter or a ``..`` component: it would point out of
    wherever the archive was unpacked (we never unpack, but report it)."""
    p = PurePosixPath(name.replace("\\", "/"))
    return p.is_absolute() or ".." in p.parts or (len(name) > 1 and name[1] == ":")


@dataclass(frozen=True)
class Member:
    name: str
    data: bytes | None  # None: refused (``problem`` says why)
    problem: str = ""


def members(name: str, data: bytes, limits: ArchiveLimits = ArchiveLimits()) -> Iterator[Member]:
    if name.lower().endswith(".zip"):
        yield from _zip(data, limits)
    else:
        yield from _tar(data, limits)


def _check(name: str, size: int, total: int, count: int, limits: ArchiveLimits) -> str:
    if count > limits.max_members:
        return f"more than {limits.max_members:,} members: the rest not read"
    if unsafe_name(name):
        return "path traversal entry: not read"
    if is_archive(name):
        return "archive inside an archive: not opened"
    if size > limits.max_member_bytes:
        return f"{size:,} bytes unpacked: over the {limits.max_member_bytes:,}-byte limit"
    if total + size > limits.max_total_bytes:
        return f"archive unpacks to over {limits.max_total_bytes:,} bytes: the rest not read"
    return ""


def _zip(data: bytes, limits: ArchiveLimits) -> Iterator[Member]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        yield Member("", None, f"not a readable zip: {exc}")
        return
    total = 0
    for count, info in enumerate(infos, 1):
        if info.is_dir():
            continue
        why = _check(info.filename, info.file_size, total, count, limits)
        if (
            not why
            and info.compress_size
            and info.file_size / info.compress_size > limits.max_ratio
        ):
            ratio = info.file_size / info.compress_size
            why = f"compression ratio {ratio:,.0f}:1 (a zip bomb?): not read"
        if why:
            yield Member(info.filename, None, why)
            if "the rest" in why:
                return
            continue
        try:
            with zf.open(info) as f:
                body = f.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, ValueError) as exc:
            yield Member(info.filename, None, f"unreadable member: {exc}")
            continue
        if len(body) > info.file_size:
            yield Member(info.filename, None, "member larger than its header says: not read")
            continue
        total += len(body)
        yield Member(info.filename, body)


def _tar(data: bytes, limits: ArchiveLimits) -> Iterator[Member]:
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
            for count, m in enumerate(tar, 1):
                if m.isdir():
                    continue
                if not m.isfile():
                    yield Member(m.name, None, "link or special entry: not read")
                    continue
                why = _check(m.name, m.size, total, count, limits)
                if why:
                    yield Member(m.name, None, why)
                    if "the rest" in why:
                        return
                    continue
                f = tar.extractfile(m)
                body = f.read(m.size + 1) if f is not None else b""
                total += len(body)
                yield Member(m.name, body)
    except (tarfile.TarError, EOFError, OSError) as exc:
        yield Member("", None, f"truncated or corrupt archive: {exc}")


__all__ = ["ARCHIVE_SUFFIXES", "ArchiveLimits", "Member", "is_archive", "members", "unsafe_name"]
