"""CyberTipline reports: model checks, schema-valid XML, and the filing flow end
to end against a local server that implements NCMEC's documented steps."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

import pytest

from bulwark.reporting.client import (
    CyberTiplineClient,
    CyberTiplineError,
    ReportingDisabled,
    client_from_env,
)
from bulwark.reporting.model import (
    CHILD_PORNOGRAPHY,
    IncidentSummary,
    Report,
    ReportedFile,
    ReportedUser,
    Reporter,
    ReportError,
)
from bulwark.reporting.viewed import REVEAL, file_viewed_by_esp
from bulwark.reporting.xml import _schema, file_details_xml, report_xml
from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database
from tests.ncmec_server import FakeCyberTipline

AT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _report(**changes: object) -> Report:
    files = (
        ReportedFile(
            "upload-1.jpg",
            b"benign test bytes",
            viewed_by_esp=False,
            hashes=(("MD5", hashlib.md5(b"benign test bytes").hexdigest()),),
            industry_classification="A1",
            annotations=("generativeAi",),
        ),
    )
    base: dict[str, object] = {
        "incident": IncidentSummary(CHILD_PORNOGRAPHY, AT),
        "reporter": Reporter("Trust", "Safety", "ts@platform.example"),
        "user": ReportedUser("user-42", screen_name="someone", ip_address="203.0.113.9", ip_at=AT),
        "url": "https://platform.example/p/1",
        "files": files,
    }
    base.update(changes)
    return Report(**base)  # type: ignore[arg-type]


def test_report_xml_follows_the_schema_and_order() -> None:
    xml = report_xml(_report()).decode()
    assert _schema().is_valid(xml)
    order = [m.group(1) for m in re.finditer(r"<(\w+)>", xml)]
    top = [
        t
        for t in order
        if t in ("incidentSummary", "internetDetails", "reporter", "personOrUserReported")
    ]
    assert top == ["incidentSummary", "internetDetails", "reporter", "personOrUserReported"]
    details = file_details_xml("1001", "f1", _report().files[0]).decode()
    assert "<fileViewedByEsp>false</fileViewedByEsp>" in details
    assert "<generativeAi />" in details and 'hashType="MD5"' in details


def test_bad_reports_are_refused_with_every_problem_and_nothing_sent(ncmec: str) -> None:
    bad = _report(
        incident=IncidentSummary("Something else", datetime(2026, 1, 1)),
        reporter=Reporter("", "Safety", "not-an-email"),
        files=(ReportedFile("x.jpg", b"", viewed_by_esp=False, industry_classification="C3"),),
    )
    with (
        CyberTiplineClient("esp", "secret", base_url=ncmec) as c,
        pytest.raises(ReportError) as err,
    ):
        c.file(bad)
    message = str(err.value)
    for part in ("incident type", "time zone", "first name", "email", "empty", "A1, A2, B1, B2"):
        assert part in message
    assert FakeCyberTipline.calls == []


def test_filing_flow_end_to_end(ncmec: str) -> None:
    report = _report(
        files=(*_report().files, ReportedFile("upload-2.png", b"more", viewed_by_esp=True))
    )
    with CyberTiplineClient("esp", "secret", base_url=ncmec) as c:
        assert c.status()
        filed = c.file(report)
    assert filed.report_id == "1001" and len(filed.file_ids) == 2
    steps = [s for s, _ in FakeCyberTipline.calls]
    assert steps == ["submit", "upload", "fileinfo", "upload", "fileinfo", "finish"]
    fileinfos = [b.decode() for s, b in FakeCyberTipline.calls if s == "fileinfo"]
    assert "<fileViewedByEsp>false</fileViewedByEsp>" in fileinfos[0]
    assert "<fileViewedByEsp>true</fileViewedByEsp>" in fileinfos[1]


def test_a_failed_step_retracts_the_report(ncmec: str) -> None:
    FakeCyberTipline.fail_on = "fileinfo"
    with (
        CyberTiplineClient("esp", "secret", base_url=ncmec) as c,
        pytest.raises(CyberTiplineError, match="4100 Invalid XML"),
    ):
        c.file(_report())
    assert [s for s, _ in FakeCyberTipline.calls][-1] == "retract"


def test_wrong_credentials_and_disabled_reporting(
    ncmec: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (
        CyberTiplineClient("esp", "wrong", base_url=ncmec) as c,
        pytest.raises(CyberTiplineError, match="HTTP 401"),
    ):
        c.file(_report())
    monkeypatch.delenv("BULWARK_CYBERTIP_USER", raising=False)
    with pytest.raises(ReportingDisabled, match="BULWARK_CYBERTIP_USER"):
        client_from_env()
    monkeypatch.setenv("BULWARK_CYBERTIP_USER", "esp")
    monkeypatch.setenv("BULWARK_CYBERTIP_PASSWORD", "secret")
    monkeypatch.setenv("BULWARK_CYBERTIP_URL", ncmec)
    with client_from_env() as c:
        assert c.status()


def test_file_viewed_by_esp_comes_from_reveal_records(db: Database) -> None:
    log = AuditLog(db)
    log.append("reviewer:ana", "read_submission", "sub-1")
    assert file_viewed_by_esp(db, "sub-1") is False  # reading the evidence is not viewing
    log.append("reviewer:ana", REVEAL, "sub-1")
    assert file_viewed_by_esp(db, "sub-1") is True
    assert file_viewed_by_esp(db, "sub-2") is False
