"""IPTC digital source type and the 2025 AI fields in XMP, parsed with defusedxml.

``Iptc4xmpExt:DigitalSourceType`` may be written as an attribute of
``rdf:Description``, as element text, or as an ``rdf:resource`` attribute of the
element; all three are read. XML with entity declarations (billion laughs) is
refused by defusedxml and reported, never expanded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

IPTC_EXT = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
AI_SOURCE_TYPES = {
    "trainedAlgorithmicMedia": "likely",
    "compositeWithTrainedAlgorithmicMedia": "likely",
    "compositeSynthetic": "likely",
    "algorithmicMedia": "likely",
}
AI_FIELDS = ("AISystemUsed", "AISystemVersionUsed", "AIPromptInformation", "AIPromptWriterName")


@dataclass
class XmpFindings:
    source_types: list[str] = field(default_factory=list)
    ai_fields: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _code(value: str) -> str:
    return value.strip().rstrip("/").rsplit("/", 1)[-1]


def read_xmp(packet: bytes) -> XmpFindings:
    out = XmpFindings()
    start = packet.find(b"<")
    if start < 0:
        out.problems.append("XMP packet holds no XML")
        return out
    try:
        root = SafeET.fromstring(packet[start:])
    except DefusedXmlException as exc:
        out.problems.append(f"XMP refused ({type(exc).__name__}): entity declarations are not read")
        return out
    except SafeET.ParseError as exc:
        out.problems.append(f"XMP is not well-formed XML: {exc}")
        return out
    dst = f"{{{IPTC_EXT}}}DigitalSourceType"
    for el in root.iter():
        value = el.attrib.get(dst)
        if value:
            out.source_types.append(_code(value))
        if el.tag == dst:
            res = el.attrib.get(f"{{{RDF}}}resource")
            if res:
                out.source_types.append(_code(res))
            elif el.text and el.text.strip():
                out.source_types.append(_code(el.text))
        for name in AI_FIELDS:
            tag = f"{{{IPTC_EXT}}}{name}"
            if el.tag == tag:
                text = " ".join(t.strip() for t in el.itertext() if t.strip())
                if text:
                    out.ai_fields[name] = text[:10_000]
            elif el.attrib.get(tag):
                out.ai_fields[name] = el.attrib[tag][:10_000]
    return out


__all__ = ["AI_FIELDS", "AI_SOURCE_TYPES", "XmpFindings", "read_xmp"]
