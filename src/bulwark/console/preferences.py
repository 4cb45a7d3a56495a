"""How a reviewer wants protected views made, within what each queue allows.

Every view starts blurred and greyscale. A reviewer may lighten the blur or
turn greyscale off for ordinary queues (some need colour to judge, say,
graphic violence against fake blood); the choice is stored with the account,
so it holds across sign-ins and browsers. The child-safety queue allows
neither: its views are always strongly blurred and greyscale. There is no
"no blur" setting: unblurred bytes leave the server only on an audited reveal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bulwark.console.protect import Protection
from bulwark.effects.dispatch import CHILD_SAFETY_QUEUES
from bulwark.errors import BulwarkError
from bulwark.store.db import Database
from bulwark.store.models import ConsoleUserRow

#: pixels kept across the longer side before enlarging: fewer is blurrier
BLUR_LEVELS = {"strong": 24, "medium": 48, "light": 96}
DEFAULT_BLUR = "strong"


class PreferenceError(BulwarkError):
    """A preference the console does not offer (the message names it)."""


@dataclass(frozen=True)
class Preferences:
    blur: str = DEFAULT_BLUR
    greyscale: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"blur": self.blur, "greyscale": self.greyscale}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Preferences:
        blur = raw.get("blur", DEFAULT_BLUR)
        return cls(blur if blur in BLUR_LEVELS else DEFAULT_BLUR, bool(raw.get("greyscale", True)))


def protection_for(prefs: Preferences, queue: str) -> Protection:
    """The protected view for this reviewer in this queue (child safety: the floor)."""
    if queue in CHILD_SAFETY_QUEUES:
        return Protection(blur=True, greyscale=True, blur_side=BLUR_LEVELS["strong"])
    return Protection(blur=True, greyscale=prefs.greyscale, blur_side=BLUR_LEVELS[prefs.blur])


def load(db: Database, person_id: int) -> Preferences:
    with db.session() as s:
        row = s.get(ConsoleUserRow, person_id)
        return Preferences.from_dict(dict(row.prefs or {}) if row is not None else {})


def save(db: Database, person_id: int, blur: str, greyscale: bool) -> Preferences:
    if blur not in BLUR_LEVELS:
        raise PreferenceError(f"blur must be one of {', '.join(BLUR_LEVELS)}, not {blur!r}")
    prefs = Preferences(blur, greyscale)
    with db.session() as s:
        row = s.get(ConsoleUserRow, person_id)
        if row is None:
            raise PreferenceError("no such account")
        row.prefs = prefs.as_dict()
    return prefs


__all__ = ["BLUR_LEVELS", "PreferenceError", "Preferences", "load", "protection_for", "save"]
