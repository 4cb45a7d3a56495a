"""Bank management over the API (admin keys): create, configure, fill, disable.

What HMA's curation endpoints do, with one rule kept everywhere: bank contents
never leave the server. Answers carry bank names, labels, counts and entry ids
— never a hash a bank holds — so a leaked admin key cannot export a list of
known abuse hashes. (Operators export with ``bulwark bank export`` on the host.)
"""

# No ``from __future__ import annotations``: FastAPI reads these annotations at runtime.
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from bulwark.banks.augment import crop_entries, item_id
from bulwark.banks.model import ROUTES, Bank, NewEntry
from bulwark.banks.store import BankStore
from bulwark.errors import BankError, BankImportError, SignalError
from bulwark.service.keys import ApiKey, require
from bulwark.service.uploads import read_upload
from bulwark.signals import FileContent, get_signal_type, hash_content
from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database

MAX_SIGNALS_PER_CALL = 10_000


class BankSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    category: str | None = Field(default=None, max_length=100)
    ncmec_classification: str | None = Field(default=None, max_length=4)
    tags: list[str] = Field(default_factory=list, max_length=50)
    pdq_threshold: int = Field(default=31, ge=0, le=128)
    negative: bool = False
    #: files added to this bank also store the hashes of fixed crops
    augment_crops: bool = False
    match_routes: list[str] = Field(default_factory=lambda: list(ROUTES), max_length=4)


class BankChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool


class SignalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(max_length=50)
    value: str = Field(max_length=100_000)
    source: str = Field(default="", max_length=500)


class SignalBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signals: list[SignalIn] = Field(min_length=1, max_length=MAX_SIGNALS_PER_CALL)


class DisableRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(max_length=50)
    value: str = Field(max_length=100_000)
    reason: str = Field(default="false positive", max_length=500)


def bank_router(db: Database, caller: Callable[..., Coroutine[Any, Any, ApiKey]]) -> APIRouter:
    store = BankStore(db)
    audit = AuditLog(db)
    router = APIRouter(prefix="/v1/banks", tags=["banks"])

    async def admin_key(key: Annotated[ApiKey, Depends(caller)]) -> ApiKey:
        """Every route here is for admins; checked before any look-up, so clients
        cannot probe which bank names exist."""
        require(key, "manage_banks")
        return key

    Admin = Annotated[ApiKey, Depends(admin_key)]

    def existing(name: str) -> Bank:
        try:
            return store.get(name)
        except BankError as exc:
            raise HTTPException(404, str(exc)) from exc

    @router.get("")
    def list_banks(key: Admin) -> list[dict[str, Any]]:
        """Bank names, labels and sizes; never their contents."""
        return [b.summary() for b in store.banks()]

    @router.post("", status_code=201)
    def create_bank(spec: BankSpec, key: Admin) -> dict[str, Any]:
        try:
            bank = store.create(
                spec.name,
                description=spec.description,
                category=spec.category,
                ncmec_classification=spec.ncmec_classification,
                tags=spec.tags,
                pdq_threshold=spec.pdq_threshold,
                negative=spec.negative,
                augment_crops=spec.augment_crops,
                routes=spec.match_routes,
            )
        except BankError as exc:
            status = 409 if "already exists" in str(exc) else 422
            raise HTTPException(status, str(exc)) from exc
        audit.append(f"key:{key.id}", "bank_create", bank.name, category=bank.category)
        return bank.summary()

    @router.get("/{name}")
    def read_bank(name: str, key: Admin) -> dict[str, Any]:
        return existing(name).summary()

    @router.patch("/{name}")
    def change_bank(name: str, change: BankChange, key: Admin) -> dict[str, Any]:
        existing(name)
        audit.append(f"key:{key.id}", "bank_enable" if change.enabled else "bank_disable", name)
        store.set_bank_enabled(name, change.enabled)
        return store.get(name).summary()

    @router.delete("/{name}")
    def delete_bank(name: str, key: Admin) -> dict[str, Any]:
        bank = existing(name)
        audit.append(f"key:{key.id}", "bank_delete", name, entries=bank.entry_count)
        store.delete(name)
        return {"deleted": name, "entries": bank.entry_count}

    def add(name: str, entries: list[NewEntry], source: str) -> dict[str, int]:
        try:
            added, present = store.add_entries(name, entries, source_name=source)
        except BankImportError as exc:
            problems = [{"item": n, "problem": p} for n, p in exc.problems]
            raise HTTPException(422, {"message": str(exc), "problems": problems}) from exc
        return {"added": added, "already_present": present}

    @router.post("/{name}/signals")
    def add_signals(name: str, batch: SignalBatch, key: Admin) -> dict[str, int]:
        """Add hashes (one call, all or nothing); bad ones are listed by position."""
        existing(name)
        entries = [
            NewEntry(s.type, s.value, s.source or f"api:key:{key.id}", line=i)
            for i, s in enumerate(batch.signals, start=1)
        ]
        result = add(name, entries, "request")
        audit.append(f"key:{key.id}", "bank_add_signals", name, **result)
        return result

    @router.post("/{name}/content")
    async def add_content(
        name: str, key: Admin, file: Annotated[UploadFile, File()]
    ) -> dict[str, Any]:
        """Hash a file and bank its signals (HMA's "add content to bank")."""
        bank = existing(name)
        data = await read_upload(file)
        content = FileContent(data, name=file.filename or "upload")
        hashes = hash_content(content)
        if not hashes.signals:
            raise HTTPException(422, f"nothing to bank: {'; '.join(hashes.errors) or 'no signals'}")
        source = f"api:key:{key.id}:{file.filename or 'upload'}"
        item = {"item": item_id(data)}
        entries = [NewEntry(s.type, s.value, source, dict(item)) for s in hashes.signals]
        if bank.augment_crops:
            entries += crop_entries(content, source)
        result = add(name, entries, file.filename or "upload")
        audit.append(f"key:{key.id}", "bank_add_content", name, **result)
        return {**result, "signal_types": sorted({s.type for s in hashes.signals})}

    @router.post("/{name}/signals/disable")
    def disable_signal(name: str, req: DisableRequest, key: Admin) -> dict[str, int]:
        """Switch off an entry the caller already holds (a false positive)."""
        existing(name)
        try:
            st = get_signal_type(req.type)
            value = st.validate(req.value)
        except SignalError as exc:
            raise HTTPException(422, str(exc)) from exc
        found = store.find_entries(name, st.name, value)
        if not found:
            raise HTTPException(404, f"bank {name!r} holds no such {st.name} signal")
        for e in found:
            store.set_entry_enabled(e.id, False, req.reason)
        audit.append(f"key:{key.id}", "bank_disable_signal", name, entries=len(found))
        return {"disabled": len(found)}

    return router


__all__ = ["bank_router"]
