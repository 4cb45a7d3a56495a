"""Client for NCMEC's CyberTipline reporting API (the documented ESP flow).

``/submit`` the report XML and get a report id; ``/upload`` each file; send its
``/fileinfo``; ``/finish``. A report that fails half-way is retracted
(``/retract``) so no incomplete report stays open at NCMEC. HTTP basic auth;
the test endpoint (``exttest``) unless production is asked for. Nothing is
sent until credentials are configured (``BULWARK_CYBERTIP_USER`` and
``BULWARK_CYBERTIP_PASSWORD``). Responses are parsed with ``defusedxml``.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

import httpx
from defusedxml import ElementTree as SafeET

from bulwark.errors import BulwarkError
from bulwark.reporting.model import Report, Reporter, ReportError
from bulwark.reporting.xml import file_details_xml, report_xml

TEST_URL = "https://exttest.cybertip.org/ispws"
PRODUCTION_URL = "https://report.cybertip.org/ispws"


class CyberTiplineError(BulwarkError):
    """NCMEC refused a step, or could not be reached."""


class ReportingDisabled(BulwarkError):
    """No CyberTipline credentials are configured."""


@dataclass(frozen=True)
class FiledReport:
    report_id: str
    file_ids: tuple[str, ...]


def _answer(r: httpx.Response, step: str) -> dict[str, str]:
    if r.status_code != 200:
        raise CyberTiplineError(f"CyberTipline {step}: HTTP {r.status_code}")
    try:
        root = SafeET.fromstring(r.content)
    except SafeET.ParseError as exc:
        raise CyberTiplineError(f"CyberTipline {step}: unreadable answer ({exc})") from exc
    fields = {el.tag: (el.text or "").strip() for el in root.iter()}
    if fields.get("responseCode") != "0":
        raise CyberTiplineError(
            f"CyberTipline {step}: code {fields.get('responseCode')} "
            f"{fields.get('responseDescription', '')}".rstrip()
        )
    return fields


class CyberTiplineClient:
    def __init__(
        self,
        username: str,
        password: str,
        *,
        base_url: str = TEST_URL,
        timeout_s: float = 60.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(auth=(username, password), timeout=timeout_s)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> CyberTiplineClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _post(self, step: str, **kwargs: object) -> dict[str, str]:
        try:
            r = self._client.post(f"{self.base_url}/{step}", **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            raise CyberTiplineError(f"CyberTipline {step}: {type(exc).__name__}: {exc}") from exc
        return _answer(r, step)

    def status(self) -> bool:
        """Whether the service answers and accepts these credentials."""
        try:
            r = self._client.get(f"{self.base_url}/status")
        except httpx.HTTPError as exc:
            raise CyberTiplineError(f"CyberTipline status: {exc}") from exc
        _answer(r, "status")
        return True

    def file(self, report: Report) -> FiledReport:
        """Submit, upload every file with its details, finish. Validated before
        anything is sent; retracted if any step after the submit fails."""
        xml = report_xml(report)
        details = [(f, f.data) for f in report.files]
        report_id = self._post(
            "submit", content=xml, headers={"Content-Type": "text/xml; charset=utf-8"}
        )["reportId"]
        try:
            file_ids = []
            for f, data in details:
                up = self._post("upload", data={"id": report_id}, files={"file": (f.name, data)})
                file_id = up["fileId"]
                self._post(
                    "fileinfo",
                    content=file_details_xml(report_id, file_id, f),
                    headers={"Content-Type": "text/xml; charset=utf-8"},
                )
                file_ids.append(file_id)
            self._post("finish", data={"id": report_id})
        except BulwarkError:
            with contextlib.suppress(CyberTiplineError):  # the first failure is the news
                self.retract(report_id)
            raise
        return FiledReport(report_id, tuple(file_ids))

    def retract(self, report_id: str) -> None:
        self._post("retract", data={"id": report_id})


def client_from_env() -> CyberTiplineClient:
    user = os.environ.get("BULWARK_CYBERTIP_USER", "")
    password = os.environ.get("BULWARK_CYBERTIP_PASSWORD", "")
    if not user or not password:
        raise ReportingDisabled(
            "CyberTipline reporting is disabled: set BULWARK_CYBERTIP_USER and "
            "BULWARK_CYBERTIP_PASSWORD (and BULWARK_CYBERTIP_URL, or "
            "BULWARK_CYBERTIP_ENV=production; the test endpoint is the default)"
        )
    url = os.environ.get("BULWARK_CYBERTIP_URL") or (
        PRODUCTION_URL if os.environ.get("BULWARK_CYBERTIP_ENV") == "production" else TEST_URL
    )
    return CyberTiplineClient(user, password, base_url=url)


def reporter_from_env() -> Reporter:
    """The reporting contact NCMEC answers to, from the environment."""
    names = ("BULWARK_REPORTER_FIRST_NAME", "BULWARK_REPORTER_LAST_NAME", "BULWARK_REPORTER_EMAIL")
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        raise ReportError(f"the reporting contact is not configured: set {', '.join(missing)}")
    first, last, email = (os.environ[n] for n in names)
    return Reporter(first, last, email, os.environ.get("BULWARK_REPORTER_TEMPLATE", ""))


__all__ = [
    "PRODUCTION_URL",
    "TEST_URL",
    "CyberTiplineClient",
    "CyberTiplineError",
    "FiledReport",
    "ReportingDisabled",
    "client_from_env",
    "reporter_from_env",
]
