"""Indexes that answer "what in the banks is within distance d of this?"."""

from bulwark.match.matcher import Match, Matcher, MatchResult, build_snapshot
from bulwark.match.pdq_index import PDQHashIndex

__all__ = ["Match", "MatchResult", "Matcher", "PDQHashIndex", "build_snapshot"]
