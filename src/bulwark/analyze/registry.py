"""Find analyzers by name, including ones other packages register.

Third-party analyzers are Python entry points in the group
``bulwark.analyzers`` (a class deriving from ``Analyzer``).
"""

from __future__ import annotations

from functools import cache

from bulwark.analyze.base import Analyzer, ContentKind
from bulwark.analyze.image.analyzers import NudityAnalyzer, ProvenanceAnalyzer
from bulwark.analyze.text.child_safety import SexualisedMinorPromptAnalyzer
from bulwark.analyze.text.conversation import ConversationAnalyzer
from bulwark.analyze.text.general import GeneralHarmAnalyzer
from bulwark.plugins import load_plugins

ENTRY_POINT_GROUP = "bulwark.analyzers"
BUILTIN: tuple[type[Analyzer], ...] = (
    SexualisedMinorPromptAnalyzer,
    ConversationAnalyzer,
    GeneralHarmAnalyzer,
    ProvenanceAnalyzer,
    NudityAnalyzer,
)


@cache
def all_analyzers() -> dict[str, type[Analyzer]]:
    return load_plugins(ENTRY_POINT_GROUP, Analyzer, BUILTIN)


def analyzers_for(kind: ContentKind) -> list[Analyzer]:
    """Built-in and registered analyzers for ``kind``, plus any model back-end the
    environment turns on (none by default; see ``analyze/text/backends/config.py``)."""
    from bulwark.analyze.text.backends.config import configured_backends

    found: list[Analyzer] = [cls() for cls in all_analyzers().values() if kind in cls.kinds]
    found += [b for b in configured_backends() if kind in b.kinds]
    return found


def get_analyzer(name: str) -> Analyzer:
    cls = all_analyzers().get(name)
    if cls is None:
        raise KeyError(f"unknown analyzer {name!r} (known: {', '.join(sorted(all_analyzers()))})")
    return cls()


__all__ = ["ENTRY_POINT_GROUP", "all_analyzers", "analyzers_for", "get_analyzer"]
