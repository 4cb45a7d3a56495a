"""Llama Guard 3 served behind any OpenAI-compatible endpoint (vLLM, Ollama).

The text goes as the user turn of ``POST /v1/chat/completions``; the server
applies the model's chat template, and Llama Guard answers ``safe`` or
``unsafe`` with a second line of hazard codes (``S1,S10``). Codes map onto the
taxonomy; codes with no counterpart (defamation, IP, elections...) are kept in
the details of an evidence-free answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from bulwark.analyze.text.backends.base import ModelBackendError, ModerationBackend, chat_text
from bulwark.evidence import Evidence

#: Llama Guard 3 hazard code -> Bulwark taxonomy category (None: no counterpart).
FROM_LLAMA_GUARD: dict[str, str | None] = {
    "S1": "violence.threat",  # violent crimes
    "S2": None,  # non-violent crimes
    "S3": "ncii",  # sex-related crimes
    "S4": "child_safety.sexualised_minor_prompt",  # child sexual exploitation
    "S5": None,  # defamation
    "S6": None,  # specialised advice
    "S7": None,  # privacy
    "S8": None,  # intellectual property
    "S9": "violent_extremism",  # indiscriminate weapons
    "S10": "hate",
    "S11": "self_harm",
    "S12": "sexual.explicit",
    "S13": None,  # elections
    "S14": None,  # code interpreter abuse
}


class LlamaGuard(ModerationBackend):
    name = "model.llama_guard"
    default_model = "meta-llama/Llama-Guard-3-8B"

    def classify(self, texts: Sequence[str]) -> list[list[Evidence]]:
        return [self._one(t) for t in texts]

    def _one(self, text: str) -> list[Evidence]:
        data = self._post(
            "/v1/chat/completions",
            {
                "model": self.model,
                "messages": [{"role": "user", "content": text}],
                "temperature": 0,
                "max_tokens": 20,
            },
        )
        answer = chat_text(data, self.name).strip()
        lines = [ln.strip() for ln in answer.splitlines() if ln.strip()]
        if not lines or lines[0].lower() not in ("safe", "unsafe"):
            raise ModelBackendError(
                f"{self.name}: expected 'safe' or 'unsafe', got {answer[:80]!r}"
            )
        if lines[0].lower() == "safe":
            return []
        codes = [
            c.strip().upper() for c in (lines[1] if len(lines) > 1 else "").split(",") if c.strip()
        ]
        unknown = [c for c in codes if c not in FROM_LLAMA_GUARD]
        if unknown:
            raise ModelBackendError(f"{self.name}: unknown hazard codes {unknown}")
        out = []
        for code in codes:
            cat = FROM_LLAMA_GUARD[code]
            if cat is not None:
                out.append(
                    Evidence(
                        source="model_api",
                        category=cat,
                        score=1.0,
                        analyzer=self.name,
                        rule=code,
                        details={"model": self.model, "codes": codes},
                    )
                )
        return out


__all__ = ["FROM_LLAMA_GUARD", "LlamaGuard"]
