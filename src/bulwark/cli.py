"""The ``bulwark`` command."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from bulwark.banks.augment import crop_entries, item_id
from bulwark.banks.exchanges import exchange_names, fetch_into_bank
from bulwark.banks.formats import WRITERS, read_file
from bulwark.banks.model import ROUTES, NewEntry
from bulwark.banks.store import BankStore
from bulwark.banks.text_entries import KnownText, entries_for, read_known_texts
from bulwark.cli_audit import audit, audit_synthetic, triage_command
from bulwark.cli_policy import policy_app
from bulwark.cli_report import report_app
from bulwark.cli_support import (
    console,
    err_console,
    fail,
    hashes_json,
    iter_files,
    match_json,
    match_table,
    print_json_lines,
    progress,
)
from bulwark.cli_text import eval_app, text_app
from bulwark.cli_user import user_app
from bulwark.errors import BulwarkError
from bulwark.match.matcher import Matcher, MatchResult, build_snapshot
from bulwark.match.robust import EntryParts, robust_mode, with_routes
from bulwark.signals import FileContent, hash_content
from bulwark.signals.hashing import FileHashes, hash_path
from bulwark.store.db import Database, home_dir

NONE_NOTE = "'none found' never means real: most AI images carry no evidence once re-encoded."
app = typer.Typer(help="Bulwark trust & safety engine.", no_args_is_help=True)
bank_app = typer.Typer(help="Manage hash banks.", no_args_is_help=True)
index_app = typer.Typer(help="Manage match index snapshots.", no_args_is_help=True)
app.add_typer(bank_app, name="bank")
app.add_typer(index_app, name="index")
app.add_typer(text_app, name="text")
app.add_typer(eval_app, name="eval")
app.add_typer(policy_app, name="policy")
app.add_typer(report_app, name="report")
app.add_typer(user_app, name="user")
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit-log")
app.command("audit")(audit)
app.command("audit-synthetic")(audit_synthetic)
app.command("triage")(triage_command)

JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON object per file.")]


@app.callback()
def main(
    db: Annotated[str | None, typer.Option(help="Database URL (default: SQLite in home).")] = None,
    home: Annotated[Path | None, typer.Option(help="Data directory (BULWARK_HOME).")] = None,
) -> None:
    if home is not None:
        os.environ["BULWARK_HOME"] = str(home)
    if db is not None:
        os.environ["BULWARK_DB_URL"] = db


def _store() -> BankStore:
    return BankStore(Database())


def _index_dir() -> Path:
    return home_dir() / "index"


T = TypeVar("T")


def _each_file(
    paths: list[Path], label: str, run: Callable[[Path], T], missing: Callable[[str, str], T]
) -> list[T]:
    """``run`` on every file under ``paths`` with a progress bar; missing paths become
    results through ``missing`` so they are reported with the rest."""
    files = list(iter_files(paths))
    out: list[T] = []
    with progress() as bar:
        task = bar.add_task(label, total=len(files))
        for f in files:
            out.append(missing(str(f[0]), f[1]) if isinstance(f, tuple) else run(f))
            bar.advance(task)
    return out


def _hash_all(paths: list[Path], *, fast: bool, dihedral: bool, label: str) -> list[FileHashes]:
    files = list(iter_files(paths))
    out: list[FileHashes] = []
    with progress() as bar:
        task = bar.add_task(label, total=len(files))
        for f in files:
            if isinstance(f, tuple):
                out.append(FileHashes(str(f[0]), errors=[f[1]]))
            else:
                out.append(hash_path(f, fast=fast, dihedral=dihedral))
            bar.advance(task)
    return out


@app.command("hash")
def hash_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (recursive).")],
    fast: Annotated[bool, typer.Option(help="Reduced-size JPEG decode for bulk work.")] = False,
    dihedral: Annotated[bool, typer.Option(help="Also the 8 rotations/mirrors of PDQ.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Print MD5, SHA-1, SHA-256, PDQ (+quality) and vPDQ of each file."""
    results = _hash_all(paths, fast=fast, dihedral=dihedral, label="hashing")
    if json_out:
        print_json_lines(hashes_json(r) for r in results)
        return
    from rich.table import Table

    t = Table(title="Hashes")
    for c in ("file", "type", "signal", "value", "quality"):
        t.add_column(c)
    for r in results:
        if not r.signals:
            t.add_row(r.name, "", "error", "; ".join(r.errors), "")
        for s in r.signals:
            v = s.value if len(s.value) <= 64 else f"{s.details.get('frames', '?')} frames"
            q = "" if s.quality is None else str(s.quality)
            if s.details.get("low_quality"):
                q += " (low)"
            t.add_row(r.name, r.media_type.format if r.media_type else "", s.type, v, q)
        for e in r.errors if r.signals else []:
            t.add_row(r.name, "", "error", e, "")
    console.print(t)


@app.command("match")
def match_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (recursive).")],
    fast: Annotated[bool, typer.Option(help="Reduced-size JPEG decode.")] = False,
    dihedral: Annotated[bool, typer.Option(help="Match rotated/mirrored copies too.")] = True,
    json_out: JsonOpt = False,
    fail_on_match: Annotated[bool, typer.Option(help="Exit 1 if anything matched.")] = False,
) -> None:
    """Match files against every enabled bank."""
    try:
        matcher = Matcher(_store(), _index_dir())
    except BulwarkError as exc:
        raise fail(exc) from exc
    results: list[MatchResult] = []
    hashed = _hash_all(paths, fast=fast, dihedral=dihedral, label="hashing")
    for i in range(0, len(hashed), 256):
        results.extend(matcher.match_many(hashed[i : i + 256]))
    mode = robust_mode()
    parts = EntryParts(matcher.store)
    for i, (fh, r) in enumerate(zip(hashed, results, strict=True)):
        if fh.media_type is not None and fh.media_type.kind.value == "image" and mode != "off":
            content = FileContent.from_path(Path(fh.name), fast=fast)
            results[i] = with_routes(matcher, r, fh, content, mode=mode, parts_of=parts)
    if json_out:
        print_json_lines(match_json(r) for r in results)
    else:
        console.print(match_table(results))
        n = sum(r.matched for r in results)
        errs = sum(bool(r.errors) for r in results)
        console.print(f"{len(results)} file(s): {n} matched, {errs} with errors")
    if fail_on_match and any(r.matched for r in results):
        raise typer.Exit(1)


# -- banks -------------------------------------------------------------------
@bank_app.command("create")
def bank_create(
    name: str,
    description: str = "",
    category: Annotated[str | None, typer.Option(help="Taxonomy category.")] = None,
    ncmec: Annotated[str | None, typer.Option(help="NCMEC class A1, A2, B1 or B2.")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Free tag (repeatable).")] = None,
    threshold: Annotated[int, typer.Option(help="PDQ distance threshold.")] = 31,
    negative: Annotated[bool, typer.Option(help="Known-benign bank: suppresses matches.")] = False,
    augment_crops: Annotated[
        bool,
        typer.Option(help="Files added later also store hashes of 6 fixed crops (crop-robust)."),
    ] = False,
    route: Annotated[
        list[str] | None,
        typer.Option(
            help="Match routes this bank accepts (repeat): full, trimmed, subregion, bank_crop."
        ),
    ] = None,
) -> None:
    """Create a bank."""
    try:
        b = _store().create(
            name,
            description=description,
            category=category,
            ncmec_classification=ncmec,
            tags=tag or [],
            pdq_threshold=threshold,
            negative=negative,
            augment_crops=augment_crops,
            routes=tuple(route) if route else ROUTES,
        )
    except BulwarkError as exc:
        raise fail(exc) from exc
    console.print(f"created bank [bold]{b.name}[/] (id {b.id}); {b.crop_robustness}")


@bank_app.command("list")
def bank_list(json_out: JsonOpt = False) -> None:
    """List banks with their labels and entry counts (never their contents)."""
    banks = _store().banks()
    if json_out:
        print_json_lines(b.summary() for b in banks)
        return
    from rich.table import Table

    t = Table(title="Banks")
    for c in ("name", "category", "NCMEC", "tags", "threshold", "negative", "enabled", "entries"):
        t.add_column(c)
    for b in banks:
        t.add_row(
            b.name,
            b.category or "",
            b.ncmec_classification or "",
            ",".join(b.tags),
            str(b.pdq_threshold),
            "yes" if b.is_negative else "",
            "yes" if b.enabled else "no",
            str(b.entry_count),
        )
    console.print(t)


@bank_app.command("import")
def bank_import(
    name: str,
    file: Path,
    fmt: Annotated[str | None, typer.Option("--format", help="txt, csv or vics.")] = None,
) -> None:
    """Import signals from a file: all of it, or nothing if any line is bad."""
    store = _store()
    try:
        store.get(name)
        entries = read_file(file, fmt)
        added, dup = store.add_entries(name, entries, source_name=str(file))
    except BulwarkError as exc:
        raise fail(exc) from exc
    console.print(f"imported {added} new entries into {name} ({dup} already present)")


@bank_app.command("export")
def bank_export(
    name: str,
    file: Path,
    fmt: Annotated[str, typer.Option("--format", help="txt, csv or vics.")] = "txt",
) -> None:
    """Export a bank's entries (operator command; the API never returns them)."""
    if fmt not in WRITERS:
        raise fail(BulwarkError(f"unknown format {fmt!r} (known: {', '.join(WRITERS)})"))
    store = _store()
    try:
        store.get(name)
        with file.open("w", encoding="utf-8", newline="") as f:
            n = WRITERS[fmt](store.iter_entries(name), f)
    except BulwarkError as exc:
        raise fail(exc) from exc
    console.print(f"wrote {n} entries to {file}")


@bank_app.command("add-text")
def bank_add_text(
    name: str,
    texts: Annotated[list[str] | None, typer.Argument(help="Known texts to add.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="One text a line, or JSONL with text.")
    ] = None,
    embeddings: Annotated[bool, typer.Option(help="Also add sentence embeddings.")] = True,
    keep_text: Annotated[bool, typer.Option(help="Store the text itself in metadata.")] = False,
    source: str = "",
) -> None:
    """Add known texts (scripts, templates, false claims): exact, TLSH and embedding."""
    store = _store()
    try:
        store.get(name)
        known = [KnownText(t) for t in texts or []]
        if file is not None:
            known += read_known_texts(file)
        if not known:
            err_console.print("[red]error:[/] give texts or --file")
            raise typer.Exit(2)
        entries = list(
            entries_for(
                known,
                source=source or (file.name if file else "cli"),
                embeddings=embeddings,
                keep_text=keep_text,
            )
        )
        added, dup = store.add_entries(name, entries)
    except BulwarkError as exc:
        raise fail(exc) from exc
    console.print(
        f"added {added} entries for {len(known)} text(s) to {name} ({dup} already present)"
    )


@bank_app.command("add")
def bank_add(
    name: str,
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to hash.")] = None,
    signal: Annotated[
        tuple[str, str] | None, typer.Option(help="Add one signal: TYPE VALUE.")
    ] = None,
    source: str = "",
) -> None:
    """Hash files (or take one signal) and add the hashes to a bank."""
    store = _store()
    try:
        bank = store.get(name)
    except BulwarkError as exc:
        raise fail(exc) from exc
    entries: list[NewEntry] = []
    failed = 0
    if signal:
        entries.append(NewEntry(signal[0], signal[1], source or "cli"))

    def entries_of(path: Path) -> tuple[str, list[NewEntry], list[str]]:
        try:
            content = FileContent.from_path(path)
        except BulwarkError as exc:
            return str(path), [], [str(exc)]
        fh = hash_content(content)
        meta = {"file": fh.name, "item": item_id(content.data)}
        found = [NewEntry(s.type, s.value, source or fh.name, dict(meta)) for s in fh.signals]
        if found and bank.augment_crops:  # the crops of this file, as their own entries
            found += [
                NewEntry(e.signal_type, e.value, e.source, {**e.metadata, "file": fh.name})
                for e in crop_entries(content, source or fh.name)
            ]
        return fh.name, found, fh.errors

    for file_name, found, errors in _each_file(
        paths or [], "hashing", entries_of, lambda p, why: (p, [], [why])
    ):
        for e in errors:
            err_console.print(f"[yellow]{file_name}:[/] {e}")
        failed += not found
        entries += found
    try:
        added, dup = store.add_entries(name, entries)
    except BulwarkError as exc:
        raise fail(exc) from exc
    console.print(f"added {added} entries to {name} ({dup} already present, {failed} unreadable)")


def _set_entry(entry_id: int, enabled: bool, reason: str | None) -> None:
    try:
        _store().set_entry_enabled(entry_id, enabled, reason)
    except BulwarkError as exc:
        raise fail(exc) from exc
    console.print(f"entry {entry_id} {'enabled' if enabled else 'disabled'}")


@bank_app.command("disable")
def bank_disable(entry_id: int, reason: str = "false positive") -> None:
    """Disable one entry (e.g. a false positive) without deleting it."""
    _set_entry(entry_id, False, reason)


@bank_app.command("enable")
def bank_enable(entry_id: int) -> None:
    """Re-enable a disabled entry."""
    _set_entry(entry_id, True, None)


@bank_app.command("delete")
def bank_delete(
    name: str, yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False
) -> None:
    """Delete a bank and all its entries."""
    if not yes and not typer.confirm(f"delete bank {name!r} and all its entries?"):
        raise typer.Exit(1)
    try:
        _store().delete(name)
    except BulwarkError as exc:
        raise fail(exc) from exc
    console.print(f"deleted bank {name}")


@bank_app.command("fetch")
def bank_fetch(
    name: str,
    exchange: Annotated[str, typer.Option(help="Exchange: " + ", ".join(exchange_names()))],
    param: Annotated[
        list[str] | None, typer.Option(help="Collaboration setting KEY=VALUE (repeatable).")
    ] = None,
) -> None:
    """Fetch signals from a hash-sharing exchange (credentials from the environment)."""
    collab: dict[str, Any] = {}
    for p in param or []:
        k, sep, v = p.partition("=")
        if not sep:
            raise fail(BulwarkError(f"--param needs KEY=VALUE, got {p!r}"))
        collab[k] = v
    try:
        added, dup = fetch_into_bank(_store(), name, exchange, collab)
    except BulwarkError as exc:
        raise fail(exc) from exc
    console.print(f"fetched {added} new entries into {name} ({dup} already present)")


@index_app.command("build")
def index_build() -> None:
    """Rebuild the index snapshot from the banks."""
    counts = build_snapshot(_store(), _index_dir())
    console.print("index built: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


key_app = typer.Typer(help="API keys for the service.", no_args_is_help=True)
app.add_typer(key_app, name="key")


@key_app.command("create")
def key_create(
    name: str,
    role: Annotated[
        str, typer.Option(help="client, reviewer, child_safety_reviewer or admin")
    ] = "client",
    rate: Annotated[int, typer.Option(help="Requests a minute.")] = 600,
) -> None:
    """Create an API key; it is printed once and stored only as a hash."""
    from bulwark.service.keys import KeyStore

    try:
        key, rec = KeyStore(Database()).create(name, role, rate_per_minute=rate)
    except BulwarkError as exc:
        raise fail(exc) from exc
    console.print(f"key {rec.id} ({rec.role}) for {name}: {key}")
    console.print("[dim]store it now: only its hash is kept[/]")


@app.command("serve")
def serve_cmd(
    host: str = "127.0.0.1",
    port: int = 8080,
    workers: Annotated[
        int, typer.Option(help="Job-worker threads beside the API (0: run `bulwark worker`).")
    ] = 1,
    processes: Annotated[
        int, typer.Option(help="API processes (uvicorn workers); one per core is typical.")
    ] = 1,
) -> None:
    """Run the API and its workers on SQLite (or BULWARK_DB_URL) with no other set-up."""
    import os

    import uvicorn

    if workers < 0 or processes < 1:
        raise typer.BadParameter("--workers must be 0 or more and --processes 1 or more")
    Database().dispose()  # create and migrate the database once, before any process starts
    os.environ["BULWARK_SERVE_WORKERS"] = str(workers)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")  # see service.app._one_blas_thread
    uvicorn.run(
        "bulwark.service.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=processes,
        log_level="warning",
    )


@app.command("worker")
def worker_cmd(
    once: Annotated[bool, typer.Option(help="Run what is ready, then exit.")] = False,
    poll: Annotated[float, typer.Option(help="Seconds between polls when idle.")] = 1.0,
    lease: Annotated[
        float,
        typer.Option(help="Seconds a claimed job is held before another worker may retry it."),
    ] = 60.0,
) -> None:
    """Carry out queued jobs: effects (review items, labels, bank additions, webhooks)
    and deferred analysis (slow analyzers on pending submissions)."""
    import signal
    import threading

    from bulwark.effects.jobs import JobQueue
    from bulwark.service.worker import run_worker, worker_handlers

    db = Database()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        done = run_worker(
            JobQueue(db), worker_handlers(db), stop, poll_s=poll, once=once, lease_s=lease
        )
    except KeyboardInterrupt:
        done = -1
    console.print(f"worker ran {done} job(s)" if done >= 0 else "worker interrupted")


@audit_app.command("verify")
def audit_verify_cmd() -> None:
    """Re-compute the hash chain; any edit, deletion or reordering is named (exit 1)."""
    from bulwark.store.audit_log import AuditLog

    log = AuditLog(Database())
    problems = log.verify()
    if not problems:
        n = sum(1 for _ in log.records())
        console.print(f"audit log intact: {n} records, chain verified")
        return
    for p in problems:
        err_console.print(f"[red]record {p.record_id}:[/] {p.problem}")
    raise typer.Exit(1)


@app.command("provenance")
def provenance_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Image files or folders (recursive).")],
    json_out: JsonOpt = False,
    watermarks: Annotated[
        bool, typer.Option(help="Also read SD invisible watermarks (decodes pixels, slower).")
    ] = True,
) -> None:
    """Evidence of AI generation each file carries: confirmed, likely, or none found."""
    from bulwark.analyze.provenance.detect import ProvenanceResult, check_provenance_path

    results = _each_file(
        paths,
        "reading",
        lambda f: check_provenance_path(f, watermarks=watermarks),
        lambda name, why: ProvenanceResult(name, errors=[why]),
    )
    if json_out:
        print_json_lines(r.as_dict() for r in results)
        return
    t = Table(title="AI-generation evidence")
    for col in ("file", "verdict", "evidence", "prompt audit", "triage", "errors"):
        t.add_column(col, overflow="fold")
    style = {"confirmed": "[bold magenta]confirmed[/]", "likely": "[magenta]likely[/]"}
    for r in results:
        ev = "; ".join(
            f"{e.details['kind']} ({e.details.get('tool') or e.details.get('value') or ''})"
            for e in r.evidence
        )
        audit = ", ".join(sorted({f"{e.tier} {e.rule}" for e in r.child_safety}))
        t.add_row(
            Path(r.path).name,
            style.get(r.verdict, r.verdict),
            ev,
            f"[bold red]{audit}[/]" if audit else "",
            r.triage["reason"],
            "; ".join(r.errors),
        )
    console.print(t)
    if any(r.verdict == "none found" for r in results):
        console.print(f"[dim]{results[0].note or NONE_NOTE}[/]")


@app.command("model-scan")
def model_scan_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Model files or folders (recursive).")],
    json_out: JsonOpt = False,
    banks: Annotated[bool, typer.Option(help="Match model hashes against the banks.")] = True,
    fail_on_finding: Annotated[bool, typer.Option(help="Exit 1 if anything is flagged.")] = False,
) -> None:
    """Model files: training captions, hub hashes, bank matches, code in pickles."""
    from bulwark.analyze.models.scan import ModelHashBanks, ModelScanResult, scan_model

    hash_banks = ModelHashBanks(_store()) if banks else None
    results = _each_file(
        paths,
        "scanning",
        lambda f: scan_model(f, hash_banks),
        lambda name, why: ModelScanResult(name, errors=[why]),
    )
    if json_out:
        print_json_lines(r.as_dict() for r in results)
    else:
        t = Table(title="Model files")
        for col in ("file", "format", "AutoV2", "findings", "security", "errors"):
            t.add_column(col, overflow="fold")
        for r in results:
            finds = "; ".join(
                f"[bold red]{e.tier or 'match'}[/] {e.rule}: "
                + ", ".join(str(x) for x in (e.details.get("triggers") or [e.details.get("bank")]))
                for e in r.findings
            )
            sec = ", ".join(f"{s['module']}.{s['name']}" for s in r.security)
            t.add_row(
                Path(r.path).name,
                r.format,
                r.hashes.get("model_autov2", ""),
                finds,
                f"[bold red]{sec}[/]" if sec else "",
                "; ".join(r.errors),
            )
        console.print(t)
    if fail_on_finding and any(r.flagged for r in results):
        raise typer.Exit(1)


@app.command("demo")
def demo_cmd(
    home: Annotated[Path | None, typer.Option(help="Where to put the demo data.")] = None,
) -> None:
    """Build a demo bank from benign photos and match originals, edits and others."""
    from bulwark.demo import run_demo

    ok = run_demo(home)
    raise typer.Exit(0 if ok else 1)


if __name__ == "__main__":  # pragma: no cover
    app()
