"""Training metadata that kohya-ss scripts and the modelspec convention write
into safetensors headers, and what it says about the training data.

The caption tags a LoRA was trained on (``ss_tag_frequency``), its dataset
folders, class tokens, trigger phrases and titles all go through the
child-safety prompt policy: a model trained on captions that combine youth and
sexual terms was built to produce abuse, whatever its file name says.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bulwark.analyze.text.child_safety import PromptResult, check_prompt
from bulwark.evidence import Evidence

CATEGORY = "child_safety.abuse_model"
#: Tags per dataset folder read into the policy (most frequent first).
MAX_TAGS = 2000


@dataclass(frozen=True)
class TrainingInfo:
    tag_frequency: dict[str, dict[str, int]] = field(default_factory=dict)  # folder -> tag -> n
    dataset_dirs: dict[str, dict[str, Any]] = field(default_factory=dict)
    class_tokens: list[str] = field(default_factory=list)
    caption_prefixes: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # output name, comment, modelspec fields
    problems: list[str] = field(default_factory=list)

    @property
    def total_images(self) -> int:
        return sum(int(d.get("img_count", 0) or 0) for d in self.dataset_dirs.values())


def _json_field(meta: Mapping[str, str], key: str, problems: list[str]) -> Any:
    raw = meta.get(key)
    if raw is None or raw in ("", "None", "null"):
        return None
    try:
        return json.loads(raw)
    except RecursionError:
        problems.append(f"{key}: JSON nested too deeply, not read")
    except json.JSONDecodeError as exc:
        problems.append(f"{key}: not JSON ({exc.msg}), not read")
    return None


def parse_training_metadata(meta: Mapping[str, str]) -> TrainingInfo:
    problems: list[str] = []
    tags: dict[str, dict[str, int]] = {}
    raw_tags = _json_field(meta, "ss_tag_frequency", problems)
    if isinstance(raw_tags, dict):
        for folder, counts in raw_tags.items():
            if isinstance(counts, dict):
                tags[str(folder)] = {
                    str(t).strip(): int(c) for t, c in counts.items() if isinstance(c, int | float)
                }
    dirs = _json_field(meta, "ss_dataset_dirs", problems)
    dataset_dirs = (
        {str(k): v for k, v in dirs.items() if isinstance(v, dict)}
        if isinstance(dirs, dict)
        else {}
    )
    class_tokens: list[str] = []
    prefixes: list[str] = []
    datasets = _json_field(meta, "ss_datasets", problems)
    if isinstance(datasets, list):
        for ds in datasets:
            for sub in ds.get("subsets", []) if isinstance(ds, dict) else []:
                if not isinstance(sub, dict):
                    continue
                if isinstance(sub.get("class_tokens"), str):
                    class_tokens.append(sub["class_tokens"])
                if isinstance(sub.get("caption_prefix"), str):
                    prefixes.append(sub["caption_prefix"])
            if isinstance(ds, dict) and isinstance(ds.get("tag_frequency"), dict):
                for folder, counts in ds["tag_frequency"].items():
                    if isinstance(counts, dict):
                        tags.setdefault(str(folder), {}).update(
                            {
                                str(t).strip(): int(c)
                                for t, c in counts.items()
                                if isinstance(c, int | float)
                            }
                        )
    texts = {
        k: v
        for k, v in meta.items()
        if k
        in (
            "ss_output_name",
            "ss_training_comment",
            "modelspec.title",
            "modelspec.trigger_phrase",
            "modelspec.tags",
            "modelspec.description",
        )
        and isinstance(v, str)
        and v not in ("", "None")
    }
    return TrainingInfo(tags, dataset_dirs, class_tokens, prefixes, texts, problems)


def _evidence(result: PromptResult, rule: str, **details: Any) -> Evidence:
    return Evidence(
        source="lexicon",
        category=CATEGORY,
        score=max(f.score for f in result.findings),
        analyzer="models.training_metadata",
        tier=result.tier,
        rule=rule,
        details={"rules": sorted({f.rule for f in result.findings}), **details},
    )


def audit_training(info: TrainingInfo) -> list[Evidence]:
    """Child-safety findings on what the model was trained on, with the offending tags."""
    findings: list[Evidence] = []
    for folder, counts in info.tag_frequency.items():
        ordered = sorted(counts.items(), key=lambda kv: -kv[1])[:MAX_TAGS]
        # the folder name ("10_loli girl") is part of what the trainer saw
        items = [folder, *(t for t, _ in ordered)]
        joined = ", ".join(items)
        result = check_prompt(joined)
        if not result.fired:
            continue
        offending = sorted({s.text.strip() for f in result.findings for s in f.spans})
        tag_counts = {t: counts[t] for t in counts if any(o in t for o in offending)}
        findings.append(
            _evidence(
                result,
                "training_captions",
                folder=folder,
                offending_tags=dict(sorted(tag_counts.items(), key=lambda kv: -kv[1])[:50]),
                triggers=offending[:50],
                images_captioned=sum(counts.values()),
            )
        )
    named = {f"class_token[{i}]": t for i, t in enumerate(info.class_tokens)}
    named |= {f"caption_prefix[{i}]": t for i, t in enumerate(info.caption_prefixes)}
    named |= {f"dataset_dir[{d}]": d for d in info.dataset_dirs}
    named |= info.texts
    for where, text in named.items():
        result = check_prompt(text.replace("_", " "))
        if result.fired:
            triggers = sorted({s.text for f in result.findings for s in f.spans})
            findings.append(_evidence(result, "model_description", field=where, triggers=triggers))
    return findings


__all__ = ["CATEGORY", "TrainingInfo", "audit_training", "parse_training_metadata"]
