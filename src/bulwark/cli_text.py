"""``bulwark text check`` and ``bulwark eval text``: text safety from the command line."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from bulwark.analyze.base import TextContent
from bulwark.analyze.registry import analyzers_for
from bulwark.analyze.text.conversation import check_conversation
from bulwark.analyze.text.evaluation import EvalReport, evaluate
from bulwark.analyze.text.normalize import TextLimits, sanitize
from bulwark.analyze.text.records import BadLine, TextItem, read_jsonl
from bulwark.cli_support import console, err_console, progress
from bulwark.errors import BulwarkError, TextInputError
from bulwark.evidence import Evidence
from bulwark.policy.taxonomy import CATEGORIES

text_app = typer.Typer(help="Check text and generation prompts.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure analyzers on labelled sets.", no_args_is_help=True)


def _verdict(evidence: list[Evidence]) -> str:
    tiers = {e.tier for e in evidence}
    if "hard" in tiers:
        return "hard"
    if evidence:
        return "soft" if "soft" in tiers else "flagged"
    return "clean"


def _item_json(item: TextItem, evidence: list[Evidence]) -> dict[str, Any]:
    return {
        "id": item.id,
        "line": item.line,
        "truncated": bool(item.meta.get("truncated")),
        "verdict": _verdict(evidence),
        "evidence": [e.as_dict() for e in evidence],
    }


def _row_text(evidence: list[Evidence]) -> tuple[str, str, str]:
    if not evidence:
        return "", "", ""
    rules = ", ".join(sorted({e.rule for e in evidence}))
    cats = ", ".join(sorted({e.category for e in evidence}))
    triggers = sorted({s.text for e in evidence for s in e.spans})
    return cats, rules, ", ".join(repr(t) for t in triggers[:8])


_STYLE = {"hard": "[bold red]hard[/]", "soft": "[yellow]soft[/]", "clean": "[green]clean[/]"}


def _items_from(
    text: str | None, file: Path | None, negative: str = ""
) -> list[TextItem | BadLine]:
    """The one TEXT argument, or the lines of --file; usage errors exit 2."""
    if (text is None) == (file is None):
        err_console.print("[red]error:[/] give either TEXT or --file, not both or neither")
        raise typer.Exit(2)
    if file is None:
        return [TextItem(0, "1", text or "", negative)]
    if not file.is_file():
        err_console.print(f"[red]error:[/] {file}: no such file")
        raise typer.Exit(2)
    return list(read_jsonl(file))


def _within_limits(entry: TextItem | BadLine, limits: TextLimits) -> TextItem | BadLine:
    """Apply the size limit before any analyzer: refused items become reported errors."""
    if isinstance(entry, BadLine):
        return entry
    try:
        text, flags = sanitize(entry.text, limits)
        negative, nflags = sanitize(entry.negative_prompt, limits)
    except TextInputError as exc:
        return BadLine(entry.line, str(exc))
    if "truncated" in flags | nflags:
        return dataclasses.replace(
            entry, text=text, negative_prompt=negative, meta={**entry.meta, "truncated": True}
        )
    return entry


@text_app.command("check")
def check_cmd(
    text: Annotated[str | None, typer.Argument(help="Text or positive prompt.")] = None,
    negative: Annotated[str, typer.Option("--negative", "-n", help="Negative prompt.")] = "",
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="JSONL: one {text, negative_prompt} a line.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per item.")] = False,
    fail_on_hard: Annotated[bool, typer.Option(help="Exit 1 if any item is hard.")] = False,
    max_chars: Annotated[int, typer.Option(help="Longest text analysed.")] = 100_000,
    oversize: Annotated[
        str, typer.Option(help="Longer texts: 'truncate' (flagged) or 'refuse' (an error).")
    ] = "truncate",
) -> None:
    """Run every text analyzer; bad lines of a file are reported and the rest checked."""
    if oversize not in ("truncate", "refuse") or max_chars < 1:
        err_console.print("[red]error:[/] --oversize is 'truncate' or 'refuse'; --max-chars >= 1")
        raise typer.Exit(2)
    limits = TextLimits(max_chars, "truncate" if oversize == "truncate" else "refuse")
    entries = [_within_limits(e, limits) for e in _items_from(text, file, negative)]
    try:
        analyzers = analyzers_for("prompt")
    except BulwarkError as exc:
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    results: list[tuple[TextItem | BadLine, list[Evidence]]] = []
    with progress() as bar:
        task = bar.add_task("checking", total=len(entries))
        for entry in entries:
            evidence: list[Evidence] = []
            if isinstance(entry, TextItem):
                content = TextContent(entry.text, entry.negative_prompt, "prompt", entry.id)
                for a in analyzers:
                    try:
                        evidence.extend(a.analyze(content))
                    except BulwarkError as exc:  # a model service down: say so, keep going
                        entry = BadLine(entry.line, f"{a.name}: {exc}")
                        break
            results.append((entry, evidence))
            bar.advance(task)
    if json_out:
        for entry, evidence in results:
            if isinstance(entry, BadLine):
                print(json.dumps({"line": entry.line, "error": entry.reason}))
            else:
                print(json.dumps(_item_json(entry, evidence), ensure_ascii=False))
    else:
        t = Table(title="Text check")
        for col in ("id", "verdict", "category", "rule", "triggers (as written)"):
            t.add_column(col, overflow="fold")
        for entry, evidence in results:
            if isinstance(entry, BadLine):
                t.add_row(f"line {entry.line}", "[magenta]error[/]", "", "", entry.reason)
                continue
            v = _verdict(evidence)
            t.add_row(entry.id, _STYLE.get(v, v), *_row_text(evidence))
        console.print(t)
    if fail_on_hard and any(_verdict(ev) == "hard" for _, ev in results):
        raise typer.Exit(1)


@text_app.command("conversation")
def conversation_cmd(
    file: Annotated[
        Path, typer.Argument(help="JSON list of {sender, text}, or JSONL of {id, messages}.")
    ],
    json_out: Annotated[
        bool, typer.Option("--json", help="One JSON object per conversation.")
    ] = False,
) -> None:
    """Grooming and sextortion signals; names the messages that carry the evidence."""
    if not file.is_file():
        err_console.print(f"[red]error:[/] {file}: no such file")
        raise typer.Exit(2)
    raw = file.read_text(encoding="utf-8", errors="replace")
    # (id, conversation, problem with the line)
    conversations: list[tuple[str, object, str | None]] = []
    try:
        conversations.append((file.name, json.loads(raw), None))
    except json.JSONDecodeError:
        for n, line in enumerate(raw.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                conversations.append((f"line {n}", None, f"not JSON: {exc.msg}"))
                continue
            cid = str(obj.get("id", f"line {n}")) if isinstance(obj, dict) else f"line {n}"
            conversations.append((cid, obj, None))
    t = Table(title="Conversations")
    for col in ("id", "grooming", "sextortion", "findings", "messages", "problems"):
        t.add_column(col, overflow="fold")
    for cid, conv, problem in conversations:
        if problem is not None:
            if json_out:
                print(json.dumps({"id": cid, "error": problem}))
            else:
                t.add_row(cid, "", "", "", "", problem)
            continue
        result = check_conversation(conv)
        if json_out:
            print(
                json.dumps(
                    {
                        "id": cid,
                        "grooming_score": result.grooming_score,
                        "sextortion_score": result.sextortion_score,
                        "evidence": [e.as_dict() for e in result.findings],
                        "stated_minor_ages": result.minors,
                        "signals": result.signals,
                        "errors": result.errors,
                    },
                    ensure_ascii=False,
                )
            )
            continue
        cats = ", ".join(e.category.split(".")[1] for e in result.findings) or "-"
        msgs = sorted({i for e in result.findings for i in e.details.get("messages", [])})
        t.add_row(
            cid,
            f"{result.grooming_score:.2f}",
            f"{result.sextortion_score:.2f}",
            cats,
            ", ".join(map(str, msgs)),
            "; ".join(result.errors),
        )
    if not json_out:
        console.print(t)


@text_app.command("match")
def match_text_cmd(
    text: Annotated[str | None, typer.Argument(help="Text to look up.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="JSONL: one {text} a line.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per item.")] = False,
    fail_on_match: Annotated[bool, typer.Option(help="Exit 1 if anything matched.")] = False,
) -> None:
    """Look texts up in the text banks: exact, near-duplicate (TLSH) and semantic."""
    from bulwark.banks.store import BankStore
    from bulwark.match.text_index import TextBankIndex
    from bulwark.store.db import Database

    entries = _items_from(text, file)
    index = TextBankIndex(BankStore(Database()))
    items = [e for e in entries if isinstance(e, TextItem)]
    results = dict(
        zip((i.line for i in items), index.match_many([i.text for i in items]), strict=True)
    )
    t = Table(title=f"Text bank matches ({len(index)} bank entries)")
    for col in ("id", "result", "bank", "method", "similarity", "entry", "label"):
        t.add_column(col, overflow="fold")
    any_match = False
    for entry in entries:
        if isinstance(entry, BadLine):
            if json_out:
                print(json.dumps({"line": entry.line, "error": entry.reason}))
            else:
                t.add_row(f"line {entry.line}", "[magenta]error[/]", entry.reason, "", "", "", "")
            continue
        r = results[entry.line]
        any_match |= r.matched
        if json_out:
            print(
                json.dumps(
                    {
                        "id": entry.id,
                        "matched": r.matched,
                        "matches": [m.__dict__ for m in r.matches],
                        "suppressed_by_negative_bank": bool(r.suppressed),
                    },
                    ensure_ascii=False,
                )
            )
            continue
        if not r.matches:
            status = "[yellow]suppressed[/]" if r.suppressed else "[green]no match[/]"
            t.add_row(entry.id, status, "", "", "", "", "")
        for m in r.matches[:5]:
            t.add_row(
                entry.id,
                "[bold red]MATCH[/]",
                m.bank,
                m.method,
                f"{m.similarity:.3f}",
                str(m.entry_id),
                str(m.metadata.get("label", "")),
            )
    if not json_out:
        console.print(t)
    if fail_on_match and any_match:
        raise typer.Exit(1)


def _ratio_table(
    title: str, columns: tuple[str, str, str], rows: dict[str, tuple[int, int]]
) -> Table:
    t = Table(title=title)
    for col in columns:
        t.add_column(col)
    for name, (n, total) in rows.items():
        t.add_row(name, f"{n}/{total}", f"{n / total:.3f}")
    return t


def _print_report(report: EvalReport, bad: list[BadLine], show: int) -> None:
    t = Table(title=f"Per category ({report.n_items} labelled items)")
    for col in ("category", "precision", "recall", "F1", "TP", "FP", "FN"):
        t.add_column(col)
    for s in report.scores:
        t.add_row(
            s.category,
            f"{s.precision:.3f}",
            f"{s.recall:.3f}",
            f"{s.f1:.3f}",
            str(s.tp),
            str(s.fp),
            str(s.fn),
        )
    console.print(t)
    if report.recall_by_group:
        console.print(
            _ratio_table(
                "Recall by evasion", ("evasion", "caught", "recall"), report.recall_by_group
            )
        )
    if report.benign:
        title = f"Benign cases: false-positive rate {report.false_positive_rate:.3%}"
        console.print(_ratio_table(title, ("case", "fired", "rate"), report.fpr_by_case))
    if report.misclassified:
        m = Table(title=f"Misclassified ({len(report.misclassified)}, first {show})")
        for col in ("id", "expected", "predicted", "text", "negative prompt"):
            m.add_column(col, overflow="fold")
        for miss in report.misclassified[:show]:
            m.add_row(
                miss.item.id,
                ", ".join(sorted(miss.expected)) or "-",
                ", ".join(sorted(miss.predicted)) or "-",
                repr(miss.item.text),
                repr(miss.item.negative_prompt),
            )
        console.print(m)
    else:
        console.print("No misclassified items.")
    for line in bad:
        err_console.print(f"[magenta]line {line.line}:[/] {line.reason}")


@eval_app.command("text")
def eval_text_cmd(
    file: Annotated[Path, typer.Argument(help="Labelled JSONL (text, negative_prompt, expected).")],
    show: Annotated[int, typer.Option(help="How many misclassified items to list.")] = 50,
    category: Annotated[
        list[str] | None,
        typer.Option(
            "--category",
            "-c",
            help="Score only these categories (default: those the file labels).",
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Scores as one JSON object.")] = False,
) -> None:
    """Precision, recall and F1 per category, recall per evasion, false positives per case."""
    if not file.is_file():
        err_console.print(f"[red]error:[/] {file}: no such file")
        raise typer.Exit(2)
    entries = list(read_jsonl(file))
    items = [e for e in entries if isinstance(e, TextItem)]
    bad = [e for e in entries if isinstance(e, BadLine)]
    unlabelled = [i for i in items if i.expected is None]
    for i in unlabelled:
        bad.append(BadLine(i.line, "no 'expected' list; not scored"))
    for c in category or []:
        if c not in CATEGORIES:
            err_console.print(f"[red]error:[/] unknown category {c!r}")
            raise typer.Exit(2)
    report = evaluate(analyzers_for("prompt"), items, category or None)
    if json_out:
        print(
            json.dumps(
                {
                    "items": report.n_items,
                    "categories": {
                        s.category: {"precision": s.precision, "recall": s.recall, "f1": s.f1}
                        for s in report.scores
                    },
                    "false_positive_rate": report.false_positive_rate,
                    "misclassified": [m.item.id for m in report.misclassified],
                    "bad_lines": [{"line": b.line, "reason": b.reason} for b in bad],
                }
            )
        )
        return
    _print_report(report, bad, show)


__all__ = ["eval_app", "text_app"]
