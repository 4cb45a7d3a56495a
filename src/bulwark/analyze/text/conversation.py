"""``child_safety.grooming`` and ``child_safety.sextortion`` over a conversation.

A conversation is a list of messages, each with a sender id and text. Every
message goes through the evasion-proof normaliser and one Aho-Corasick pass
over the tactic lexicon (``lexicons/conversation.toml``); stated ages come from
the same age finder as the prompt policy plus first-person forms ("i'm 13",
"14/f").

Scores combine the tactics seen as independent pieces of evidence,
``1 - prod(1 - weight)``, so each extra kind of tactic raises the score with
diminishing returns and no single phrase decides alone:

* grooming: secrecy requests, moving to another platform, photo/video
  requests, gifts or money, meeting requests — from a sender other than a
  participant who disclosed an age under 18. Without such a disclosure the
  score is damped (the grooming target may simply not have said their age).
* sextortion: a threat to share images together with a payment demand or a
  reference to the victim's images.

Weights and thresholds are configurable (``ConversationConfig``); the defaults
were set on the labelled conversations in ``evaluation/text``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bulwark.analyze.base import Analyzer, Content, TextContent
from bulwark.analyze.text.ages import find_ages
from bulwark.analyze.text.lexicon import Hit, Lexicon, builtin_lexicon
from bulwark.analyze.text.normalize import (
    DEFAULT_TEXT_LIMITS,
    NormalizedText,
    TextLimits,
    normalize,
)
from bulwark.evidence import Evidence, Span

GROOMING = "child_safety.grooming"
SEXTORTION = "child_safety.sextortion"
TACTICS = ("secrecy", "platform_move", "photo_request", "gifts", "meeting")
MAX_MESSAGES = 10_000

_I_AM = r"(?:\bi\s?['’]?\s?m\b|\bi am\b|\bmy age is\b|\bjust turned\b|\bturning\b"
_I_AM += r"|\btengo\b|\btenho\b|\bj\s?['’]?\s?ai\b|\bich bin\b)"
_FIRST_PERSON_AGE = re.compile(
    _I_AM + r"(?:\s(?:only|just|like|literally|almost|barely|solo|nur))?\s{0,3}(\d{1,2})(?![\d.,:])"
    r"(?!\s{0,2}(?:%|min|mins|minute|minutes|hours|hrs|h\b|km|mi\b|miles|feet|ft|inch|inches"
    r"|kg|lbs|pounds|dollars|bucks|euros|am\b|pm\b|o\s?clock|away|times|percent|\$))"
)
_ASL = re.compile(r"(?<![\d.,])(1[0-7]|[5-9])\s?/?\s?([mf])(?![a-z\d])")
_FIRST_PERSON_CUE = re.compile(_I_AM + r"|\bim in\b|\bho\b")


@dataclass(frozen=True)
class ConversationConfig:
    weights: Mapping[str, float] = field(
        default_factory=lambda: {
            "secrecy": 0.45,
            "platform_move": 0.25,
            "photo_request": 0.4,
            "gifts": 0.3,
            "meeting": 0.35,
            "threat_share": 0.6,
            "payment_demand": 0.35,
            "intimate_images": 0.2,
        }
    )
    #: without a disclosed age under 18, grooming scores are multiplied by this
    no_minor_damping: float = 0.6
    grooming_threshold: float = 0.5
    sextortion_threshold: float = 0.5
    limits: TextLimits = DEFAULT_TEXT_LIMITS


DEFAULT_CONFIG = ConversationConfig()


@dataclass(frozen=True)
class Message:
    index: int
    sender: str
    text: str


@dataclass(frozen=True)
class ConversationResult:
    findings: list[Evidence]
    grooming_score: float
    sextortion_score: float
    minors: dict[str, list[int]]  # sender -> ages they stated
    signals: dict[str, list[int]]  # tactic -> message indices
    errors: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _lexicon() -> Lexicon:
    return builtin_lexicon("conversation")


def parse_messages(raw: object) -> tuple[list[Message], list[str]]:
    """Messages from a list (or a JSON string of one); bad entries are named and skipped."""
    errors: list[str] = []
    if isinstance(raw, str | bytes):
        try:
            raw = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return [], [f"conversation is not valid JSON: {exc}"]
    if isinstance(raw, Mapping) and "messages" in raw:
        raw = raw["messages"]
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes):
        return [], [f"conversation must be a list of messages, got {type(raw).__name__}"]
    if len(raw) > MAX_MESSAGES:
        errors.append(
            f"conversation has {len(raw):,} messages; only the last {MAX_MESSAGES:,} read"
        )
        raw = raw[-MAX_MESSAGES:]
    out: list[Message] = []
    for i, m in enumerate(raw):
        if not isinstance(m, Mapping):
            errors.append(f"message {i}: expected an object with sender and text")
            continue
        sender = m.get("sender", m.get("sender_id", m.get("from")))
        text = m.get("text", m.get("body"))
        if sender is None or isinstance(sender, dict | list):
            errors.append(f"message {i}: missing sender")
            continue
        if not isinstance(text, str):
            errors.append(f"message {i}: missing text (a string)")
            continue
        out.append(Message(i, str(sender), text))
    return out, errors


def _stated_minor_ages(norm: NormalizedText) -> list[int]:
    text = norm.numbers.text
    ages = [int(m.group(1)) for m in _FIRST_PERSON_AGE.finditer(text)]
    ages += [int(m.group(1)) for m in _ASL.finditer(text)]
    if _FIRST_PERSON_CUE.search(text):
        found, _ = find_ages(norm.numbers)
        ages += [a.age for a in found]
    return sorted({a for a in ages if 5 <= a < 18})


def _combine(weights: Iterable[float]) -> float:
    p = 1.0
    for w in weights:
        p *= 1.0 - w
    return 1.0 - p


def check_conversation(
    raw: object, config: ConversationConfig = DEFAULT_CONFIG
) -> ConversationResult:
    """Score a conversation; malformed input is reported in ``errors``, never raised."""
    messages, errors = parse_messages(raw)
    minors: dict[str, list[int]] = {}
    hits: dict[str, list[tuple[Message, Hit, NormalizedText]]] = {}
    for msg in messages:
        try:
            norm = normalize(msg.text, config.limits)
        except Exception as exc:  # a refused oversize message: report, keep the rest
            errors.append(f"message {msg.index}: {exc}")
            continue
        ages = _stated_minor_ages(norm)
        if ages:
            minors.setdefault(msg.sender, []).extend(ages)
        groups, _ = _lexicon().find_grouped(norm.match, 8)
        for group, group_hits in groups.items():
            for h in group_hits:
                hits.setdefault(group, []).append((msg, h, norm))

    def from_others(group: str) -> list[tuple[Message, Hit, NormalizedText]]:
        return [x for x in hits.get(group, []) if x[0].sender not in minors]

    w = config.weights
    tactics = {g: from_others(g) if minors else hits.get(g, []) for g in TACTICS}
    present = [g for g in TACTICS if tactics[g]]
    grooming = _combine(w[g] for g in present)
    if not minors:
        grooming *= config.no_minor_damping
    threat = hits.get("threat_share", [])
    sext_groups = [g for g in ("threat_share", "payment_demand", "intimate_images") if hits.get(g)]
    sextortion = _combine(w[g] for g in sext_groups) if threat else 0.0

    findings: list[Evidence] = []
    signals = {g: sorted({m.index for m, _, _ in xs}) for g, xs in hits.items()}
    if grooming >= config.grooming_threshold and len(present) >= 2:
        used = [x for g in present for x in tactics[g]]
        findings.append(
            _evidence(
                GROOMING,
                grooming,
                used,
                tactics=present,
                minor_senders=sorted(minors),
                stated_ages={s: sorted(set(a)) for s, a in minors.items()},
            )
        )
    if sextortion >= config.sextortion_threshold:
        used = [x for g in sext_groups for x in hits[g]]
        findings.append(_evidence(SEXTORTION, sextortion, used, signals=sext_groups))
    return ConversationResult(
        findings,
        round(grooming, 4),
        round(sextortion, 4),
        {s: sorted(set(a)) for s, a in minors.items()},
        signals,
        errors,
    )


def _evidence(
    category: str,
    score: float,
    used: list[tuple[Message, Hit, NormalizedText]],
    **details: Any,
) -> Evidence:
    spans = []
    for msg, hit, norm in used[:64]:
        a, b = hit.span(norm.match)
        spans.append(Span(a, b, norm.original[a:b], f"messages[{msg.index}]"))
    return Evidence(
        source="lexicon",
        category=category,
        score=min(1.0, score),
        analyzer=f"{category}.conversation",
        rule=category.split(".")[1],
        spans=tuple(spans),
        details={"messages": sorted({m.index for m, _, _ in used}), **details},
    )


class ConversationAnalyzer(Analyzer):
    """Grooming and sextortion; the content's text is the conversation as JSON."""

    name = "child_safety.conversation"
    kinds = frozenset({"conversation"})
    categories = frozenset({GROOMING, SEXTORTION})

    def __init__(self, config: ConversationConfig = DEFAULT_CONFIG):
        self.config = config

    def analyze(self, content: Content) -> list[Evidence]:
        if not isinstance(content, TextContent):
            return []
        return check_conversation(content.text, self.config).findings


__all__ = [
    "GROOMING",
    "SEXTORTION",
    "ConversationAnalyzer",
    "ConversationConfig",
    "ConversationResult",
    "Message",
    "check_conversation",
    "parse_messages",
]
