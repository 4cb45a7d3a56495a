"""The dashboard page: queue depth and age, decisions per hour, how much never
needed a human, and each reviewer's exposure today — numbers and small charts,
never content."""

# No ``from __future__ import annotations``: FastAPI reads these annotations at runtime.
from typing import Annotated

from fastapi import APIRouter, Cookie, Request
from fastapi.responses import HTMLResponse

from bulwark.console import charts, queues
from bulwark.console.dashboard import figures
from bulwark.console.exposure import daily_limit
from bulwark.console.web import ALL_ROLES, CHILD_SAFETY_ROLE, COOKIE, Console

Token = Annotated[str | None, Cookie(alias=COOKIE)]


def dashboard_router(c: Console) -> APIRouter:
    router = APIRouter()

    @router.get("/dashboard", response_class=HTMLResponse)
    def dashboard(request: Request, token: Token = None) -> HTMLResponse:
        who = c.signed_in(token, ALL_ROLES)
        f = figures(c.db, who.person.role in (CHILD_SAFETY_ROLE, "admin"))
        return c.page(
            request,
            "dashboard.html",
            who,
            f=f,
            age=queues.age,
            depth_chart=charts.bars(
                [(q.name, q.open) for q in f.queues], title="open items per queue"
            ),
            hourly_chart=charts.bars(
                [(label, n) for label, n in f.decisions_per_hour],
                label_every=4,
                title="decisions per hour, last 24 hours",
            ),
            exposure_chart=charts.bars(
                f.exposure, title=f"reveals today per reviewer (limit {daily_limit()})"
            ),
            limit=daily_limit(),
            title="dashboard",
        )

    return router


__all__ = ["dashboard_router"]
