"""Turn known texts (scripts, templates, false claims) into text-bank entries.

Each text gives up to three entries — exact, TLSH and embedding — sharing the
same metadata (label, rating, url of a fact-check...). The original text is
kept only when asked: a bank of real scripts can itself be sensitive.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bulwark.analyze.text.normalize import normalize
from bulwark.banks.model import NewEntry
from bulwark.errors import BankImportError
from bulwark.signals import text_embedding as te
from bulwark.signals.text_exact import TextExactSignal
from bulwark.signals.text_tlsh import TextTLSHSignal


@dataclass(frozen=True)
class KnownText:
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    line: int = 0


def read_known_texts(path: Path) -> list[KnownText]:
    """One text a line, or JSONL objects with ``text`` and optional metadata.

    All-or-nothing like the other bank imports: bad lines are listed together.
    """
    out: list[KnownText] = []
    problems: list[tuple[int, str]] = []
    with path.open(encoding="utf-8", errors="replace") as f:
        for n, raw in enumerate(f, start=1):
            line = raw.strip()
            if not line:
                continue
            if line.startswith("{"):
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    problems.append((n, f"not JSON: {exc.msg}"))
                    continue
                text = obj.pop("text", None)
                if not isinstance(text, str) or not text.strip():
                    problems.append((n, "missing 'text'"))
                    continue
                out.append(KnownText(text, obj, n))
            else:
                out.append(KnownText(line, {}, n))
    if problems:
        raise BankImportError(str(path), problems)
    return out


def entries_for(
    texts: Iterable[KnownText], *, source: str, embeddings: bool = True, keep_text: bool = False
) -> Iterator[NewEntry]:
    items = list(texts)
    norms = [normalize(t.text) for t in items]
    vectors = None
    if embeddings and te.load_encoder() is not None and items:
        vectors = te.embed([n.readable or " " for n in norms])
    for i, (item, norm) in enumerate(zip(items, norms, strict=True)):
        meta = dict(item.metadata)
        if keep_text:
            meta["text"] = item.text
        for sig in (TextExactSignal.compute_text(norm), TextTLSHSignal.compute_text(norm)):
            if sig is not None:
                yield NewEntry(sig.type, sig.value, source, meta, item.line)
        if vectors is not None:
            yield NewEntry("text_embedding", te.to_value(vectors[i]), source, meta, item.line)


__all__ = ["KnownText", "entries_for", "read_known_texts"]
