"""Read text items from JSONL: one request per line, bad lines reported, the rest kept.

A line is a JSON object with ``text`` (or ``prompt``) and optionally
``negative_prompt``, ``id`` and ``expected`` (a list of taxonomy categories,
for evaluation). A bare JSON string is a text with no negative prompt.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bulwark.policy.taxonomy import CATEGORIES


@dataclass(frozen=True)
class TextItem:
    line: int
    id: str
    text: str
    negative_prompt: str = ""
    expected: tuple[str, ...] | None = None
    meta: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class BadLine:
    line: int
    reason: str


def parse_line(raw: str, line: int) -> TextItem | BadLine:
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        return BadLine(line, f"not JSON: {exc.msg} at column {exc.colno}")
    if isinstance(obj, str):
        return TextItem(line, str(line), obj)
    if not isinstance(obj, dict):
        return BadLine(line, f"expected an object or a string, got {type(obj).__name__}")
    text = obj.get("text", obj.get("prompt"))
    if not isinstance(text, str):
        return BadLine(line, "missing 'text' (a string)")
    negative = obj.get("negative_prompt", "") or ""
    if not isinstance(negative, str):
        return BadLine(line, "'negative_prompt' must be a string")
    expected = obj.get("expected")
    if expected is not None:
        if not isinstance(expected, list) or not all(isinstance(c, str) for c in expected):
            return BadLine(line, "'expected' must be a list of category names")
        unknown = [c for c in expected if c not in CATEGORIES]
        if unknown:
            return BadLine(line, f"unknown categories in 'expected': {', '.join(unknown)}")
    known = {"text", "prompt", "negative_prompt", "expected", "id"}
    meta = {k: v for k, v in obj.items() if k not in known}
    return TextItem(
        line,
        str(obj.get("id", line)),
        text,
        negative,
        tuple(expected) if expected is not None else None,
        meta,
    )


def read_jsonl(path: Path) -> Iterator[TextItem | BadLine]:
    """Items and bad lines in file order; undecodable bytes are replaced, not fatal."""
    with path.open(encoding="utf-8", errors="replace") as f:
        for n, raw in enumerate(f, start=1):
            if raw.strip():
                yield parse_line(raw, n)


__all__ = ["BadLine", "TextItem", "parse_line", "read_jsonl"]
