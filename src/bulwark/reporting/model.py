"""A CyberTipline report as NCMEC's reporting API documents it.

The sections and their order follow NCMEC's published documentation for the
ESP reporting API (``report`` with ``incidentSummary``, ``internetDetails``,
``reporter``, ``personOrUserReported``, ``intendedRecipient``, ``victim``,
``additionalInfo``; per uploaded file a ``fileDetails`` document). Only what a
platform running Bulwark knows is modelled; every field is optional except
what the API requires, and ``Report.problems`` names anything missing before
any XML is built, so a bad report is refused with the reason instead of being
rejected by NCMEC after the fact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bulwark.errors import BulwarkError

#: the incident type for apparent child sexual abuse material
CHILD_PORNOGRAPHY = "Child Pornography (possession, manufacture, and distribution)"
INCIDENT_TYPES = (
    CHILD_PORNOGRAPHY,
    "Child Sex Trafficking",
    "Child Sex Tourism",
    "Child Sexual Molestation",
    "Misleading Domain Name",
    "Misleading Words or Digital Images on the Internet",
    "Online Enticement of Children for Sexual Acts",
    "Unsolicited Obscene Material Sent to a Child",
)
#: NCMEC's industry classification: A (prepubescent) / B (pubescent) x 1 (sex act) / 2 (lascivious)
INDUSTRY_CLASSIFICATIONS = ("A1", "A2", "B1", "B2")
#: file annotations NCMEC accepts (empty elements in ``fileAnnotations``)
FILE_ANNOTATIONS = (
    "sadisticMasochistic",
    "physicalHarm",
    "violenceGore",
    "bestiality",
    "liveStreaming",
    "infant",
    "generativeAi",
)
HASH_TYPES = ("MD5", "SHA1", "SHA256", "PDQ", "PhotoDNA")


class ReportError(BulwarkError):
    """A report that cannot be filed as it stands (the message lists every problem)."""


@dataclass(frozen=True)
class IncidentSummary:
    incident_type: str
    incident_at: datetime
    escalate_to_high_priority: str = ""  # why, when a child may be in imminent danger


@dataclass(frozen=True)
class Reporter:
    """The reporting ESP's contact (``reportingPerson``)."""

    first_name: str
    last_name: str
    email: str
    company_template: str = ""  # the ESP's template name at NCMEC, when it has one


@dataclass(frozen=True)
class ReportedUser:
    """``personOrUserReported``: the platform account that uploaded the content."""

    esp_identifier: str
    screen_name: str = ""
    display_name: str = ""
    profile_url: str = ""
    ip_address: str = ""
    ip_event: str = "Upload"
    ip_at: datetime | None = None
    account_temporarily_disabled: bool = False
    account_permanently_disabled: bool = False


@dataclass(frozen=True)
class ReportedFile:
    """One file to upload with its ``fileDetails``. ``viewed_by_esp`` must come from
    the audit log's reveal records (``reporting.viewed``), never be assumed."""

    name: str
    data: bytes
    viewed_by_esp: bool
    hashes: tuple[tuple[str, str], ...] = ()  # (hash type, value)
    exif_viewed_by_esp: bool = False
    publicly_available: bool = False
    industry_classification: str | None = None
    annotations: tuple[str, ...] = ()
    location: str = ""
    uploaded_at: datetime | None = None
    additional_info: str = ""


@dataclass(frozen=True)
class Report:
    incident: IncidentSummary
    reporter: Reporter
    user: ReportedUser | None = None
    url: str = ""  # internetDetails > webPageIncident > url
    intended_recipient: str = ""  # screen name of the person the content was sent to
    victim_note: str = ""
    additional_info: str = ""
    files: tuple[ReportedFile, ...] = field(default_factory=tuple)

    def problems(self) -> list[str]:
        out: list[str] = []
        if self.incident.incident_type not in INCIDENT_TYPES:
            out.append(f"incident type {self.incident.incident_type!r} is not one NCMEC accepts")
        if self.incident.incident_at.tzinfo is None:
            out.append("the incident time needs a time zone")
        for name in ("first_name", "last_name", "email"):
            if not getattr(self.reporter, name).strip():
                out.append(f"reporter {name.replace('_', ' ')} is missing")
        if "@" not in self.reporter.email:
            out.append("reporter email is not an email address")
        if not self.files:
            out.append("a report needs at least one file")
        for f in self.files:
            if not f.data:
                out.append(f"file {f.name!r} is empty")
            if f.industry_classification not in (None, *INDUSTRY_CLASSIFICATIONS):
                out.append(
                    f"file {f.name!r}: industry classification must be one of "
                    f"{', '.join(INDUSTRY_CLASSIFICATIONS)}"
                )
            bad = [a for a in f.annotations if a not in FILE_ANNOTATIONS]
            if bad:
                out.append(f"file {f.name!r}: unknown annotation(s) {', '.join(bad)}")
            bad_hashes = [t for t, _ in f.hashes if t not in HASH_TYPES]
            if bad_hashes:
                out.append(f"file {f.name!r}: unknown hash type(s) {', '.join(bad_hashes)}")
        return out

    def check(self) -> None:
        problems = self.problems()
        if problems:
            raise ReportError("report cannot be filed: " + "; ".join(problems))


__all__ = [
    "CHILD_PORNOGRAPHY",
    "FILE_ANNOTATIONS",
    "INCIDENT_TYPES",
    "INDUSTRY_CLASSIFICATIONS",
    "IncidentSummary",
    "Report",
    "ReportError",
    "ReportedFile",
    "ReportedUser",
    "Reporter",
]
