"""What an item's card shows: why it is here, before anything else.

Rules fired, bank matches with their distance, evidence with the text spans
highlighted in the original text (a conversation's flagged messages marked),
AI-provenance evidence — so most decisions need no reveal at all. Text is
shown as text (it is the evidence); images and videos only as protected views.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from bulwark.errors import MediaError
from bulwark.media.sniff import MediaKind, sniff
from bulwark.policy.taxonomy import CHILD_SAFETY

#: categories whose items open behind a warning screen
SEVERE = CHILD_SAFETY | {
    "sexual.explicit",
    "ncii",
    "violence.graphic",
    "self_harm",
    "violent_extremism",
}
_MESSAGE_FIELD = re.compile(r"messages\[(\d+)\]")


@dataclass(frozen=True)
class Segment:
    text: str
    marked: bool


@dataclass
class Message:
    sender: str
    segments: list[Segment]
    flagged: bool


@dataclass
class ItemView:
    categories: list[str]
    severe: list[str]
    media: str  # "text", "conversation", "image", "video" or "" (nothing kept)
    segments: list[Segment] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)


def highlight(text: str, spans: list[tuple[int, int]]) -> list[Segment]:
    """The text cut into plain and marked runs (overlapping spans merged)."""
    out: list[Segment] = []
    at = 0
    for start, end in sorted(spans):
        start, end = max(start, at), min(end, len(text))
        if end <= start:
            continue
        if start > at:
            out.append(Segment(text[at:start], False))
        if out and out[-1].marked and start == at:  # touching or overlapping: one run
            out[-1] = Segment(out[-1].text + text[start:end], True)
        else:
            out.append(Segment(text[start:end], True))
        at = end
    if at < len(text):
        out.append(Segment(text[at:], False))
    return out


def _spans(evidence: list[dict[str, Any]]) -> dict[str, list[tuple[int, int]]]:
    by_field: dict[str, list[tuple[int, int]]] = {}
    for e in evidence:
        for sp in e.get("spans", []):
            by_field.setdefault(str(sp.get("field", "text")), []).append(
                (int(sp["start"]), int(sp["end"]))
            )
    return by_field


def _categories(details: dict[str, Any], queue_category: str | None) -> list[str]:
    found = [str(e.get("category")) for e in details.get("evidence", [])]
    found += [str(m["category"]) for m in details.get("bank_matches", []) if m.get("category")]
    if queue_category:
        found.append(queue_category)
    return sorted(set(found))


def build(
    kind: str,
    details: dict[str, Any],
    content: bytes | None,
    *,
    child_safety: bool,
) -> ItemView:
    categories = _categories(details, "child_safety.suspected_csam" if child_safety else None)
    view = ItemView(categories, [c for c in categories if c in SEVERE], "")
    if content is None:
        return view
    spans = _spans(details.get("evidence", []))
    if kind in ("text", "prompt"):
        view.media = "text"
        marked = spans.get("text", []) + spans.get("prompt", [])  # prompts' spans say "prompt"
        view.segments = highlight(content.decode("utf-8", "replace"), marked)
    elif kind == "conversation":
        view.media = "conversation"
        by_message: dict[int, list[tuple[int, int]]] = {}
        for name, found in spans.items():
            m = _MESSAGE_FIELD.fullmatch(name)
            if m:
                by_message.setdefault(int(m.group(1)), []).extend(found)
        try:
            messages = json.loads(content)
        except ValueError:
            messages = []
        for i, msg in enumerate(messages if isinstance(messages, list) else []):
            text = str(msg.get("text", "")) if isinstance(msg, dict) else str(msg)
            sender = str(msg.get("sender", "")) if isinstance(msg, dict) else ""
            marked = by_message.get(i, [])
            view.messages.append(Message(sender, highlight(text, marked), bool(marked)))
    else:
        try:
            view.media = "video" if sniff(content).kind is MediaKind.VIDEO else "image"
        except MediaError:
            view.media = "image"  # the protected view will say what is wrong with it
    return view


__all__ = ["SEVERE", "ItemView", "Message", "Segment", "build", "highlight"]
