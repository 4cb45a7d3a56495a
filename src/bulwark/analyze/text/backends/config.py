"""Which model back-ends are on: read from the environment, all off by default.

* ``BULWARK_OPENAI_MODERATION=1`` with ``OPENAI_API_KEY`` (and optionally
  ``OPENAI_BASE_URL``) turns on OpenAI moderation;
* ``BULWARK_GUARD_URL`` (an OpenAI-compatible server) with ``BULWARK_GUARD_KIND``
  (``llama_guard`` or ``shieldgemma``), optional ``BULWARK_GUARD_MODEL`` and
  ``BULWARK_GUARD_API_KEY`` turns on a guard model.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from bulwark.analyze.text.backends.base import ModelBackendError, ModerationBackend
from bulwark.analyze.text.backends.llama_guard import LlamaGuard
from bulwark.analyze.text.backends.openai_moderation import OpenAIModeration
from bulwark.analyze.text.backends.shieldgemma import ShieldGemma

GUARDS: dict[str, type[ModerationBackend]] = {"llama_guard": LlamaGuard, "shieldgemma": ShieldGemma}


def configured_backends(env: Mapping[str, str] | None = None) -> list[ModerationBackend]:
    env = os.environ if env is None else env
    out: list[ModerationBackend] = []
    if env.get("BULWARK_OPENAI_MODERATION", "").lower() in ("1", "true", "yes"):
        key = env.get("OPENAI_API_KEY")
        if not key:
            raise ModelBackendError("BULWARK_OPENAI_MODERATION is on but OPENAI_API_KEY is not set")
        out.append(
            OpenAIModeration(env.get("OPENAI_BASE_URL", "https://api.openai.com"), api_key=key)
        )
    url = env.get("BULWARK_GUARD_URL")
    if url:
        kind = env.get("BULWARK_GUARD_KIND", "llama_guard")
        if kind not in GUARDS:
            raise ModelBackendError(
                f"BULWARK_GUARD_KIND must be one of {sorted(GUARDS)}, got {kind!r}"
            )
        out.append(
            GUARDS[kind](
                url, api_key=env.get("BULWARK_GUARD_API_KEY"), model=env.get("BULWARK_GUARD_MODEL")
            )
        )
    return out


__all__ = ["GUARDS", "configured_backends"]
