"""Score text analyzers against a labelled set: precision, recall and F1 per category.

An item counts as positive for a category when any analyzer returns evidence in
it. Items whose expected list is empty are the benign cases; the false-positive
rate is measured over them, overall and per ``case`` label when the set has one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bulwark.analyze.base import Analyzer, TextContent
from bulwark.analyze.text.records import TextItem
from bulwark.evidence import Evidence


@dataclass(frozen=True)
class CategoryScore:
    category: str
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Miss:
    item: TextItem
    expected: frozenset[str]
    predicted: frozenset[str]
    evidence: tuple[Evidence, ...]


@dataclass
class EvalReport:
    scores: list[CategoryScore]
    misclassified: list[Miss]
    n_items: int
    benign: int
    benign_fired: int
    recall_by_group: dict[str, tuple[int, int]] = field(default_factory=dict)
    fpr_by_case: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def false_positive_rate(self) -> float:
        return self.benign_fired / self.benign if self.benign else 0.0


def predict(analyzers: Sequence[Analyzer], item: TextItem) -> list[Evidence]:
    content = TextContent(item.text, item.negative_prompt, kind="prompt", id=item.id)
    out: list[Evidence] = []
    for a in analyzers:
        out.extend(a.analyze(content))
    return out


def evaluate(
    analyzers: Sequence[Analyzer],
    items: Iterable[TextItem],
    categories: Iterable[str] | None = None,
) -> EvalReport:
    """Score ``items``. ``categories`` limits which predictions count: a set labelled
    only for child safety says nothing about, say, spam, so by default only the
    categories that appear in some item's ``expected`` list are scored."""
    items = list(items)
    scored = (
        set(categories)
        if categories is not None
        else {c for it in items if it.expected for c in it.expected}
    )
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    misses: list[Miss] = []
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    cases: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    n = benign = benign_fired = 0
    for item in items:
        if item.expected is None:
            continue
        n += 1
        evidence = [e for e in predict(analyzers, item) if e.category in scored]
        predicted = frozenset(e.category for e in evidence)
        expected = frozenset(item.expected)
        for c in predicted | expected:
            if c in predicted and c in expected:
                tp[c] += 1
            elif c in predicted:
                fp[c] += 1
            else:
                fn[c] += 1
        if predicted != expected:
            misses.append(Miss(item, expected, predicted, tuple(evidence)))
        if expected:
            g = groups[str(item.meta.get("evasion", "all"))]
            g[0] += int(expected <= predicted)
            g[1] += 1
        else:
            benign += 1
            benign_fired += int(bool(predicted))
            case = cases[str(item.meta.get("case", "all"))]
            case[0] += int(bool(predicted))
            case[1] += 1
    scores = [CategoryScore(c, tp[c], fp[c], fn[c]) for c in sorted(set(tp) | set(fp) | set(fn))]
    return EvalReport(
        scores,
        misses,
        n,
        benign,
        benign_fired,
        {k: (v[0], v[1]) for k, v in sorted(groups.items())},
        {k: (v[0], v[1]) for k, v in sorted(cases.items())},
    )


__all__ = ["CategoryScore", "EvalReport", "Miss", "evaluate", "predict"]
