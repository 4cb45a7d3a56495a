"""What every console page shares: the signed-in reviewer, forms' CSRF check,
rendering, and reaching an item only when the reviewer's role allows it.

One object, built once per app, so the route modules (queues and items,
reports, dashboard) check sessions and roles the same way.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from importlib import resources
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from bulwark.console.accounts import Accounts, SignedIn
from bulwark.effects.preservation import PreservationError, kept_item, vault_from_env
from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database
from bulwark.store.models import ReviewDecisionRow, ReviewItemRow, SubmissionRow

COOKIE = "bulwark_session"
REVIEW_ROLES = ("reviewer", "child_safety_reviewer")
CHILD_SAFETY_ROLE = "child_safety_reviewer"
#: only the console's own script and styles; revealed media come as blob: URLs
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' blob:; media-src 'self' blob:; frame-ancestors 'none'; form-action 'self'"
)
#: the dashboard is for everyone signed in, administrators included
ALL_ROLES = (*REVIEW_ROLES, "admin")


@dataclass(frozen=True)
class Item:
    row: ReviewItemRow
    decision: dict[str, Any]
    kind: str
    decided: ReviewDecisionRow | None

    @property
    def details(self) -> dict[str, Any]:
        return dict(self.decision.get("details", {}))

    @property
    def never_shown(self) -> bool:
        """Matched to a bank of known material: confirmed from the evidence, never viewed."""
        return bool(self.details.get("bank_matches"))


TEMPLATES = Jinja2Templates(directory=str(resources.files("bulwark.console") / "templates"))


def error_response(request: Request, status: int, detail: str) -> HTMLResponse:
    """A refusal as a page a person can read; the reason also travels in the
    ``X-Console-Error`` header for the console's own scripts (hold-to-reveal)."""
    response = TEMPLATES.TemplateResponse(
        request,
        "error.html",
        {"status": status, "detail": detail, "title": f"error {status}", "person": None},
        status_code=status,
    )
    response.headers["X-Console-Error"] = detail.encode("ascii", "replace").decode()
    response.headers["Cache-Control"] = "no-store"
    return response


class Console:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.accounts = Accounts(db)
        self.audit = AuditLog(db)
        self.vault = vault_from_env(db)
        self.templates = TEMPLATES

    def page(
        self, request: Request, name: str, who: SignedIn | None, status: int = 200, **ctx: Any
    ) -> HTMLResponse:
        ctx.update(person=who.person if who else None, csrf=who.csrf if who else "")
        response = self.templates.TemplateResponse(request, name, ctx, status_code=status)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Content-Security-Policy"] = CSP
        return response

    def signed_in(self, token: str | None, roles: tuple[str, ...] = REVIEW_ROLES) -> SignedIn:
        who = self.accounts.session(token)
        if who is None:
            raise HTTPException(303, "sign in first", headers={"Location": "/console/login"})
        if who.person.role not in roles:
            if roles == (CHILD_SAFETY_ROLE,):
                raise HTTPException(403, "this page needs the child-safety reviewer role")
            raise HTTPException(403, f"role {who.person.role!r} does not review content")
        return who

    def checked(self, who: SignedIn, csrf: str | None) -> None:
        """Refuse a form that does not carry this session's token (forged or stale)."""
        if not hmac.compare_digest(who.csrf, csrf or ""):
            self.audit.append(f"user:{who.person.name}", "csrf_refused", "")
            raise HTTPException(403, "this form is stale or forged: reload the page")

    def refuse_child_safety(self, who: SignedIn, subject: str) -> None:
        if who.person.role != CHILD_SAFETY_ROLE:
            self.audit.append(f"user:{who.person.name}", "refused", subject, reason="child safety")
            raise HTTPException(403, "child-safety items need the child-safety reviewer role")

    def item_for(self, who: SignedIn, item_id: int) -> Item:
        with self.db.session() as s:
            row = s.get(ReviewItemRow, item_id)
            if row is None:
                raise HTTPException(404, f"no review item {item_id}")
            if row.child_safety:
                self.refuse_child_safety(who, f"item:{item_id}")
            sub = s.get(SubmissionRow, row.submission_id)
            decided = s.query(ReviewDecisionRow).filter_by(item_id=item_id).one_or_none()
            s.expunge_all()
            return Item(
                row,
                dict(sub.decision) if sub is not None else {},
                sub.kind if sub is not None else "",
                decided,
            )

    def content_of(self, item: Item) -> bytes | None:
        """The kept copy of the item's content (decrypted), or None when there is none."""
        kept = kept_item(item.details)
        if kept is None or self.vault is None:
            return None
        try:
            return self.vault.retrieve(kept)[1]
        except PreservationError:  # purged, or tampered with: nothing to show
            return None


__all__ = [
    "ALL_ROLES",
    "CHILD_SAFETY_ROLE",
    "COOKIE",
    "REVIEW_ROLES",
    "TEMPLATES",
    "Console",
    "Item",
    "error_response",
]
