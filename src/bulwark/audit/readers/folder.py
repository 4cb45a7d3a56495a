"""A folder tree of files, cut into fixed slices (shards) of sorted paths.

Symlinks are not followed out of the folder: a link whose target lies outside
is reported and skipped, so a planted ``evidence -> /etc`` cannot make an audit
read (or report on) files that are not in the dataset.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from bulwark.audit.sample import DatasetError, Problem, Sample, ShardRef
from bulwark.media.limits import DEFAULT_LIMITS

FILES_PER_SHARD = 1000
#: captions sit beside images in some layouts (``a.jpg`` + ``a.txt``)
CAPTION_SUFFIX = ".txt"


def _inside(root: Path, p: Path) -> bool:
    try:
        p.resolve().relative_to(root)
    except ValueError:
        return False
    return True


def folder_shards(
    root: Path, per_shard: int = FILES_PER_SHARD
) -> tuple[list[ShardRef], list[Problem]]:
    if not root.is_dir():
        raise DatasetError(f"{root}: not a folder")
    base = root.resolve()
    files: list[str] = []
    problems: list[Problem] = []
    for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
        here = Path(dirpath)
        for d in list(dirnames):
            if (here / d).is_symlink():
                dirnames.remove(d)
                rel = str((here / d).relative_to(base))
                problems.append(Problem(f"folder:{root}", rel, "symlinked folder: not followed"))
        for name in filenames:
            p = here / name
            rel = str(p.relative_to(base))
            if p.is_symlink() and not _inside(base, p):
                problems.append(
                    Problem(f"folder:{root}", rel, "symlink out of the folder: skipped")
                )
                continue
            if name.endswith(CAPTION_SUFFIX):
                continue  # read with its image
            files.append(rel)
    files.sort()
    shards = [
        ShardRef(
            "folder",
            str(base),
            f"folder:{root.name}#{i // per_shard:05d}",
            tuple(files[i : i + per_shard]),
        )
        for i in range(0, len(files), per_shard)
    ]
    return shards, problems


def read_folder(shard: ShardRef) -> Iterator[Sample | Problem]:
    base = Path(shard.path)
    for rel in shard.files:
        p = base / rel
        try:
            size = p.stat().st_size
            if size > DEFAULT_LIMITS.max_bytes:
                yield Problem(
                    shard.id,
                    rel,
                    f"{size:,} bytes: over the {DEFAULT_LIMITS.max_bytes:,}-byte limit",
                )
                continue
            data = p.read_bytes()
        except OSError as exc:
            yield Problem(shard.id, rel, f"unreadable: {exc.strerror or exc}")
            continue
        caption = ""
        side = p.with_suffix(CAPTION_SUFFIX)
        if side.is_file() and _inside(base, side):
            caption = side.read_text("utf-8", "replace")[:10_000]
        yield Sample(rel, shard.id, data, caption)


__all__ = ["FILES_PER_SHARD", "folder_shards", "read_folder"]
