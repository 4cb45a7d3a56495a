"""A reviewer's decision, recorded as an event and carried out by the effect workers.

The console never edits what earlier stages wrote (data only moves right):
a decision is a new ``review_decisions`` row per item of the card, an audit
record, and jobs for what it asks — label the content removed or the user
suspended, bank the item's hashes (or bank them as a false positive, in a
negative bank), re-queue it for escalation, decide the CyberTipline report.
All of that is one transaction, so a decision is either wholly recorded or not
at all, and the unique item id refuses a second decision on the same item.

Each decision is one of a few presets, each with a single key, so a queue can
be cleared with the keyboard alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from bulwark.effects.jobs import JobQueue, JobSpec
from bulwark.errors import BulwarkError
from bulwark.policy.taxonomy import CATEGORIES
from bulwark.reporting.model import FILE_ANNOTATIONS, INDUSTRY_CLASSIFICATIONS
from bulwark.store.audit_log import AuditLog
from bulwark.store.db import Database
from bulwark.store.models import ReviewDecisionRow, ReviewItemRow, SubmissionRow

#: where reviewer-confirmed items' hashes go, and where false positives go (negative)
REVIEW_BANK = "reviewer_confirmed"
FALSE_POSITIVE_BANK = "reviewer_false_positives"
ESCALATION_QUEUE = "escalation"
#: labels a reviewer sets stay until someone lifts them (ten years, in practice)
KEEP_LABEL = {"expires_in": "3650d"}


class DecisionError(BulwarkError):
    """A decision that cannot be recorded as asked (the message says why)."""


class AlreadyDecided(DecisionError):
    """Another decision got there first (a double submission or a second reviewer)."""


@dataclass(frozen=True)
class Preset:
    key: str  # the keyboard shortcut
    label: str
    verdict: str
    actions: tuple[str, ...]
    child_safety_only: bool = False


PRESETS: dict[str, Preset] = {
    "remove": Preset("v", "violation: remove", "violation", ("remove",)),
    "remove_suspend": Preset(
        "s", "violation: remove and suspend user", "violation", ("remove", "suspend_user")
    ),
    "remove_bank": Preset(
        "b", "violation: remove and add to bank", "violation", ("remove", "add_to_bank")
    ),
    "no_violation": Preset("n", "no violation", "no_violation", ()),
    "false_positive": Preset(
        "f", "false positive: to the negative bank", "no_violation", ("false_positive",)
    ),
    "escalate": Preset("e", "escalate", "escalate", ("escalate",)),
    "report": Preset(
        "r",
        "report to NCMEC: remove, suspend, bank",
        "violation",
        ("remove", "suspend_user", "add_to_bank", "report"),
        child_safety_only=True,
    ),
}


@dataclass(frozen=True)
class DecisionForm:
    preset: str
    category: str = ""
    classification: str = ""
    annotations: tuple[str, ...] = ()

    def problems(self, child_safety: bool) -> list[str]:
        out = []
        p = PRESETS.get(self.preset)
        if p is None:
            out.append(f"decision must be one of {', '.join(PRESETS)}, not {self.preset!r}")
        elif p.child_safety_only and not child_safety:
            out.append(f"{self.preset!r} is only for child-safety items")
        if self.category and self.category not in CATEGORIES:
            out.append(f"unknown category {self.category!r}")
        if p is not None and "report" in p.actions:
            if self.classification not in INDUSTRY_CLASSIFICATIONS:
                out.append(
                    "a report needs NCMEC's industry classification "
                    f"({', '.join(INDUSTRY_CLASSIFICATIONS)})"
                )
        elif self.classification and self.classification not in INDUSTRY_CLASSIFICATIONS:
            out.append(f"classification must be one of {', '.join(INDUSTRY_CLASSIFICATIONS)}")
        bad = [a for a in self.annotations if a not in FILE_ANNOTATIONS]
        if bad:
            out.append(f"unknown file annotation(s): {', '.join(bad)}")
        return out


def _jobs(
    item: ReviewItemRow, form: DecisionForm, reviewer: str, signals: list[dict[str, str]]
) -> list[JobSpec]:
    preset = PRESETS[form.preset]
    sid, user = item.submission_id, item.user_ref
    base: dict[str, Any] = {"submission": sid, "user": user, "reviewer": reviewer}
    specs: list[tuple[str, dict[str, Any]]] = []
    for action in preset.actions:
        if action == "remove":
            specs.append(("label", {"target": "content", "label": "removed", **KEEP_LABEL}))
        elif action == "suspend_user" and user:
            specs.append(("label", {"target": "user", "label": "suspended", **KEEP_LABEL}))
        elif action == "add_to_bank":
            bank = os.environ.get("BULWARK_REVIEW_BANK", REVIEW_BANK)
            specs.append(
                ("add_to_bank", {"bank": bank, "signals": signals, "create": {"negative": False}})
            )
        elif action == "false_positive":
            bank = os.environ.get("BULWARK_FALSE_POSITIVE_BANK", FALSE_POSITIVE_BANK)
            specs.append(
                ("add_to_bank", {"bank": bank, "signals": signals, "create": {"negative": True}})
            )
        elif action == "escalate":
            escalation = {"queue": ESCALATION_QUEUE, "priority": 1}
            specs.append(("review", {**escalation, "child_safety": item.child_safety}))
        elif action == "report":
            specs.append(
                (
                    "report_decision",
                    {
                        "classification": form.classification,
                        "annotations": list(form.annotations),
                    },
                )
            )
    hook = os.environ.get("BULWARK_REVIEW_WEBHOOK_URL")
    if hook:
        event = {"url": hook, "event": "review.decided", "verdict": preset.verdict}
        specs.append(("webhook", event))
    return [
        JobSpec(f"effect.{kind}", {**base, **params}, f"review:{item.id}:{kind}:{n}")
        for n, (kind, params) in enumerate(specs)
    ]


def record(
    db: Database,
    reviewer: str,
    lead: int,
    items: list[int],
    form: DecisionForm,
) -> int:
    """Record one decision for a card's items (``lead`` first); returns how many
    items it decided. Raises ``AlreadyDecided`` when the lead was decided already;
    other items of the card decided meanwhile are left as they were."""
    preset = PRESETS[form.preset]
    category = form.category or None
    try:
        with db.session() as s:
            done = 0
            for item_id in items:
                row = s.get(ReviewItemRow, item_id)
                if row is None:
                    continue
                if item_id != lead and _decided(s, item_id):
                    continue
                s.add(
                    ReviewDecisionRow(
                        item_id=item_id,
                        submission_id=row.submission_id,
                        queue=row.queue,
                        reviewer=reviewer,
                        verdict=preset.verdict,
                        category=category,
                        actions=list(preset.actions),
                        classification=form.classification or None,
                        annotations=list(form.annotations),
                        stack_lead=lead if len(items) > 1 else None,
                    )
                )
                s.flush()  # the unique item id refuses a second decision here
                sub = s.get(SubmissionRow, row.submission_id)
                signals = (sub.decision if sub else {}).get("details", {}).get("signals", [])
                JobQueue.add_in(s, _jobs(row, form, reviewer, signals))
                AuditLog.append_in(
                    s,
                    f"user:{reviewer}",
                    "review_decision",
                    row.submission_id,
                    item=item_id,
                    verdict=preset.verdict,
                    actions=list(preset.actions),
                    category=category,
                    stack_lead=lead,
                )
                done += 1
            return done
    except IntegrityError as exc:
        raise AlreadyDecided(f"item {lead} was already decided") from exc


def _decided(s: Any, item_id: int) -> bool:
    return s.query(ReviewDecisionRow.id).filter_by(item_id=item_id).first() is not None


__all__ = [
    "ESCALATION_QUEUE",
    "FALSE_POSITIVE_BANK",
    "PRESETS",
    "REVIEW_BANK",
    "AlreadyDecided",
    "DecisionError",
    "DecisionForm",
    "Preset",
    "record",
]
