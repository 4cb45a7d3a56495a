"""The console's pure parts: triage order and stacks, span highlighting, the
queue floor on preferences, video frame strips, charts."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from bulwark.console.charts import bars
from bulwark.console.item_view import Segment, build, highlight
from bulwark.console.preferences import BLUR_LEVELS, Preferences, protection_for
from bulwark.console.protect import SHEET_FRAMES, protected_view
from bulwark.console.stacks import QueuedItem, by_user, stack
from bulwark.errors import MediaError
from tests.signals.test_vpdq import make_video

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _item(i: int, *, pdq: int | None = None, ai: bool = False, prio: int = 1, user: str = "u",
          age: int = 0) -> QueuedItem:  # fmt: skip
    return QueuedItem(
        i, f"s{i}", "q", prio, T0 - timedelta(minutes=age), user, "image", pdq, ai, ""
    )


def test_triage_order_puts_no_ai_evidence_first_then_oldest() -> None:
    items = [
        _item(1, ai=True, age=50),
        _item(2, ai=False, age=10),
        _item(3, ai=False, age=30),
        _item(4, prio=0),
    ]
    assert [c.lead.id for c in stack(items, 31)] == [4, 3, 2, 1]


def test_near_duplicates_join_the_first_card_within_the_threshold() -> None:
    base = (1 << 256) - 1
    near = base ^ 0b1111  # 4 bits away
    far = 0  # 256 bits away
    cards = stack([_item(1, pdq=base, age=3), _item(2, pdq=near), _item(3, pdq=far)], 31)
    assert [c.ids for c in cards] == [[1, 2], [3]]
    assert [c.ids for c in stack([_item(1, pdq=base), _item(2, pdq=near)], 3)] == [[1], [2]]
    assert [c.ids for c in stack([_item(1), _item(2)], 31)] == [[1], [2]]  # no hash: no stack


def test_groups_by_user_with_the_most_urgent_group_first() -> None:
    groups = by_user(
        [_item(1, user="a", prio=2), _item(2, user="b", prio=1), _item(3, user="a", prio=1)], 31
    )
    assert [(g.user, g.count) for g in groups] == [("b", 1), ("a", 2)]


def test_highlight_merges_overlaps_and_clips() -> None:
    assert highlight("abcdef", [(1, 3), (2, 4), (10, 12)]) == [
        Segment("a", False),
        Segment("bcd", True),
        Segment("ef", False),
    ]
    assert highlight("", [(0, 3)]) == []


def test_conversation_marks_flagged_messages() -> None:
    span = {"start": 0, "end": 3, "field": "messages[1]"}
    details = {"evidence": [{"category": "child_safety.grooming", "spans": [span]}]}
    raw = b'[{"sender": "a", "text": "hi there"}, {"sender": "b", "text": "our secret"}]'
    view = build("conversation", details, raw, child_safety=False)
    assert [m.flagged for m in view.messages] == [False, True]
    assert view.messages[1].segments[0] == Segment("our", True)
    assert view.severe == ["child_safety.grooming"]
    assert build("conversation", details, b"not json", child_safety=False).messages == []


def test_child_safety_queue_ignores_lighter_preferences() -> None:
    light = Preferences("light", greyscale=False)
    mine = protection_for(light, "general")
    assert mine.blur and not mine.greyscale and mine.blur_side == BLUR_LEVELS["light"]
    floor = protection_for(light, "child_safety")
    assert floor.blur and floor.greyscale and floor.blur_side == BLUR_LEVELS["strong"]
    assert Preferences.from_dict({"blur": "none"}).blur == "strong"  # no unblurred setting


def test_video_is_shown_as_a_strip_of_protected_frames(tmp_path: Path, photos: list[Path]) -> None:
    video = make_video(tmp_path / "v.mp4", photos[:6], seconds_each=2).read_bytes()
    strip = Image.open(io.BytesIO(protected_view(video)))
    assert strip.mode == "L" and strip.width > 2 * strip.height  # frames side by side
    assert SHEET_FRAMES == 4
    view = build("image", {}, video, child_safety=False)
    assert view.media == "video"
    with pytest.raises(MediaError):
        protected_view(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)  # says mp4, is not


def test_bars_draw_one_rect_per_value_and_escape_labels() -> None:
    svg = str(bars([("a<b", 3), ("c", 0)], title="t"))
    assert svg.count("<rect") == 2 and "a&lt;b" in svg and "<script" not in svg
