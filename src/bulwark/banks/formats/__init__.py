"""Bank import/export formats, one module each, found by name."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from bulwark.banks.formats import csvfile, txfile, vics
from bulwark.banks.model import BankEntry, NewEntry
from bulwark.errors import BankError

Reader = Callable[[TextIO, str], list[NewEntry]]
Writer = Callable[[Iterable[BankEntry], TextIO], int]

READERS: dict[str, Reader] = {"txt": txfile.read, "csv": csvfile.read, "vics": vics.read}
WRITERS: dict[str, Writer] = {"txt": txfile.write, "csv": csvfile.write, "vics": vics.write}


def guess_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix == ".json":
        return "vics"
    return "txt"


def read_file(path: Path, fmt: str | None = None) -> list[NewEntry]:
    fmt = fmt or guess_format(path)
    if fmt not in READERS:
        raise BankError(f"unknown import format {fmt!r} (known: {', '.join(READERS)})")
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return READERS[fmt](f, str(path))
    except UnicodeDecodeError as exc:
        raise BankError(f"{path}: not UTF-8 text ({exc})") from exc
    except OSError as exc:
        raise BankError(f"cannot read {path}: {exc}") from exc
