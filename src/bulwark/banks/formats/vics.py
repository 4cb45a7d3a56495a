"""Project VIC VICS JSON (OData), versions 1.3 and 2.0.

1.3 nests media under cases (``value[].Media[]``); 2.0 lists media directly
(``value[]``). Each media record carries MD5 and SHA1, a Project VIC category
number, and often a PhotoDNA hash. PhotoDNA is proprietary and cannot be
computed here, so its value is kept in the entry's metadata and marked
``photodna_computable: false`` rather than thrown away.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from bulwark.banks.model import BankEntry, NewEntry
from bulwark.errors import BankImportError

_CONTEXT_13 = "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media"
_CONTEXT_20 = (
    "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media"
)
_KEEP = ("MediaID", "Category", "MediaSize", "IsPrecategorized", "VictimIdentified", "Series")


def _media_records(doc: Any, source: str) -> list[dict[str, Any]]:
    if not isinstance(doc, dict) or not isinstance(doc.get("value"), list):
        raise BankImportError(source, [(1, "not VICS JSON: no top-level 'value' list")])
    media: list[dict[str, Any]] = []
    for i, item in enumerate(doc["value"]):
        if not isinstance(item, dict):
            raise BankImportError(source, [(1, f"value[{i}] is not an object")])
        nested = item.get("Media")
        if isinstance(nested, list):  # VICS 1.3: cases holding media
            media.extend(m for m in nested if isinstance(m, dict))
        else:
            media.append(item)
    return media


def read(f: TextIO, source: str) -> list[NewEntry]:
    try:
        doc = json.load(f)
    except json.JSONDecodeError as exc:
        raise BankImportError(source, [(exc.lineno, f"invalid JSON: {exc.msg}")]) from exc
    version = "2.0" if "@odata.context" in doc else "1.3"
    out: list[NewEntry] = []
    for idx, m in enumerate(_media_records(doc, source), start=1):
        meta: dict[str, Any] = {k: m[k] for k in _KEEP if k in m}
        meta["vics_version"] = version
        if m.get("PhotoDNA"):
            meta["photodna"] = m["PhotoDNA"]
            meta["photodna_computable"] = False
        nested_files = m.get("MediaFiles")
        files: list[Any] = nested_files if isinstance(nested_files, list) else [m]
        for fm in files:
            if not isinstance(fm, dict):
                continue
            for key, st in (("MD5", "md5"), ("SHA1", "sha1")):
                v = fm.get(key)
                if v:
                    out.append(NewEntry(st, str(v), source=source, metadata=dict(meta), line=idx))
    return out


def write(entries: Iterable[BankEntry], f: TextIO) -> int:
    """Write VICS 2.0: one media record per MD5 or SHA1 entry."""
    value: list[dict[str, Any]] = []
    for n, e in enumerate(entries, start=1):
        if e.signal_type not in {"md5", "sha1"}:
            continue
        rec: dict[str, Any] = {"MediaID": e.metadata.get("MediaID", n)}
        rec["Category"] = e.metadata.get("Category", 0)
        rec["MD5" if e.signal_type == "md5" else "SHA1"] = e.value.upper()
        if "photodna" in e.metadata:
            rec["PhotoDNA"] = e.metadata["photodna"]
        value.append(rec)
    json.dump({"@odata.context": _CONTEXT_20, "value": value}, f, indent=1)
    return len(value)
