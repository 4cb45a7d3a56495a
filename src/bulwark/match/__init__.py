"""Indexes that answer "what in the banks is within distance d of this?".

Names are imported lazily: a process that only serves a saved ``PDQHashIndex``
should not pay for the bank store's SQLAlchemy and Alembic imports (~60 MB).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Match": "bulwark.match.matcher",
    "MatchResult": "bulwark.match.matcher",
    "Matcher": "bulwark.match.matcher",
    "build_snapshot": "bulwark.match.matcher",
    "PDQHashIndex": "bulwark.match.pdq_index",
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'bulwark.match' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)


__all__ = sorted(_EXPORTS)
