"""ShieldGemma served behind an OpenAI-compatible endpoint.

ShieldGemma judges one policy at a time: the prompt states the policy and asks
whether the user text violates it; the model answers ``Yes`` or ``No``. We ask
for the first token's log-probabilities and read P(Yes) as the score (when the
server returns them), otherwise Yes = 1.0 and No = 0.0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from bulwark.analyze.text.backends.base import ModelBackendError, ModerationBackend, chat_text
from bulwark.evidence import Evidence

#: ShieldGemma's four harm policies -> Bulwark taxonomy category.
POLICIES: dict[str, tuple[str, str]] = {
    "sexual.explicit": (
        "No Sexually Explicit Information",
        "The prompt shall not contain or seek generation of content that contains "
        "references to sexual acts or other lewd content.",
    ),
    "hate": (
        "No Hate Speech",
        "The prompt shall not contain or seek generation of content that targets identity "
        "and/or protected attributes with dehumanizing or demeaning language.",
    ),
    "harassment": (
        "No Harassment",
        "The prompt shall not contain or seek generation of content that is malicious, "
        "intimidating, bullying, or abusive content targeting another individual.",
    ),
    "violence.threat": (
        "No Dangerous Content",
        "The prompt shall not contain or seek generation of content that harms oneself "
        "and/or others.",
    ),
}

_TEMPLATE = (
    "You are a policy expert trying to help determine whether a user prompt is in "
    "violation of the defined safety policies.\n\n<start_of_turn>\nHuman Question: {text}\n"
    '<end_of_turn>\n\nOur safety principle is defined in the below:\n\n* "{name}": {desc}\n\n'
    "Does the human question violate the above principle? Your answer must start with "
    "'Yes' or 'No'. And then walk through step by step to be sure we answer correctly.\n"
)


class ShieldGemma(ModerationBackend):
    name = "model.shieldgemma"
    default_model = "google/shieldgemma-2b"
    #: P(Yes) at or above this is a violation of the policy
    threshold = 0.5

    def classify(self, texts: Sequence[str]) -> list[list[Evidence]]:
        return [self._one(t) for t in texts]

    def _p_yes(self, text: str, name: str, desc: str) -> float:
        data = self._post(
            "/v1/chat/completions",
            {
                "model": self.model,
                "messages": [
                    {"role": "user", "content": _TEMPLATE.format(text=text, name=name, desc=desc)}
                ],
                "temperature": 0,
                "max_tokens": 1,
                "logprobs": True,
                "top_logprobs": 5,
            },
        )
        answer = chat_text(data, self.name).strip().lower()
        if not answer.startswith(("yes", "no")):
            raise ModelBackendError(f"{self.name}: expected 'Yes' or 'No', got {answer[:40]!r}")
        try:
            top = data["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
            probs = {t["token"].strip().lower(): math.exp(float(t["logprob"])) for t in top}
            yes, no = probs.get("yes", 0.0), probs.get("no", 0.0)
            if yes + no > 0:
                return yes / (yes + no)
        except (KeyError, IndexError, TypeError, ValueError):
            pass
        return 1.0 if answer.startswith("yes") else 0.0

    def _one(self, text: str) -> list[Evidence]:
        out = []
        for category, (name, desc) in POLICIES.items():
            p = self._p_yes(text, name, desc)
            if p >= self.threshold:
                out.append(
                    Evidence(
                        source="model_api",
                        category=category,
                        score=p,
                        analyzer=self.name,
                        rule=name,
                        details={"model": self.model, "policy": name},
                    )
                )
        return out


__all__ = ["POLICIES", "ShieldGemma"]
