"""Fit the general categories' calibration on evaluation/text/general_set.jsonl.

Run: .venv/bin/python evaluation/text/calibrate_general.py

For each category, a logistic regression over the feature vector of
``bulwark.analyze.text.general`` (lexicon hits, hatesonar and profanity-check
scores, surface cues) turns features into a calibrated probability. It is fitted
on the ``calibrate`` split twice — with the models and lexicon-only — and
written to src/bulwark/analyze/text/lexicons/general_calibration.json. The
``holdout`` split is scored and printed so the fit can be judged on texts it
did not see.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from bulwark.analyze.text.general import (
    CATEGORY_FEATURES,
    CATEGORY_GROUPS,
    FEATURES,
    MODEL_FEATURES,
    category_vector,
    features,
)

SET = Path(__file__).with_name("general_set.jsonl")
OUT = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "bulwark"
    / "analyze"
    / "text"
    / "lexicons"
    / "general_calibration.json"
)


def main() -> None:
    items = [json.loads(line) for line in SET.read_text("utf-8").splitlines() if line]
    cal = [it for it in items if it["split"] == "calibrate"]
    hold = [it for it in items if it["split"] == "holdout"]
    result: dict[str, object] = {
        "features": {c: list(v) for c, v in CATEGORY_FEATURES.items()},
        "fitted_on": SET.name,
    }
    for variant, use_models in (("with_models", True), ("lexicon_only", False)):
        x_cal = np.array(
            [f.vector for f in features([i["text"] for i in cal], use_models=use_models)]
        )
        x_hold = np.array(
            [f.vector for f in features([i["text"] for i in hold], use_models=use_models)]
        )
        if not use_models:
            idx = [FEATURES.index(m) for m in MODEL_FEATURES]
            x_cal[:, idx] = 0.0
            x_hold[:, idx] = 0.0
        table: dict[str, dict[str, object]] = {}
        print(f"\n{variant}: holdout precision / recall / F1")
        for category in CATEGORY_GROUPS:
            xc = np.array([category_vector(category, v) for v in x_cal])
            xh = np.array([category_vector(category, v) for v in x_hold])
            y = np.array([category in i["expected"] for i in cal])
            model = LogisticRegression(C=4.0, class_weight="balanced", max_iter=1000)
            model.fit(xc, y)
            table[category] = {
                "coef": [round(float(c), 5) for c in model.coef_[0]],
                "intercept": round(float(model.intercept_[0]), 5),
            }
            y_hold = np.array([category in i["expected"] for i in hold])
            pred = model.predict_proba(xh)[:, 1] >= 0.5
            tp = int(np.sum(pred & y_hold))
            p = tp / max(1, int(pred.sum()))
            r = tp / max(1, int(y_hold.sum()))
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            print(f"  {category:18} {p:.3f} / {r:.3f} / {f1:.3f}")
        result[variant] = table
    OUT.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {OUT}")


if __name__ == "__main__":
    main()
