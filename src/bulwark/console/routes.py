"""The review console's pages (server-rendered with Jinja2; no scripts from anywhere).

Every page but the sign-in page needs a session; every form carries the
session's CSRF token. Child-safety items open only for the
``child_safety_reviewer`` role — by link or by typed URL. Images are served
only as the server-made protected view (console/protect.py); the original
bytes leave only on a deliberate reveal, which is refused for items matched to
a bank of known material and recorded in the audit log otherwise (that record
is what a CyberTipline report's ``fileViewedByEsp`` is read from). A decision
is taken once: a second submission of the same form is refused.
"""

# No ``from __future__ import annotations``: FastAPI reads these annotations at runtime.
import hmac
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select

from bulwark.console.accounts import AccountError, Accounts, SignedIn
from bulwark.console.exposure import daily_limit, reveals_today
from bulwark.console.protect import protected_jpeg
from bulwark.effects.dispatch import CHILD_SAFETY_QUEUES
from bulwark.effects.preservation import PreservationError, vault_from_env
from bulwark.errors import MediaError
from bulwark.reporting.viewed import REVEAL
from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database
from bulwark.store.models import ReviewItemRow, SubmissionRow, as_utc, utcnow

COOKIE = "bulwark_session"
REVIEW_ROLES = ("reviewer", "child_safety_reviewer")
DECISIONS = ("violation", "no_violation", "escalate")


@dataclass(frozen=True)
class _Item:
    row: ReviewItemRow
    decision: dict[str, Any]
    kind: str


def _age(at: datetime) -> str:
    minutes = int((utcnow() - as_utc(at)).total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def console_router(db: Database) -> APIRouter:
    router = APIRouter(prefix="/console", include_in_schema=False)
    accounts = Accounts(db)
    audit = AuditLog(db)
    vault = vault_from_env(db)
    templates = Jinja2Templates(directory=str(resources.files("bulwark.console") / "templates"))

    def page(
        request: Request, name: str, who: SignedIn | None, status: int = 200, **ctx: Any
    ) -> HTMLResponse:
        ctx.update(person=who.person if who else None, csrf=who.csrf if who else "")
        response = templates.TemplateResponse(request, name, ctx, status_code=status)
        response.headers["Cache-Control"] = "no-store"
        return response

    def signed_in(token: str | None) -> SignedIn:
        who = accounts.session(token)
        if who is None:
            raise HTTPException(303, "sign in first", headers={"Location": "/console/login"})
        if who.person.role not in REVIEW_ROLES:
            raise HTTPException(403, f"role {who.person.role!r} does not review content")
        return who

    def checked(who: SignedIn, csrf: str) -> None:
        if not hmac.compare_digest(who.csrf, csrf or ""):
            audit.append(f"user:{who.person.name}", "csrf_refused", "")
            raise HTTPException(403, "this form is stale or forged: reload the page")

    def item_for(who: SignedIn, item_id: int) -> _Item:
        with db.session() as s:
            row = s.get(ReviewItemRow, item_id)
            if row is None:
                raise HTTPException(404, "no such item")
            if row.child_safety and who.person.role != "child_safety_reviewer":
                audit.append(
                    f"user:{who.person.name}", "refused", f"item:{item_id}", reason="child safety"
                )
                raise HTTPException(403, "child-safety items need the child-safety reviewer role")
            sub = s.get(SubmissionRow, row.submission_id)
            decision = dict(sub.decision) if sub is not None else {}
            return _Item(row, decision, sub.kind if sub is not None else "")

    def content_of(item: _Item) -> bytes | None:
        details = item.decision.get("details", {})
        kept = details.get("preserved_item", details.get("review_copy"))
        if kept is None or vault is None:
            return None
        try:
            return vault.retrieve(int(kept))[1]
        except PreservationError:  # purged, or tampered with: nothing to show
            return None

    def never_shown(item: _Item) -> bool:
        return bool(item.decision.get("details", {}).get("bank_matches"))

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> HTMLResponse:
        return page(request, "login.html", None, title="sign in")

    @router.post("/login", response_model=None)
    def login(
        request: Request, name: Annotated[str, Form()], password: Annotated[str, Form()]
    ) -> Response:
        try:
            who = accounts.sign_in(name, password)
        except AccountError as exc:
            return page(request, "login.html", None, status=401, error=str(exc), title="sign in")
        response = RedirectResponse("/console/", status_code=303)
        response.set_cookie(
            COOKIE,
            who.token,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/console",
        )
        return response

    @router.post("/logout")
    def logout(
        csrf: Annotated[str, Form()], token: Annotated[str | None, Cookie(alias=COOKIE)] = None
    ) -> RedirectResponse:
        who = accounts.session(token)
        if who is not None:
            checked(who, csrf)
            accounts.sign_out(who.token)
        response = RedirectResponse("/console/login", status_code=303)
        response.delete_cookie(COOKIE, path="/console")
        return response

    @router.get("/", response_class=HTMLResponse)
    def queues(
        request: Request, token: Annotated[str | None, Cookie(alias=COOKIE)] = None
    ) -> HTMLResponse:
        who = signed_in(token)
        q = select(ReviewItemRow.queue, func.count(), func.min(ReviewItemRow.created_at)).where(
            ReviewItemRow.state == "open"
        )
        if who.person.role != "child_safety_reviewer":
            q = q.where(ReviewItemRow.child_safety.is_(False))
        with db.session() as s:
            rows = s.execute(q.group_by(ReviewItemRow.queue).order_by(ReviewItemRow.queue)).all()
        listed = [{"name": n, "open": c, "oldest": _age(at)} for n, c, at in rows]
        return page(request, "queues.html", who, queues=listed, title="queues")

    @router.get("/queue/{name}", response_class=HTMLResponse)
    def queue(
        request: Request, name: str, token: Annotated[str | None, Cookie(alias=COOKIE)] = None
    ) -> HTMLResponse:
        who = signed_in(token)
        with db.session() as s:
            rows = s.execute(
                select(ReviewItemRow, SubmissionRow.kind)
                .join(SubmissionRow, SubmissionRow.id == ReviewItemRow.submission_id)
                .where(ReviewItemRow.queue == name, ReviewItemRow.state == "open")
                .order_by(ReviewItemRow.priority, ReviewItemRow.created_at)
            ).all()
        child_safety = name in CHILD_SAFETY_QUEUES or any(r.child_safety for r, _ in rows)
        if child_safety and who.person.role != "child_safety_reviewer":
            audit.append(
                f"user:{who.person.name}", "refused", f"queue:{name}", reason="child safety"
            )
            raise HTTPException(403, "this queue needs the child-safety reviewer role")
        items = [
            {"id": r.id, "priority": r.priority, "kind": kind, "created_at": _age(r.created_at)}
            for r, kind in rows
        ]
        return page(request, "queue.html", who, queue=name, items=items, title=name)

    @router.get("/item/{item_id}", response_class=HTMLResponse)
    def item(
        request: Request, item_id: int, token: Annotated[str | None, Cookie(alias=COOKIE)] = None
    ) -> HTMLResponse:
        who = signed_in(token)
        it = item_for(who, item_id)
        audit.append(f"user:{who.person.name}", "open_item", it.row.submission_id, item=item_id)
        details = it.decision.get("details", {})
        return page(
            request,
            "item.html",
            who,
            item=it.row,
            kind=it.kind,
            decision=it.decision,
            matches=details.get("bank_matches", []),
            evidence=details.get("evidence", []),
            provenance=details.get("provenance"),
            never_shown=never_shown(it),
            has_content="preserved_item" in details or "review_copy" in details,
            exposure=reveals_today(db, who.person.name),
            exposure_limit=daily_limit(),
            title=f"item {item_id}",
        )

    @router.get("/item/{item_id}/image")
    def protected_image(
        item_id: int, token: Annotated[str | None, Cookie(alias=COOKIE)] = None
    ) -> Response:
        who = signed_in(token)
        it = item_for(who, item_id)
        if never_shown(it):
            raise HTTPException(403, "matched to a bank of known material: never shown")
        data = content_of(it)
        if data is None:
            raise HTTPException(404, "the content was not kept")
        try:
            view = protected_jpeg(data)
        except MediaError as exc:
            raise HTTPException(422, f"cannot show this file: {exc}") from exc
        return Response(view, media_type="image/jpeg", headers={"Cache-Control": "no-store"})

    @router.post("/item/{item_id}/reveal")
    def reveal(
        item_id: int,
        csrf: Annotated[str, Form()],
        token: Annotated[str | None, Cookie(alias=COOKIE)] = None,
    ) -> Response:
        who = signed_in(token)
        checked(who, csrf)
        it = item_for(who, item_id)
        if never_shown(it):
            audit.append(
                f"user:{who.person.name}",
                "refused",
                it.row.submission_id,
                reason="reveal of bank-matched item",
            )
            raise HTTPException(403, "matched to a bank of known material: never shown")
        if reveals_today(db, who.person.name) >= daily_limit():
            audit.append(
                f"user:{who.person.name}",
                "refused",
                it.row.submission_id,
                reason="daily exposure limit",
            )
            raise HTTPException(
                429,
                f"you have reached today's limit of {daily_limit()} reveals: please take a "
                "break; you can still decide from the evidence and the protected view",
            )
        data = content_of(it)
        if data is None:
            raise HTTPException(404, "the content was not kept")
        audit.append(f"user:{who.person.name}", REVEAL, it.row.submission_id, item=item_id)
        return Response(
            data, media_type="application/octet-stream", headers={"Cache-Control": "no-store"}
        )

    @router.post("/item/{item_id}/decide")
    def decide(
        item_id: int,
        csrf: Annotated[str, Form()],
        decision: Annotated[str, Form()],
        token: Annotated[str | None, Cookie(alias=COOKIE)] = None,
    ) -> RedirectResponse:
        who = signed_in(token)
        checked(who, csrf)
        if decision not in DECISIONS:
            raise HTTPException(422, f"decision must be one of {', '.join(DECISIONS)}")
        it = item_for(who, item_id)
        with db.session() as s:
            row = s.get(ReviewItemRow, item_id, with_for_update=True)
            if row is None or row.state != "open":
                raise HTTPException(409, "this item was already decided")
            row.state = decision
            AuditLog.append_in(
                s,
                f"user:{who.person.name}",
                "review_decision",
                it.row.submission_id,
                item=item_id,
                decision=decision,
            )
        return RedirectResponse(f"/console/queue/{it.row.queue}", status_code=303)

    return router


__all__ = ["COOKIE", "console_router"]
