"""The console in a real browser: Debian's Chromium driven by Playwright.

Covers what only a browser shows: sign-in through the form for each role,
the child-safety queue out of reach by UI and by URL, images arriving blurred
from the server, hold-to-reveal (audited, gone on release), a stack of
near-duplicates cleared with one key, a report decided with the keyboard,
confirmed by a second reviewer and filed to the local CyberTipline server, and
forged or repeated posts refused. Screenshots of each screen go to
``$BULWARK_CONSOLE_SCREENSHOTS`` when set (docs/console/ holds the README's).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, sync_playwright
from sqlalchemy import select

from bulwark.reporting.desk import ReportDesk
from bulwark.reporting.viewed import file_viewed_by_esp
from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database
from bulwark.store.models import ReviewDecisionRow
from tests.console.conftest import CHILD_SAFETY_CASES, HARASSMENT, PASSWORD, World, near_copy
from tests.console.live import launch, served

SHOTS = os.environ.get("BULWARK_CONSOLE_SCREENSHOTS")


@pytest.fixture
def browser() -> Iterator[Any]:
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _sign_in(browser: Any, base: str, name: str) -> Page:
    page: Page = browser.new_context(viewport={"width": 1100, "height": 800}).new_page()
    page.goto(f"{base}/console/")
    assert page.url.endswith("/console/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()
    return page


def _decided(db: Database) -> set[int]:
    with db.session() as s:
        return set(s.scalars(select(ReviewDecisionRow.item_id)))


def test_roles_protection_and_hold_to_reveal(
    world: World, db: Database, browser: Any, photos: list[Path]
) -> None:
    sid = world.submit_image(photos[4].read_bytes(), "u1")
    prompt = world.submit_text(CHILD_SAFETY_CASES["youth_and_sexual_hard"][0], "u2", "prompt")
    world.run_jobs()
    items = world.items()
    with served(world.app) as base:
        login = browser.new_page()
        login.goto(f"{base}/console/login")
        _shot(login, "01-sign-in")
        page = _sign_in(browser, base, "rev")
        assert "general" in page.inner_text("main") and "child_safety" not in page.inner_text(
            "main"
        )
        _shot(page, "02-queues")
        page.goto(f"{base}/console/queue/child_safety")  # by typed URL
        assert "child-safety reviewer role" in page.inner_text("#error")
        page.goto(f"{base}/console/item/{items[prompt]}")
        assert "child-safety reviewer role" in page.inner_text("#error")

        with page.expect_response(lambda r: r.url.endswith("/image")) as shown:
            page.goto(f"{base}/console/item/{items[sid]}")
        view = Image.open(io.BytesIO(shown.value.body()))
        assert view.mode == "L"  # greyscale, and blurred: little left of the photo's detail
        original = Image.open(io.BytesIO(photos[4].read_bytes())).convert("L").resize(view.size)
        assert _detail(view) < 0.5 * _detail(original)
        page.wait_for_function("document.querySelector('img.protected').naturalWidth > 0")
        _shot(page, "03-item-protected")

        assert not file_viewed_by_esp(db, sid)
        page.keyboard.down("h")  # hold to reveal
        page.wait_for_selector("#revealed img.revealed", state="visible")
        assert file_viewed_by_esp(db, sid)  # the reveal is in the audit log
        page.keyboard.up("h")
        page.wait_for_selector("#revealed", state="hidden")
        assert page.query_selector("#revealed img") is None  # dropped on release

        page.goto(f"{base}/console/dashboard")
        assert "rev" in page.inner_text("main")  # exposure per reviewer

        cs = _sign_in(browser, base, "csr")
        assert "child_safety" in cs.inner_text("main")
        admin = _sign_in(browser, base, "ops")
        assert admin.url.endswith("/console/dashboard")
        admin.goto(f"{base}/console/")
        assert "does not review" in admin.inner_text("#error")


def _detail(im: Image.Image) -> float:
    """Mean absolute difference between neighbouring pixels: what a blur takes away."""
    px = np.asarray(im, dtype=np.int16)
    return float(np.abs(np.diff(px, axis=1)).mean())


def test_a_stack_is_cleared_with_one_key(
    world: World, db: Database, browser: Any, photos: list[Path]
) -> None:
    a = world.submit_image(photos[5].read_bytes(), "u1")
    a2 = world.submit_image(near_copy(photos[5].read_bytes()), "u1")
    other = world.submit_image(photos[6].read_bytes(), "u3")
    world.submit_text(HARASSMENT, "u4")  # stays open in the text queue (the dashboard shows it)
    world.run_jobs()
    items = world.items()
    with served(world.app) as base:
        page = _sign_in(browser, base, "rev")
        page.goto(f"{base}/console/queue/general")
        assert "stack of 2" in page.inner_text("main")
        _shot(page, "04-queue-stacks")
        page.keyboard.press("Enter")  # start reviewing: the most urgent card
        page.wait_for_selector("#stack")
        assert "stacks 2" in page.inner_text("#stack")
        with page.expect_navigation():
            page.keyboard.press("n")  # no violation, for the whole stack
        assert {items[a], items[a2]} <= _decided(db) and items[other] not in _decided(db)
        assert page.url.endswith(f"/console/item/{items[other]}")  # the next card

        # a forged post (no token) and a second post of the same decision: refused
        codes = page.evaluate(
            """async ([item, csrf]) => {
                const post = (token) => fetch(`/console/item/${item}/decide`, {method: "POST",
                  body: new URLSearchParams({csrf: token, preset: "remove"})});
                const forged = (await post("forged")).status;
                const first = (await post(csrf)).status;
                const again = await post(csrf);
                return [forged, first, again.status, again.headers.get("X-Console-Error")];
            }""",
            [items[other], page.get_attribute("meta[name=csrf]", "content")],
        )
        assert codes[0] == 403 and codes[1] == 200 and codes[2] == 409
        assert "already decided" in codes[3]
        page.goto(f"{base}/console/dashboard")
        assert "3 decisions" in page.inner_text("main") or "3\ndecisions" in page.inner_text("main")
        _shot(page, "07-dashboard")
    refused = [r.action for r in AuditLog(db).records()]
    assert "csrf_refused" in refused


def test_report_drafted_confirmed_and_filed(
    world: World, db: Database, browser: Any, cybertipline: str
) -> None:
    sid = world.submit_text(CHILD_SAFETY_CASES["youth_and_sexual_hard"][0], "alice", "prompt")
    world.run_jobs()
    with served(world.app) as base:
        page = _sign_in(browser, base, "csr")
        page.goto(f"{base}/console/queue/child_safety")
        assert "User alice" in page.inner_text("main")
        _shot(page, "05-child-safety-by-user")
        page.keyboard.press("Enter")
        page.wait_for_selector("#warning")  # a severe category: warned first
        _shot(page, "06-warning")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.wait_for_selector("#decide")
        page.keyboard.press("4")  # B2
        _shot(page, "08-item-child-safety-evidence")
        with page.expect_navigation():
            page.keyboard.press("r")  # report: remove, suspend, bank, draft the report
        world.run_jobs()  # the decision's events: the report is classified
        report = ReportDesk(db).listing()[0]
        assert report.submission_id == sid and report.status == "decided"
        assert report.classification == "B2" and report.decided_by == "csr"

        page.goto(f"{base}/console/reports")
        assert "awaiting a second reviewer" in page.inner_text(f"#report-{report.id}")
        second = _sign_in(browser, base, "csr2")
        second.goto(f"{base}/console/reports")
        with second.expect_navigation():
            second.click(f"#report-{report.id} button:has-text('confirm')")
        with second.expect_navigation():
            second.click(f"#report-{report.id} button:has-text('file with NCMEC')")
        assert second.inner_text(f"#report-{report.id} .status") == "filed"
        assert second.inner_text(f"#report-{report.id} .ncmec") == "1001"
        _shot(second, "09-reports-filed")
