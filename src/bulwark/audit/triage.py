"""``bulwark triage FOLDER``: rank a seized or reported folder so investigators
look first where a child may be at risk now — and not at all where a bank
already knows the file.

Files (and members of zip/tar archives, opened in memory with limits, see
``archives.py``) are de-duplicated exactly (SHA-256), hashed, matched against
the banks, checked for AI-generation evidence, optionally scored for nudity,
and stacked by PDQ. Ranking follows the architecture's triage order:
1. a bank match (and its duplicates and near-duplicates) — no human needs to
   look; 2. suspected abuse (nudity at or above the threshold) with no
   AI-generation evidence; 3. the same with AI evidence; 4. everything else.
Without ``--nudity`` nothing unmatched is "suspected": the ranking says so.
The report has no thumbnails unless asked for, and then only blurred,
greyscale ones — never of a bank-matched file.
"""

from __future__ import annotations

import base64
import csv
import html
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.progress import Progress

from bulwark.analyze.base import evidence_provider
from bulwark.analyze.provenance.detect import check_provenance
from bulwark.analyze.registry import analyzers_for
from bulwark.audit.archives import is_archive, members
from bulwark.audit.readers.folder import folder_shards, read_folder
from bulwark.audit.sample import Problem
from bulwark.banks.store import BankStore
from bulwark.console.protect import Protection, protected_jpeg
from bulwark.errors import BulwarkError, MediaError
from bulwark.match.matcher import Matcher
from bulwark.match.near_duplicates import group_near_duplicates
from bulwark.media.sniff import MediaKind, sniff
from bulwark.signals import FileContent, hash_content
from bulwark.signals.registry import get_signal_type
from bulwark.store.db import Database

SUSPECTED_NUDITY = 0.6
STACK_THRESHOLD = 31
THUMB = Protection(blur=True, greyscale=True, max_side=96, blur_side=16)


@dataclass
class TriageFile:
    path: str
    kind: str = ""
    sha256: str = ""
    md5: str = ""
    pdq: str = ""
    banks: str = ""
    distance: int | None = None
    provenance: str = ""
    nudity: float | None = None
    duplicate_of: str = ""
    stack: int = 0
    priority: int = 4
    reason: str = ""
    needs_human: bool = True
    error: str = ""


@dataclass
class TriageOptions:
    banks: tuple[str, ...] = ()
    db_url: str | None = None
    index_dir: str = ""
    nudity: bool = False
    thumbnails: bool = False
    progress: bool = True
    problems: list[Problem] = field(default_factory=list)


def _files(folder: Path, problems: list[Problem]) -> Iterator[tuple[str, bytes]]:
    """Each file, and each member of an archive, one at a time: a seized folder
    need not fit in memory."""
    shards, found = folder_shards(folder, per_shard=10**9)
    problems += found
    for shard in shards:
        for item in read_folder(shard):
            if isinstance(item, Problem):
                problems.append(item)
            elif item.data is not None and is_archive(item.key):
                for m in members(item.key, item.data):
                    name = f"{item.key}!{m.name}"
                    if m.data is None:
                        problems.append(Problem(shard.id, name, m.problem))
                    else:
                        yield name, m.data
            elif item.data is not None:
                yield item.key, item.data


def triage(folder: Path, out: Path, opts: TriageOptions) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    problems: list[Problem] = []
    matcher = None
    if opts.banks:
        db = Database(opts.db_url) if opts.db_url else Database()
        matcher = Matcher(BankStore(db), Path(opts.index_dir))
    types = [get_signal_type(t) for t in ("md5", "sha256", "pdq", "vpdq")]
    image_analyzers = analyzers_for("image") if opts.nudity else []
    rows: list[TriageFile] = []
    first: dict[str, TriageFile] = {}
    thumbs: dict[str, str] = {}  # made as files pass; only unmatched ones are kept
    with Progress(disable=not opts.progress) as bar:
        task = bar.add_task("triage", total=None)
        for name, data in _files(folder, problems):
            bar.advance(task)
            row = TriageFile(name)
            rows.append(row)
            try:
                media = sniff(data)
            except MediaError as exc:
                row.kind, row.error, row.priority = "other", str(exc), 4
                row.reason, row.needs_human = "not an image or video", False
                continue
            row.kind = "video" if media.kind is MediaKind.VIDEO else "image"
            content = FileContent(data, name=name)
            hashes = hash_content(content, types)
            for s in hashes.signals:
                if s.type in ("md5", "sha256", "pdq"):
                    setattr(row, s.type, s.value)
            row.error = "; ".join(hashes.errors)
            if row.sha256 in first:
                row.duplicate_of = first[row.sha256].path
                continue
            first[row.sha256] = row
            if matcher is not None:
                res = matcher.match(hashes)
                hits = sorted(
                    (m for m in res.matches if m.bank in opts.banks), key=lambda m: m.distance
                )
                if hits:
                    row.banks = ",".join(sorted({m.bank for m in hits}))
                    row.distance = hits[0].distance
            try:
                row.provenance = check_provenance(data, name=name).verdict
            except BulwarkError as exc:
                row.provenance = f"unreadable: {exc}"
            if image_analyzers and row.kind == "image":
                found = evidence_provider(content, image_analyzers)(
                    {"sexual.explicit", "sexual.suggestive"}
                )
                row.nudity = round(max((e.score for e in found), default=0.0), 4)
            if opts.thumbnails and row.kind == "image" and not row.banks:
                thumb = _thumbnail(data)
                if thumb:
                    thumbs[name] = thumb
    _stack(list(first.values()))
    _rank(rows, first, opts.nudity)
    rows.sort(key=lambda r: (r.priority, -(r.nudity or 0.0), r.path))
    # never a bank-matched file (nor a near-duplicate of one), not even blurred
    shown = {r.path: thumbs[r.path] for r in rows if r.priority != 1 and r.path in thumbs}
    return _write(out, folder, rows, problems, shown, opts)


def _stack(reps: list[TriageFile]) -> None:
    """Stack ids (from 1; 0: no PDQ, no stack) of near-duplicate pictures."""
    groups = group_near_duplicates(
        [int(r.pdq, 16) if r.pdq else None for r in reps], STACK_THRESHOLD
    )
    for r, g in zip(reps, groups, strict=True):
        r.stack = g + 1 if r.pdq else 0


def _rank(rows: list[TriageFile], first: dict[str, TriageFile], nudity: bool) -> None:
    matched_stacks = {r.stack for r in first.values() if r.banks and r.stack}
    for r in rows:
        if r.kind == "other":
            continue
        src = first.get(r.sha256, r) if r.duplicate_of else r
        if src.banks:
            r.priority, r.needs_human = 1, False
            r.reason = f"bank match ({src.banks})" + (
                " — exact duplicate" if r.duplicate_of else ""
            )
        elif src.stack and src.stack in matched_stacks:
            r.priority, r.needs_human = 1, False
            r.reason = "near-duplicate of a bank match (PDQ stack)"
        elif nudity and (src.nudity or 0.0) >= SUSPECTED_NUDITY:
            ai = src.provenance in ("confirmed", "likely")
            r.priority = 3 if ai else 2
            r.reason = (
                "suspected, AI-generation evidence"
                if ai
                else "suspected, no AI-generation evidence"
            )
        else:
            r.priority = 4
            r.reason = (
                "not suspected"
                if nudity
                else "not scored (run with --nudity to rank suspected files)"
            )
        if r.duplicate_of and r.priority > 1:
            r.needs_human = False
            r.reason += f" — exact duplicate of {r.duplicate_of}"
        if not r.duplicate_of:
            r.provenance, r.nudity = src.provenance, src.nudity


def _thumbnail(data: bytes) -> str:
    """A small blurred greyscale JPEG as base64 ("" when it cannot be decoded)."""
    try:
        return base64.b64encode(protected_jpeg(data, THUMB)).decode()
    except MediaError:
        return ""


def _write(
    out: Path,
    folder: Path,
    rows: list[TriageFile],
    problems: list[Problem],
    thumbs: dict[str, str],
    opts: TriageOptions,
) -> dict[str, Any]:
    fields = list(TriageFile.__dataclass_fields__)
    with (out / "triage.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(asdict(r) for r in rows)
    with (out / "problems.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=("shard", "key", "reason"))
        w.writeheader()
        w.writerows(p.as_dict() for p in problems)
    media = [r for r in rows if r.kind != "other"]
    no_view = sum(1 for r in media if not r.needs_human)
    summary = {
        "folder": str(folder),
        "files": len(rows),
        "media_files": len(media),
        "needed_no_human_view": no_view,
        "bank_matches": sum(1 for r in media if r.priority == 1),
        "exact_duplicates": sum(1 for r in media if r.duplicate_of),
        "by_priority": dict(sorted(Counter(r.priority for r in media).items())),
        "problems": len(problems),
        "nudity_scored": opts.nudity,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    lines = "".join(
        f"<tr><td>{r.priority}</td><td>{html.escape(r.path)}</td><td>{r.kind}</td>"
        f"<td>{html.escape(r.reason)}</td><td>{html.escape(r.provenance)}</td>"
        f"<td>{'' if r.nudity is None else r.nudity}</td>"
        f"<td>{_thumb(thumbs.get(r.path))}</td></tr>"
        for r in rows
    )
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Bulwark triage</title>
<style>body{{font:15px system-ui;margin:2em}}td,th{{padding:.2em .6em;text-align:left}}
.big{{font-size:2em;font-weight:bold}}</style></head><body>
<h1>Triage of {html.escape(str(folder))}</h1>
<p class="big" id="no-view">{no_view} of {len(media)} media files needed no human view</p>
<p>{summary["bank_matches"]} matched a bank (with their duplicates and near-duplicates);
{summary["exact_duplicates"]} exact duplicates; {len(problems)} problem(s) (see problems.csv).
Priority 1: known (no view needed); 2: suspected, no AI-generation evidence — look first;
3: suspected with AI evidence; 4: the rest.</p>
<table><tr><th>priority</th><th>file</th><th>kind</th><th>why</th><th>AI evidence</th>
<th>nudity</th><th></th></tr>
{lines}</table></body></html>"""
    (out / "report.html").write_text(page, encoding="utf-8")
    return summary


def _thumb(b64: str | None) -> str:
    return f'<img alt="blurred, greyscale" src="data:image/jpeg;base64,{b64}">' if b64 else ""


__all__ = ["TriageFile", "TriageOptions", "triage"]
