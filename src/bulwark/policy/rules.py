"""Policy rules: a YAML file of conditions -> verdict + effects, validated at load.

A rule reads like this::

    - name: known-csam-hash
      when:
        bank_match: {category: child_safety.known_csam}
      verdict: block_and_report
      effects:
        - {type: preserve_evidence}
        - {type: cybertipline_draft}

Conditions in ``when`` must all hold; ``any`` holds when one of its list of
condition maps holds. Every problem in the file is reported together with its
line number, and nothing is loaded unless the whole file is valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from bulwark.errors import BulwarkError
from bulwark.policy.taxonomy import CATEGORIES

VERDICTS = ("allow", "review", "block", "block_and_report")
SEVERITY = {v: i for i, v in enumerate(VERDICTS)}
CONDITION_KEYS = {
    "bank_match",
    "evidence",
    "provenance",
    "content_kind",
    "surface",
    "user_label",
    "any",
}
EFFECT_TYPES = {
    "review": {"queue", "priority"},
    "webhook": {"url", "event"},
    "label": {"target", "label", "expires_in"},
    "add_to_bank": {"bank"},
    "preserve_evidence": {"days"},
    "cybertipline_draft": set(),
}
_DURATION = re.compile(r"(\d+)([smhdw])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
KINDS = ("image", "video", "text", "prompt", "conversation", "model")
PROVENANCE = ("confirmed", "likely", "none found")


class PolicyError(BulwarkError):
    def __init__(self, source: str, problems: list[tuple[int, str]]):
        self.problems = problems
        shown = "; ".join(f"line {n}: {why}" for n, why in problems[:20])
        super().__init__(f"{source}: {len(problems)} problem(s), policy not loaded: {shown}")


@dataclass(frozen=True)
class Effect:
    type: str
    params: dict[str, Any] = field(default_factory=dict)

    def key(self) -> tuple[str, str]:
        return self.type, repr(sorted(self.params.items()))


@dataclass(frozen=True)
class Rule:
    name: str
    when: dict[str, Any]
    verdict: str
    effects: tuple[Effect, ...]
    line: int


@dataclass(frozen=True)
class Policy:
    rules: tuple[Rule, ...]
    source: str

    def evidence_categories(self) -> set[str]:
        """Categories some rule reads: analyzers for nothing else need not run."""
        out: set[str] = set()

        def walk(when: dict[str, Any]) -> None:
            ev = when.get("evidence")
            if isinstance(ev, dict):
                cats = ev.get("category")
                out.update([cats] if isinstance(cats, str) else cats or [])
            for sub in when.get("any", []) or []:
                if isinstance(sub, dict):
                    walk(sub)

        for r in self.rules:
            walk(r.when)
        return out


def duration(text: str) -> timedelta:
    """A rule's duration ("30d", "12h", "90m", "2w") as a timedelta."""
    m = _DURATION.fullmatch(text)
    if not m:
        raise ValueError(f"not a duration: {text!r}")
    return timedelta(seconds=int(m.group(1)) * _UNITS[m.group(2)])


def _line(node: Any) -> int:
    return int(node.start_mark.line) + 1 if node is not None else 0


def _node_for(node: Any, key: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == key:
                return v
    return node


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _check_when(when: Any, node: Any, problems: list[tuple[int, str]], where: str) -> None:
    line = _line(node)
    if not isinstance(when, dict) or not when:
        problems.append((line, f"{where}: 'when' must be a non-empty map of conditions"))
        return
    for key, value in when.items():
        vnode = _node_for(node, key)
        vline = _line(vnode)
        if key not in CONDITION_KEYS:
            problems.append(
                (
                    vline,
                    f"{where}: unknown condition {key!r} "
                    f"(known: {', '.join(sorted(CONDITION_KEYS))})",
                )
            )
        elif key == "any":
            if not isinstance(value, list) or not value:
                problems.append((vline, f"{where}: 'any' must be a list of condition maps"))
                continue
            for i, sub in enumerate(value):
                subnode = vnode.value[i] if isinstance(vnode, yaml.SequenceNode) else vnode
                _check_when(sub, subnode, problems, f"{where} any[{i}]")
        elif key == "evidence":
            if not isinstance(value, dict):
                problems.append((vline, f"{where}: 'evidence' must be a map"))
                continue
            for c in _as_list(value.get("category", [])):
                if c not in CATEGORIES:
                    problems.append((vline, f"{where}: unknown category {c!r}"))
            if "min_score" in value and not isinstance(value["min_score"], int | float):
                problems.append((vline, f"{where}: min_score must be a number"))
            if "tier" in value and value["tier"] not in ("hard", "soft"):
                problems.append((vline, f"{where}: tier must be 'hard' or 'soft'"))
            extra = set(value) - {"category", "min_score", "tier", "source"}
            if extra:
                problems.append((vline, f"{where}: unknown evidence fields {sorted(extra)}"))
        elif key == "bank_match":
            if value is True:
                continue
            if not isinstance(value, dict):
                problems.append((vline, f"{where}: 'bank_match' must be true or a map"))
                continue
            for c in _as_list(value.get("category", [])):
                if c not in CATEGORIES:
                    problems.append((vline, f"{where}: unknown category {c!r}"))
            extra = set(value) - {"bank", "category", "max_distance", "tag"}
            if extra:
                problems.append((vline, f"{where}: unknown bank_match fields {sorted(extra)}"))
        elif key == "provenance":
            for v in _as_list(value):
                if v not in PROVENANCE:
                    problems.append((vline, f"{where}: provenance must be one of {PROVENANCE}"))
        elif key == "content_kind":
            for v in _as_list(value):
                if v not in KINDS:
                    problems.append((vline, f"{where}: content_kind must be one of {KINDS}"))


def _check_effect(
    raw: Any, node: Any, problems: list[tuple[int, str]], where: str
) -> Effect | None:
    line = _line(node)
    if not isinstance(raw, dict) or "type" not in raw:
        problems.append((line, f"{where}: an effect is a map with a 'type'"))
        return None
    kind = raw["type"]
    if kind not in EFFECT_TYPES:
        problems.append(
            (line, f"{where}: unknown effect {kind!r} (known: {', '.join(sorted(EFFECT_TYPES))})")
        )
        return None
    params = {k: v for k, v in raw.items() if k != "type"}
    extra = set(params) - EFFECT_TYPES[kind]
    if extra:
        problems.append((line, f"{where}: {kind} takes no {sorted(extra)}"))
    if kind == "label":
        try:
            duration(str(params.get("expires_in", "30d")))
        except ValueError:
            problems.append((line, f"{where}: expires_in is a duration like 30d or 12h"))
    if kind == "add_to_bank" and not params.get("bank"):
        problems.append((line, f"{where}: add_to_bank needs a bank"))
    if kind == "webhook" and not str(params.get("url", "")).startswith(("http://", "https://")):
        problems.append((line, f"{where}: webhook needs an http(s) url"))
    return Effect(kind, params)


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    problems: list[tuple[int, str]] = []
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise PolicyError(
            source, [(line, f"not valid YAML: {getattr(exc, 'problem', exc)}")]
        ) from exc
    if isinstance(data, dict) and "rules" in data:
        data = data["rules"]
        root = _node_for(root, "rules")
    if not isinstance(data, list) or not data:
        raise PolicyError(
            source, [(1, "a policy is a non-empty list of rules (or a map with 'rules')")]
        )
    rules: list[Rule] = []
    names: set[str] = set()
    for i, raw in enumerate(data):
        node = root.value[i] if isinstance(root, yaml.SequenceNode) else root
        line = _line(node)
        if not isinstance(raw, dict):
            problems.append((line, f"rule {i + 1}: a rule is a map"))
            continue
        name = str(raw.get("name") or "")
        where = f"rule {name or i + 1!r}"
        if not name:
            problems.append((line, f"rule {i + 1}: missing name"))
        elif name in names:
            problems.append((line, f"{where}: duplicate rule name"))
        names.add(name)
        extra = set(raw) - {"name", "when", "verdict", "effects", "description"}
        if extra:
            problems.append((line, f"{where}: unknown fields {sorted(extra)}"))
        _check_when(raw.get("when"), _node_for(node, "when"), problems, where)
        verdict = raw.get("verdict")
        if verdict not in VERDICTS:
            problems.append(
                (_line(_node_for(node, "verdict")), f"{where}: verdict must be one of {VERDICTS}")
            )
        effects: list[Effect] = []
        enode = _node_for(node, "effects")
        for j, eff in enumerate(raw.get("effects") or []):
            sub = enode.value[j] if isinstance(enode, yaml.SequenceNode) else enode
            e = _check_effect(eff, sub, problems, where)
            if e is not None:
                effects.append(e)
        rules.append(Rule(name, raw.get("when") or {}, str(verdict), tuple(effects), line))
    if problems:
        raise PolicyError(source, sorted(problems))
    return Policy(tuple(rules), source)


def load_policy(path: Path) -> Policy:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(str(path), [(0, f"cannot read: {exc}")]) from exc
    return parse_policy(text, str(path))


def default_policy() -> Policy:
    from importlib import resources

    ref = resources.files("bulwark.policy").joinpath("default_policy.yaml")
    return parse_policy(ref.read_text(encoding="utf-8"), "default_policy.yaml")


__all__ = [
    "EFFECT_TYPES",
    "SEVERITY",
    "VERDICTS",
    "Effect",
    "Policy",
    "PolicyError",
    "Rule",
    "default_policy",
    "duration",
    "load_policy",
    "parse_policy",
]
