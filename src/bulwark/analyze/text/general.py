"""General harm categories: hate, harassment, sexual.explicit, violence.threat,
self_harm, spam.

Each text becomes a small feature vector: hits of the curated lexicon
(``lexicons/general.toml``, through the evasion-proof normaliser), the two
models that ship inside their packages — ``hatesonar`` (ONNX: hate /
offensive / neither) and ``alt-profanity-check`` (linear model) — fed the
``readable`` view, and a few surface cues (second person, links, capitals).
Per category a logistic function of those features gives a calibrated
probability; its weights are fitted on ``evaluation/text/general_set.jsonl``
by ``evaluation/text/calibrate_general.py`` and shipped as
``lexicons/general_calibration.json``. Thresholds are per category and
configurable.

The models are an optional extra (``pip install bulwark[text-models]``); without
them the lexicon-only weights are used and every finding says so.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from bulwark.analyze.base import Analyzer, Content, TextContent
from bulwark.analyze.text.lexicon import Hit, Lexicon, builtin_lexicon
from bulwark.analyze.text.normalize import (
    DEFAULT_TEXT_LIMITS,
    NormalizedText,
    TextLimits,
    normalize,
)
from bulwark.evidence import Evidence, Span

CATEGORY_GROUPS: dict[str, str] = {
    "hate": "hate",
    "harassment": "harassment",
    "sexual.explicit": "sexual_explicit",
    "violence.threat": "violence_threat",
    "self_harm": "self_harm",
    "spam": "spam",
}
LEXICON_FEATURES = (*CATEGORY_GROUPS.values(), "support_context")
MODEL_FEATURES = ("sonar_hate", "sonar_offensive", "profanity")
CUE_FEATURES = ("second_person", "first_person", "links", "capitals", "spam_phrases")
FEATURES = LEXICON_FEATURES + MODEL_FEATURES + CUE_FEATURES
#: The few features each category's logistic sees ("a*b" is a product). Kept
#: small on purpose: with a labelled set of this size, a model over every
#: feature learns accidents ("first person" means self-harm) instead of harms.
CATEGORY_FEATURES: dict[str, tuple[str, ...]] = {
    "hate": ("hate", "sonar_hate", "sonar_offensive"),
    "harassment": (
        "harassment",
        "sonar_offensive",
        "profanity",
        "second_person*profanity",
        "second_person*harassment",
    ),
    "sexual.explicit": ("sexual_explicit", "profanity"),
    "violence.threat": ("violence_threat", "second_person*violence_threat", "sonar_hate"),
    "self_harm": ("self_harm", "first_person*self_harm", "support_context*self_harm"),
    "spam": ("spam", "spam_phrases", "links", "capitals"),
}

_SECOND = re.compile(r"\b(?:you|your|you're|youre|ur|u|yourself)\b")
_FIRST = re.compile(r"\b(?:i|i'm|im|me|my|myself)\b")
_LINK = re.compile(r"https?://|www\.|\.(?:com|net|org|ru|xyz|example)\b")


@dataclass(frozen=True)
class GeneralConfig:
    """Thresholds on the calibrated probability, per category."""

    thresholds: Mapping[str, float] = field(
        default_factory=lambda: dict.fromkeys(CATEGORY_GROUPS, 0.5)
    )
    use_models: bool = True
    limits: TextLimits = DEFAULT_TEXT_LIMITS


DEFAULT_CONFIG = GeneralConfig()


class _Models:
    """hatesonar and profanity-check, loaded once; None when the extra is missing."""

    def __init__(self) -> None:
        from hatesonar import Sonar
        from profanity_check import predict_prob

        self._sonar = Sonar()
        self._sonar.sess = _single_threaded(self._sonar.sess)
        self._profanity = _fast_profanity() or predict_prob

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """(n, 3): P(hate), P(offensive), P(profane) for each text, in one batch."""
        if not texts:
            return np.zeros((0, 3))
        _, probs = self._sonar.sess.run(None, {"text": np.array(list(texts), dtype=object)})
        sonar = np.array([(p[0], p[1]) for p in probs], dtype=np.float64)
        prof = np.asarray(self._profanity(list(texts)), dtype=np.float64)[:, None]
        return np.hstack([sonar, prof])


def _single_threaded(session: Any) -> Any:
    """The same ONNX model in a session with one intra-op thread.

    onnxruntime's default pool has a thread per core that spins between runs;
    in an API process serving many small requests at once those threads burn
    the cores the other requests need (a tiny model gains nothing from them).
    """
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    path = getattr(session, "_model_path", None)
    if not path:
        return session
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


def _fast_profanity() -> Callable[[Sequence[str]], np.ndarray] | None:
    """profanity-check's own fitted model, evaluated without scikit-learn's per-call work.

    Its model is a TF-IDF vectoriser feeding a CalibratedClassifierCV over five
    linear SVMs with sigmoid calibration; scikit-learn's input checks make
    ``predict_prob`` take ~3.4 ms for one text (and ``transform`` alone ~0.4 ms),
    most of a request's time. The same numbers come from the vectoriser's own
    analyzer, vocabulary and IDF weights and the fitted coefficients in tens of
    microseconds (tests compare the two). Any other model shape falls back to
    the library call.
    """
    try:
        from profanity_check import profanity_check as pc

        vec = pc.vectorizer
        parts = pc.model.calibrated_classifiers_
        if not all(len(c.calibrators) == 1 and hasattr(c.calibrators[0], "a_") for c in parts):
            return None
        if vec.norm != "l2" or vec.sublinear_tf or not vec.use_idf or vec.binary:
            return None
        analyzer = vec.build_analyzer()
        vocabulary: dict[str, int] = vec.vocabulary_
        idf = np.asarray(vec.idf_, dtype=np.float64)
        weights = np.vstack([c.estimator.coef_.ravel() for c in parts]).T
        intercepts = np.array([float(c.estimator.intercept_[0]) for c in parts])
        a = np.array([float(c.calibrators[0].a_) for c in parts])
        b = np.array([float(c.calibrators[0].b_) for c in parts])
    except (AttributeError, ImportError, IndexError, ValueError):
        return None

    def decision(text: str) -> np.ndarray:
        counts = Counter(i for w in analyzer(text) if (i := vocabulary.get(w)) is not None)
        if not counts:
            return intercepts
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        x = np.fromiter(counts.values(), dtype=np.float64, count=len(counts)) * idf[idx]
        out: np.ndarray = (x @ weights[idx]) / np.sqrt(x @ x) + intercepts
        return out

    def predict(texts: Sequence[str]) -> np.ndarray:
        f = np.vstack([decision(t) for t in texts])
        out: np.ndarray = (1.0 / (1.0 + np.exp(a * f + b))).mean(axis=1)
        return out

    return predict


@lru_cache(maxsize=1)
def load_models() -> _Models | None:
    try:
        return _Models()
    except ImportError:
        return None
    except Exception as exc:  # e.g. hatesonar without the en_US.UTF-8 locale
        raise RuntimeError(
            f"text models are installed but failed to load ({exc}); "
            "scripts/setup.sh installs the en_US.UTF-8 locale hatesonar needs"
        ) from exc


@lru_cache(maxsize=1)
def _lexicon() -> Lexicon:
    return builtin_lexicon("general")


@lru_cache(maxsize=1)
def calibration() -> dict[str, Any]:
    ref = resources.files("bulwark.analyze.text").joinpath("lexicons", "general_calibration.json")
    data: dict[str, Any] = json.loads(ref.read_text(encoding="utf-8"))
    if data.get("features") != {c: list(v) for c, v in CATEGORY_FEATURES.items()}:
        raise RuntimeError("general_calibration.json was fitted on other features; re-run it")
    return data


@dataclass(frozen=True)
class TextFeatures:
    norm: NormalizedText
    hits: dict[str, list[Hit]]
    vector: np.ndarray  # len(FEATURES)


def features(
    texts: Sequence[str | bytes],
    *,
    use_models: bool = True,
    limits: TextLimits = DEFAULT_TEXT_LIMITS,
) -> list[TextFeatures]:
    """Feature vectors for a batch (models run once for the whole batch)."""
    norms = [normalize(t, limits) for t in texts]
    models = load_models() if use_models else None
    model_scores = (
        models.scores([n.readable for n in norms]) if models else np.zeros((len(norms), 3))
    )
    out = []
    for norm, ms in zip(norms, model_scores, strict=True):
        hits, _ = _lexicon().find_grouped(norm.match, 16)
        readable = norm.readable
        letters = [c for c in norm.original if c.isalpha()]
        caps = sum(c.isupper() for c in letters) / len(letters) if len(letters) >= 8 else 0.0
        vec = [float(bool(hits.get(g))) for g in LEXICON_FEATURES]
        vec += list(ms)
        vec += [
            float(bool(_SECOND.search(readable))),
            float(bool(_FIRST.search(readable))),
            min(len(_LINK.findall(readable)), 3) / 3,
            caps,
            min(len(hits.get("spam", [])), 3) / 3,
        ]
        out.append(TextFeatures(norm, hits, np.array(vec, dtype=np.float64)))
    return out


def category_vector(category: str, x: np.ndarray) -> np.ndarray:
    """The inputs of one category's logistic, from the full feature vector."""
    values = dict(zip(FEATURES, x, strict=True))
    out = []
    for name in CATEGORY_FEATURES[category]:
        v = 1.0
        for part in name.split("*"):
            v *= float(values[part])
        out.append(v)
    return np.array(out, dtype=np.float64)


def _probability(weights: Mapping[str, Any], x: np.ndarray) -> float:
    z = float(np.dot(np.asarray(weights["coef"], dtype=np.float64), x) + weights["intercept"])
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def classify(
    texts: Sequence[str | bytes], config: GeneralConfig = DEFAULT_CONFIG
) -> list[list[Evidence]]:
    """Evidence per text for every category whose calibrated probability passes its threshold."""
    feats = features(texts, use_models=config.use_models, limits=config.limits)
    cal = calibration()
    with_models = config.use_models and load_models() is not None
    table = cal["with_models" if with_models else "lexicon_only"]
    results: list[list[Evidence]] = []
    for f in feats:
        found = []
        for category, group in CATEGORY_GROUPS.items():
            p = _probability(table[category], category_vector(category, f.vector))
            if p < config.thresholds.get(category, 0.5):
                continue
            hits = f.hits.get(group, [])
            spans = []
            for h in hits[:16]:
                a, b = h.span(f.norm.match)
                spans.append(Span(a, b, f.norm.original[a:b]))
            found.append(
                Evidence(
                    source="classifier",
                    category=category,
                    score=p,
                    analyzer="text.general",
                    rule="calibrated_" + ("models_and_lexicon" if with_models else "lexicon"),
                    spans=tuple(spans),
                    details={
                        "features": {
                            k: round(float(v), 3)
                            for k, v in zip(FEATURES, f.vector, strict=True)
                            if v
                        },
                        "models": "hatesonar+profanity-check" if with_models else "not used",
                    },
                )
            )
        results.append(found)
    return results


class GeneralHarmAnalyzer(Analyzer):
    name = "text.general"
    kinds = frozenset({"text", "prompt"})
    categories = frozenset(CATEGORY_GROUPS)

    def __init__(self, config: GeneralConfig = DEFAULT_CONFIG):
        self.config = config

    def analyze(self, content: Content) -> list[Evidence]:
        if not isinstance(content, TextContent):
            return []
        return classify([content.text], self.config)[0]


__all__ = [
    "CATEGORY_FEATURES",
    "CATEGORY_GROUPS",
    "FEATURES",
    "GeneralConfig",
    "GeneralHarmAnalyzer",
    "TextFeatures",
    "calibration",
    "category_vector",
    "classify",
    "features",
    "load_models",
]
