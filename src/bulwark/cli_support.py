"""Helpers the CLI commands share: file discovery, progress, rendering."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from bulwark.match.matcher import MatchResult
from bulwark.signals.hashing import FileHashes

console = Console()
err_console = Console(stderr=True)


def fail(exc: Exception, code: int = 1) -> typer.Exit:
    """Print the error the way every command does; ``raise fail(exc) from exc``."""
    err_console.print(f"[red]error:[/] {exc}")
    return typer.Exit(code)


def iter_files(paths: Sequence[Path]) -> Iterator[Path | tuple[Path, str]]:
    """Files under ``paths`` (recursive, sorted); missing paths come back as errors."""
    for p in paths:
        if p.is_dir():
            for root, dirs, files in os.walk(p, followlinks=False):
                dirs.sort()
                for f in sorted(files):
                    yield Path(root) / f
        elif p.is_file():
            yield p
        else:
            yield (p, "no such file or directory")


def progress(transient: bool = True) -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=transient,
    )


def hashes_json(fh: FileHashes) -> dict[str, Any]:
    return {
        "file": fh.name,
        "media_type": fh.media_type.format if fh.media_type else None,
        "signals": [
            {"type": s.type, "value": s.value, "quality": s.quality, **s.details}
            for s in fh.signals
        ],
        "errors": fh.errors,
    }


def match_json(r: MatchResult) -> dict[str, Any]:
    def m(x: Any) -> dict[str, Any]:
        return {
            "bank": x.bank,
            "entry_id": x.entry_id,
            "signal_type": x.signal_type,
            "distance": x.distance,
            "category": x.category,
            "ncmec_classification": x.ncmec_classification,
            **x.details,
        }

    return {
        "file": r.name,
        "matched": r.matched,
        "matches": [m(x) for x in r.matches],
        "suppressed_by_negative_bank": [m(x) for x in r.suppressed],
        "negative_matches": [m(x) for x in r.negatives],
        "errors": r.errors,
        "notes": r.notes,
    }


def print_json_lines(items: Iterable[dict[str, Any]]) -> None:
    for item in items:
        print(json.dumps(item))


def match_table(results: Sequence[MatchResult], title: str = "Matches") -> Table:
    t = Table(title=title)
    for col in ("file", "result", "bank", "signal", "distance", "errors"):
        t.add_column(col)
    for r in results:
        if r.matches:
            best = r.matches[0]
            route = best.details.get("route")
            status = "[bold red]MATCH[/]" + (f" ({route})" if route else "")
            bank, sig, dist = best.bank, best.signal_type, str(best.distance)
        elif r.suppressed:
            status = "[yellow]suppressed (negative bank)[/]"
            bank, sig, dist = (
                r.negatives[0].bank,
                r.negatives[0].signal_type,
                str(r.negatives[0].distance),
            )
        elif r.errors and not (r.hashes and r.hashes.signals):
            status, bank, sig, dist = "[magenta]error[/]", "", "", ""
        else:
            status, bank, sig, dist = "[green]no match[/]", "", "", ""
        t.add_row(Path(r.name).name, status, bank, sig, dist, "; ".join(r.errors))
    return t
