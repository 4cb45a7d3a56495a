"""Evidence: one finding about one piece of content, in the shared taxonomy.

Every analyzer and the matcher speak this shape, so policy can weigh a bank
match, a lexicon hit and a classifier score side by side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from bulwark.policy.taxonomy import check_category

Source = Literal["bank_match", "classifier", "lexicon", "provenance", "model_api", "heuristic"]
Tier = Literal["hard", "soft"]


@dataclass(frozen=True)
class Span:
    """Characters ``[start, end)`` of the original text (or negative prompt, per ``field``)."""

    start: int
    end: int
    text: str
    field: str = "text"

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "field": self.field}


@dataclass(frozen=True)
class Evidence:
    """``tier`` is set by policies with tiers: ``hard`` is never overridable."""

    source: Source
    category: str
    score: float
    analyzer: str
    tier: Tier | None = None
    rule: str = ""
    spans: tuple[Span, ...] = ()
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        check_category(self.category)
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score must be within [0, 1], got {self.score}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "category": self.category,
            "score": round(self.score, 4),
            "analyzer": self.analyzer,
            "tier": self.tier,
            "rule": self.rule,
            "spans": [s.as_dict() for s in self.spans],
            "details": self.details,
        }


__all__ = ["Evidence", "Source", "Span", "Tier"]
