"""``bulwark text check`` and ``bulwark eval text`` end to end through Typer."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bulwark.cli import app

runner = CliRunner()


def test_text_check_single_prompt_json() -> None:
    r = runner.invoke(app, ["text", "check", "--json", "nude, masterpiece", "-n", "adult, mature"])
    assert r.exit_code == 0, r.output
    row = json.loads(r.output.strip().splitlines()[-1])
    assert row["verdict"] == "soft"
    assert row["evidence"][0]["rule"] == "negative_inversion"


def test_text_check_file_reports_bad_lines_and_checks_the_rest(tmp_path: Path) -> None:
    f = tmp_path / "prompts.jsonl"
    f.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": "l0li"}),
                "{not json",
                json.dumps({"id": "b", "prompt": "a cat on a sofa"}),
                json.dumps({"id": "c", "text": 5}),
                json.dumps("12yo, nsfw"),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    r = runner.invoke(app, ["text", "check", "--json", "--file", str(f)])
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.output.strip().splitlines()]
    by_line = {row["line"]: row for row in rows}
    assert by_line[1]["verdict"] == "hard"
    assert "not JSON" in by_line[2]["error"]
    assert by_line[3]["verdict"] == "clean"
    assert "missing 'text'" in by_line[4]["error"]
    assert by_line[5]["verdict"] == "hard"
    r = runner.invoke(app, ["text", "check", "--file", str(f), "--fail-on-hard"])
    assert r.exit_code == 1


def test_text_check_usage_errors(tmp_path: Path) -> None:
    assert runner.invoke(app, ["text", "check"]).exit_code == 2
    assert runner.invoke(app, ["text", "check", "--file", str(tmp_path / "nope")]).exit_code == 2


def test_eval_text_scores_a_labelled_file(tmp_path: Path) -> None:
    f = tmp_path / "set.jsonl"
    cat = "child_safety.sexualised_minor_prompt"
    items = [
        {"id": "v1", "text": "child, nude", "expected": [cat], "evasion": "none"},
        {"id": "v2", "text": "a cat on a mat", "expected": [cat], "evasion": "none"},
        {"id": "b1", "text": "kids at the zoo", "expected": [], "case": "family"},
        {"id": "b2", "text": "loli", "expected": [], "case": "family"},
        {"id": "x", "text": "no label"},
    ]
    f.write_text("\n".join(json.dumps(i) for i in items) + "\n", encoding="utf-8")
    r = runner.invoke(app, ["eval", "text", "--json", str(f)])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["categories"][cat] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert out["false_positive_rate"] == 0.5
    assert sorted(out["misclassified"]) == ["b2", "v2"]
    assert out["bad_lines"][0]["line"] == 5
    r = runner.invoke(app, ["eval", "text", str(f)])
    assert r.exit_code == 0 and "Misclassified" in r.output


def test_text_check_size_limits() -> None:
    big = "landscape, " * 20_000
    r = runner.invoke(app, ["text", "check", "--json", "--max-chars", "1000", big])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output.strip().splitlines()[-1])["truncated"] is True
    r = runner.invoke(
        app, ["text", "check", "--json", "--max-chars", "1000", "--oversize", "refuse", big]
    )
    assert (
        "exceeds the 1,000-character limit"
        in json.loads(r.output.strip().splitlines()[-1])["error"]
    )
    assert runner.invoke(app, ["text", "check", "--oversize", "maybe", "x"]).exit_code == 2
