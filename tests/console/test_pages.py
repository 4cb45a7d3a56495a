"""The console's pages through FastAPI's TestClient (tests/console/test_browser.py
drives the same pages in Chromium): sessions, roles, the protected view, audited
reveals, stacks, decisions as events, reports, preferences, the dashboard."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from bulwark.banks.store import BankStore
from bulwark.console.decisions import ESCALATION_QUEUE, FALSE_POSITIVE_BANK, REVIEW_BANK
from bulwark.demo.provenance_samples import a1111
from bulwark.match.matcher import Matcher
from bulwark.reporting.desk import ReportDesk
from bulwark.reporting.viewed import file_viewed_by_esp
from bulwark.signals import FileContent, hash_content
from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database
from bulwark.store.models import LabelRow, ReviewDecisionRow, ReviewItemRow
from tests.console.conftest import CHILD_SAFETY_CASES, HARASSMENT, World, near_copy, sign_in


def _decide(world: World, csrf: str, item: int, preset: str, **extra: object) -> int:
    data: dict[str, object] = {"csrf": csrf, "preset": preset, **extra}
    r = world.client.post(f"/console/item/{item}/decide", data=data, follow_redirects=False)
    return r.status_code


def _decided(db: Database) -> dict[int, ReviewDecisionRow]:
    with db.session() as s:
        rows = list(s.scalars(select(ReviewDecisionRow)))
        s.expunge_all()
    return {r.item_id: r for r in rows}


def test_every_page_needs_a_session(world: World) -> None:
    world.submit_image(Path(__file__).read_bytes()[:0] or b"\xff", "u")  # refused: not media
    for path in (
        "/console/",
        "/console/queue/general",
        "/console/item/1",
        "/console/dashboard",
        "/console/reports",
        "/console/preferences",
    ):
        r = world.client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/console/login", path
    bad = world.client.post("/console/login", data={"name": "rev", "password": "nope nope nope"})
    assert bad.status_code == 401 and "wrong name or password" in bad.text


def test_roles_decide_what_opens(world: World) -> None:
    prompt = world.submit_text(CHILD_SAFETY_CASES["youth_and_sexual_hard"][0], "u1", "prompt")
    world.run_jobs()
    item = world.items()[prompt]
    client = world.client
    sign_in(client, "rev")
    assert "child_safety" not in client.get("/console/").text
    for path in (f"/console/item/{item}", "/console/queue/child_safety", "/console/reports"):
        r = client.get(path)
        assert r.status_code == 403 and "child-safety" in r.text, path  # a page, with the reason
    sign_in(client, "csr")
    assert "child_safety" in client.get("/console/").text
    warning = client.get(f"/console/item/{item}")  # severe category: a warning screen first
    assert "severe category" in warning.text and "child-safety-prompts" not in warning.text
    page = client.get(f"/console/item/{item}?warned=1")
    assert page.status_code == 200 and "child-safety-prompts" in page.text
    text_card = page.text.split('id="text"')[1].split("</div>")[0]
    assert "<mark>12yo</mark>" in text_card  # the flagged span, marked in the original text
    assert client.get("/console/reports").status_code == 200
    client.cookies.clear()
    r = client.post(
        "/console/login",
        data={"name": "ops", "password": "correct horse battery"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/console/dashboard"
    assert client.get("/console/").status_code == 403  # admins do not review
    assert client.get("/console/dashboard").status_code == 200


def test_protected_view_reveal_and_one_decision(
    world: World, db: Database, photos: list[Path]
) -> None:
    sid = world.submit_image(photos[4].read_bytes(), "u1")
    world.run_jobs()
    item = world.items()[sid]
    client = world.client
    csrf = sign_in(client, "rev")
    page = client.get(f"/console/item/{item}")
    assert "Content-Security-Policy" in page.headers and "data-hold" in page.text
    view = client.get(f"/console/item/{item}/image")
    assert view.status_code == 200 and view.headers["content-type"] == "image/jpeg"
    shown = Image.open(io.BytesIO(view.content))
    assert shown.mode == "L" and max(shown.size) <= 640
    assert client.post(f"/console/item/{item}/reveal", data={"csrf": "forged"}).status_code == 403
    assert client.post(f"/console/item/{item}/reveal").status_code == 403  # no token at all
    assert not file_viewed_by_esp(db, sid)
    revealed = client.post(f"/console/item/{item}/reveal", headers={"X-CSRF-Token": csrf})
    assert revealed.status_code == 200 and revealed.content == photos[4].read_bytes()
    assert revealed.headers["content-type"] == "image/jpeg"
    assert file_viewed_by_esp(db, sid)  # recorded, for the report
    assert _decide(world, "forged", item, "no_violation") == 403  # forged form post
    assert _decide(world, csrf, item, "burn_it") == 422
    assert item not in _decided(db)
    assert _decide(world, csrf, item, "remove") == 303
    again = client.post(f"/console/item/{item}/decide", data={"csrf": csrf, "preset": "remove"})
    assert again.status_code == 409 and "already decided" in again.text
    decided = _decided(db)[item]
    assert decided.verdict == "violation" and decided.actions == ["remove"]
    with db.session() as s:
        assert s.get(ReviewItemRow, item).state == "open"  # the event is new; nothing edited
    refusals = [r.details.get("reason") for r in AuditLog(db).records() if r.action == "refused"]
    assert "already decided" in refusals
    assert AuditLog(db).verify() == []


def test_bank_matched_items_are_never_shown(world: World, db: Database, photos: list[Path]) -> None:
    sid = world.submit_image(photos[0].read_bytes())
    world.run_jobs()
    item = world.items()[sid]
    csrf = sign_in(world.client, "rev")
    page = world.client.get(f"/console/item/{item}")
    assert page.status_code == 200 and "never shown" in page.text and "/image" not in page.text
    assert world.client.get(f"/console/item/{item}/image").status_code == 403
    r = world.client.post(f"/console/item/{item}/reveal", data={"csrf": csrf})
    assert r.status_code == 403 and "never shown" in r.headers["x-console-error"]
    assert not file_viewed_by_esp(db, sid)


def test_daily_exposure_limit(
    world: World, photos: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BULWARK_REVEAL_DAILY_LIMIT", "1")
    item = world.items().get(world.submit_image(photos[4].read_bytes())) or 0
    world.run_jobs()
    item = world.items()[next(iter(world.items()))]
    csrf = sign_in(world.client, "rev")
    assert "Reveals today: 0 of 1" in world.client.get(f"/console/item/{item}").text
    assert world.client.post(f"/console/item/{item}/reveal", data={"csrf": csrf}).status_code == 200
    page = world.client.get(f"/console/item/{item}").text
    assert "Reveals today: 1 of 1" in page and "take a break" in page
    over = world.client.post(f"/console/item/{item}/reveal", data={"csrf": csrf})
    assert over.status_code == 429 and "take a" in over.text
    board = world.client.get("/console/dashboard").text
    assert "rev</td><td>1 of 1" in board  # exposure per reviewer on the dashboard


def test_near_duplicates_stack_and_one_decision_clears_them(
    world: World, db: Database, photos: list[Path]
) -> None:
    a = world.submit_image(photos[5].read_bytes(), "u1")
    a2 = world.submit_image(near_copy(photos[5].read_bytes()), "u2")
    b = world.submit_image(photos[6].read_bytes(), "u1")
    world.run_jobs()
    items = world.items()
    csrf = sign_in(world.client, "rev")
    queue = world.client.get("/console/queue/general").text
    assert "stack of 2" in queue
    first = world.client.get("/console/queue/general/next", follow_redirects=False)
    lead = int(first.headers["location"].rsplit("/", 1)[1])
    assert lead in (items[a], items[a2])
    page = world.client.get(f"/console/item/{lead}").text
    assert "stacks <strong>2</strong>" in page
    stack = page.split('name="stack" value="')[1].split('"')[0]
    # an id that is not on this card (another item, shown to nobody here) is ignored
    forged = f"{stack},{items[b]}"
    assert _decide(world, csrf, lead, "no_violation", stack=forged) == 303
    decided = _decided(db)
    assert {items[a], items[a2]} <= set(decided) and items[b] not in decided
    assert {decided[items[a]].stack_lead, decided[items[a2]].stack_lead} == {lead}


def test_another_reviewers_card_is_theirs(world: World, db: Database, photos: list[Path]) -> None:
    sid = world.submit_image(photos[7].read_bytes())
    world.run_jobs()
    item = world.items()[sid]
    sign_in(world.client, "rev")
    world.client.get(f"/console/item/{item}")  # rev has it on screen
    csrf = sign_in(world.client, "rev2")
    page = world.client.get(f"/console/item/{item}").text
    assert "Being reviewed by rev" in page and 'id="decide"' not in page
    r = world.client.post(
        f"/console/item/{item}/decide", data={"csrf": csrf, "preset": "no_violation"}
    )
    assert r.status_code == 409 and "being reviewed by rev" in r.text
    assert (
        world.client.get("/console/queue/general/next", follow_redirects=False).headers["location"]
        == "/console/queue/general"
    )  # nothing else for rev2
    assert item not in _decided(db)


def test_child_safety_queue_is_grouped_by_user(world: World) -> None:
    cases = CHILD_SAFETY_CASES["youth_and_sexual_hard"]
    for text, user in ((cases[0], "alice"), (cases[1], "bob"), (cases[2], "alice")):
        world.submit_text(text, user, "prompt")
    world.run_jobs()
    sign_in(world.client, "csr")
    page = world.client.get("/console/queue/child_safety").text
    assert page.count('class="card user-group"') == 2
    assert "User alice — 2 item(s)" in page and "User bob — 1 item(s)" in page


def test_decisions_flow_back_as_events(world: World, db: Database, photos: list[Path]) -> None:
    banked = world.submit_image(photos[8].read_bytes(), "u8")
    fp = world.submit_image(photos[9].read_bytes(), "u9")
    esc = world.submit_text(CHILD_SAFETY_CASES["youth_and_sexual_hard"][0], "u10", "prompt")
    world.run_jobs()
    items = world.items()
    csrf = sign_in(world.client, "rev")
    assert _decide(world, csrf, items[banked], "remove_bank") == 303
    assert _decide(world, csrf, items[fp], "false_positive") == 303
    csrf = sign_in(world.client, "csr")
    assert _decide(world, csrf, items[esc], "remove_suspend") == 303
    world.run_jobs()
    store = BankStore(db)
    confirmed, negative = store.get(REVIEW_BANK), store.get(FALSE_POSITIVE_BANK)
    assert not confirmed.is_negative and negative.is_negative
    assert confirmed.entry_count > 0 and negative.entry_count > 0
    with db.session() as s:
        labels = {(r.target, r.subject, r.label) for r in s.scalars(select(LabelRow))}
    assert ("content", banked, "removed") in labels and ("user", "u10", "suspended") in labels
    assert ("content", fp, "removed") not in labels
    # the bank additions are real: the same photo now matches the reviewers' bank
    matcher = Matcher(store, world.index_dir)
    found = matcher.match(hash_content(FileContent(photos[8].read_bytes())))
    assert REVIEW_BANK in {m.bank for m in found.matches}
    suppressed = matcher.match(hash_content(FileContent(photos[9].read_bytes())))
    assert FALSE_POSITIVE_BANK in {m.bank for m in suppressed.negatives}


def test_escalated_child_safety_item_stays_child_safety(world: World, db: Database) -> None:
    sid = world.submit_text(CHILD_SAFETY_CASES["youth_and_sexual_hard"][0], "u1", "prompt")
    world.run_jobs()
    csrf = sign_in(world.client, "csr")
    assert _decide(world, csrf, world.items()[sid], "escalate") == 303
    world.run_jobs()
    with db.session() as s:
        escalated = s.scalars(
            select(ReviewItemRow).where(ReviewItemRow.queue == ESCALATION_QUEUE)
        ).one()
    assert escalated.child_safety and escalated.submission_id == sid
    sign_in(world.client, "rev")
    assert world.client.get(f"/console/item/{escalated.id}").status_code == 403
    listing = world.client.get(f"/console/queue/{ESCALATION_QUEUE}").text
    assert f'href="/console/item/{escalated.id}"' not in listing and "Nothing waiting" in listing


def test_report_decided_in_console_confirmed_by_another_and_filed(
    world: World, db: Database, cybertipline: str
) -> None:
    sid = world.submit_text(CHILD_SAFETY_CASES["youth_and_sexual_hard"][0], "alice", "prompt")
    world.run_jobs()
    item = world.items()[sid]
    csrf = sign_in(world.client, "csr")
    missing = world.client.post(
        f"/console/item/{item}/decide", data={"csrf": csrf, "preset": "report"}
    )
    assert missing.status_code == 422 and "industry classification" in missing.text
    assert item not in _decided(db)  # refused whole: nothing recorded
    assert (
        _decide(world, csrf, item, "report", classification="B2", annotation=["generativeAi"])
        == 303
    )
    world.run_jobs()
    report = ReportDesk(db).listing()[0]
    assert report.status == "decided" and report.decided_by == "csr" and report.user == "alice"
    same = world.client.post(f"/console/reports/{report.id}/confirm", data={"csrf": csrf})
    assert same.status_code == 409 and "second reviewer" in same.text
    early = world.client.post(f"/console/reports/{report.id}/file", data={"csrf": csrf})
    assert early.status_code == 409 and "confirmation" in early.text
    csrf = sign_in(world.client, "csr2")
    assert "confirm as second reviewer" in world.client.get("/console/reports").text
    r = world.client.post(
        f"/console/reports/{report.id}/confirm", data={"csrf": csrf}, follow_redirects=False
    )
    assert r.status_code == 303
    r = world.client.post(
        f"/console/reports/{report.id}/file", data={"csrf": csrf}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    filed = ReportDesk(db).get(report.id)
    assert filed.status == "filed" and filed.ncmec_report_id == "1001"


def test_preferences_are_remembered_within_the_queue_floor(
    world: World, photos: list[Path]
) -> None:
    sid = world.submit_image(photos[4].read_bytes())
    world.run_jobs()
    item = world.items()[sid]
    csrf = sign_in(world.client, "rev")
    bad = world.client.post("/console/preferences", data={"csrf": csrf, "blur": "none"})
    assert bad.status_code == 422 and "blur must be one of" in bad.text
    ok = world.client.post(
        "/console/preferences", data={"csrf": csrf, "blur": "light"}, follow_redirects=False
    )
    assert ok.status_code == 303
    sign_in(world.client, "rev")  # a new session: the choice is the account's
    shown = Image.open(io.BytesIO(world.client.get(f"/console/item/{item}/image").content))
    assert shown.mode == "RGB"  # greyscale off (unchecked), still blurred (no "none" level)
    assert 'value="light" selected' in world.client.get("/console/preferences").text


def test_dashboard_figures(world: World, photos: list[Path]) -> None:
    world.submit_image(photos[4].read_bytes())
    world.submit_text("have a lovely day")  # allowed: never needed a human
    world.run_jobs()
    sign_in(world.client, "rev")
    board = world.client.get("/console/dashboard").text
    assert '<div class="big" id="auto-share">50%</div>' in board
    assert "<svg" in board and "general" in board


def test_text_queue_shows_the_text_with_spans(world: World) -> None:
    sid = world.submit_text(HARASSMENT, "u1")
    world.run_jobs()
    sign_in(world.client, "rev")
    page = world.client.get(f"/console/item/{world.items()[sid]}").text
    text_card = page.split('id="text"')[1].split("</div>")[0]
    assert "<mark>" in text_card


def test_card_shows_the_ai_generation_evidence(world: World, photos: list[Path]) -> None:
    photo = Image.open(photos[4]).convert("RGB")
    sid = world.submit_image(a1111(photo, "PNG"))
    world.run_jobs()
    sign_in(world.client, "rev")
    page = world.client.get(f"/console/item/{world.items()[sid]}").text
    card = page.split('id="provenance"')[1].split("</ul>")[0]
    assert "likely" in card and "generator_metadata: AUTOMATIC1111" in card
