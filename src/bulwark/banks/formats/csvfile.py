"""CSV with a header: ``signal_type,value`` and optional ``source,metadata``."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from bulwark.banks.model import BankEntry, NewEntry
from bulwark.errors import BankImportError

FIELDS = ["signal_type", "value", "source", "metadata"]


def read(f: TextIO, source: str) -> list[NewEntry]:
    reader = csv.DictReader(f)
    missing = {"signal_type", "value"} - set(reader.fieldnames or [])
    if missing:
        raise BankImportError(source, [(1, f"header lacks column(s) {', '.join(sorted(missing))}")])
    out: list[NewEntry] = []
    problems: list[tuple[int, str]] = []
    for row in reader:
        n = reader.line_num
        st, value = (row.get("signal_type") or "").strip(), (row.get("value") or "").strip()
        if not st or not value:
            problems.append((n, "empty signal_type or value"))
            continue
        meta_text = (row.get("metadata") or "").strip()
        try:
            meta = json.loads(meta_text) if meta_text else {}
            if not isinstance(meta, dict):
                raise ValueError("metadata must be a JSON object")
        except ValueError as exc:
            problems.append((n, f"bad metadata: {exc}"))
            continue
        out.append(NewEntry(st, value, (row.get("source") or source).strip(), meta, line=n))
    if problems:
        raise BankImportError(source, problems)
    return out


def write(entries: Iterable[BankEntry], f: TextIO) -> int:
    w = csv.DictWriter(f, FIELDS)
    w.writeheader()
    n = 0
    for e in entries:
        w.writerow(
            {
                "signal_type": e.signal_type,
                "value": e.value,
                "source": e.source,
                "metadata": json.dumps(e.metadata, sort_keys=True) if e.metadata else "",
            }
        )
        n += 1
    return n
