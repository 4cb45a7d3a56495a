"""The console's review pages: sign-in, queues, items, reveal, decisions, preferences.

Server-rendered with Jinja2; the only script is the console's own
(``static/console.js``: keyboard shortcuts and hold-to-reveal), shipped in the
package. Every page but the sign-in page needs a session and every form
carries the session's CSRF token. Child-safety queues and items open only for
the ``child_safety_reviewer`` role, by link or by typed URL. Images and video
frames are served only as the server-made protected view; the original bytes
leave only on a deliberate hold-to-reveal, refused for items matched to a
bank of known material and recorded in the audit log otherwise (the record a
CyberTipline report's ``fileViewedByEsp`` is read from).
"""

# No ``from __future__ import annotations``: FastAPI reads these annotations at runtime.
from importlib import resources
from typing import Annotated

from fastapi import APIRouter, Cookie, Form, Header, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bulwark.console import claims, decisions, item_view, preferences, queues
from bulwark.console.accounts import AccountError, SignedIn
from bulwark.console.dashboard_routes import dashboard_router
from bulwark.console.exposure import daily_limit, reveals_today
from bulwark.console.protect import protected_view
from bulwark.console.report_routes import report_router
from bulwark.console.web import CHILD_SAFETY_ROLE, COOKIE, Console, Item
from bulwark.errors import MediaError
from bulwark.media.sniff import sniff
from bulwark.policy.taxonomy import CATEGORIES
from bulwark.reporting.model import FILE_ANNOTATIONS, INDUSTRY_CLASSIFICATIONS
from bulwark.reporting.viewed import REVEAL
from bulwark.store.db import Database

Token = Annotated[str | None, Cookie(alias=COOKIE)]
#: a reviewer is prompted to take a break from this share of the daily limit on
BREAK_PROMPT_SHARE = 0.8


def _stack_ids(raw: str) -> set[int]:
    return {int(p) for p in raw.split(",") if p.strip().isdigit()}


def console_router(db: Database) -> APIRouter:
    c = Console(db)
    router = APIRouter(prefix="/console", include_in_schema=False)

    @router.get("/static/console.js")
    def script() -> Response:
        js = (resources.files("bulwark.console") / "static" / "console.js").read_bytes()
        return Response(js, media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> HTMLResponse:
        return c.page(request, "login.html", None, title="sign in")

    @router.post("/login", response_model=None)
    def login(
        request: Request, name: Annotated[str, Form()], password: Annotated[str, Form()]
    ) -> Response:
        try:
            who = c.accounts.sign_in(name, password)
        except AccountError as exc:
            return c.page(request, "login.html", None, status=401, error=str(exc), title="sign in")
        home = "/console/dashboard" if who.person.role == "admin" else "/console/"
        response = RedirectResponse(home, status_code=303)
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
    def logout(csrf: Annotated[str, Form()], token: Token = None) -> RedirectResponse:
        who = c.accounts.session(token)
        if who is not None:
            c.checked(who, csrf)
            c.accounts.sign_out(who.token)
        response = RedirectResponse("/console/login", status_code=303)
        response.delete_cookie(COOKIE, path="/console")
        return response

    @router.get("/", response_class=HTMLResponse)
    def home(request: Request, token: Token = None) -> HTMLResponse:
        who = c.signed_in(token)
        listed = [
            {"name": q.name, "open": q.open, "oldest": queues.age(q.oldest)}
            for q in queues.sizes(db, who.person.role == CHILD_SAFETY_ROLE)
        ]
        return c.page(request, "queues.html", who, queues=listed, title="queues")

    def queue_allowed(who: SignedIn, name: str) -> bool:
        """Whether child-safety items may be listed (a child-safety queue refuses
        everyone else; other queues, escalation say, just leave those items out)."""
        if queues.is_child_safety(name):
            c.refuse_child_safety(who, f"queue:{name}")
        return who.person.role == CHILD_SAFETY_ROLE

    @router.get("/queue/{name}", response_class=HTMLResponse)
    def queue(request: Request, name: str, token: Token = None) -> HTMLResponse:
        who = c.signed_in(token)
        allowed = queue_allowed(who, name)
        grouped = queues.groups(db, name) if queues.is_child_safety(name) else None
        cards = None if grouped is not None else queues.cards(db, name, allowed)
        return c.page(
            request,
            "queue.html",
            who,
            queue=name,
            groups=grouped,
            cards=cards,
            age=queues.age,
            title=name,
        )

    @router.get("/queue/{name}/next")
    def next_card(name: str, token: Token = None) -> RedirectResponse:
        """The most urgent open card of the queue: the keyboard flow's next page."""
        who = c.signed_in(token)
        others = claims.held_by_others(db, who.person.name)
        found = [
            card
            for card in queues.cards(db, name, queue_allowed(who, name))
            if not others.intersection(card.ids)
        ]
        where = f"/console/item/{found[0].lead.id}" if found else f"/console/queue/{name}"
        return RedirectResponse(where, status_code=303)

    @router.get("/item/{item_id}", response_class=HTMLResponse)
    def item(request: Request, item_id: int, token: Token = None, warned: int = 0) -> HTMLResponse:
        who = c.signed_in(token)
        it = c.item_for(who, item_id)
        cs = who.person.role == CHILD_SAFETY_ROLE
        details = it.details
        content = c.content_of(it)
        view = item_view.build(it.kind, details, content, child_safety=it.row.child_safety)
        if view.severe and not warned and it.decided is None:
            return c.page(request, "warning.html", who, item=it.row, view=view, title="warning")
        c.audit.append(f"user:{who.person.name}", "open_item", it.row.submission_id, item=item_id)
        card = queues.card_of(db, it.row.queue, item_id, cs) if it.decided is None else None
        held_by = claims.claim(db, who.person.name, card.ids) if card else None
        exposure = reveals_today(db, who.person.name)
        top = [e.get("category") for e in details.get("evidence", []) if e.get("category")]
        return c.page(
            request,
            "item.html",
            who,
            item=it.row,
            kind=it.kind,
            decided=it.decided,
            decision=it.decision,
            matches=details.get("bank_matches", []),
            evidence=details.get("evidence", []),
            provenance=details.get("provenance"),
            view=view,
            never_shown=it.never_shown,
            card=card,
            held_by=held_by,
            stack=",".join(str(i) for i in (card.ids if card else [item_id])),
            presets=[
                (name, p)
                for name, p in decisions.PRESETS.items()
                if not p.child_safety_only or it.row.child_safety
            ],
            categories=CATEGORIES,
            default_category=top[0] if top else "",
            classifications=INDUSTRY_CLASSIFICATIONS,
            annotations=FILE_ANNOTATIONS,
            exposure=exposure,
            exposure_limit=daily_limit(),
            break_prompt=exposure >= BREAK_PROMPT_SHARE * daily_limit(),
            title=f"item {item_id}",
        )

    @router.get("/item/{item_id}/image")
    def protected_image(item_id: int, token: Token = None) -> Response:
        who = c.signed_in(token)
        it = c.item_for(who, item_id)
        if it.never_shown:
            raise HTTPException(403, "matched to a bank of known material: never shown")
        data = c.content_of(it)
        if data is None:
            raise HTTPException(404, "the content was not kept")
        how = preferences.protection_for(preferences.load(db, who.person.id), it.row.queue)
        try:
            shown = protected_view(data, how)
        except MediaError as exc:
            raise HTTPException(422, f"cannot show this file: {exc}") from exc
        return Response(shown, media_type="image/jpeg", headers={"Cache-Control": "no-store"})

    @router.post("/item/{item_id}/reveal")
    def reveal(
        item_id: int,
        token: Token = None,
        csrf: Annotated[str | None, Form()] = None,
        x_csrf_token: Annotated[str | None, Header()] = None,
    ) -> Response:
        """The original bytes, for as long as the reviewer holds the button."""
        who = c.signed_in(token)
        c.checked(who, csrf or x_csrf_token)
        it = c.item_for(who, item_id)
        actor = f"user:{who.person.name}"
        if it.never_shown:
            c.audit.append(
                actor, "refused", it.row.submission_id, reason="reveal of bank-matched item"
            )
            raise HTTPException(403, "matched to a bank of known material: never shown")
        if reveals_today(db, who.person.name) >= daily_limit():
            c.audit.append(actor, "refused", it.row.submission_id, reason="daily exposure limit")
            raise HTTPException(
                429,
                f"you have reached today's limit of {daily_limit()} reveals: please take a "
                "break; you can still decide from the evidence and the protected view",
            )
        data = c.content_of(it)
        if data is None:
            raise HTTPException(404, "the content was not kept")
        c.audit.append(actor, REVEAL, it.row.submission_id, item=item_id)
        try:
            mime = sniff(data).mime
        except MediaError:
            mime = "application/octet-stream"
        return Response(data, media_type=mime, headers={"Cache-Control": "no-store"})

    @router.post("/item/{item_id}/decide")
    def decide(
        item_id: int,
        csrf: Annotated[str, Form()],
        preset: Annotated[str, Form()],
        token: Token = None,
        stack: Annotated[str, Form()] = "",
        category: Annotated[str, Form()] = "",
        classification: Annotated[str, Form()] = "",
        annotation: Annotated[list[str] | None, Form()] = None,
    ) -> RedirectResponse:
        who = c.signed_in(token)
        c.checked(who, csrf)
        it = c.item_for(who, item_id)
        actor = f"user:{who.person.name}"
        if it.decided is not None:
            c.audit.append(actor, "refused", it.row.submission_id, reason="already decided")
            raise HTTPException(409, f"item {item_id} was already decided")
        form = decisions.DecisionForm(
            preset, category, classification, tuple(sorted(set(annotation or [])))
        )
        problems = form.problems(it.row.child_safety)
        if problems:
            c.audit.append(actor, "refused", it.row.submission_id, reason="; ".join(problems))
            raise HTTPException(422, "; ".join(problems))
        card = queues.card_of(db, it.row.queue, item_id, who.person.role == CHILD_SAFETY_ROLE)
        shown = _stack_ids(stack) | {item_id}
        # only what the reviewer saw on the card, and only what is still on it
        ids = [item_id] + [i for i in (card.ids if card else []) if i in shown and i != item_id]
        other = claims.holder(db, ids, who.person.name)
        if other is not None:
            c.audit.append(actor, "refused", it.row.submission_id, reason=f"claimed by {other}")
            raise HTTPException(409, f"item {item_id} is being reviewed by {other}")
        try:
            decisions.record(db, who.person.name, item_id, ids, form)
        except decisions.AlreadyDecided as exc:
            c.audit.append(actor, "refused", it.row.submission_id, reason="already decided")
            raise HTTPException(409, str(exc)) from exc
        return RedirectResponse(f"/console/queue/{it.row.queue}/next", status_code=303)

    @router.get("/preferences", response_class=HTMLResponse)
    def prefs_form(request: Request, token: Token = None) -> HTMLResponse:
        who = c.signed_in(token)
        return c.page(
            request,
            "preferences.html",
            who,
            prefs=preferences.load(db, who.person.id),
            levels=list(preferences.BLUR_LEVELS),
            title="preferences",
        )

    @router.post("/preferences")
    def prefs_save(
        csrf: Annotated[str, Form()],
        blur: Annotated[str, Form()],
        token: Token = None,
        greyscale: Annotated[str, Form()] = "",
    ) -> RedirectResponse:
        who = c.signed_in(token)
        c.checked(who, csrf)
        try:
            preferences.save(db, who.person.id, blur, greyscale == "on")
        except preferences.PreferenceError as exc:
            raise HTTPException(422, str(exc)) from exc
        c.audit.append(f"user:{who.person.name}", "preferences", "", blur=blur, greyscale=greyscale)
        return RedirectResponse("/console/preferences", status_code=303)

    router.include_router(report_router(c))
    router.include_router(dashboard_router(c))
    return router


__all__ = ["COOKIE", "Item", "console_router"]
