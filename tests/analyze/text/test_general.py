"""General categories: lexicon + shipped models + calibrated logistic per category."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bulwark.analyze.registry import analyzers_for
from bulwark.analyze.text.evaluation import evaluate
from bulwark.analyze.text.general import (
    CATEGORY_FEATURES,
    GeneralConfig,
    calibration,
    classify,
    load_models,
)
from bulwark.analyze.text.records import TextItem, read_jsonl

SET = Path(__file__).parents[3] / "evaluation" / "text" / "general_set.jsonl"
GENERAL_CASES = [
    tuple(c)
    for c in json.loads(
        (
            Path(__file__).parents[2] / "fixtures" / "violating_text" / "general_categories.json"
        ).read_text(encoding="utf-8")
    )["cases"]
]


@pytest.mark.parametrize(("text", "category"), GENERAL_CASES)
def test_each_category_is_found(text: str, category: str) -> None:
    found = {e.category: e for e in classify([text])[0]}
    assert category in found, found
    e = found[category]
    assert 0.5 <= e.score <= 1.0 and e.source == "classifier"


@pytest.mark.parametrize(
    "text",
    [
        "suicide prevention hotline: call 988 if you are struggling",
        "you killed it at the presentation!",
        "kill the process and restart the server",
        "a marble sculpture in the museum",
        "thank you, you are wonderful",
    ],
)
def test_benign_texts_stay_clean(text: str) -> None:
    assert classify([text])[0] == []


def test_models_are_loaded_and_used() -> None:
    assert load_models() is not None  # the dev install includes the text-models extra
    e = classify(["you are a worthless idiot, nobody likes you"])[0][0]
    assert e.details["models"] == "hatesonar+profanity-check"
    assert "profanity" in e.details["features"]


def test_lexicon_only_mode_and_thresholds() -> None:
    lex = classify(["I will kill you"], GeneralConfig(use_models=False))[0]
    assert [e.category for e in lex] == ["violence.threat"]
    assert lex[0].details["models"] == "not used"
    strict = GeneralConfig(thresholds={"violence.threat": 0.999999})
    assert not [
        e for e in classify(["I will kill you"], strict)[0] if e.category == "violence.threat"
    ]


def test_calibration_file_matches_the_features() -> None:
    cal = calibration()
    for variant in ("with_models", "lexicon_only"):
        for category, names in CATEGORY_FEATURES.items():
            assert len(cal[variant][category]["coef"]) == len(names)


def test_general_set_scores() -> None:
    items = [e for e in read_jsonl(SET) if isinstance(e, TextItem)]
    report = evaluate(analyzers_for("text"), items)
    for s in report.scores:
        assert s.f1 >= 0.85, (s.category, s.precision, s.recall)
    assert report.false_positive_rate <= 0.15


@pytest.mark.parametrize("value", ["", b"\xff\xfe", "\ud800", "\x00" * 10, "a" * 200_000])
def test_odd_input(value: str | bytes) -> None:
    assert isinstance(classify([value])[0], list)


def test_fast_profanity_equals_the_library() -> None:
    import numpy as np
    from profanity_check import predict_prob

    from bulwark.analyze.text.general import _fast_profanity

    fast = _fast_profanity()
    assert fast is not None
    texts = [c[0] for c in GENERAL_CASES] + ["have a nice day", "", "a lighthouse at dusk"]
    np.testing.assert_allclose(fast(texts), predict_prob(texts), rtol=1e-9, atol=1e-12)
