"""From a policy's draft to a filed CyberTipline report, with two people in between.

The policy drafts (effect ``cybertipline_draft``); a reviewer decides the
classification and annotations; a *different* reviewer confirms; only then is
the report filed, with the preserved evidence, ``fileViewedByEsp`` from the
audit log, and ``generativeAi`` when the file carried AI-generation evidence.
Filing extends the evidence's retention to a year from the filing and records
NCMEC's report id. Every step is in the audit log; a step out of order is
refused with the reason.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bulwark.effects.preservation import EvidenceVault, PreservationError, kept_item
from bulwark.reporting.client import CyberTiplineClient, FiledReport
from bulwark.reporting.model import (
    CHILD_PORNOGRAPHY,
    FILE_ANNOTATIONS,
    INDUSTRY_CLASSIFICATIONS,
    IncidentSummary,
    Report,
    ReportedFile,
    ReportedUser,
    Reporter,
    ReportError,
)
from bulwark.reporting.viewed import file_viewed_by_esp
from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database
from bulwark.store.models import (
    CyberTiplineReportRow,
    PreservedItemRow,
    SubmissionRow,
    as_utc,
    utcnow,
)

RETENTION_DAYS = 365


@dataclass(frozen=True)
class ReportState:
    id: int
    submission_id: str
    status: str
    decided_by: str | None
    confirmed_by: str | None
    ncmec_report_id: str | None
    user: str = ""
    classification: str | None = None
    last_error: str | None = None


def _state(row: CyberTiplineReportRow) -> ReportState:
    return ReportState(
        row.id,
        row.submission_id,
        row.status,
        row.decided_by,
        row.confirmed_by,
        row.ncmec_report_id,
        row.user,
        row.classification,
        row.last_error,
    )


class ReportDesk:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.audit = AuditLog(db)

    def draft(self, submission_id: str, user: str = "") -> int:
        """The draft for a submission (one per submission; drafting again returns it)."""
        try:
            with self.db.session() as s:
                row = CyberTiplineReportRow(submission_id=submission_id, user=user)
                s.add(row)
                s.flush()
                AuditLog.append_in(s, "policy", "report_drafted", submission_id, report=row.id)
                return row.id
        except IntegrityError:
            with self.db.session() as s:
                found = s.scalar(
                    select(CyberTiplineReportRow.id).where(
                        CyberTiplineReportRow.submission_id == submission_id
                    )
                )
                if found is None:
                    raise
                return int(found)

    def get(self, report_id: int) -> ReportState:
        with self.db.session() as s:
            return _state(self._row(s, report_id))

    def listing(self, status: str | None = None) -> list[ReportState]:
        """Every report (or those with ``status``) and where each stands; no content."""
        q = select(CyberTiplineReportRow).order_by(CyberTiplineReportRow.id)
        if status:
            q = q.where(CyberTiplineReportRow.status == status)
        with self.db.session() as s:
            return [_state(r) for r in s.scalars(q)]

    @staticmethod
    def _kept(s: Session, submission_id: str) -> PreservedItemRow | None:
        sub = s.get(SubmissionRow, submission_id)
        item = kept_item(dict(sub.decision.get("details", {}))) if sub is not None else None
        return s.get(PreservedItemRow, item) if item is not None else None

    @staticmethod
    def _row(s: Session, report_id: int) -> CyberTiplineReportRow:
        row = s.get(CyberTiplineReportRow, report_id)
        if row is None:
            raise ReportError(f"no report {report_id}")
        return row

    def decide(
        self,
        report_id: int,
        reviewer: str,
        classification: str,
        annotations: tuple[str, ...] = (),
    ) -> ReportState:
        if classification not in INDUSTRY_CLASSIFICATIONS:
            raise ReportError(
                f"classification must be one of {', '.join(INDUSTRY_CLASSIFICATIONS)}"
            )
        bad = [a for a in annotations if a not in FILE_ANNOTATIONS]
        if bad:
            raise ReportError(f"unknown annotation(s): {', '.join(bad)}")
        with self.db.session() as s:
            row = self._row(s, report_id)
            if row.status not in ("draft", "decided"):
                raise ReportError(f"report {report_id} is {row.status}: it cannot be changed")
            row.status, row.decided_by = "decided", reviewer
            row.classification, row.annotations = classification, list(annotations)
            row.confirmed_by = None
            kept = self._kept(s, row.submission_id)
            if kept is not None:  # reportable now: kept for the legal period, not 30 days
                kept.expires_at = max(
                    as_utc(kept.expires_at), utcnow() + timedelta(days=RETENTION_DAYS)
                )
            AuditLog.append_in(
                s,
                reviewer,
                "report_decided",
                row.submission_id,
                report=report_id,
                classification=classification,
            )
            return _state(row)

    def confirm(self, report_id: int, reviewer: str) -> ReportState:
        with self.db.session() as s:
            row = self._row(s, report_id)
            if row.status != "decided":
                raise ReportError(
                    f"report {report_id} is {row.status}: only a decided report is confirmed"
                )
            if row.decided_by == reviewer:
                raise ReportError("a second reviewer must confirm: the one who decided cannot")
            row.status, row.confirmed_by = "confirmed", reviewer
            AuditLog.append_in(s, reviewer, "report_confirmed", row.submission_id, report=report_id)
            return _state(row)

    def file(
        self,
        report_id: int,
        client: CyberTiplineClient,
        reporter: Reporter,
        vault: EvidenceVault,
        *,
        retention_days: int = RETENTION_DAYS,
    ) -> FiledReport:
        report, item = self._build(report_id, reporter, vault)
        try:
            filed = client.file(report)
        except Exception as exc:
            with self.db.session() as s:
                row = self._row(s, report_id)
                row.status, row.last_error = "failed", f"{type(exc).__name__}: {exc}"[:4000]
                AuditLog.append_in(
                    s,
                    "reporting",
                    "report_failed",
                    row.submission_id,
                    report=report_id,
                    error=row.last_error,
                )
            raise
        with self.db.session() as s:
            row = self._row(s, report_id)
            row.status, row.ncmec_report_id = "filed", filed.report_id
            row.file_ids, row.filed_at, row.last_error = list(filed.file_ids), utcnow(), None
            kept = s.get(PreservedItemRow, item)
            if kept is not None:  # the law's clock runs from the report
                kept.expires_at = max(
                    as_utc(kept.expires_at), utcnow() + timedelta(days=retention_days)
                )
            AuditLog.append_in(
                s,
                "reporting",
                "report_filed",
                row.submission_id,
                report=report_id,
                ncmec_report_id=filed.report_id,
                preserved_item=item,
            )
        return filed

    def _build(
        self, report_id: int, reporter: Reporter, vault: EvidenceVault
    ) -> tuple[Report, int]:
        with self.db.session() as s:
            row = self._row(s, report_id)
            if row.status not in ("confirmed", "failed") or row.confirmed_by is None:
                raise ReportError(
                    f"report {report_id} is {row.status}: it needs a decision and a second "
                    "reviewer's confirmation before it is filed"
                )
            sub = s.get(SubmissionRow, row.submission_id)
            if sub is None:
                raise ReportError(f"submission {row.submission_id} is gone")
            details = dict(sub.decision.get("details", {}))
            user, classification = row.user, row.classification
            annotations = list(row.annotations)
            incident_at = as_utc(sub.created_at)
        # the policy preserved it, or a reviewer reported an item kept for review
        item = kept_item(details)
        if item is None:
            raise ReportError(
                f"submission {row.submission_id} has no preserved evidence to report "
                "(set BULWARK_PRESERVATION_KEY so reported items are preserved)"
            )
        try:
            _, data = vault.retrieve(item)
        except PreservationError as exc:
            raise ReportError(str(exc)) from exc
        if (
            details.get("provenance") in ("confirmed", "likely")
            and "generativeAi" not in annotations
        ):
            annotations.append("generativeAi")
        f = ReportedFile(
            name=f"{row.submission_id}.bin",
            data=data,
            viewed_by_esp=file_viewed_by_esp(self.db, row.submission_id),
            hashes=(("MD5", hashlib.md5(data, usedforsecurity=False).hexdigest()),),
            industry_classification=classification,
            annotations=tuple(annotations),
            uploaded_at=incident_at,
            additional_info=f"SHA-256 {hashlib.sha256(data).hexdigest()}",
        )
        report = Report(
            incident=IncidentSummary(CHILD_PORNOGRAPHY, incident_at),
            reporter=reporter,
            user=ReportedUser(esp_identifier=user) if user else None,
            files=(f,),
        )
        return report, item


__all__ = ["RETENTION_DAYS", "ReportDesk", "ReportState"]
