"""OpenAI's moderation endpoint (``POST /v1/moderations``).

The request sends a batch of texts; each result has ``flagged``,
``categories`` (booleans) and ``category_scores``. Every category the service
flags becomes evidence in Bulwark's taxonomy with the service's score.
"""

from __future__ import annotations

from collections.abc import Sequence

from bulwark.analyze.text.backends.base import ModelBackendError, ModerationBackend
from bulwark.evidence import Evidence

#: OpenAI moderation category -> Bulwark taxonomy category.
FROM_OPENAI: dict[str, str] = {
    "sexual": "sexual.explicit",
    "sexual/minors": "child_safety.sexualised_minor_prompt",
    "harassment": "harassment",
    "harassment/threatening": "violence.threat",
    "hate": "hate",
    "hate/threatening": "violence.threat",
    "violence": "violence.threat",
    "violence/graphic": "violence.graphic",
    "self-harm": "self_harm",
    "self-harm/intent": "self_harm",
    "self-harm/instructions": "self_harm",
    "illicit/violent": "violence.threat",
}


class OpenAIModeration(ModerationBackend):
    name = "model.openai_moderation"
    default_model = "omni-moderation-latest"

    def classify(self, texts: Sequence[str]) -> list[list[Evidence]]:
        data = self._post("/v1/moderations", {"model": self.model, "input": list(texts)})
        results = data.get("results")
        if not isinstance(results, list) or len(results) != len(texts):
            raise ModelBackendError(
                f"{self.name}: expected {len(texts)} results, got "
                f"{len(results) if isinstance(results, list) else 'none'}"
            )
        out: list[list[Evidence]] = []
        for res in results:
            cats = res.get("categories") or {}
            scores = res.get("category_scores") or {}
            best: dict[str, tuple[float, list[str]]] = {}
            for theirs, flagged in cats.items():
                ours = FROM_OPENAI.get(theirs)
                if not flagged or ours is None:
                    continue
                score = float(scores.get(theirs, 1.0))
                prev = best.get(ours, (0.0, []))
                best[ours] = (max(prev[0], score), [*prev[1], theirs])
            out.append(
                [
                    Evidence(
                        source="model_api",
                        category=cat,
                        score=min(1.0, max(0.0, score)),
                        analyzer=self.name,
                        rule="flagged",
                        details={
                            "model": data.get("model", self.model),
                            "their_categories": theirs,
                        },
                    )
                    for cat, (score, theirs) in best.items()
                ]
            )
        return out


__all__ = ["FROM_OPENAI", "OpenAIModeration"]
