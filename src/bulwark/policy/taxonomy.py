"""Stable category names shared by every stage, and their mappings.

Names never change once published: banks, rules and reports refer to them.
"""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = (
    "child_safety.known_csam",
    "child_safety.suspected_csam",
    "child_safety.sexualised_minor_prompt",
    "child_safety.grooming",
    "child_safety.sextortion",
    "child_safety.abuse_model",
    "sexual.explicit",
    "sexual.suggestive",
    "ncii",
    "hate",
    "harassment",
    "violence.threat",
    "violence.graphic",
    "self_harm",
    "violent_extremism",
    "misinformation.known_claim",
    "spam",
    "provenance.ai_generated",
)

#: NCMEC's industry classification: A = prepubescent, B = pubescent;
#: 1 = sex act, 2 = lascivious exhibition.
NCMEC_CLASSIFICATIONS: tuple[str, ...] = ("A1", "A2", "B1", "B2")

#: Categories whose items only the child_safety_reviewer role may open.
CHILD_SAFETY = frozenset(c for c in CATEGORIES if c.startswith("child_safety."))

OPENAI_MODERATION: dict[str, str] = {
    "child_safety.known_csam": "sexual/minors",
    "child_safety.suspected_csam": "sexual/minors",
    "child_safety.sexualised_minor_prompt": "sexual/minors",
    "child_safety.grooming": "sexual/minors",
    "child_safety.sextortion": "sexual/minors",
    "sexual.explicit": "sexual",
    "sexual.suggestive": "sexual",
    "hate": "hate",
    "harassment": "harassment",
    "violence.threat": "harassment/threatening",
    "violence.graphic": "violence/graphic",
    "self_harm": "self-harm",
}

LLAMA_GUARD: dict[str, str] = {
    "violence.threat": "S1",
    "child_safety.known_csam": "S4",
    "child_safety.suspected_csam": "S4",
    "child_safety.sexualised_minor_prompt": "S4",
    "child_safety.grooming": "S4",
    "child_safety.sextortion": "S4",
    "child_safety.abuse_model": "S4",
    "misinformation.known_claim": "S5",
    "hate": "S10",
    "self_harm": "S11",
    "sexual.explicit": "S12",
    "sexual.suggestive": "S12",
    "ncii": "S3",
    "violent_extremism": "S1",
}


def check_category(name: str) -> str:
    """Return ``name`` if it is a taxonomy category, else raise ``ValueError``."""
    if name not in CATEGORIES:
        raise ValueError(f"unknown category {name!r}; known: {', '.join(CATEGORIES)}")
    return name


def check_ncmec_classification(code: str) -> str:
    c = code.strip().upper()
    if c not in NCMEC_CLASSIFICATIONS:
        raise ValueError(f"NCMEC classification must be one of A1, A2, B1, B2, got {code!r}")
    return c
