"""C2PA / Content Credentials through ``c2pa-python``'s Reader.

Every manifest in the store is walked (the active one and those of its
ingredients): ``c2pa.actions``/``c2pa.actions.v2`` entries whose
``digitalSourceType`` is an AI type, and the claim generator. Validation is
decided from the validation codes, not the state string alone:

* ``trusted``: the signature and hashes validate and the signing credential
  chains to a trust anchor (``signingCredential.trusted``) — AI statements are
  *confirmed*;
* ``untrusted``: everything validates but the signer is not on the trust list
  (``signingCredential.untrusted``) — *likely*;
* ``invalid``: any other failure code (a hash mismatch after tampering, a bad
  signature) — the statements are reported as *likely* with the failure named.

The trust list is a PEM bundle given by argument or by
``BULWARK_C2PA_TRUST_ANCHORS`` (a path).
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from bulwark.errors import BulwarkError

AI_SOURCE_TYPES = (
    "trainedAlgorithmicMedia",
    "compositeWithTrainedAlgorithmicMedia",
    "compositeSynthetic",
)
Validation = Literal["trusted", "untrusted", "invalid"]
MIME = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "avif": "image/avif",
    "heif": "image/heif",
    "tiff": "image/tiff",
    "gif": "image/gif",
}


@dataclass
class C2paFindings:
    validation: Validation
    ai_actions: list[dict[str, str]] = field(default_factory=list)
    generators: list[str] = field(default_factory=list)
    failure_codes: list[str] = field(default_factory=list)
    manifests: int = 0


@lru_cache(maxsize=4)
def _context(trust_pem: str | None) -> Any:
    import c2pa

    if not trust_pem:
        return None
    settings = c2pa.Settings.from_dict(
        {"version": 1, "trust": {"trust_anchors": trust_pem, "verify_trust_list": True}}
    )
    return c2pa.Context(settings)


def default_trust_anchors() -> str | None:
    path = os.environ.get("BULWARK_C2PA_TRUST_ANCHORS")
    if not path:
        return None
    with open(path, encoding="utf-8") as f:
        return f.read()


def might_have_manifest(data: bytes) -> bool:
    """A cheap look for the JUMBF label before paying for a Reader."""
    return b"c2pa" in data


def _codes(store: dict[str, Any]) -> tuple[set[str], set[str]]:
    success: set[str] = set()
    failure: set[str] = {s.get("code", "") for s in store.get("validation_status") or []}
    results = (store.get("validation_results") or {}).get("activeManifest") or {}
    success |= {s.get("code", "") for s in results.get("success") or []}
    failure |= {s.get("code", "") for s in results.get("failure") or []}
    return success, failure


def _walk(store: dict[str, Any], out: C2paFindings) -> None:
    manifests = store.get("manifests") or {}
    out.manifests = len(manifests)
    for label, m in manifests.items():
        if not isinstance(m, dict):
            continue
        gen = m.get("claim_generator")
        if isinstance(gen, str):
            out.generators.append(gen)
        for info in m.get("claim_generator_info") or []:
            if isinstance(info, dict) and info.get("name"):
                out.generators.append(f"{info['name']} {info.get('version', '')}".strip())
        for a in m.get("assertions") or []:
            if not isinstance(a, dict) or a.get("label") not in ("c2pa.actions", "c2pa.actions.v2"):
                continue
            for act in (a.get("data") or {}).get("actions") or []:
                dst = str(act.get("digitalSourceType", ""))
                code = dst.rstrip("/").rsplit("/", 1)[-1]
                if code in AI_SOURCE_TYPES:
                    out.ai_actions.append(
                        {
                            "manifest": label,
                            "action": str(act.get("action", "")),
                            "digitalSourceType": code,
                        }
                    )


def read_c2pa(data: bytes, fmt: str, trust_pem: str | None = None) -> C2paFindings | None:
    """Findings, or None when the file carries no manifest store. Raises C2paReadError
    when a store is there but cannot be parsed."""
    import c2pa

    mime = MIME.get(fmt)
    if mime is None or not might_have_manifest(data):
        return None
    try:
        reader = c2pa.Reader(mime, stream=io.BytesIO(data), context=_context(trust_pem))
        store = json.loads(reader.json())
    except c2pa.C2paError as exc:
        if "ManifestNotFound" in type(exc).__name__ or "ManifestNotFound" in str(exc):
            return None
        raise C2paReadError(f"C2PA manifest store could not be read: {exc}") from exc
    success, failure = _codes(store)
    other_failures = sorted(c for c in failure if c and c != "signingCredential.untrusted")
    if other_failures:
        validation: Validation = "invalid"
    elif "signingCredential.trusted" in success:
        validation = "trusted"
    else:
        validation = "untrusted"
    out = C2paFindings(validation, failure_codes=sorted(failure))
    _walk(store, out)
    return out


class C2paReadError(BulwarkError):
    """A manifest store is present but cannot be parsed."""


__all__ = [
    "AI_SOURCE_TYPES",
    "C2paFindings",
    "C2paReadError",
    "default_trust_anchors",
    "might_have_manifest",
    "read_c2pa",
]
