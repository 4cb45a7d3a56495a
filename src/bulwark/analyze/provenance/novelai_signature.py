"""Verify NovelAI's ``signed_hash``: an Ed25519 signature over the image's RGB bytes
followed by the ``Comment`` JSON without the ``signed_hash`` field.

The public key is the one NovelAI publishes with its image-metadata tools. A
signature that verifies is cryptographic evidence the image came from NovelAI's
service unchanged: ``confirmed``. Any edit to the pixels or the comment breaks it.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import numpy as np
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

NOVELAI_PUBLIC_KEY = "Y2JcQAOhLwzwSDUJPNgL04nS0Tbqm7cSRc4xk0vRMic="


def signed_message(rgb: np.ndarray, comment: dict[str, Any]) -> bytes:
    body = {k: v for k, v in comment.items() if k != "signed_hash"}
    return np.ascontiguousarray(rgb[:, :, :3]).tobytes() + json.dumps(body).encode("utf-8")


def verify_signed_hash(
    pixels: np.ndarray, comment: dict[str, Any], public_key_b64: str = NOVELAI_PUBLIC_KEY
) -> bool:
    """True when ``comment['signed_hash']`` verifies over ``pixels`` (H, W, 3 or 4)."""
    sig = comment.get("signed_hash")
    if not isinstance(sig, str):
        return False
    try:
        signature = base64.b64decode(sig, validate=True)
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
    except (binascii.Error, ValueError):
        return False
    try:
        key.verify(signature, signed_message(pixels, comment))
    except InvalidSignature:
        return False
    return True


__all__ = ["NOVELAI_PUBLIC_KEY", "signed_message", "verify_signed_hash"]
