"""The report and file-details XML documents, built in the documented element
order and validated against ``cybertipline.xsd`` before they leave the process."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any

from bulwark.reporting.model import Report, ReportedFile, ReportError

SCHEMA_LOCATION = "https://report.cybertip.org/ispws/xsd"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"


@lru_cache(maxsize=1)
def _schema() -> Any:
    import xmlschema

    text = resources.files("bulwark.reporting").joinpath("cybertipline.xsd").read_text("utf-8")
    return xmlschema.XMLSchema(text)


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def _bool(v: bool) -> str:
    return "true" if v else "false"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _root(tag: str) -> ET.Element:
    ET.register_namespace("xsi", _XSI)
    return ET.Element(tag, {f"{{{_XSI}}}noNamespaceSchemaLocation": SCHEMA_LOCATION})


def _finish(root: ET.Element) -> bytes:
    data = bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
    errors = [str(e.reason or e) for e in _schema().iter_errors(data.decode("utf-8"))]
    if errors:
        raise ReportError(f"<{root.tag}> does not follow the CyberTipline schema: {errors[0]}")
    return data


def report_xml(report: Report) -> bytes:
    report.check()
    root = _root("report")
    summary = _add(root, "incidentSummary")
    _add(summary, "incidentType", report.incident.incident_type)
    if report.incident.escalate_to_high_priority:
        _add(summary, "escalateToHighPriority", report.incident.escalate_to_high_priority)
    _add(summary, "incidentDateTime", _iso(report.incident.incident_at))
    if report.url:
        _add(_add(_add(root, "internetDetails"), "webPageIncident"), "url", report.url)
    reporter = _add(root, "reporter")
    person = _add(reporter, "reportingPerson")
    _add(person, "firstName", report.reporter.first_name)
    _add(person, "lastName", report.reporter.last_name)
    _add(person, "email", report.reporter.email)
    if report.reporter.company_template:
        _add(reporter, "companyTemplate", report.reporter.company_template)
    u = report.user
    if u is not None:
        reported = _add(root, "personOrUserReported")
        for tag, value in (
            ("espIdentifier", u.esp_identifier),
            ("screenName", u.screen_name),
            ("displayName", u.display_name),
            ("profileUrl", u.profile_url),
        ):
            if value:
                _add(reported, tag, value)
        if u.ip_address:
            ev = _add(reported, "ipCaptureEvent")
            _add(ev, "ipAddress", u.ip_address)
            _add(ev, "eventName", u.ip_event)
            if u.ip_at is not None:
                _add(ev, "dateTime", _iso(u.ip_at))
        _add(reported, "accountTemporarilyDisabled", _bool(u.account_temporarily_disabled))
        _add(reported, "accountPermanentlyDisabled", _bool(u.account_permanently_disabled))
    if report.intended_recipient:
        _add(_add(root, "intendedRecipient"), "screenName", report.intended_recipient)
    if report.victim_note:
        _add(_add(root, "victim"), "additionalInfo", report.victim_note)
    if report.additional_info:
        _add(root, "additionalInfo", report.additional_info)
    return _finish(root)


def file_details_xml(report_id: str, file_id: str, f: ReportedFile) -> bytes:
    root = _root("fileDetails")
    _add(root, "reportId", report_id)
    _add(root, "fileId", file_id)
    _add(root, "originalFileName", f.name)
    if f.uploaded_at is not None:
        _add(root, "uploadedToEspTimestamp", _iso(f.uploaded_at))
    if f.location:
        _add(root, "locationOfFile", f.location)
    _add(root, "fileViewedByEsp", _bool(f.viewed_by_esp))
    _add(root, "exifViewedByEsp", _bool(f.exif_viewed_by_esp))
    _add(root, "publiclyAvailable", _bool(f.publicly_available))
    _add(root, "fileRelevance", "Reported")
    if f.annotations:
        notes = _add(root, "fileAnnotations")
        for a in f.annotations:
            _add(notes, a)
    if f.industry_classification:
        _add(root, "industryClassification", f.industry_classification)
    for hash_type, value in f.hashes:
        _add(root, "originalFileHash", value, hashType=hash_type)
    if f.additional_info:
        _add(root, "additionalInfo", f.additional_info)
    return _finish(root)


__all__ = ["SCHEMA_LOCATION", "file_details_xml", "report_xml"]
