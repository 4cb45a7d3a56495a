"""``child_safety.sexualised_minor_prompt``: generation requests that sexualise minors.

A request is a positive prompt plus an optional negative prompt. Rules, in the
order a reviewer would weigh them:

=========================  ====  ==================================================
rule                       tier  fires when
=========================  ====  ==================================================
``hard_term``              hard  a term that is a violation on its own (loli, ...)
``youth_and_sexual``       hard  a clear youth indicator (word, stated age < 18,
                                 grade, LoRA name) and a sexual term, anywhere
``negative_inversion``     soft  a sexual prompt whose negative prompt pushes away
                                 adulthood ("adult, mature, large breasts");
                                 hard when the prompt also leans young
``ambiguous_youth_and_sexual`` soft  a word also used of adults ("teen", "petite")
                                 with a sexual term, no stated adult age
``youth_and_suggestive``   soft  a clear youth indicator and revealing clothing
=========================  ====  ==================================================

A prompt with any hard finding is hard; soft findings go to review. Medical and
child-protection context ("pediatric", "prevention", "report") stops the
clinical words (nudity, sex, genitals) from counting as sexual, but never a hard
term. Everything runs on the evasion-proof views of ``normalize`` with one
Aho-Corasick pass per field, so the cost is linear in the prompt.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from bulwark.analyze.base import Analyzer, Content, TextContent
from bulwark.analyze.text.ages import StatedAge, find_ages
from bulwark.analyze.text.lexicon import Hit, Lexicon, builtin_lexicon
from bulwark.analyze.text.normalize import (
    DEFAULT_TEXT_LIMITS,
    NormalizedText,
    TextLimits,
    normalize,
    sanitize,
)
from bulwark.evidence import Evidence, Span, Tier

CATEGORY = "child_safety.sexualised_minor_prompt"
#: Hits kept per lexicon group (and stated ages) for evidence; beyond it only presence matters.
MAX_HITS_PER_GROUP = 32
ANALYZER = "child_safety.sexualised_minor_prompt"


@dataclass(frozen=True)
class _Field:
    name: str
    norm: NormalizedText
    hits: dict[str, list[Hit]]
    ages: list[StatedAge]

    def group(self, name: str) -> list[Hit]:
        return self.hits.get(name, [])

    def spans(self, hits: Iterable[Hit]) -> list[Span]:
        out = []
        for h in hits:
            a, b = h.span(self.norm.match)
            out.append(Span(a, b, self.norm.original[a:b], self.name))
        return out

    def age_spans(self, ages: Iterable[StatedAge]) -> list[Span]:
        out = []
        for g in ages:
            a, b = self.norm.numbers.span(g.start, g.end)
            out.append(Span(a, b, self.norm.original[a:b], self.name))
        return out

    def in_model_ref(self, hit: Hit) -> bool:
        if not self.norm.model_refs:
            return False
        a, b = hit.span(self.norm.match)
        return any(r.span[0] <= a and b <= r.span[1] for r in self.norm.model_refs)


@dataclass(frozen=True)
class PromptResult:
    """All findings for one request; ``tier`` is the strongest of them."""

    findings: list[Evidence] = field(default_factory=list)
    flags: frozenset[str] = frozenset()

    @property
    def tier(self) -> Tier | None:
        tiers = {f.tier for f in self.findings}
        return "hard" if "hard" in tiers else ("soft" if "soft" in tiers else None)

    @property
    def fired(self) -> bool:
        return bool(self.findings)


@lru_cache(maxsize=1)
def _lexicon() -> Lexicon:
    return builtin_lexicon("child_safety")


@lru_cache(maxsize=1)
def _context_sensitive_keys() -> frozenset[str]:
    return frozenset(t.key for t in _lexicon().terms if t.group == "sexual_context_sensitive")


@lru_cache(maxsize=1)
def _adult_noun_keys() -> frozenset[str]:
    return frozenset(t.key for t in _lexicon().terms if t.group == "adult_noun")


def _analyse(name: str, text: str | bytes, limits: TextLimits) -> _Field:
    norm = normalize(text, limits)
    hits, capped = _lexicon().find_grouped(norm.match, MAX_HITS_PER_GROUP)
    ages, ages_capped = find_ages(norm.numbers)
    if capped or ages_capped:
        norm = dataclasses.replace(norm, flags=norm.flags | {"term_flood"})
    return _Field(name, norm, hits, ages[:MAX_HITS_PER_GROUP])


def _is_number_word(f: _Field, hit: Hit) -> bool:
    """Collapsing repeated letters makes "teen" and "ten" one key; the number is not youth."""
    a, b = hit.span(f.norm.match)
    return f.norm.original[a:b].strip().lower() == "ten"


def _next_word(f: _Field, hit: Hit) -> str:
    rest = f.norm.match.text[hit.end :].lstrip(" ")
    return rest.split(" ", 1)[0] if rest else ""


def _finding(
    tier: Tier, rule: str, score: float, spans: Sequence[Span], **details: object
) -> Evidence:
    triggers = sorted({s.text for s in spans})
    return Evidence(
        source="lexicon",
        category=CATEGORY,
        score=score,
        analyzer=ANALYZER,
        tier=tier,
        rule=rule,
        spans=tuple(spans),
        details={"triggers": triggers, **details},
    )


def check_prompt(
    prompt: str | bytes,
    negative_prompt: str | bytes = "",
    *,
    limits: TextLimits = DEFAULT_TEXT_LIMITS,
) -> PromptResult:
    """Judge one generation request; never raises for any string or bytes input."""
    pos = _analyse("prompt", prompt, limits)
    findings: list[Evidence] = []

    protective = bool(pos.group("protective"))
    sensitive = _context_sensitive_keys()
    sexual = [h for h in pos.group("sexual") if not (protective and h.term.key in sensitive)]
    # The negative prompt only matters next to a sexual prompt (inversion); otherwise
    # it is only checked for the input limits, which saves half the work per request.
    neg = None
    if negative_prompt:
        if sexual:
            neg = _analyse("negative_prompt", negative_prompt, limits)
        else:
            sanitize(negative_prompt, limits)
    minors = [a for a in pos.ages if a.is_minor]
    adult_ages = [a for a in pos.ages if not a.is_minor]
    youth = pos.group("youth")
    adult_nouns = _adult_noun_keys()
    ambiguous = [
        h
        for h in pos.group("youth_ambiguous")
        if _next_word(pos, h) not in adult_nouns and not _is_number_word(pos, h)
    ]
    model_refs = [r.name for r in pos.norm.model_refs]

    hard = pos.group("hard")
    if hard:
        findings.append(
            _finding(
                "hard",
                "hard_term",
                1.0,
                pos.spans(hard),
                in_model_ref=any(pos.in_model_ref(h) for h in hard),
            )
        )
    if (youth or minors) and sexual:
        spans = pos.spans(youth) + pos.age_spans(minors) + pos.spans(sexual)
        findings.append(
            _finding(
                "hard",
                "youth_and_sexual",
                0.98,
                spans,
                stated_ages=sorted({a.age for a in minors}),
                youth_in_model_ref=any(pos.in_model_ref(h) for h in youth),
            )
        )
    if neg is not None and sexual:
        strong, weak = neg.group("adult"), neg.group("adult_weak")
        if strong or len({h.term.key for h in weak}) >= 2 or any(not a.is_minor for a in neg.ages):
            leans_young = bool(ambiguous) or bool(youth) or bool(minors)
            spans = neg.spans(strong + weak) + neg.age_spans(neg.ages) + pos.spans(sexual)
            findings.append(
                _finding(
                    "hard" if leans_young else "soft",
                    "negative_inversion",
                    0.9 if leans_young else 0.6,
                    spans + (pos.spans(ambiguous) if leans_young else []),
                )
            )
    states_adult = bool(adult_ages) or bool(pos.group("adult"))
    if ambiguous and sexual and not youth and not minors and not states_adult:
        findings.append(
            _finding(
                "soft", "ambiguous_youth_and_sexual", 0.6, pos.spans(ambiguous) + pos.spans(sexual)
            )
        )
    suggestive = pos.group("suggestive")
    if (youth or minors) and suggestive and not sexual:
        spans = pos.spans(youth) + pos.age_spans(minors) + pos.spans(suggestive)
        findings.append(_finding("soft", "youth_and_suggestive", 0.7, spans))
    for f in findings:
        f.details["model_refs"] = model_refs
    flags = pos.norm.flags | (neg.norm.flags if neg else frozenset())
    return PromptResult(findings, frozenset(flags))


class SexualisedMinorPromptAnalyzer(Analyzer):
    """The prompt policy as an analyzer; plain text is read as a positive prompt."""

    name = ANALYZER
    kinds = frozenset({"prompt", "text"})
    categories = frozenset({CATEGORY})

    def __init__(self, limits: TextLimits = DEFAULT_TEXT_LIMITS):
        self.limits = limits

    def analyze(self, content: Content) -> list[Evidence]:
        if not isinstance(content, TextContent):
            return []
        return check_prompt(content.text, content.negative_prompt, limits=self.limits).findings


__all__ = ["ANALYZER", "CATEGORY", "PromptResult", "SexualisedMinorPromptAnalyzer", "check_prompt"]
