"""Evidence preservation: reported media kept encrypted at rest, then purged.

AES-256-GCM (``cryptography``) with a key from configuration
(``BULWARK_PRESERVATION_KEY``, 32 bytes base64); the content id is bound in as
associated data so a ciphertext cannot be swapped onto another item. Items
expire after the retention period (365 days by default, as the US REPORT Act
requires for reported material) and ``purge_expired`` deletes them.
"""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bulwark.errors import BulwarkError
from bulwark.store.db import Database, rows_affected
from bulwark.store.models import PreservedItemRow, utcnow

DEFAULT_DAYS = 365


class PreservationError(BulwarkError):
    pass


def key_from_env() -> bytes:
    raw = os.environ.get("BULWARK_PRESERVATION_KEY")
    if not raw:
        raise PreservationError("BULWARK_PRESERVATION_KEY is not set (32 bytes, base64)")
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError as exc:
        raise PreservationError("BULWARK_PRESERVATION_KEY is not base64") from exc
    if len(key) != 32:
        raise PreservationError(f"BULWARK_PRESERVATION_KEY must be 32 bytes, got {len(key)}")
    return key


class EvidenceVault:
    def __init__(self, db: Database, key: bytes) -> None:
        if len(key) != 32:
            raise PreservationError("the preservation key must be 32 bytes (AES-256)")
        self.db = db
        self._aead = AESGCM(key)

    def preserve(self, content_id: str, data: bytes, *, days: int = DEFAULT_DAYS) -> int:
        with self.db.session() as s:
            return self.preserve_in(s, content_id, data, days=days)

    def preserve_in(
        self, s: Session, content_id: str, data: bytes, *, days: int = DEFAULT_DAYS
    ) -> int:
        """Preserve inside the caller's transaction: kept exactly when the decision
        that asked for it is."""
        nonce = os.urandom(12)
        ct = self._aead.encrypt(nonce, data, content_id.encode())
        row = PreservedItemRow(
            content_id=content_id,
            sha256=hashlib.sha256(data).hexdigest(),
            nonce=nonce,
            ciphertext=ct,
            expires_at=utcnow() + timedelta(days=days),
        )
        s.add(row)
        s.flush()
        return row.id

    def retrieve(self, item_id: int) -> tuple[str, bytes]:
        with self.db.session() as s:
            row = s.get(PreservedItemRow, item_id)
            if row is None:
                raise PreservationError(f"no preserved item {item_id} (purged or never kept)")
            try:
                data = self._aead.decrypt(row.nonce, row.ciphertext, row.content_id.encode())
            except InvalidTag as exc:
                raise PreservationError(
                    f"preserved item {item_id} fails authentication: tampered or wrong key"
                ) from exc
            if hashlib.sha256(data).hexdigest() != row.sha256:
                raise PreservationError(
                    f"preserved item {item_id} does not match its recorded hash"
                )
            return row.content_id, data

    def purge_expired(self) -> int:
        with self.db.session() as s:
            result = s.execute(
                delete(PreservedItemRow).where(PreservedItemRow.expires_at <= utcnow())
            )
            return rows_affected(result)

    def count(self) -> int:
        with self.db.session() as s:
            return len(s.scalars(select(PreservedItemRow.id)).all())


def kept_item(details: dict[str, Any]) -> int | None:
    """The vault id of a submission's kept bytes: the evidence its policy
    preserved, else the copy kept for human review (service/submissions.py)."""
    item = details.get("preserved_item", details.get("review_copy"))
    return int(item) if item is not None else None


def vault_from_env(db: Database) -> EvidenceVault | None:
    """The vault when ``BULWARK_PRESERVATION_KEY`` is set, else None (nothing kept)."""
    try:
        return EvidenceVault(db, key_from_env())
    except PreservationError:
        return None


__all__ = [
    "DEFAULT_DAYS",
    "EvidenceVault",
    "PreservationError",
    "kept_item",
    "key_from_env",
    "vault_from_env",
]
