"""The child-safety prompt policy: what it must catch and what it must leave alone.

Violating inputs here are bare term combinations, kept clinical on purpose.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bulwark.analyze.registry import analyzers_for
from bulwark.analyze.text.ages import find_ages
from bulwark.analyze.text.child_safety import CATEGORY, check_prompt
from bulwark.analyze.text.evaluation import evaluate
from bulwark.analyze.text.lexicon import Lexicon, Term
from bulwark.analyze.text.normalize import TextLimits, normalize
from bulwark.analyze.text.records import TextItem, read_jsonl
from bulwark.errors import TextInputError

DEV_SET = Path(__file__).parents[3] / "evaluation" / "text" / "dev_set.jsonl"
CASES = json.loads(
    (
        Path(__file__).parents[2] / "fixtures" / "violating_text" / "child_safety_prompts.json"
    ).read_text(encoding="utf-8")
)


@pytest.mark.parametrize("prompt", CASES["youth_and_sexual_hard"])
def test_youth_with_sexual_terms_is_hard(prompt: str) -> None:
    r = check_prompt(prompt)
    assert r.tier == "hard", [(f.rule, f.details) for f in r.findings]
    assert all(f.category == CATEGORY for f in r.findings)


@pytest.mark.parametrize("term", CASES["hard_terms"])
def test_hard_terms_alone_are_hard(term: str) -> None:
    r = check_prompt(f"masterpiece, {term}, outdoors")
    assert r.tier == "hard"
    assert r.findings[0].rule == "hard_term"


def test_hard_term_in_a_lora_name() -> None:
    r = check_prompt("portrait, <lora:loli_style:1>")
    f = next(f for f in r.findings if f.rule == "hard_term")
    assert f.details["in_model_ref"] is True
    assert f.details["model_refs"] == ["loli_style"]


def test_negative_prompt_inversion() -> None:
    soft = check_prompt("nude, masterpiece, 1girl", "adult, mature, large breasts")
    assert soft.tier == "soft" and soft.findings[0].rule == "negative_inversion"
    fields = {s.field for s in soft.findings[0].spans}
    assert fields == {"prompt", "negative_prompt"}
    hard = check_prompt("nude, petite, 1girl", "adult, mature")
    assert hard.tier == "hard"
    # the same words in the negative prompt of a non-sexual prompt are fine
    assert not check_prompt("portrait, 1girl, garden", "adult, mature").fired
    # and a single weak cue is not enough
    assert not check_prompt("nude, 1girl", "old photo, lowres").fired


def test_ambiguous_youth_is_soft_and_adult_context_clears_it() -> None:
    assert check_prompt("teen, nude").tier == "soft"
    assert not check_prompt("young woman, nude").fired
    assert not check_prompt("petite 25 year old woman, nude").fired


def test_youth_with_revealing_clothes_is_soft() -> None:
    assert check_prompt("sixth grader, lingerie").tier == "soft"


@pytest.mark.parametrize(
    ("prompt", "negative"),
    [
        ("family photo at the beach with the kids", ""),
        ("an 8 year old oak tree in autumn", ""),
        ("12 year old single malt scotch, nude label design", ""),
        ("nude woman, oil painting", "lowres"),
        ("1girl, nude, masterpiece", ""),
        ("1girl, solo, smile", ""),
        ("1boy", ""),
        ("pediatric dermatology: rash on a child's back, no clothes, medical photo", ""),
        ("how to report child sexual abuse material to NCMEC", ""),
        ("young adult fiction book cover", ""),
        ("mature red wine in oak barrels", ""),
        ("mature oak trees", ""),
        ("little girl in a sunflower field", "nsfw, nude"),
        ("lollipop, kids party", ""),
        ("カロリー計算", ""),
        ("infantry soldiers, nude statue nearby", ""),
        ("a kind woman, nude, oil painting", ""),
    ],
)
def test_benign_hard_cases_do_not_fire(prompt: str, negative: str) -> None:
    r = check_prompt(prompt, negative)
    assert not r.fired, [(f.rule, f.details["triggers"]) for f in r.findings]


def test_spans_point_at_what_was_typed() -> None:
    prompt = "best quality, n.u.d.e, (l1ttle_g1rl:1.2)"
    f = check_prompt(prompt).findings[0]
    for s in f.spans:
        assert prompt[s.start : s.end] == s.text
    assert {s.text for s in f.spans} == {"n.u.d.e", "l1ttle_g1rl"}


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        ("12yo", [12]),
        ("12 y/o", [12]),
        ("twelve year old", [12]),
        ("tw3lv3 y34r 0ld", [12]),
        ("13 yeras oooold", [13]),
        ("8th grade", [13]),
        ("fifth grader", [10]),
        ("age: 11", [11]),
        ("10 años", [10]),
        ("11 ans", [11]),
        ("12 jahre alt", [12]),
        ("13 anni", [13]),
        ("10 лет", [10]),
        ("12歳", [12]),
        ("25 year old woman", [25]),
        ("an 8 year old oak tree", []),
        ("12 year old scotch", []),
        ("12 years of experience", []),
        ("1girl, 8k", []),
    ],
)
def test_stated_ages(text: str, ages: list[int]) -> None:
    found, capped = find_ages(normalize(text).numbers)
    assert [a.age for a in found] == ages and not capped


def test_lexicon_boundaries_and_prefixes() -> None:
    lex = Lexicon(
        [
            Term("loli", "hard", "en"),
            Term("nude", "sexual", "en", prefix=True),
            Term("ロリ", "hard", "ja"),
        ]
    )
    found = {h.term.text for h in lex.find(normalize("nudes, lollipop, loli").match)}
    assert found == {"nude", "loli"}
    assert not list(lex.find(normalize("カロリー").match))
    assert list(lex.find(normalize("ロリ巨乳").match))


@pytest.mark.parametrize(
    "value",
    ["", " ", b"\xff\xfe\x00", "\ud800nude child", "\u202enude child", "nu\x00de child\x07"],
)
def test_odd_input_gives_defined_results(value: str | bytes) -> None:
    r = check_prompt(value)
    assert r.tier in (None, "hard", "soft")


def test_bidi_and_controls_do_not_hide_terms() -> None:
    r = check_prompt("\u202enude\u202c, chi\x07ld")
    assert r.tier == "hard"
    assert {"bidi_controls", "control_characters"} <= r.flags


def test_megabyte_input_is_truncated_or_refused() -> None:
    big = "landscape, " * 100_000
    r = check_prompt(big + "loli", limits=TextLimits(max_chars=50_000))
    assert "truncated" in r.flags and not r.fired
    with pytest.raises(TextInputError, match="exceeds"):
        check_prompt(big, limits=TextLimits(max_chars=50_000, oversize="refuse"))
    assert "truncated" in normalize(big).flags  # default limit: 100,000 characters


def test_development_set_meets_the_policy_targets() -> None:
    entries = list(read_jsonl(DEV_SET))
    items = [e for e in entries if isinstance(e, TextItem)]
    assert len(items) == len(entries) >= 300
    report = evaluate(analyzers_for("prompt"), items)
    score = next(s for s in report.scores if s.category == CATEGORY)
    assert score.recall >= 0.98
    assert report.false_positive_rate <= 0.01
    evasions = set(report.recall_by_group)
    assert {"leetspeak", "confusables", "spaced_letters", "invisible_characters"} <= evasions
