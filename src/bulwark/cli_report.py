"""``bulwark report list|decide|confirm|file``: CyberTipline reports from the shell.

The review console (issue 6) is where reviewers will do this; until then an
operator can take a policy's draft through a decision, a second person's
confirmation, and filing. Reviewer names are the people's own (they go into
the audit log); filing needs the evidence key, the CyberTipline credentials
and the reporting contact in the environment.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from bulwark.cli_support import console, fail
from bulwark.effects.preservation import EvidenceVault, key_from_env
from bulwark.errors import BulwarkError
from bulwark.reporting.client import client_from_env, reporter_from_env
from bulwark.reporting.desk import ReportDesk
from bulwark.store.db import Database

report_app = typer.Typer(help="CyberTipline reports: decide, confirm, file.", no_args_is_help=True)


@report_app.command("list")
def report_list(
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
) -> None:
    """Reports and where each stands (no content, no hashes)."""
    t = Table()
    for c in ("id", "submission", "status", "decided by", "confirmed by", "NCMEC id"):
        t.add_column(c)
    for r in ReportDesk(Database()).listing(status):
        t.add_row(
            str(r.id),
            r.submission_id,
            r.status,
            r.decided_by or "",
            r.confirmed_by or "",
            r.ncmec_report_id or "",
        )
    console.print(t)


@report_app.command("decide")
def report_decide(
    report_id: int,
    reviewer: Annotated[str, typer.Option(help="Who decides (recorded).")],
    classification: Annotated[str, typer.Option(help="A1, A2, B1 or B2.")],
    annotation: Annotated[
        list[str] | None, typer.Option(help="e.g. generativeAi (repeatable).")
    ] = None,
) -> None:
    try:
        st = ReportDesk(Database()).decide(
            report_id, reviewer, classification, tuple(annotation or ())
        )
    except BulwarkError as exc:
        raise fail(exc, 2) from exc
    console.print(
        f"report {st.id}: {st.status} by {st.decided_by}; a second reviewer confirms next"
    )


@report_app.command("confirm")
def report_confirm(
    report_id: int, reviewer: Annotated[str, typer.Option(help="A second reviewer (recorded).")]
) -> None:
    try:
        st = ReportDesk(Database()).confirm(report_id, reviewer)
    except BulwarkError as exc:
        raise fail(exc, 2) from exc
    console.print(f"report {st.id}: confirmed by {st.confirmed_by}; ready to file")


@report_app.command("file")
def report_file(report_id: int) -> None:
    """File a confirmed report with NCMEC (test endpoint unless configured otherwise)."""
    db = Database()
    try:
        vault = EvidenceVault(db, key_from_env())
        with client_from_env() as client:
            filed = ReportDesk(db).file(report_id, client, reporter_from_env(), vault)
    except BulwarkError as exc:
        raise fail(exc, 2) from exc
    console.print(
        f"report {report_id} filed: NCMEC report {filed.report_id}, {len(filed.file_ids)} file(s)"
    )


__all__ = ["report_app", "reporter_from_env"]
