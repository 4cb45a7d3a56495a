"""``bulwark policy check|test``: validate rules and see, per event, what fires and why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from bulwark.cli_support import console, err_console
from bulwark.errors import BulwarkError
from bulwark.evidence import Evidence
from bulwark.policy.engine import BankHit, PolicyEvent, evaluate
from bulwark.policy.rules import Policy, default_policy, load_policy

policy_app = typer.Typer(help="Policy rules: validate and test.", no_args_is_help=True)


def _load(rules: Path) -> Policy:
    try:
        return default_policy() if str(rules) == "default" else load_policy(rules)
    except BulwarkError as exc:
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc


def event_from_json(obj: dict[str, Any], line: int) -> PolicyEvent:
    """An event as test files write it; raises ValueError naming the bad field."""
    if not isinstance(obj, dict):
        raise ValueError("an event is a JSON object")
    try:
        evidence = [
            Evidence(
                source=e.get("source", "classifier"),
                category=e["category"],
                score=float(e.get("score", 1.0)),
                analyzer=e.get("analyzer", "test"),
                tier=e.get("tier"),
                rule=e.get("rule", ""),
            )
            for e in obj.get("evidence", [])
        ]
        hits = [
            BankHit(
                h["bank"],
                h.get("category"),
                h.get("signal_type", "pdq"),
                h.get("distance"),
                tuple(h.get("tags", [])),
            )
            for h in obj.get("bank_matches", [])
        ]
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"bad evidence or bank_matches entry: {exc}") from exc
    return PolicyEvent(
        id=str(obj.get("id", line)),
        content_kind=str(obj.get("content_kind", "image")),
        surface=str(obj.get("surface", "")),
        bank_matches=hits,
        evidence=evidence,
        provenance=obj.get("provenance"),
        user_labels=set(obj.get("user_labels", [])),
    )


@policy_app.command("check")
def check_cmd(rules: Annotated[Path, typer.Argument(help="Policy YAML.")]) -> None:
    """Validate a policy file; every problem is listed with its line."""
    policy = _load(rules)
    console.print(f"{rules}: {len(policy.rules)} rules, valid")


@policy_app.command("test")
def test_cmd(
    rules: Annotated[Path, typer.Argument(help="Policy YAML, or 'default' for the shipped one.")],
    events: Annotated[Path, typer.Argument(help="JSONL of events.")],
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per event.")] = False,
) -> None:
    """Per event: the verdict, each rule that fired with why, and the effects."""
    policy = _load(rules)
    if not events.is_file():
        err_console.print(f"[red]error:[/] {events}: no such file")
        raise typer.Exit(2)
    t = Table(title=f"Policy {policy.source}")
    for col in ("event", "verdict", "fired rules (why)", "effects"):
        t.add_column(col, overflow="fold")
    for n, raw in enumerate(events.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            event = event_from_json(json.loads(raw), n)
        except (json.JSONDecodeError, ValueError) as exc:
            if json_out:
                print(json.dumps({"line": n, "error": str(exc)}))
            else:
                t.add_row(f"line {n}", "[magenta]error[/]", str(exc), "")
            continue
        decision = evaluate(policy, event)
        if json_out:
            print(json.dumps({"id": event.id, **decision.as_dict()}))
            continue
        why = "\n".join(f"{f.rule} -> {f.verdict}: {'; '.join(f.reasons)}" for f in decision.fired)
        effects = ", ".join(e.type for e in decision.effects)
        t.add_row(event.id, decision.verdict, why or "-", effects)
    if not json_out:
        console.print(t)


__all__ = ["event_from_json", "policy_app"]
