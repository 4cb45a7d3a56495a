"""Plain records handed out by the bank store (no ORM objects leak out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Bank:
    id: int
    name: str
    description: str
    category: str | None
    ncmec_classification: str | None
    tags: tuple[str, ...]
    pdq_threshold: int
    is_negative: bool
    enabled: bool
    created_at: datetime
    entry_count: int = 0

    def summary(self) -> dict[str, Any]:
        """What may be shown about a bank anywhere: its settings and size, never
        its contents."""
        return {
            "name": self.name,
            "description": self.description,
            "category": self.category,
            "ncmec_classification": self.ncmec_classification,
            "tags": list(self.tags),
            "pdq_threshold": self.pdq_threshold,
            "negative": self.is_negative,
            "enabled": self.enabled,
            "entries": self.entry_count,
        }


@dataclass(frozen=True)
class BankEntry:
    id: int
    bank_id: int
    signal_type: str
    value: str
    source: str
    metadata: dict[str, Any]
    enabled: bool
    added_at: datetime


@dataclass
class NewEntry:
    """One signal on its way into a bank; ``line`` ties it to its import file."""

    signal_type: str
    value: str
    source: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    line: int = 0
