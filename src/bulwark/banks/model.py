"""Plain records handed out by the bank store (no ORM objects leak out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: how a match may be found (match/robust.py): whole image against whole image,
#: the query with bars trimmed, a sub-region of the query, a banked crop
ROUTES = ("full", "trimmed", "subregion", "bank_crop")


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
    augment_crops: bool = False
    match_routes: tuple[str, ...] = ROUTES

    @property
    def crop_robustness(self) -> str:
        if self.augment_crops:
            return (
                "files banked here also store hashes of six fixed crops, so cropped "
                "re-uploads match; hashes imported from lists cannot be augmented"
            )
        return (
            "hash-only: only query-side trimming and sub-regions help against crops "
            "(create the bank with --augment-crops to store crop hashes of banked files)"
        )

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
            "augment_crops": self.augment_crops,
            "match_routes": list(self.match_routes),
            "crop_robustness": self.crop_robustness,
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
