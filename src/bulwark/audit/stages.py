"""What an audit does to each sample, shard by shard, in whichever process runs it.

Per sample: MD5 and SHA-256, PDQ in fast mode (JPEGs decode DCT-scaled), bank
matches (negative banks suppress), the caption through the child-safety
prompt policy (and the general text categories with ``caption_general``),
the nudity score and AI-provenance evidence when asked for. Rows that carry
only an MD5 are matched on it without bytes. Every stage can be switched off;
a sample that fails one is recorded with its error and the rest go on.

No caption text, image or thumbnail is written anywhere: a row holds keys,
hashes, scores and category names only.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from bulwark.analyze.base import TextContent, evidence_provider
from bulwark.analyze.registry import analyzers_for
from bulwark.audit.fetching import Fetcher
from bulwark.audit.readers import read
from bulwark.audit.sample import Problem, Sample, ShardRef
from bulwark.banks.store import BankStore
from bulwark.errors import BulwarkError
from bulwark.match.matcher import Matcher, MatchResult
from bulwark.signals import FileContent, hash_content
from bulwark.signals.base import Signal
from bulwark.signals.hashing import FileHashes
from bulwark.signals.registry import get_signal_type
from bulwark.store.db import Database

CHILD_SAFETY_CAPTION = "child_safety.sexualised_minor_prompt"
GENERAL_CAPTION = ("hate", "harassment", "sexual.explicit", "violence.threat", "self_harm")
NUDITY = ("sexual.explicit", "sexual.suggestive")
#: samples hashed, then matched in one batch
BATCH = 256
#: one row per sample (the checkpoints' Parquet schema): keys, hashes, scores and
#: category names — never a caption or pixels
ROW_SCHEMA = pa.schema(
    [
        ("shard", pa.string()),
        ("key", pa.string()),
        ("url", pa.string()),
        ("md5", pa.string()),
        ("sha256", pa.string()),
        ("pdq", pa.string()),
        ("pdq_quality", pa.int32()),
        ("banks", pa.string()),
        ("match_signal", pa.string()),
        ("distance", pa.int32()),
        ("negative", pa.bool_()),
        ("caption_flags", pa.string()),
        ("nudity", pa.float64()),
        ("provenance", pa.string()),
        ("error", pa.string()),
    ]
)
COLUMNS = tuple(ROW_SCHEMA.names)


@dataclass(frozen=True)
class AuditOptions:
    banks: tuple[str, ...] = ()
    db_url: str | None = None
    index_dir: str = ""
    pdq: bool = True
    captions: bool = True
    caption_general: bool = False
    nudity: bool = False
    provenance: bool = False
    #: fetch rows that have a URL and no bytes (off by default: see fetching.py)
    fetch: bool = False
    fetch_per_host_per_second: float = 1.0
    fetch_allow: tuple[str, ...] = ()  # networks exempt from the SSRF block (tests)


@dataclass
class ShardResult:
    shard: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    #: the shard itself failed (its worker died): reported, not checkpointed, retried on resume
    failed: bool = False

    @classmethod
    def failure(cls, shard: str, exc: BaseException) -> ShardResult:
        why = f"shard failed, will be retried on the next run: {type(exc).__name__}: {exc}"
        return cls(shard, problems=[{"shard": shard, "key": "", "reason": why}], failed=True)


class Auditor:
    """One per worker process: the matcher's index is opened once, memory-mapped."""

    def __init__(self, opts: AuditOptions) -> None:
        self.opts = opts
        self.matcher: Matcher | None = None
        if opts.banks:
            db = Database(opts.db_url) if opts.db_url else Database()
            self.matcher = Matcher(BankStore(db), Path(opts.index_dir))
        self.types = [get_signal_type(t) for t in ("md5", "sha256")]
        if opts.pdq:
            self.types.append(get_signal_type("pdq"))
        self.text = analyzers_for("prompt") if opts.captions else []
        self.image = analyzers_for("image") if (opts.nudity or opts.provenance) else []
        self.fetcher = (
            Fetcher(opts.fetch_per_host_per_second, opts.fetch_allow) if opts.fetch else None
        )

    def run(self, ref: ShardRef) -> ShardResult:
        start = time.perf_counter()
        out = ShardResult(ref.id)
        batch: list[tuple[dict[str, Any], FileHashes]] = []
        for item in read(ref):
            if isinstance(item, Problem):
                out.problems.append(item.as_dict())
                continue
            row, hashes = self._sample(item)
            batch.append((row, hashes))
            if len(batch) >= BATCH:
                out.rows += self._match(batch)
                batch = []
        out.rows += self._match(batch)
        out.rows.sort(key=lambda r: r["key"])
        out.seconds = time.perf_counter() - start
        return out

    def _sample(self, s: Sample) -> tuple[dict[str, Any], FileHashes]:
        row: dict[str, Any] = dict.fromkeys(COLUMNS, None)
        row.update(shard=s.shard, key=s.key, url=s.url, md5=s.md5 or None, error=None)
        row.update(banks="", caption_flags="", negative=False)
        errors: list[str] = []
        hashes = FileHashes(s.key)
        if s.data is None and s.url and self.fetcher is not None:
            try:
                s.data = self.fetcher.get(s.url)
            except BulwarkError as exc:
                errors.append(f"fetch: {exc}")
        if s.data is not None:
            try:
                content = FileContent(s.data, name=s.key, fast=True)
                hashes = hash_content(content, self.types)
                errors += hashes.errors
                for sig in hashes.signals:
                    if sig.type in ("md5", "sha256"):
                        row[sig.type] = sig.value
                    elif sig.type == "pdq":
                        row["pdq"], row["pdq_quality"] = sig.value, sig.quality
                if self.image:
                    self._image_evidence(content, row)
            except BulwarkError as exc:
                errors.append(str(exc))
                row["md5"] = row["md5"] or hashlib.md5(s.data, usedforsecurity=False).hexdigest()
        elif s.md5:
            hashes = FileHashes(s.key, signals=[Signal("md5", s.md5)])
        if s.caption and self.text:
            wanted = {CHILD_SAFETY_CAPTION, *(GENERAL_CAPTION if self.opts.caption_general else ())}
            try:
                found = evidence_provider(TextContent(s.caption, kind="prompt"), self.text)(wanted)
                row["caption_flags"] = ",".join(sorted({e.category for e in found}))
            except BulwarkError as exc:
                errors.append(f"caption: {exc}")
        row["error"] = "; ".join(errors) or None
        return row, hashes

    def _image_evidence(self, content: FileContent, row: dict[str, Any]) -> None:
        provide = evidence_provider(content, self.image)
        if self.opts.nudity:
            found = provide(set(NUDITY))
            row["nudity"] = round(max((e.score for e in found), default=0.0), 4)
        if self.opts.provenance:
            found = provide({"provenance.ai_generated"})
            row["provenance"] = ",".join(sorted({str(e.details.get("kind")) for e in found}))

    def _match(self, batch: list[tuple[dict[str, Any], FileHashes]]) -> list[dict[str, Any]]:
        if self.matcher is None or not batch:
            return [r for r, _ in batch]
        results = self.matcher.match_many([h for _, h in batch])
        for (row, _), res in zip(batch, results, strict=True):
            _record(row, res, set(self.opts.banks))
        return [r for r, _ in batch]


def _record(row: dict[str, Any], res: MatchResult, banks: set[str]) -> None:
    hits = sorted((m for m in res.matches if m.bank in banks), key=lambda m: m.distance)
    row["negative"] = bool(res.suppressed)  # a match a negative bank overrode
    if hits:
        row["banks"] = ",".join(sorted({m.bank for m in hits}))
        row["match_signal"], row["distance"] = hits[0].signal_type, hits[0].distance


__all__ = ["COLUMNS", "ROW_SCHEMA", "AuditOptions", "Auditor", "ShardResult"]
