"""Evaluate a policy over one event: which rules fire, why, the verdict, the effects.

The verdict is the most severe of the fired rules (allow < review < block <
block_and_report), so a milder rule can never undo a harder one. Effects are
kept apart from the verdict and de-duplicated. Evidence may be supplied as a
function of the categories the policy reads, so analyzers whose categories no
rule mentions are never run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bulwark.evidence import Evidence
from bulwark.policy.rules import SEVERITY, Effect, Policy, Rule


@dataclass(frozen=True)
class BankHit:
    bank: str
    category: str | None
    signal_type: str
    distance: int | None = None
    tags: tuple[str, ...] = ()


EvidenceSource = list[Evidence] | Callable[[set[str]], list[Evidence]]


@dataclass
class PolicyEvent:
    id: str
    content_kind: str
    surface: str = ""
    bank_matches: list[BankHit] = field(default_factory=list)
    evidence: EvidenceSource = field(default_factory=list)
    provenance: str | None = None
    user_labels: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Firing:
    rule: str
    verdict: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Decision:
    verdict: str
    fired: tuple[Firing, ...]
    effects: tuple[Effect, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "fired": [
                {"rule": f.rule, "verdict": f.verdict, "why": list(f.reasons)} for f in self.fired
            ],
            "effects": [{"type": e.type, **e.params} for e in self.effects],
        }


def _as_set(value: Any) -> set[str]:
    return {str(v) for v in (value if isinstance(value, list) else [value])}


class _Matcher:
    def __init__(self, event: PolicyEvent, evidence: list[Evidence]):
        self.event = event
        self.evidence = evidence

    def holds(self, when: dict[str, Any]) -> list[str] | None:
        """Reasons if every condition holds, else None."""
        reasons: list[str] = []
        for key, value in when.items():
            got = getattr(self, f"_{key}")(value)
            if got is None:
                return None
            reasons.append(got)
        return reasons

    def _any(self, options: list[dict[str, Any]]) -> str | None:
        for opt in options:
            got = self.holds(opt)
            if got is not None:
                return "any: " + "; ".join(got)
        return None

    def _bank_match(self, spec: Any) -> str | None:
        for hit in self.event.bank_matches:
            if spec is True or (
                isinstance(spec, dict)
                and ("bank" not in spec or hit.bank in _as_set(spec["bank"]))
                and ("category" not in spec or (hit.category or "") in _as_set(spec["category"]))
                and ("tag" not in spec or set(hit.tags) & _as_set(spec["tag"]))
                and (
                    "max_distance" not in spec
                    or (hit.distance is not None and hit.distance <= int(spec["max_distance"]))
                )
            ):
                dist = f", distance {hit.distance}" if hit.distance is not None else ""
                return f"bank match: {hit.bank} ({hit.signal_type}{dist})"
        return None

    def _evidence(self, spec: dict[str, Any]) -> str | None:
        cats = _as_set(spec["category"]) if "category" in spec else None
        for e in self.evidence:
            if cats is not None and e.category not in cats:
                continue
            if e.score < float(spec.get("min_score", 0.0)):
                continue
            if "tier" in spec and e.tier != spec["tier"]:
                continue
            if "source" in spec and e.source not in _as_set(spec["source"]):
                continue
            tier = f" {e.tier}" if e.tier else ""
            rule = f" ({e.rule})" if e.rule else ""
            return f"evidence: {e.category}{tier} {e.score:.2f} from {e.analyzer}{rule}"
        return None

    def _provenance(self, spec: Any) -> str | None:
        p = self.event.provenance or "none found"
        return f"provenance: {p}" if p in _as_set(spec) else None

    def _content_kind(self, spec: Any) -> str | None:
        k = self.event.content_kind
        return f"content kind: {k}" if k in _as_set(spec) else None

    def _surface(self, spec: Any) -> str | None:
        s = self.event.surface
        return f"surface: {s}" if s in _as_set(spec) else None

    def _user_label(self, spec: Any) -> str | None:
        hit = self.event.user_labels & _as_set(spec)
        return f"user label: {', '.join(sorted(hit))}" if hit else None


def evaluate(policy: Policy, event: PolicyEvent) -> Decision:
    evidence = event.evidence
    if callable(evidence):
        wanted = policy.evidence_categories()
        evidence = evidence(wanted) if wanted else []
    matcher = _Matcher(event, evidence)
    fired: list[Firing] = []
    for rule in policy.rules:
        reasons = matcher.holds(rule.when)
        if reasons is not None:
            fired.append(Firing(rule.name, rule.verdict, tuple(reasons)))
    verdict = max((f.verdict for f in fired), key=lambda v: SEVERITY[v], default="allow")
    effects = _effects(policy.rules, {f.rule for f in fired})
    return Decision(verdict, tuple(fired), effects)


def _effects(rules: Iterable[Rule], fired: set[str]) -> tuple[Effect, ...]:
    seen: set[tuple[str, str]] = set()
    out: list[Effect] = []
    for r in rules:
        if r.name not in fired:
            continue
        for e in r.effects:
            if e.key() not in seen:
                seen.add(e.key())
                out.append(e)
    return tuple(out)


__all__ = ["BankHit", "Decision", "Firing", "PolicyEvent", "evaluate"]
