"""The one interface every model back-end implements."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import httpx

from bulwark.analyze.base import Analyzer, Content, TextContent
from bulwark.errors import BulwarkError
from bulwark.evidence import Evidence
from bulwark.policy.taxonomy import CATEGORIES


class ModelBackendError(BulwarkError):
    """The model service could not be reached or answered something unreadable."""


class ModerationBackend(Analyzer, ABC):
    """An analyzer whose judgement comes from a model behind an HTTP API."""

    kinds = frozenset({"text", "prompt"})
    #: a hosted model may say anything in the taxonomy
    categories = frozenset(CATEGORIES)
    slow = True  # a model behind HTTP: seconds, not microseconds
    default_model: str = ""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        model: str | None = None,
        timeout_s: float = 10.0,
        client: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model or self.default_model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = client or httpx.Client(timeout=timeout_s, headers=headers)

    def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.base_url}{path}"
        try:
            r = self._client.post(url, json=payload)
        except httpx.HTTPError as exc:
            raise ModelBackendError(f"{self.name}: cannot reach {url}: {exc}") from exc
        if r.status_code != 200:
            raise ModelBackendError(
                f"{self.name}: {url} answered HTTP {r.status_code}: {r.text[:200]}"
            )
        try:
            data = r.json()
        except json.JSONDecodeError as exc:
            raise ModelBackendError(
                f"{self.name}: {url} answered non-JSON: {r.text[:200]}"
            ) from exc
        if not isinstance(data, dict):
            raise ModelBackendError(
                f"{self.name}: {url} answered {type(data).__name__}, not an object"
            )
        return data

    @abstractmethod
    def classify(self, texts: Sequence[str]) -> list[list[Evidence]]:
        """Evidence per text."""

    def analyze(self, content: Content) -> list[Evidence]:
        if not isinstance(content, TextContent):
            return []
        text = (
            content.text
            if isinstance(content.text, str)
            else content.text.decode("utf-8", "replace")
        )
        return self.classify([text])[0]


def chat_text(data: dict[str, Any], who: str) -> str:
    """The first choice's message content of an OpenAI-compatible chat completion."""
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise ModelBackendError(
            f"{who}: chat completion without choices[0].message.content"
        ) from exc
    if not isinstance(content, str):
        raise ModelBackendError(f"{who}: message content is {type(content).__name__}, not text")
    return content


__all__ = ["ModelBackendError", "ModerationBackend", "chat_text"]
