"""The synchronous fast path: content in, evidence and a policy decision out.

Text and prompts run the lexicon analyzers (microseconds); images are hashed,
matched against the banks and read for provenance. Analyzers run only when a
rule of the policy reads one of their categories. With ``defer`` set, slow
analyzers (``Analyzer.slow``) are skipped and the categories they owe are
returned in ``Outcome.deferred``: the service answers with the provisional
decision and a worker finishes the analysis (service/worker.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bulwark.analyze.base import TextContent, evidence_provider
from bulwark.analyze.provenance.detect import verdict_of
from bulwark.analyze.registry import analyzers_for
from bulwark.analyze.text.conversation import check_conversation
from bulwark.match.matcher import Matcher, MatchResult
from bulwark.match.robust import SERVICE_DEFAULT, robust_mode, with_routes
from bulwark.policy.engine import BankHit, Decision, PolicyEvent, evaluate
from bulwark.policy.rules import Policy
from bulwark.signals.base import FileContent
from bulwark.signals.hashing import FileHashes, hash_content


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


#: fast-mode PDQ lies within this many bits of the reference hash for JPEGs of
#: quality 80 and up (benchmarks/bench_hashing.py, issue 2)
FAST_PDQ_SLACK = 10


def _hash_and_match(
    matcher: Matcher | None, data: bytes, name: str, fast: bool
) -> tuple[FileContent, FileHashes, MatchResult | None]:
    """Hashes and bank matches, with reference-PDQ semantics either way.

    Fast mode hashes JPEGs from a half-size DCT decode (a fifth of the time) and
    looks them up with every threshold widened by ``FAST_PDQ_SLACK``. Nearly
    every upload has no candidate and is done. A candidate closer than
    threshold - slack is a match whatever the reference hash would be, so it
    stands (its distance marked as the fast hash's). Any candidate in the band
    around the threshold sends the file to the reference hasher and the banks'
    own thresholds, so what matches is what the reference hasher would match.
    """
    content = FileContent(data, name=name, fast=fast)
    hashes = hash_content(content, dihedral=True)
    if matcher is None or not hashes.signals:  # None: no banks (tests, text-only)
        return content, hashes, None
    jpeg = hashes.media_type is not None and hashes.media_type.format == "jpeg"
    if not (fast and jpeg):  # only JPEGs have a fast decode; the rest were hashed exactly
        return content, hashes, matcher.match(hashes)
    first = matcher.match(hashes, slack=FAST_PDQ_SLACK)
    pdq = [m for m in first.matches + first.negatives + first.suppressed if m.signal_type == "pdq"]
    if all(m.distance <= matcher.pdq_threshold(m.bank) - FAST_PDQ_SLACK for m in pdq):
        for m in pdq:
            m.details["hash"] = "fast"
        return content, hashes, first
    content = FileContent(data, name=name)
    hashes = hash_content(content, dihedral=True)
    return content, hashes, matcher.match(hashes)


def _bank_hits(
    matcher: Matcher, result: MatchResult, hashes: FileHashes, content: FileContent
) -> tuple[list[BankHit], list[dict[str, Any]]]:
    """Bank hits for the policy, each naming its route (match/robust.py)."""
    routed = with_routes(matcher, result, hashes, content, mode=robust_mode(SERVICE_DEFAULT))
    hits = [BankHit(m.bank, m.category, m.signal_type, m.distance) for m in routed.matches]
    listed = [
        {"bank": m.bank, "signal_type": m.signal_type, "distance": m.distance, **_route(m)}
        for m in routed.matches
    ]
    return hits, listed


def _route(m: Any) -> dict[str, Any]:
    keys = ("route", "query_part", "bank_part", "verified")
    return {k: m.details[k] for k in keys if k in m.details}


def process_image(
    policy: Policy,
    matcher: Matcher | None,
    data: bytes,
    name: str,
    cid: str = "",
    *,
    defer: bool = False,
    fast: bool = False,
) -> Outcome:
    content, hashes, result = _hash_and_match(matcher, data, name, fast)
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
    if result is not None and matcher is not None:
        hits, details["bank_matches"] = _bank_hits(matcher, result, hashes, content)
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
