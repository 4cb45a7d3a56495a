"""Match text against text banks three ways: exact, near-duplicate, semantic.

* exact: the SHA-256 of the normalised match view (``text_exact``), a dict;
* near-duplicate: TLSH distance (``text_tlsh``), compared against every bank
  digest — TLSH has no sub-linear index, and text banks hold thousands of
  scripts, not millions (0.4 µs a comparison here);
* semantic: cosine similarity of sentence embeddings (``text_embedding``) in a
  faiss ``IndexFlatIP`` over unit vectors: exact search, no training step.

The index is built from the bank store's enabled entries of enabled banks;
negative banks suppress matches like they do for media. Results name the bank
entry and the similarity, never the stored values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import faiss
import numpy as np

from bulwark.analyze.text.normalize import DEFAULT_TEXT_LIMITS, TextLimits, normalize
from bulwark.banks.model import Bank, BankEntry
from bulwark.banks.store import BankStore
from bulwark.evidence import Evidence
from bulwark.signals import text_embedding as te
from bulwark.signals import text_tlsh
from bulwark.signals.text_exact import TextExactSignal
from bulwark.signals.text_tlsh import TextTLSHSignal

TEXT_SIGNALS = ("text_exact", "text_tlsh", "text_embedding")


@dataclass(frozen=True)
class TextMatch:
    bank: str
    bank_id: int
    entry_id: int
    method: str  # "exact", "near_duplicate" or "semantic"
    similarity: float  # 1.0 exact; 1 - distance/300 for TLSH; cosine for semantic
    distance: int | None = None
    category: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TextMatchResult:
    matches: list[TextMatch]
    suppressed: list[TextMatch]

    @property
    def matched(self) -> bool:
        return bool(self.matches)


#: Metadata keys a match may show: labels of a claim, never the stored text.
SHOWN_METADATA = ("label", "rating", "url", "claim_id", "source_name")


class TextBankIndex:
    def __init__(
        self,
        store: BankStore,
        *,
        tlsh_threshold: int = text_tlsh.DEFAULT_TLSH_THRESHOLD,
        min_similarity: float = te.DEFAULT_SIMILARITY,
        limits: TextLimits = DEFAULT_TEXT_LIMITS,
    ) -> None:
        self.tlsh_threshold = tlsh_threshold
        self.min_similarity = min_similarity
        self.limits = limits
        self.banks: dict[int, Bank] = {b.id: b for b in store.banks() if b.enabled}
        disabled = store.disabled_entry_ids()
        self._exact: dict[str, list[BankEntry]] = {}
        self._tlsh: list[tuple[str, BankEntry]] = []
        vectors: list[np.ndarray] = []
        self._vector_entries: list[BankEntry] = []
        entries = (e for st in TEXT_SIGNALS for e in store.iter_entries(signal_type=st))
        for e in entries:
            if e.id in disabled or not e.enabled or e.bank_id not in self.banks:
                continue
            if e.signal_type == "text_exact":
                self._exact.setdefault(e.value, []).append(e)
            elif e.signal_type == "text_tlsh":
                self._tlsh.append((e.value, e))
            else:
                vectors.append(te.from_value(e.value))
                self._vector_entries.append(e)
        self._faiss: faiss.IndexFlatIP | None = None
        if vectors:
            self._faiss = faiss.IndexFlatIP(te.DIM)
            self._faiss.add(np.vstack(vectors).astype(np.float32))

    def __len__(self) -> int:
        return sum(map(len, self._exact.values())) + len(self._tlsh) + len(self._vector_entries)

    def _hit(self, e: BankEntry, method: str, sim: float, dist: int | None = None) -> TextMatch:
        bank = self.banks[e.bank_id]
        meta = {k: e.metadata[k] for k in SHOWN_METADATA if k in e.metadata}
        return TextMatch(bank.name, bank.id, e.id, method, sim, dist, bank.category, meta)

    def match_many(self, texts: Sequence[str | bytes]) -> list[TextMatchResult]:
        norms = [normalize(t, self.limits) for t in texts]
        vectors = None
        if self._faiss is not None and te.load_encoder() is not None:
            vectors = te.embed([n.readable or " " for n in norms])
        out = []
        for i, norm in enumerate(norms):
            hits: dict[tuple[int, str], TextMatch] = {}
            exact = TextExactSignal.compute_text(norm)
            if exact is not None:
                for e in self._exact.get(exact.value, []):
                    hits[(e.id, "exact")] = self._hit(e, "exact", 1.0)
            digest = TextTLSHSignal.compute_text(norm)
            if digest is not None:
                for value, e in self._tlsh:
                    d = text_tlsh.distance(digest.value, value)
                    if d <= self.tlsh_threshold:
                        hits[(e.id, "near_duplicate")] = self._hit(
                            e, "near_duplicate", max(0.0, 1 - d / 300), d
                        )
            if vectors is not None and self._faiss is not None:
                k = min(16, self._faiss.ntotal)
                sims, rows = self._faiss.search(vectors[i : i + 1], k)
                for sim, row in zip(sims[0], rows[0], strict=True):
                    if row >= 0 and sim >= self.min_similarity:
                        e = self._vector_entries[int(row)]
                        hits[(e.id, "semantic")] = self._hit(e, "semantic", float(min(1.0, sim)))
            ranked = sorted(hits.values(), key=lambda m: -m.similarity)
            negative = [m for m in ranked if self.banks[m.bank_id].is_negative]
            positive = [m for m in ranked if not self.banks[m.bank_id].is_negative]
            if negative:
                out.append(TextMatchResult([], positive))
            else:
                out.append(TextMatchResult(positive, []))
        return out

    def match(self, text: str | bytes) -> TextMatchResult:
        return self.match_many([text])[0]


def match_evidence(result: TextMatchResult) -> list[Evidence]:
    """One piece of evidence per matched bank entry, in the bank's category."""
    out = []
    for m in result.matches:
        if m.category is None:
            continue
        out.append(
            Evidence(
                source="bank_match",
                category=m.category,
                score=m.similarity,
                analyzer="text_banks",
                rule=m.method,
                details={
                    "bank": m.bank,
                    "entry_id": m.entry_id,
                    "method": m.method,
                    "similarity": round(m.similarity, 4),
                    "distance": m.distance,
                    **m.metadata,
                },
            )
        )
    return out


__all__ = ["TEXT_SIGNALS", "TextBankIndex", "TextMatch", "TextMatchResult", "match_evidence"]
