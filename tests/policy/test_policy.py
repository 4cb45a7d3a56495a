"""Policy rules: validation with line numbers, evaluation, the shipped triage policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulwark.cli import app
from bulwark.evidence import Evidence
from bulwark.policy.engine import BankHit, PolicyEvent, evaluate
from bulwark.policy.rules import PolicyError, default_policy, parse_policy

POLICY = """
rules:
  - name: hotline
    when:
      bank_match: {bank: [hotline], max_distance: 20}
    verdict: block_and_report
    effects:
      - {type: preserve_evidence, days: 365}
  - name: mild
    when:
      any:
        - {content_kind: image}
        - {surface: chat}
    verdict: review
    effects:
      - {type: review, queue: general, priority: 3}
      - {type: preserve_evidence, days: 365}
"""


def ev(category: str, score: float = 0.9, tier: str | None = None) -> Evidence:
    return Evidence(source="classifier", category=category, score=score, analyzer="t", tier=tier)


def test_verdicts_only_go_up_and_effects_are_merged() -> None:
    policy = parse_policy(POLICY)
    d = evaluate(
        policy, PolicyEvent("1", "image", bank_matches=[BankHit("hotline", None, "pdq", 4)])
    )
    assert d.verdict == "block_and_report"
    assert [f.rule for f in d.fired] == ["hotline", "mild"]
    assert "bank match: hotline (pdq, distance 4)" in d.fired[0].reasons
    assert [e.type for e in d.effects] == ["preserve_evidence", "review"]
    far = evaluate(
        policy, PolicyEvent("2", "text", bank_matches=[BankHit("hotline", None, "pdq", 25)])
    )
    assert far.verdict == "allow" and far.fired == ()


def test_invalid_policies_list_every_problem_with_lines() -> None:
    bad = """
- name: a
  when: {evidence: {category: not_a_category, tier: medium}}
  verdict: nuke
- name: a
  when: {colour: red}
  verdict: allow
  effects:
    - {type: teleport}
    - {type: label, label: x, expires_in: forever}
"""
    with pytest.raises(PolicyError) as err:
        parse_policy(bad, "bad.yaml")
    lines = [n for n, _ in err.value.problems]
    text = str(err.value)
    for needle in (
        "unknown category",
        "tier must be",
        "verdict must be",
        "duplicate rule name",
        "unknown condition 'colour'",
        "unknown effect 'teleport'",
        "expires_in",
    ):
        assert needle in text, needle
    assert lines == sorted(lines) and min(lines) >= 2
    with pytest.raises(PolicyError, match="not valid YAML"):
        parse_policy("rules: [unclosed", "x.yaml")
    with pytest.raises(PolicyError, match="non-empty list of rules"):
        parse_policy("{}")


def test_default_policy_follows_the_triage_order() -> None:
    policy = default_policy()
    known = evaluate(
        policy,
        PolicyEvent(
            "k", "image", bank_matches=[BankHit("ncmec", "child_safety.known_csam", "pdq", 3)]
        ),
    )
    assert known.verdict == "block_and_report"
    assert {"cybertipline_draft", "preserve_evidence"} <= {e.type for e in known.effects}
    real = evaluate(
        policy,
        PolicyEvent(
            "r", "image", evidence=[ev("child_safety.suspected_csam", 0.8)], provenance="none found"
        ),
    )
    ai = evaluate(
        policy,
        PolicyEvent(
            "a", "image", evidence=[ev("child_safety.suspected_csam", 0.8)], provenance="likely"
        ),
    )
    prio = lambda d: next(e.params["priority"] for e in d.effects if e.type == "review")  # noqa: E731
    assert prio(real) < prio(ai)
    hard = evaluate(
        policy,
        PolicyEvent(
            "p", "prompt", evidence=[ev("child_safety.sexualised_minor_prompt", 0.98, "hard")]
        ),
    )
    soft = evaluate(
        policy,
        PolicyEvent(
            "s", "prompt", evidence=[ev("child_safety.sexualised_minor_prompt", 0.6, "soft")]
        ),
    )
    assert (hard.verdict, soft.verdict) == ("block_and_report", "review")
    assert evaluate(policy, PolicyEvent("n", "text")).verdict == "allow"


def test_only_analyzers_a_rule_needs_are_asked_for() -> None:
    asked: list[set[str]] = []

    def provider(categories: set[str]) -> list[Evidence]:
        asked.append(categories)
        return [ev("spam", 0.95)]

    policy = parse_policy("- {name: s, when: {evidence: {category: spam}}, verdict: block}")
    assert evaluate(policy, PolicyEvent("1", "text", evidence=provider)).verdict == "block"
    assert asked == [{"spam"}]
    no_evidence = parse_policy("- {name: k, when: {content_kind: text}, verdict: review}")
    evaluate(no_evidence, PolicyEvent("2", "text", evidence=provider))
    assert len(asked) == 1


def test_cli_policy_test(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(
        "\n".join(
            [
                json.dumps(
                    {
                        "id": "e1",
                        "content_kind": "image",
                        "bank_matches": [
                            {"bank": "ncmec", "category": "child_safety.known_csam", "distance": 2}
                        ],
                    }
                ),
                json.dumps(
                    {
                        "id": "e2",
                        "content_kind": "prompt",
                        "evidence": [
                            {
                                "category": "child_safety.sexualised_minor_prompt",
                                "score": 0.6,
                                "tier": "soft",
                            }
                        ],
                    }
                ),
                "{broken",
                json.dumps({"id": "e4", "evidence": [{"score": 1}]}),
            ]
        )
        + "\n"
    )
    r = CliRunner().invoke(app, ["policy", "test", "--json", "default", str(events)])
    rows = [json.loads(x) for x in r.output.strip().splitlines()]
    assert r.exit_code == 0, r.output
    assert (
        rows[0]["verdict"] == "block_and_report"
        and rows[0]["fired"][0]["rule"] == "known-csam-hash"
    )
    assert rows[1]["verdict"] == "review"
    assert "error" in rows[2] and "error" in rows[3]
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {name: x, when: {}, verdict: allow}\n")
    r = CliRunner().invoke(app, ["policy", "check", str(bad)])
    assert r.exit_code == 2 and "line 1" in r.output


def test_policy_runs_real_analyzers_on_demand(tmp_path: Path) -> None:
    from bulwark.analyze.base import TextContent, evidence_provider
    from bulwark.analyze.registry import analyzers_for

    cases = json.loads(
        (
            Path(__file__).parents[1] / "fixtures" / "violating_text" / "child_safety_prompts.json"
        ).read_text(encoding="utf-8")
    )
    content = TextContent(cases["youth_and_sexual_hard"][0], kind="prompt")
    provider = evidence_provider(content, analyzers_for("prompt"))
    d = evaluate(default_policy(), PolicyEvent("p", "prompt", evidence=provider))
    assert d.verdict == "block_and_report"
    assert d.fired[0].rule == "sexualised-minor-prompt-hard"
    ran: list[str] = []
    spy = [a for a in analyzers_for("prompt")]
    for a in spy:
        original = a.analyze
        a.analyze = lambda c, _a=a, _o=original: (ran.append(_a.name), _o(c))[1]  # type: ignore[method-assign]
    only_spam = parse_policy("- {name: s, when: {evidence: {category: spam}}, verdict: block}")
    evaluate(only_spam, PolicyEvent("q", "prompt", evidence=evidence_provider(content, spy)))
    assert ran == ["text.general"]
