"""python-threatexchange's local file format: ``<signal_type> <hash>`` per line.

This is what ``threatexchange``'s LocalFileSignalExchangeAPI reads, so an
exported bank can be fed straight to the threatexchange CLI and back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from bulwark.banks.model import BankEntry, NewEntry
from bulwark.errors import BankImportError
from bulwark.signals.registry import get_signal_type


def read(f: TextIO, source: str) -> list[NewEntry]:
    out: list[NewEntry] = []
    problems: list[tuple[int, str]] = []
    for n, raw in enumerate(f, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        signal_type, _, value = line.partition(" ")
        if not value.strip():
            problems.append((n, "expected '<signal_type> <hash>'"))
            continue
        out.append(NewEntry(signal_type, value.strip(), source=source, line=n))
    if problems:
        raise BankImportError(source, problems)
    return out


def write(entries: Iterable[BankEntry], f: TextIO) -> int:
    n = 0
    for e in entries:
        f.write(f"{get_signal_type(e.signal_type).threatexchange_name} {e.value}\n")
        n += 1
    return n
