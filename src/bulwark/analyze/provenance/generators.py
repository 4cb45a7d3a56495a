"""Metadata that image generators write, parsed into what a reviewer needs:
which tool, the prompt and negative prompt, and the models used.

Formats follow what each tool writes (read from their public outputs):
AUTOMATIC1111/Forge ``parameters`` text; ComfyUI ``prompt`` (API graph) and
``workflow`` (UI graph) JSON; NovelAI ``Software``/``Source``/``Comment``;
InvokeAI ``invokeai_metadata``; SwarmUI ``sui_image_params``; Fooocus
``fooocus_scheme``/JSON parameters; Midjourney's ``Description`` with a Job ID;
and EXIF ``Software`` of known generators.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_JSON_CHARS = 5_000_000


@dataclass
class GenerationInfo:
    tool: str
    found_in: str  # the metadata field it was read from
    prompt: str = ""
    negative_prompt: str = ""
    settings: dict[str, str] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)  # name/kind -> hash
    extra_prompts: list[str] = field(default_factory=list)


_SETTING = re.compile(r'\s*([\w \-/]{1,60}):\s*("(?:\\.|[^\\"]){0,20000}"|[^,]{0,2000})(?:,|$)')
_KNOWN_SOFTWARE = {
    "novelai": "NovelAI",
    "stable diffusion": "Stable Diffusion",
    "midjourney": "Midjourney",
    "dall-e": "DALL-E",
    "dall·e": "DALL-E",
    "firefly": "Adobe Firefly",
    "imagen": "Google Imagen",
    "ideogram": "Ideogram",
    "leonardo.ai": "Leonardo.Ai",
    "comfyui": "ComfyUI",
    "invokeai": "InvokeAI",
    "fooocus": "Fooocus",
    "automatic1111": "AUTOMATIC1111",
    "bing image creator": "Bing Image Creator",
    "flux": "FLUX",
    "stability ai": "Stability AI",
    "dreamstudio": "DreamStudio",
}


def _json(text: str) -> Any:
    if len(text) > MAX_JSON_CHARS:
        return None
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError):
        return None


def parse_a1111(text: str, where: str = "parameters") -> GenerationInfo | None:
    """``prompt\\nNegative prompt: ...\\nSteps: 20, Sampler: ..., Model hash: ...``."""
    lines = text.strip().split("\n")
    if not lines:
        return None
    settings_line = lines[-1] if re.match(r"\s*Steps:\s*\d", lines[-1]) else ""
    body = lines[:-1] if settings_line else lines
    prompt_lines: list[str] = []
    negative_lines: list[str] = []
    target = prompt_lines
    for line in body:
        if line.startswith("Negative prompt:"):
            target = negative_lines
            line = line[len("Negative prompt:") :].strip()
        target.append(line)
    if not settings_line and not negative_lines:
        return None
    settings = {}
    for m in _SETTING.finditer(settings_line):
        key, value = m.group(1).strip(), m.group(2).strip()
        if value.startswith('"') and value.endswith('"'):
            value = value[1:-1].replace('\\"', '"')
        settings[key] = value
    models = {}
    if "Model hash" in settings:
        models[settings.get("Model", "model")] = settings["Model hash"]
    for key in ("Lora hashes", "TI hashes"):
        for part in settings.get(key, "").split(","):
            if ":" in part:
                name, h = part.rsplit(":", 1)
                models[f"{key.split()[0].lower()}:{name.strip()}"] = h.strip()
    tool = "Forge" if "Forge" in settings.get("Version", "") else "AUTOMATIC1111"
    return GenerationInfo(
        tool,
        where,
        "\n".join(prompt_lines).strip(),
        "\n".join(negative_lines).strip(),
        settings,
        models,
    )


def _comfy_texts(graph: Any) -> Iterator[str]:
    """Prompt texts in a ComfyUI API graph ({id: {class_type, inputs}}) or UI workflow."""
    if isinstance(graph, Mapping) and "nodes" in graph and isinstance(graph["nodes"], list):
        for node in graph["nodes"][:5000]:
            if not isinstance(node, Mapping):
                continue
            kind = str(node.get("type", ""))
            if "TextEncode" in kind or "Prompt" in kind:
                for w in node.get("widgets_values") or []:
                    if isinstance(w, str) and w.strip():
                        yield w
        return
    if isinstance(graph, Mapping):
        for node in list(graph.values())[:5000]:
            if not isinstance(node, Mapping):
                continue
            inputs = node.get("inputs") or {}
            if not isinstance(inputs, Mapping):
                continue
            for key in ("text", "text_g", "text_l", "prompt", "positive", "negative"):
                v = inputs.get(key)
                if isinstance(v, str) and v.strip():
                    yield v


def parse_comfyui(fields: Mapping[str, str]) -> GenerationInfo | None:
    texts: list[str] = []
    found = False
    for key in ("prompt", "workflow"):
        if key in fields:
            graph = _json(fields[key])
            if graph is not None:
                found = True
                texts += [t for t in _comfy_texts(graph) if t not in texts]
    if not found:
        return None
    info = GenerationInfo("ComfyUI", "prompt/workflow")
    info.extra_prompts = texts
    info.prompt = texts[0] if texts else ""
    return info


def parse_novelai(fields: Mapping[str, str]) -> GenerationInfo | None:
    software = fields.get("Software", "")
    comment = _json(fields.get("Comment", "")) if "Comment" in fields else None
    if "NovelAI" not in software and not (isinstance(comment, Mapping) and "uc" in comment):
        return None
    info = GenerationInfo("NovelAI", "Software/Comment")
    info.settings["Source"] = fields.get("Source", "")
    if isinstance(comment, Mapping):
        info.prompt = str(comment.get("prompt", fields.get("Description", "")))
        info.negative_prompt = str(comment.get("uc", ""))
        if "signed_hash" in comment:
            info.settings["signed_hash"] = str(comment["signed_hash"])
    else:
        info.prompt = fields.get("Description", "")
    return info


def parse_others(fields: Mapping[str, str]) -> Iterator[GenerationInfo]:
    if "invokeai_metadata" in fields or "sd-metadata" in fields:
        meta = _json(fields.get("invokeai_metadata") or fields.get("sd-metadata", ""))
        info = GenerationInfo("InvokeAI", "invokeai_metadata")
        if isinstance(meta, Mapping):
            info.prompt = str(meta.get("positive_prompt") or meta.get("prompt") or "")
            info.negative_prompt = str(meta.get("negative_prompt") or "")
        yield info
    params = fields.get("parameters", "")
    if params.lstrip().startswith("{"):
        meta = _json(params)
        if isinstance(meta, Mapping):
            if "sui_image_params" in meta:
                p = (
                    meta["sui_image_params"]
                    if isinstance(meta["sui_image_params"], Mapping)
                    else {}
                )
                yield GenerationInfo(
                    "SwarmUI",
                    "parameters",
                    str(p.get("prompt", "")),
                    str(p.get("negativeprompt", "")),
                )
            elif "fooocus" in json.dumps(meta)[:20000].lower() or "fooocus_scheme" in fields:
                yield GenerationInfo(
                    "Fooocus",
                    "parameters",
                    str(meta.get("prompt", "")),
                    str(meta.get("negative_prompt", "")),
                )
    if "fooocus_scheme" in fields and not params.lstrip().startswith("{"):
        yield GenerationInfo("Fooocus", "fooocus_scheme", params)
    desc = fields.get("Description", "")
    if "Job ID:" in desc:
        yield GenerationInfo("Midjourney", "Description", desc.split("Job ID:")[0].strip())


def software_generator(software: str) -> str | None:
    s = software.lower()
    for needle, name in _KNOWN_SOFTWARE.items():
        if needle in s:
            return name
    return None


def find_generators(fields: Mapping[str, str]) -> list[GenerationInfo]:
    """Every generator record in the text fields (PNG chunks plus EXIF UserComment)."""
    found: list[GenerationInfo] = []
    for key in ("parameters", "UserComment"):
        text = fields.get(key, "")
        if text and not text.lstrip().startswith("{"):
            info = parse_a1111(text, key)
            if info is not None:
                found.append(info)
    for parser in (parse_comfyui, parse_novelai):
        info = parser(fields)
        if info is not None:
            found.append(info)
    found += list(parse_others(fields))
    return found


__all__ = [
    "GenerationInfo",
    "find_generators",
    "parse_a1111",
    "parse_comfyui",
    "parse_novelai",
    "software_generator",
]
