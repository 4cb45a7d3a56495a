"""Grooming and sextortion signals over conversations (clinical phrases only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulwark.analyze.text.conversation import (
    GROOMING,
    SEXTORTION,
    ConversationConfig,
    check_conversation,
)
from bulwark.cli import app

SET = Path(__file__).parents[3] / "evaluation" / "text" / "conversations.jsonl"


def msgs(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"sender": s, "text": t} for s, t in pairs]


def test_grooming_names_the_messages_and_the_minor() -> None:
    r = check_conversation(
        msgs(
            ("a", "hey"),
            ("b", "im 13"),
            ("a", "dont tell your parents we talk"),
            ("a", "add me on snap"),
            ("a", "send me a pic"),
        )
    )
    f = next(f for f in r.findings if f.category == GROOMING)
    assert f.details["messages"] == [2, 3, 4]
    assert r.minors == {"b": [13]}
    assert set(f.details["tactics"]) == {"secrecy", "platform_move", "photo_request"}
    assert {s.field for s in f.spans} == {"messages[2]", "messages[3]", "messages[4]"}


@pytest.mark.parametrize("age", ["i'm 12", "14/f", "13 m", "im in 7th grade", "i am only 15"])
def test_age_disclosure_forms(age: str) -> None:
    r = check_conversation(msgs(("b", age), ("a", "our little secret ok")))
    assert "b" in r.minors


@pytest.mark.parametrize("text", ["i'm 10 minutes away", "i am 35", "it's 5 pm", "room 12 m2"])
def test_not_age_disclosures(text: str) -> None:
    assert check_conversation(msgs(("b", text))).minors == {}


def test_tactics_from_the_minor_themself_do_not_count() -> None:
    r = check_conversation(
        msgs(("kid", "im 13, add me on snap"), ("kid", "send me a pic of ur dog"))
    )
    assert not r.findings


def test_sextortion_needs_a_threat() -> None:
    r = check_conversation(msgs(("x", "i have your pics"), ("x", "pay me or everyone will see")))
    assert [f.category for f in r.findings] == [SEXTORTION]
    assert not check_conversation(msgs(("x", "pay me back for lunch"))).findings


def test_thresholds_are_configurable() -> None:
    convo = msgs(("b", "im 13"), ("a", "add me on snap"), ("a", "where do you live?"))
    assert check_conversation(convo).findings
    strict = ConversationConfig(grooming_threshold=0.95)
    assert not check_conversation(convo, strict).findings


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ('{"not": "a list"}', "must be a list"),
        ("[{broken", "not valid JSON"),
        ([{"sender": "a"}], "missing text"),
        ([{"text": "hi"}], "missing sender"),
        (["just a string"], "expected an object"),
        (42, "must be a list"),
    ],
)
def test_malformed_conversations_are_reported_not_raised(raw: object, problem: str) -> None:
    r = check_conversation(raw)
    assert any(problem in e for e in r.errors), r.errors
    assert r.findings == []


def test_bad_messages_are_skipped_and_the_rest_read() -> None:
    r = check_conversation(
        [
            {"sender": "b", "text": "im 12"},
            {"oops": 1},
            {"sender": "a", "text": "our secret"},
            {"sender": "a", "text": "send me a pic"},
        ]
    )
    assert r.errors == ["message 1: missing sender"]
    assert r.findings


def test_labelled_conversations() -> None:
    items = [json.loads(line) for line in SET.read_text("utf-8").splitlines()]
    assert len(items) >= 50
    wrong = []
    for it in items:
        got = {f.category for f in check_conversation(it["messages"]).findings}
        if got != set(it["expected"]):
            wrong.append((it["id"], it["case"], got))
    assert len(wrong) <= len(items) // 20, wrong


def test_cli_conversation_jsonl(tmp_path: Path) -> None:
    f = tmp_path / "c.jsonl"
    f.write_text(
        json.dumps(
            {"id": "a", "messages": msgs(("x", "i have your pics"), ("x", "pay me or i'll leak"))}
        )
        + "\n{broken\n",
        encoding="utf-8",
    )
    r = CliRunner().invoke(app, ["text", "conversation", "--json", str(f)])
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in r.output.strip().splitlines()]
    assert rows[0]["evidence"][0]["category"] == SEXTORTION
    assert "not JSON" in rows[1]["error"]
