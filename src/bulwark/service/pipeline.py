"""The synchronous fast path: content in, evidence and a policy decision out.

Text and prompts run the lexicon analyzers (microseconds); images are hashed,
matched against the banks and read for provenance. Analyzers run only when a
rule of the policy reads one of their categories. With ``defer`` set, slow
analyzers (``Analyzer.slow``) are skipped and the categories they owe are
returned in ``Outcome.deferred``: the service answers with the provisional
decision and a worker finishes the analysis (service/deferred.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bulwark.analyze.base import FileContent, TextContent, evidence_provider
from bulwark.analyze.provenance.detect import verdict_of
from bulwark.analyze.registry import analyzers_for
from bulwark.analyze.text.conversation import check_conversation
from bulwark.match.matcher import Matcher
from bulwark.policy.engine import BankHit, Decision, PolicyEvent, evaluate
from bulwark.policy.rules import Policy
from bulwark.signals.hashing import hash_content


@dataclass(frozen=True)
class Outcome:
    decision: Decision
    details: dict[str, Any]
    #: categories a slow analyzer still owes (empty: the decision is final)
    deferred: frozenset[str] = frozenset()


def process_text(
    policy: Policy,
    text: str,
    negative: str = "",
    kind: str = "text",
    cid: str = "",
    *,
    defer: bool = False,
) -> Outcome:
    content = TextContent(text, negative, "prompt" if kind == "prompt" else "text", cid)
    deferred: set[str] | None = set() if defer else None
    provider = evidence_provider(content, analyzers_for(content.kind), deferred)
    collected: dict[str, Any] = {}

    def remember(categories: set[str]) -> list[Any]:
        found = provider(categories)
        collected["evidence"] = [e.as_dict() for e in found]
        return found

    decision = evaluate(policy, PolicyEvent(cid, content.kind, evidence=remember))
    return Outcome(decision, collected, frozenset(deferred or ()))


def process_conversation(policy: Policy, messages: list[dict[str, str]], cid: str = "") -> Outcome:
    result = check_conversation(messages)
    found = result.findings
    decision = evaluate(policy, PolicyEvent(cid, "conversation", evidence=found))
    details: dict[str, Any] = {
        "evidence": [e.as_dict() for e in found],
        "grooming_score": result.grooming_score,
        "sextortion_score": result.sextortion_score,
        "errors": result.errors,
    }
    return Outcome(decision, details)


def process_image(
    policy: Policy,
    matcher: Matcher | None,
    data: bytes,
    name: str,
    cid: str = "",
    *,
    defer: bool = False,
) -> Outcome:
    content = FileContent(data, name=name)
    hashes = hash_content(content, dihedral=True)
    hits: list[BankHit] = []
    details: dict[str, Any] = {
        "errors": hashes.errors,
        # what add_to_bank effects bank (the submission's own signals)
        "signals": [
            {"type": s.type, "value": s.value}
            for s in hashes.signals
            if "variant" not in s.details or s.details.get("variant") == "original"
        ],
    }
    if matcher is not None and hashes.signals:  # None: no banks to match (tests, text-only)
        result = matcher.match(hashes)
        hits = [BankHit(m.bank, m.category, m.signal_type, m.distance) for m in result.matches]
        details["bank_matches"] = [
            {"bank": h.bank, "signal_type": h.signal_type, "distance": h.distance} for h in hits
        ]
        details["suppressed_by_negative_bank"] = bool(result.suppressed)
    deferred: set[str] | None = set() if defer else None
    provider = evidence_provider(content, analyzers_for("image"), deferred)
    # provenance is read first: the triage rules depend on it
    first = {"provenance.ai_generated", "child_safety.sexualised_minor_prompt"}
    early = provider(first)
    provenance = verdict_of(early)
    later: list[Any] = []

    def on_demand(categories: set[str]) -> list[Any]:
        rest = categories - first
        later.extend(provider(rest) if rest else [])
        return early + later

    event = PolicyEvent(cid, "image", bank_matches=hits, evidence=on_demand, provenance=provenance)
    decision = evaluate(policy, event)
    details["evidence"] = [e.as_dict() for e in early + later]
    details["provenance"] = provenance
    return Outcome(decision, details, frozenset(deferred or ()))


__all__ = ["Outcome", "process_image", "process_text"]
