"""What every analyzer is: a name, the content kinds it accepts, evidence out.

Analyzers judge content that no bank knows. They never raise for bad content:
a problem with the input is itself reported (as a flag or an error entry), so
one odd item cannot stop a batch.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from bulwark.evidence import Evidence
from bulwark.signals.base import FileContent

ContentKind = Literal["image", "video", "text", "prompt", "conversation", "model"]


@dataclass(frozen=True)
class TextContent:
    """A piece of text, or a generation request (prompt plus negative prompt)."""

    text: str | bytes
    negative_prompt: str | bytes = ""
    kind: ContentKind = "text"
    id: str = ""
    context: dict[str, object] = field(default_factory=dict)


#: What analyzers receive: text (or a generation request), or a submitted file
#: whose bytes are decoded at most once (shared with the signal types).
Content = TextContent | FileContent


class Analyzer(ABC):
    name: ClassVar[str]
    kinds: ClassVar[frozenset[ContentKind]]
    #: taxonomy categories this analyzer can report: policies skip analyzers whose
    #: categories no rule reads
    categories: ClassVar[frozenset[str]] = frozenset()
    #: too slow for a synchronous answer (a neural network per image, a hosted
    #: model behind HTTP): the service finishes these asynchronously
    slow: ClassVar[bool] = False

    @abstractmethod
    def analyze(self, content: Content) -> list[Evidence]:
        """Findings for ``content``; an empty list means nothing was found (including
        content of a kind this analyzer does not read)."""


def evidence_provider(
    content: Content, analyzers: Sequence[Analyzer], deferred: set[str] | None = None
) -> Callable[[set[str]], list[Evidence]]:
    """Evidence on demand: only analyzers that can report a requested category run.

    With ``deferred`` given, slow analyzers are not run; the requested categories
    they would have answered are added to it instead, so the caller can give a
    provisional answer now and finish the rest asynchronously.
    """

    def provide(wanted: set[str]) -> list[Evidence]:
        out: list[Evidence] = []
        for a in analyzers:
            asked = a.categories & wanted
            if not asked:
                continue
            if a.slow and deferred is not None:
                deferred.update(asked)
                continue
            out += [e for e in a.analyze(content) if e.category in wanted]
        return out

    return provide


__all__ = ["Analyzer", "Content", "ContentKind", "FileContent", "TextContent", "evidence_provider"]
