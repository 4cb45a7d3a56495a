"""vPDQ video matching with the reference's frame-set criteria.

Two videos match when, after de-duplicating frames and dropping frames below
the quality threshold, at least ``query_match_pct`` of the query's frames have
a frame of the bank video within ``distance`` and at least
``compared_match_pct`` of the bank video's frames have one in the query
(threatexchange defaults: 80%, 0%, distance 31, quality 50). Candidate videos
come from a PDQ index over every bank frame, so only videos sharing at least
one close frame are compared in full.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bulwark.match.pdq_index import PDQHashIndex, hex_to_words
from bulwark.signals.vpdq import VPDQFeature

QUALITY_THRESHOLD = 50
DISTANCE_THRESHOLD = 31
QUERY_MATCH_PCT = 80.0
COMPARED_MATCH_PCT = 0.0


@dataclass(frozen=True)
class VPDQCriteria:
    distance: int = DISTANCE_THRESHOLD
    quality: int = QUALITY_THRESHOLD
    query_match_pct: float = QUERY_MATCH_PCT
    compared_match_pct: float = COMPARED_MATCH_PCT


@dataclass(frozen=True)
class VPDQMatch:
    video: int  # row of the matched video in the index
    query_match_pct: float
    compared_match_pct: float


def _usable(features: list[VPDQFeature], quality: int) -> list[str]:
    seen: dict[str, None] = {}
    for f in features:
        if f.quality >= quality:
            seen.setdefault(f.pdq_hex, None)
    return list(seen)


def match_percentages(
    query: list[VPDQFeature], compared: list[VPDQFeature], criteria: VPDQCriteria
) -> tuple[float, float]:
    """(query-match %, compared-match %) exactly as the reference brute matcher."""
    q = _usable(query, criteria.quality)
    c = _usable(compared, criteria.quality)
    if not q or not c:
        return 0.0, 0.0
    qa, ca = hex_to_words(q), hex_to_words(c)
    x = np.unpackbits((qa[:, None, :] ^ ca[None, :, :]).view(np.uint8), axis=2).sum(axis=2)
    close = x <= criteria.distance
    return 100.0 * close.any(axis=1).sum() / len(q), 100.0 * close.any(axis=0).sum() / len(c)


class VPDQIndex:
    def __init__(self, videos: list[list[VPDQFeature]], criteria: VPDQCriteria | None = None):
        self.criteria = criteria or VPDQCriteria()
        self.videos = videos
        frames: list[str] = []
        owners: list[int] = []
        for v, feats in enumerate(videos):
            for h in _usable(feats, self.criteria.quality):
                frames.append(h)
                owners.append(v)
        self._owner = np.array(owners, dtype=np.int64)
        self._frames = PDQHashIndex(hex_to_words(frames))

    def query(self, features: list[VPDQFeature]) -> list[VPDQMatch]:
        q = _usable(features, self.criteria.quality)
        if not q or len(self._frames) == 0:
            return []
        hits = self._frames.search(hex_to_words(q), self.criteria.distance)
        out = []
        for v in sorted(set(self._owner[hits.index].tolist())):
            qp, cp = match_percentages(features, self.videos[v], self.criteria)
            if qp >= self.criteria.query_match_pct and cp >= self.criteria.compared_match_pct:
                out.append(VPDQMatch(v, qp, cp))
        return out
