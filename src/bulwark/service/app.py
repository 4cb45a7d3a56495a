"""The REST API (FastAPI): submit text, prompts and images; read results; health.

Every submission is authenticated by API key (``X-API-Key`` or
``Authorization: Bearer``), rate limited per key, decided by the policy on the
synchronous fast path (hashes, bank match, lexicons and the light text
models), stored with its decision, its effects and its audit record in one
transaction, and answered with the verdict. ``Idempotency-Key`` makes a retried
submission return the first answer. When a rule needs a slow analyzer (nudity,
a hosted model), the answer is the provisional decision with status
``pending``; a worker finishes it, and the final result is at
``/v1/submissions/{id}`` and, if configured, posted to the completion webhook.
Bank management lives in service/bank_routes.py.
"""

# No ``from __future__ import annotations`` here: FastAPI resolves the Annotated
# dependencies of the nested endpoint functions at runtime.
import json
import logging
import os
import sys
import threading
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, File, Header, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from bulwark.banks.store import BankStore
from bulwark.console.routes import console_router
from bulwark.console.web import error_response as console_error
from bulwark.errors import BulwarkError
from bulwark.match.matcher import Matcher
from bulwark.policy.rules import Policy, default_policy
from bulwark.service.bank_routes import bank_router
from bulwark.service.fetch import FetchPolicy, FetchRefused, fetch
from bulwark.service.keys import ApiKey, AuthError, KeyStore, require
from bulwark.service.pipeline import (
    Outcome,
    process_conversation,
    process_image,
    process_text,
)
from bulwark.service.uploads import MAX_UPLOAD_BYTES, read_upload
from bulwark.service.warmup import warm_up
from bulwark.service.webhook_routes import webhook_router
from bulwark.service.worker import InProcessWorkers, recorder_from_env
from bulwark.signals import FileContent, get_signal_type, hash_content
from bulwark.signals.base import Signal
from bulwark.signals.hashing import FileHashes
from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database, home_dir
from bulwark.store.models import SubmissionRow

MAX_TEXT_CHARS = 100_000
log = logging.getLogger("bulwark.service")
#: how stale the API's view of the banks may get
MATCHER_REFRESH_S = 5.0


class TextSubmission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=MAX_TEXT_CHARS)
    negative_prompt: str = Field(default="", max_length=MAX_TEXT_CHARS)
    kind: Literal["text", "prompt"] = "text"
    user_id: str = Field(default="", max_length=200)


class _RateLimiter:
    """Per-key sliding window over the last minute (per process)."""

    def __init__(self) -> None:
        self._hits: dict[int, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: ApiKey) -> bool:
        now = time.monotonic()
        with self._lock:
            q = self._hits[key.id]
            while q and now - q[0] > 60:
                q.popleft()
            if len(q) >= key.rate_per_minute:
                return False
            q.append(now)
            return True


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sender: str = Field(max_length=200)
    text: str = Field(max_length=MAX_TEXT_CHARS)


class ConversationSubmission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    messages: list[Message] = Field(min_length=1, max_length=10_000)
    user_id: str = Field(default="", max_length=200)


class UrlSubmission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=4000)


def _fetch_policy_from_env() -> FetchPolicy:
    allow = [n.strip() for n in os.environ.get("BULWARK_FETCH_ALLOW", "").split(",") if n.strip()]
    return FetchPolicy.allowing(allow, max_bytes=MAX_UPLOAD_BYTES)


def create_app(
    db: Database | None = None,
    policy: Policy | None = None,
    index_dir: Path | None = None,
    fetch_policy: FetchPolicy | None = None,
    workers: int = 0,
    fast_hash: bool | None = None,
) -> FastAPI:
    """The API; ``workers`` > 0 also runs that many job-worker threads beside it
    (``bulwark serve`` does; tests and benchmarks run workers themselves).
    ``fast_hash`` (default on; ``BULWARK_FAST_HASH=0`` turns it off) hashes JPEG
    uploads in fast mode, confirming any candidate match with the reference
    hasher (service/pipeline.py)."""
    if fast_hash is None:
        fast_hash = os.environ.get("BULWARK_FAST_HASH", "1") != "0"
    database = db or Database()
    rules = policy or default_policy()
    keys = KeyStore(database)
    recorder = recorder_from_env(database)
    fetching = fetch_policy or _fetch_policy_from_env()
    audit = AuditLog(database)
    limiter = _RateLimiter()
    registry = CollectorRegistry()
    requests = Counter(
        "bulwark_submissions_total",
        "Submissions by kind and verdict",
        ["kind", "verdict"],
        registry=registry,
    )
    refused = Counter(
        "bulwark_refused_requests_total",
        "Requests refused with a 4xx, by status and kind",
        ["status", "kind"],
        registry=registry,
    )
    latency = Histogram(
        "bulwark_decision_seconds", "Time to a verdict", ["kind"], registry=registry
    )
    matcher_box: dict[str, Matcher] = {}
    refreshed = [0.0]
    matcher_lock = threading.Lock()

    def matcher() -> Matcher:
        """The shared matcher; bank additions and disables are picked up every few seconds."""
        with matcher_lock:
            if "m" not in matcher_box:
                matcher_box["m"] = Matcher(BankStore(database), index_dir or home_dir() / "index")
                refreshed[0] = time.monotonic()
            elif time.monotonic() - refreshed[0] > MATCHER_REFRESH_S:
                matcher_box["m"].refresh()
                refreshed[0] = time.monotonic()
            return matcher_box["m"]

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(warm_up, rules, matcher, fast_hash)
        pool = InProcessWorkers(database, workers, rules, index_dir) if workers > 0 else None
        if pool is not None:
            pool.start()
        try:
            yield
        finally:
            if pool is not None:
                pool.stop()

    app = FastAPI(
        title="Bulwark",
        version="0.1.0",
        description="Trust & safety engine API",
        lifespan=lifespan,
    )

    # Every refused request is counted (``bulwark_refused_requests_total`` by
    # status and kind) and logged; a known key asking for what its role forbids
    # (403) is also written to the audit log under that key. Requests without a
    # valid key, and a key hammering past its rate limit, are not: either could
    # then grow the audit log at will.
    @app.exception_handler(AuthError)
    async def auth_error(request: Request, exc: AuthError) -> JSONResponse:
        _refused(request, exc.status, "auth", str(exc), exc.key_id)
        return JSONResponse({"detail": str(exc)}, status_code=exc.status)

    @app.exception_handler(BulwarkError)
    async def bulwark_error(request: Request, exc: BulwarkError) -> JSONResponse:
        _refused(request, 422, "input", str(exc))
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        if 400 <= exc.status_code < 500:
            _refused(request, exc.status_code, "request", str(exc.detail))
        if request.url.path.startswith("/console/") and exc.status_code >= 400:
            return console_error(request, exc.status_code, str(exc.detail))  # a page, not JSON
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Any:
        _refused(request, 422, "validation", str(exc.errors()[:3]))
        return await request_validation_exception_handler(request, exc)

    def _refused(
        request: Request, status: int, kind: str, why: str, key_id: int | None = None
    ) -> None:
        refused.labels(str(status), kind).inc()
        log.info("refused %s %s: %s %s", request.method, request.url.path, status, why[:300])
        if key_id is not None and status == 403:
            audit.append(
                f"key:{key_id}", "refused", request.url.path[:500], status=status, reason=why[:500]
            )

    async def caller(
        x_api_key: Annotated[str | None, Header()] = None,
        authorization: Annotated[str | None, Header()] = None,
    ) -> ApiKey:
        token = x_api_key or (
            authorization[7:]
            if authorization and authorization.lower().startswith("bearer ")
            else None
        )
        key = keys.authenticate(token)
        if not limiter.allow(key):
            raise AuthError(
                f"rate limit of {key.rate_per_minute} requests a minute exceeded",
                status=429,
                key_id=key.id,
            )
        return key

    async def _store(
        key: ApiKey,
        kind: str,
        outcome: Outcome,
        idem: str | None,
        content: bytes = b"",
        user: str = "",
        meta: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        try:
            body = await recorder.record_async(
                key_id=key.id,
                kind=kind,
                outcome=outcome,
                idempotency_key=idem,
                content=content,
                user=user,
                meta=meta,
            )
        except IntegrityError:
            # the same idempotency key raced in on two connections: the first one won
            first = _first_answer(key, idem)
            if first is None:
                raise
            return first
        requests.labels(kind, outcome.decision.verdict).inc()
        return body

    def _accept(key: ApiKey, idem: str | None) -> dict[str, Any] | None:
        """Check the key may submit; the first answer if this idempotency key was seen."""
        require(key, "submit")
        if idem is not None and not idem.strip():
            raise HTTPException(422, "Idempotency-Key is empty: send a unique value or omit it")
        return _first_answer(key, idem)

    def _first_answer(key: ApiKey, idem: str | None) -> dict[str, Any] | None:
        if not idem:
            return None
        with database.session() as s:
            row = s.scalar(
                select(SubmissionRow).where(
                    SubmissionRow.key_id == key.id, SubmissionRow.idempotency_key == idem
                )
            )
            return dict(row.decision) if row is not None else None

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/ready")
    def ready() -> dict[str, str]:
        try:
            with database.session() as s:
                s.execute(text("SELECT 1"))
        except Exception as exc:
            raise HTTPException(503, f"database not reachable: {type(exc).__name__}") from exc
        return {"status": "ready"}

    @app.get("/metrics", response_class=PlainTextResponse)
    def metrics() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(registry).decode(), media_type=CONTENT_TYPE_LATEST)

    @app.post("/v1/text")
    async def submit_text(
        body: TextSubmission,
        key: Annotated[ApiKey, Depends(caller)],
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> dict[str, Any]:
        if (again := _accept(key, idempotency_key)) is not None:
            return again
        # Lexicons and the light text models take about a millisecond: run on the
        # event loop, which saves two thread hand-offs per request.
        with latency.labels(body.kind).time():
            outcome = process_text(rules, body.text, body.negative_prompt, body.kind, defer=True)
        raw = body.text.encode("utf-8")
        meta = {"negative_prompt": body.negative_prompt}
        return await _store(key, body.kind, outcome, idempotency_key, raw, body.user_id, meta)

    async def _decide_image(
        key: ApiKey, data: bytes, name: str, idem: str | None, user: str | None
    ) -> dict[str, Any]:
        with latency.labels("image").time():  # decoding and hashing: off the event loop
            outcome = await run_in_threadpool(
                lambda: process_image(rules, matcher(), data, name, defer=True, fast=fast_hash)
            )
        return await _store(key, "image", outcome, idem, data, user or "", {"name": name})

    @app.post("/v1/images")
    async def submit_image(
        key: Annotated[ApiKey, Depends(caller)],
        file: Annotated[UploadFile, File()],
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
        x_subject_user: Annotated[str | None, Header(max_length=200)] = None,
    ) -> dict[str, Any]:
        if (again := _accept(key, idempotency_key)) is not None:
            return again
        data = await read_upload(file)
        name = file.filename or "upload"
        return await _decide_image(key, data, name, idempotency_key, x_subject_user)

    @app.post("/v1/images/url")
    async def submit_image_url(
        body: UrlSubmission,
        key: Annotated[ApiKey, Depends(caller)],
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
        x_subject_user: Annotated[str | None, Header(max_length=200)] = None,
    ) -> dict[str, Any]:
        """Fetch an image by URL (private, loopback and link-local targets refused)."""
        if (again := _accept(key, idempotency_key)) is not None:
            return again
        try:
            data = await run_in_threadpool(fetch, body.url, fetching)
        except FetchRefused as exc:
            audit.append(f"key:{key.id}", "fetch_refused", body.url[:500], reason=str(exc))
            raise HTTPException(422, str(exc)) from exc
        name = body.url.rsplit("/", 1)[-1] or "url"
        return await _decide_image(key, data, name, idempotency_key, x_subject_user)

    @app.post("/v1/conversations")
    async def submit_conversation(
        body: ConversationSubmission,
        key: Annotated[ApiKey, Depends(caller)],
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> dict[str, Any]:
        """Grooming and sextortion signals over messages with sender ids."""
        if (again := _accept(key, idempotency_key)) is not None:
            return again
        messages = [m.model_dump() for m in body.messages]
        with latency.labels("conversation").time():
            outcome = await run_in_threadpool(process_conversation, rules, messages)
        raw = json.dumps(messages).encode("utf-8")
        return await _store(key, "conversation", outcome, idempotency_key, raw, body.user_id)

    @app.post("/v1/hash")
    async def hash_file(
        key: Annotated[ApiKey, Depends(caller)], file: Annotated[UploadFile, File()]
    ) -> dict[str, Any]:
        """HMA-style hashing: the signals of an uploaded file (nothing stored)."""
        require(key, "submit")
        data = await read_upload(file)
        hashes = hash_content(FileContent(data, name=file.filename or "upload"))
        return {
            "signals": [
                {"type": s.type, "value": s.value, "quality": s.quality} for s in hashes.signals
            ],
            "errors": hashes.errors,
        }

    @app.get("/v1/lookup")
    def lookup(
        signal_type: str, signal: str, key: Annotated[ApiKey, Depends(caller)]
    ) -> dict[str, Any]:
        """HMA-style lookup of one signal: which banks match and how close. Bank
        contents are never returned, only bank names, categories and distances."""
        require(key, "submit")
        try:
            st = get_signal_type(signal_type)
            value = st.validate(signal)
        except BulwarkError as exc:
            raise HTTPException(422, str(exc)) from exc
        result = matcher().match(FileHashes("lookup", None, [Signal(st.name, value)]))
        audit.append(f"key:{key.id}", "lookup", st.name)
        return {
            "matches": [
                {
                    "bank": x.bank,
                    "category": x.category,
                    "signal_type": x.signal_type,
                    "distance": x.distance,
                }
                for x in result.matches
            ],
            "suppressed_by_negative_bank": bool(result.suppressed),
        }

    app.include_router(bank_router(database, caller))
    app.include_router(webhook_router(database, caller))
    app.include_router(console_router(database))

    @app.get("/v1/submissions/{sid}")
    def read_submission(sid: str, key: Annotated[ApiKey, Depends(caller)]) -> dict[str, Any]:
        with database.session() as s:
            row = s.get(SubmissionRow, sid)
            if row is None:
                raise HTTPException(404, "no such submission")
            if row.key_id != key.id:
                require(key, "read_any")
            audit.append(f"key:{key.id}", "read_submission", sid)
            return dict(row.decision)

    return app


def _one_blas_thread() -> None:
    """An API process runs many requests at once; BLAS's own threads (numpy's
    matrix products in fast PDQ) spin between calls and took the cores those
    requests need — a third of an image request's CPU. ``bulwark serve`` sets
    the environment for new processes; this covers a library already loaded."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def app_from_env() -> FastAPI:
    """The app ``bulwark serve`` runs in each API process (a uvicorn factory):
    database from ``BULWARK_DB_URL``, worker threads from ``BULWARK_SERVE_WORKERS``.

    The interpreter's thread switch interval is cut from 5 ms to 0.5 ms: the
    event loop shares the GIL with the commit writer and worker threads, and a
    request that waits out a whole 5 ms slice for its turn misses the latency
    target by itself.
    """
    sys.setswitchinterval(0.0005)
    _one_blas_thread()
    db = Database()
    db.start_checkpointer()
    return create_app(db, workers=int(os.environ.get("BULWARK_SERVE_WORKERS", "0")))


__all__ = ["app_from_env", "create_app"]
