"""Draft -> decide -> second reviewer confirms -> filed, from a real submission."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bulwark.effects.jobs import JobQueue
from bulwark.effects.preservation import EvidenceVault
from bulwark.reporting.client import CyberTiplineClient, CyberTiplineError
from bulwark.reporting.desk import ReportDesk
from bulwark.reporting.model import Reporter, ReportError
from bulwark.reporting.viewed import REVEAL
from bulwark.service.app import create_app
from bulwark.service.keys import KeyStore
from bulwark.service.worker import worker_handlers
from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database
from bulwark.store.models import CyberTiplineReportRow, PreservedItemRow, as_utc, utcnow
from tests.ncmec_server import FakeCyberTipline

KEY = bytes(range(32))
REPORTER = Reporter("Trust", "Safety", "ts@platform.example")
CASES = json.loads(
    (
        Path(__file__).parents[1] / "fixtures" / "violating_text" / "child_safety_prompts.json"
    ).read_text(encoding="utf-8")
)


@pytest.fixture
def drafted(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """A blocked-and-reported prompt, its effects carried out: a draft report exists."""
    monkeypatch.setenv("BULWARK_PRESERVATION_KEY", base64.b64encode(KEY).decode())
    client = TestClient(create_app(db, index_dir=tmp_path / "index"))
    key, _ = KeyStore(db).create("p", "client")
    body = client.post(
        "/v1/text",
        json={"text": CASES["youth_and_sexual_hard"][0], "kind": "prompt", "user_id": "u-9"},
        headers={"X-API-Key": key},
    ).json()
    assert body["verdict"] == "block_and_report"
    q = JobQueue(db, "t")
    table = worker_handlers(db, index_dir=tmp_path / "index")
    while q.run_once(table):
        pass
    with db.session() as s:
        [row] = s.scalars(select(CyberTiplineReportRow)).all()
        return row.id, body["id"]


def test_two_people_then_filed(db: Database, drafted: tuple[int, str], ncmec: str) -> None:
    report_id, sid = drafted
    desk = ReportDesk(db)
    vault = EvidenceVault(db, KEY)
    with CyberTiplineClient("esp", "secret", base_url=ncmec) as c:
        with pytest.raises(ReportError, match="second reviewer"):
            desk.file(report_id, c, REPORTER, vault)  # not even decided
        desk.decide(report_id, "ana", "B2", ("generativeAi",))
        with pytest.raises(ReportError, match="second reviewer must confirm"):
            desk.confirm(report_id, "ana")
        assert FakeCyberTipline.calls == []
        desk.confirm(report_id, "ben")
        AuditLog(db).append("reviewer:ben", REVEAL, sid)  # ben looked at it unblurred
        filed = desk.file(report_id, c, REPORTER, vault)
    assert filed.report_id == "1001"
    state = desk.get(report_id)
    assert (state.status, state.ncmec_report_id) == ("filed", "1001")
    fileinfo = next(b.decode() for s, b in FakeCyberTipline.calls if s == "fileinfo")
    assert "<fileViewedByEsp>true</fileViewedByEsp>" in fileinfo
    assert "<industryClassification>B2</industryClassification>" in fileinfo
    submitted = next(b.decode() for s, b in FakeCyberTipline.calls if s == "submit")
    assert "<espIdentifier>u-9</espIdentifier>" in submitted
    with db.session() as s:
        kept = s.scalars(select(PreservedItemRow)).all()
        assert kept and as_utc(kept[0].expires_at) > utcnow() + timedelta(days=364)
    actions = [r.action for r in AuditLog(db).records()]
    for a in ("report_drafted", "report_decided", "report_confirmed", "report_filed"):
        assert a in actions
    assert AuditLog(db).verify() == []
    with pytest.raises(ReportError, match="filed"):
        desk.decide(report_id, "ana", "A1")  # a filed report is final


def test_a_failed_filing_is_recorded_and_can_be_retried(
    db: Database, drafted: tuple[int, str], ncmec: str
) -> None:
    report_id, _ = drafted
    desk = ReportDesk(db)
    desk.decide(report_id, "ana", "A1")
    desk.confirm(report_id, "ben")
    FakeCyberTipline.fail_on = "finish"
    with CyberTiplineClient("esp", "secret", base_url=ncmec) as c:
        with pytest.raises(CyberTiplineError):
            desk.file(report_id, c, REPORTER, EvidenceVault(db, KEY))
        assert desk.get(report_id).status == "failed"
        FakeCyberTipline.fail_on = ""
        assert desk.file(report_id, c, REPORTER, EvidenceVault(db, KEY)).report_id == "1001"


def test_bad_decisions_are_refused(db: Database, drafted: tuple[int, str]) -> None:
    report_id, sid = drafted
    desk = ReportDesk(db)
    with pytest.raises(ReportError, match="A1, A2, B1, B2"):
        desk.decide(report_id, "ana", "C9")
    with pytest.raises(ReportError, match="unknown annotation"):
        desk.decide(report_id, "ana", "A1", ("nonsense",))
    with pytest.raises(ReportError, match="no report"):
        desk.confirm(999_999, "ben")
    assert desk.draft(sid) == report_id  # drafting again returns the same report


def test_report_commands(
    db: Database, drafted: tuple[int, str], ncmec: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from bulwark.cli import app

    report_id = str(drafted[0])
    monkeypatch.setenv("BULWARK_DB_URL", db.url)
    run = CliRunner().invoke
    assert "draft" in run(app, ["report", "list"]).output
    ok = run(app, ["report", "decide", report_id, "--reviewer", "ana", "--classification", "A2"])
    assert ok.exit_code == 0, ok.output
    same = run(app, ["report", "confirm", report_id, "--reviewer", "ana"])
    assert same.exit_code == 2 and "second reviewer" in same.output
    assert run(app, ["report", "confirm", report_id, "--reviewer", "ben"]).exit_code == 0
    for var in (
        "BULWARK_REPORTER_FIRST_NAME",
        "BULWARK_REPORTER_LAST_NAME",
        "BULWARK_REPORTER_EMAIL",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("BULWARK_CYBERTIP_USER", "esp")
    monkeypatch.setenv("BULWARK_CYBERTIP_PASSWORD", "secret")
    monkeypatch.setenv("BULWARK_CYBERTIP_URL", ncmec)
    unset = run(app, ["report", "file", report_id])
    assert unset.exit_code == 2 and "BULWARK_REPORTER_EMAIL" in unset.output
    assert FakeCyberTipline.calls == []
    monkeypatch.setenv("BULWARK_REPORTER_FIRST_NAME", "Trust")
    monkeypatch.setenv("BULWARK_REPORTER_LAST_NAME", "Safety")
    monkeypatch.setenv("BULWARK_REPORTER_EMAIL", "ts@platform.example")
    filed = run(app, ["report", "file", report_id])
    assert filed.exit_code == 0, filed.output
    assert "NCMEC report 1001" in filed.output
