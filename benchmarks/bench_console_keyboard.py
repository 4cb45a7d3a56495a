"""A reviewer clears a queue of 100 text-evidence items with the keyboard alone.

Run: .venv/bin/python -m benchmarks.bench_console_keyboard [--items 100]

Builds a fresh SQLite deployment, submits ``--items`` harassment texts through
the API (each lands in the ``text`` queue with its flagged span), serves the
console on loopback and drives Debian's Chromium with Playwright: sign in,
``Enter`` to start, then one key per decision (``n``, ``v``, ``s`` in turn),
each a form post that records the decision event and opens the next card. It
reports decisions per minute and the time from key press to the next card,
i.e. how fast the console lets a reviewer go — the ceiling a person works
under, not a person's pace. The issue sets no figure; the table says so.
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import func, select
from tests.console.conftest import HARASSMENT, PASSWORD, make_world
from tests.console.live import launch, served

from benchmarks.common import machine
from bulwark.demo import demo_photos
from bulwark.store.db import Database
from bulwark.store.models import ReviewDecisionRow

KEYS = ("n", "v", "s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=100)
    args = ap.parse_args()
    os.environ["BULWARK_PRESERVATION_KEY"] = base64.b64encode(os.urandom(32)).decode()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bulwark.db'}")
        world = make_world(db, Path(tmp), demo_photos())
        for i in range(args.items):
            world.submit_text(f"{HARASSMENT} ({i})", f"user{i % 7}")
        world.run_jobs()
        per_decision: list[float] = []
        with served(world.app) as base, sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page()
            page.goto(f"{base}/console/login")
            page.fill("input[name=name]", "rev")
            page.fill("input[name=password]", PASSWORD)
            page.click("button:has-text('Sign in')")
            page.goto(f"{base}/console/queue/text")
            started = time.perf_counter()
            with page.expect_navigation():
                page.keyboard.press("Enter")
            with Progress() as bar:
                task = bar.add_task("decisions", total=args.items)
                for i in range(args.items):
                    page.wait_for_selector("#text mark")  # the flagged span is on screen
                    t0 = time.perf_counter()
                    with page.expect_navigation():
                        page.keyboard.press(KEYS[i % len(KEYS)])
                    page.wait_for_load_state("domcontentloaded")
                    per_decision.append((time.perf_counter() - t0) * 1e3)
                    bar.advance(task)
            total = time.perf_counter() - started
            finished = page.url.endswith("/console/queue/text")
            browser.close()
        with db.session() as s:
            decided = int(s.scalar(select(func.count()).select_from(ReviewDecisionRow)) or 0)
        db.dispose()
    q = statistics.quantiles(per_decision, n=20)
    t = Table(title=f"Keyboard-only review of {args.items} text items ({machine()})")
    for c in ("figure", "measured", "reference"):
        t.add_column(c)
    t.add_row("decisions recorded", str(decided), f"{args.items} (every item, once)")
    t.add_row("queue empty at the end", str(finished), "True")
    t.add_row("decisions per minute", f"{args.items / total * 60:.0f}", "none set by the issue")
    t.add_row(
        "key press to next card, median / p95 ms",
        f"{statistics.median(per_decision):.0f} / {q[18]:.0f}",
        "none set by the issue",
    )
    Console().print(t)


if __name__ == "__main__":
    main()
