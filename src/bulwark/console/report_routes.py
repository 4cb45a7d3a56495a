"""CyberTipline reports in the console: the second reviewer's confirmation, and filing.

A reviewer's "report" decision on a child-safety item classifies the draft
(effect ``report_decision``); here a *different* child-safety reviewer
confirms it, and a confirmed report is filed with NCMEC through the client
configured in the environment (the test endpoint unless told otherwise).
Every refusal — the same person confirming, a report out of order, reporting
not configured, NCMEC refusing — is shown with its reason; a failed filing is
marked ``failed`` with the error and can be filed again.
"""

# No ``from __future__ import annotations``: FastAPI reads these annotations at runtime.
from typing import Annotated

from fastapi import APIRouter, Cookie, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from bulwark.console.web import CHILD_SAFETY_ROLE, COOKIE, Console
from bulwark.errors import BulwarkError
from bulwark.reporting.client import client_from_env, reporter_from_env
from bulwark.reporting.desk import ReportDesk

Token = Annotated[str | None, Cookie(alias=COOKIE)]


def report_router(c: Console) -> APIRouter:
    router = APIRouter()
    desk = ReportDesk(c.db)

    def refused(name: str, report_id: int, why: str) -> None:
        c.audit.append(f"user:{name}", "refused", f"report:{report_id}", reason=why)

    @router.get("/reports", response_class=HTMLResponse)
    def reports(request: Request, token: Token = None) -> HTMLResponse:
        who = c.signed_in(token, (CHILD_SAFETY_ROLE,))
        return c.page(request, "reports.html", who, reports=desk.listing(), title="reports")

    @router.post("/reports/{report_id}/confirm")
    def confirm(
        report_id: int, csrf: Annotated[str, Form()], token: Token = None
    ) -> RedirectResponse:
        who = c.signed_in(token, (CHILD_SAFETY_ROLE,))
        c.checked(who, csrf)
        try:
            desk.confirm(report_id, who.person.name)
        except BulwarkError as exc:
            refused(who.person.name, report_id, str(exc))
            raise HTTPException(409, str(exc)) from exc
        return RedirectResponse("/console/reports", status_code=303)

    @router.post("/reports/{report_id}/file")
    def file(report_id: int, csrf: Annotated[str, Form()], token: Token = None) -> RedirectResponse:
        who = c.signed_in(token, (CHILD_SAFETY_ROLE,))
        c.checked(who, csrf)
        if c.vault is None:
            raise HTTPException(409, "no evidence key is configured: set BULWARK_PRESERVATION_KEY")
        try:
            with client_from_env() as client:
                desk.file(report_id, client, reporter_from_env(), c.vault)
        except BulwarkError as exc:
            refused(who.person.name, report_id, str(exc))
            raise HTTPException(409, str(exc)) from exc
        except Exception as exc:  # NCMEC or the network said no: recorded as failed
            raise HTTPException(502, f"filing failed: {type(exc).__name__}: {exc}") from exc
        c.audit.append(f"user:{who.person.name}", "report_file_requested", f"report:{report_id}")
        return RedirectResponse("/console/reports", status_code=303)

    return router


__all__ = ["report_router"]
