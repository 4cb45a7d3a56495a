"""Image analyzers behind the common interface: provenance and nudity."""

from __future__ import annotations

from bulwark.analyze.base import Analyzer, Content, FileContent
from bulwark.analyze.image.nudity import detect_nudity, load_detector
from bulwark.analyze.provenance.detect import check_provenance
from bulwark.errors import MediaError
from bulwark.evidence import Evidence


class ProvenanceAnalyzer(Analyzer):
    """``provenance.ai_generated`` pieces, plus child-safety findings on embedded prompts."""

    name = "provenance.ai_generated"
    kinds = frozenset({"image"})
    categories = frozenset({"provenance.ai_generated", "child_safety.sexualised_minor_prompt"})

    def analyze(self, content: Content) -> list[Evidence]:
        if not isinstance(content, FileContent):
            return []
        result = check_provenance(content.data, name=content.name, limits=content.limits)
        return result.evidence + result.child_safety


class NudityAnalyzer(Analyzer):
    name = "image.nudity"
    kinds = frozenset({"image"})
    categories = frozenset({"sexual.explicit", "sexual.suggestive"})
    slow = True  # an ONNX detector per image: tens to hundreds of milliseconds

    def analyze(self, content: Content) -> list[Evidence]:
        if not isinstance(content, FileContent) or load_detector() is None:
            return []
        try:
            pixels = content.image.pixels
        except MediaError:
            return []  # undecodable files are reported by the hashing stage
        return detect_nudity([pixels])[0]


__all__ = ["NudityAnalyzer", "ProvenanceAnalyzer"]
