"""Matching that survives crops, letterboxing and caption bars.

Every query is hashed whole (as always), and also with its bars trimmed and
as a fixed set of sub-regions (``signals/regions.py``); all those hashes go to
the index in one batched look-up. Each hit says which *route* found it:

* ``full``      — whole query against a whole banked image;
* ``trimmed``   — the query with bars removed against a whole banked image;
* ``subregion`` — a sub-region of the query against a whole banked image;
* ``bank_crop`` — any query hash against a banked crop (augmented banks).

Trimming only removes what the detector calls a bar, so a ``trimmed`` hit
stands on its own like a ``full`` one. Sub-region and banked-crop hits come
from many more comparisons and could raise false matches, so they must be
*verified*: at least two different (query part, banked part) pairs have to
land on the same banked picture (the same ``item``) within the threshold, or
the one pair must be within ``STRICT_SINGLE`` bits. (ORB keypoint matching
would be the other independent check, but a bank keeps hashes, not images.)
A bank can restrict which routes it accepts (``match_routes``).
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from bulwark.banks.store import BankStore
from bulwark.errors import BulwarkError
from bulwark.match.matcher import Match, Matcher, MatchResult
from bulwark.signals import FileContent
from bulwark.signals.base import Signal
from bulwark.signals.hashing import FileHashes
from bulwark.signals.pdq import pdq_signal
from bulwark.signals.regions import QUERY_REGIONS, find_bars, pdq_of, region_box

#: ``BULWARK_ROBUST_MATCH``: ``full`` (trim, then sub-regions too), ``trim`` (only the
#: query with its bars removed, and only when it has bars), or ``off``
MODES = ("full", "trim", "off")
#: the synchronous service path: trimming costs a few milliseconds and one more
#: look-up only when bars are found; sub-regions cost four to eight look-ups per
#: upload, which broke the 1-MP image latency target on two cores (docs/benchmarks.md)
SERVICE_DEFAULT = "trim"


def robust_mode(default: str = "full") -> str:
    mode = os.environ.get("BULWARK_ROBUST_MATCH", default)
    return mode if mode in MODES else default


#: routes that stand alone; the others need a second agreeing pair
DIRECT = ("full", "trimmed")
MIN_AGREEING = 2
#: ...or a single pair this close: PDQ pairs of different pictures within 12
#: bits are vanishingly rare (docs/benchmarks.md measures the rate at 31)
STRICT_SINGLE = 16


@dataclass
class QueryParts:
    hashes: list[tuple[str, Signal]] = field(default_factory=list)  # (part name, pdq)
    notes: list[str] = field(default_factory=list)


def query_parts(content: FileContent, subregions: bool = True) -> QueryParts:
    """Trimmed and sub-region PDQ hashes of an image; every odd input (all
    border, bars a pixel thin, too small for sub-regions) gets a note, not an
    error. Parts are hashed with the fast PDQ operator on the decoded pixels:
    a few milliseconds each instead of the reference's full pass per part."""
    out = QueryParts()
    try:
        image = content.image
    except BulwarkError as exc:
        out.notes.append(f"no query parts: {exc}")
        return out
    h, w = image.pixels.shape[:2]
    trim = find_bars(image.pixels)
    bases: list[tuple[str, tuple[int, int, int, int]]] = [("", (0, 0, w, h))]
    if trim.empty:
        out.notes.append("the image is all border: nothing left to trim to")
    elif trim.box is not None:
        found = pdq_of(image, trim.box, fast=True)
        if found is None:
            out.notes.append("what is left after trimming is too small to hash")
        else:
            out.hashes.append(("trimmed", pdq_signal(*found, part="trimmed")))
            bases.append(("trimmed/", trim.box))  # the detector may trim a flat sky too
            if len(trim.sides) > 1:  # so also one side at a time: the caption bar alone
                for side, box in _one_side_boxes(trim.box, w, h, trim.sides):
                    one = pdq_of(image, box, fast=True)
                    if one is not None:
                        out.hashes.append((f"trimmed-{side}", pdq_signal(*one, part=side)))
    for prefix, base in bases if subregions else []:
        for region in QUERY_REGIONS:
            found = pdq_of(image, region_box(base, region), fast=True)
            if found is None:
                out.notes.append(f"too small for the {prefix}{region.name} sub-region")
                continue
            name = prefix + region.name
            out.hashes.append((name, pdq_signal(*found, part=name)))
    return out


def _one_side_boxes(
    box: tuple[int, int, int, int], w: int, h: int, sides: tuple[str, ...]
) -> list[tuple[str, tuple[int, int, int, int]]]:
    left, top, right, bottom = box
    full = {"left": (left, 0, w, h), "top": (0, top, w, h), "right": (0, 0, right, h)}
    full["bottom"] = (0, 0, w, bottom)
    return [(side, full[side]) for side in sides]


@dataclass(frozen=True)
class RobustMatch:
    match: Match
    route: str
    query_part: str  # "full", "trimmed", "center90", ...
    bank_part: str  # "full" or the banked crop's name
    verified: bool
    agreeing: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "bank": self.match.bank,
            "signal_type": self.match.signal_type,
            "distance": self.match.distance,
            "route": self.route,
            "query_part": self.query_part,
            "bank_part": self.bank_part,
            "verified": self.verified,
            "agreeing_pairs": self.agreeing,
        }


@dataclass
class RobustResult:
    matches: list[RobustMatch] = field(default_factory=list)  # verified, best per picture
    unverified: list[RobustMatch] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class EntryParts:
    """Which banked part (and picture) an entry is; looked up only for hits."""

    def __init__(self, store: BankStore) -> None:
        self.store = store
        self.cache: dict[int, tuple[str, str]] = {}

    def __call__(self, entry_id: int) -> tuple[str, str]:
        if entry_id not in self.cache:
            meta = self.store.get_entry(entry_id).metadata or {}
            self.cache[entry_id] = (
                str(meta.get("crop") or "full"),
                str(meta.get("item") or f"entry:{entry_id}"),
            )
        return self.cache[entry_id]


def _route(query_part: str, bank_part: str) -> str:
    if bank_part != "full":
        return "bank_crop"
    if query_part == "full" or (query_part.startswith("trimmed") and "/" not in query_part):
        return "full" if query_part == "full" else "trimmed"
    return "subregion"


def match_robust(
    matcher: Matcher,
    hashes: FileHashes,
    content: FileContent,
    parts_of: EntryParts | None = None,
    *,
    slack: int = 0,
    subregions: bool = True,
) -> RobustResult:
    parts_of = parts_of or EntryParts(matcher.store)
    parts = query_parts(content, subregions)
    queries = [hashes] + [FileHashes(hashes.name, signals=[sig]) for _, sig in parts.hashes]
    names = ["full"] + [n for n, _ in parts.hashes]
    results = matcher.match_many(queries, slack=slack)
    routes_of = {b.name: set(b.match_routes) for b in matcher.banks.values()}
    pairs: dict[tuple[str, str], list[RobustMatch]] = defaultdict(list)
    for qname, res in zip(names, results, strict=True):
        for m in res.matches:
            bank_part, item = parts_of(m.entry_id) if m.signal_type == "pdq" else ("full", "")
            route = _route(qname, bank_part)
            if route not in routes_of.get(m.bank, {route}):
                continue
            pairs[(m.bank, item or f"entry:{m.entry_id}")].append(
                RobustMatch(m, route, qname, bank_part, route in DIRECT, 1)
            )
    out = RobustResult(notes=parts.notes)
    for found in pairs.values():
        distinct = {(p.query_part, p.bank_part) for p in found}
        direct = [p for p in found if p.route in DIRECT]
        best = min(direct or found, key=lambda p: (p.route not in DIRECT, p.match.distance))
        ok = bool(direct) or len(distinct) >= MIN_AGREEING or best.match.distance <= STRICT_SINGLE
        chosen = RobustMatch(
            best.match, best.route, best.query_part, best.bank_part, ok, len(distinct)
        )
        (out.matches if ok else out.unverified).append(chosen)
    out.matches.sort(key=lambda r: (r.match.bank, r.match.distance))
    return out


def with_routes(
    matcher: Matcher,
    result: MatchResult,
    hashes: FileHashes,
    content: FileContent,
    *,
    mode: str = "full",
    parts_of: EntryParts | None = None,
) -> MatchResult:
    """``result`` with every match naming its route: whole-image hits on whole
    banked images stand (route ``full``); when there are none, or a hit is on a
    banked crop (which must be verified), the robust routes are tried and only
    verified hits are kept (the others become notes)."""
    parts_of = parts_of or EntryParts(matcher.store)

    def on_crop(m: Match) -> bool:
        return m.signal_type == "pdq" and parts_of(m.entry_id)[0] != "full"

    direct = [m for m in result.matches if not on_crop(m)]
    for m in direct:
        m.details["route"] = "full"
    out = replace(result, matches=direct)
    crop_hit = len(direct) < len(result.matches)
    if mode == "off" or result.suppressed or not (crop_hit or not direct):
        return out
    seen = {(m.bank, m.entry_id) for m in direct}
    found = match_robust(matcher, hashes, content, parts_of, subregions=mode == "full")
    for r in found.matches:
        if (r.match.bank, r.match.entry_id) in seen:
            continue
        r.match.details.update(
            route=r.route, query_part=r.query_part, bank_part=r.bank_part, verified=True
        )
        out.matches.append(r.match)
    out.notes = list(out.notes) + found.notes
    out.notes += [
        f"unverified {r.route} candidate in {r.match.bank} (distance {r.match.distance})"
        for r in found.unverified
    ]
    return out


__all__ = [
    "DIRECT",
    "MODES",
    "SERVICE_DEFAULT",
    "EntryParts",
    "QueryParts",
    "RobustMatch",
    "RobustResult",
    "match_robust",
    "query_parts",
    "robust_mode",
    "with_routes",
]
