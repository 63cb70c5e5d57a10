"""Phone cards and text for Zalo/SMS: order, "còn 5 giờ", 1,000 characters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboard.i18n import translate
from dashboard.plans.field import (
    TEXT_LIMIT,
    card_order,
    fit_lines,
    hours_left,
    plan_status_text,
)
from dashboard.plans.tasks import TaskView
from dashboard.ui.components.task_cards import already_stored

CLOCK = datetime(2025, 7, 20, 12, 0, tzinfo=UTC)


def task(i, pillar="command", priority=2, hours=10.0, status="todo", title=None):
    return TaskView(
        id=i,
        plan_id=1,
        event_id=1,
        commune_code="13003",
        province_code="33",
        position=i,
        title_vi=title or f"Việc {i}",
        title_en=f"Task {i}",
        guidance_vi="",
        guidance_en="",
        pillar=pillar,
        priority=priority,
        deadline_kind="before_eta",
        offset_hours=-24,
        deadline_utc=None if hours is None else CLOCK + timedelta(hours=hours),
        evidence="note",
        evidence_unit="",
        status=status,
        reason="",
        evidence_note="",
        evidence_number=None,
        evidence_photo="",
        updated_at=CLOCK,
        updated_by="x",
        version=1,
    )


def t(key, **params):
    return translate(key, "vi", **params)


def test_overdue_then_high_priority_then_by_pillar():
    tasks = [
        task(1, "information"),
        task(2, "command"),
        task(3, "forces", priority=1),
        task(4, "logistics", hours=-2),
        task(5, "command", priority=1, status="done"),
        task(6, "forces", hours=-1, priority=1),
    ]
    assert [x.id for x in card_order(tasks, CLOCK)] == [6, 4, 3, 2, 5, 1]


@pytest.mark.parametrize(
    ("hours", "expected", "words"),
    [
        (5.0, 5, "còn 5 giờ"),
        (0.5, 1, "còn 1 giờ"),
        (-2.0, -2, "quá hạn 2 giờ"),
        (-0.2, -1, "quá hạn 1 giờ"),
        (None, None, None),
    ],
)
def test_hours_left(hours, expected, words):
    x = task(1, hours=hours)
    assert hours_left(x, CLOCK) == expected
    if words:
        key = "field.overdue_hours" if expected < 0 else "field.left_hours"
        assert t(key, hours=abs(expected)) == words


def test_plan_status_text_counts_and_lists_open_tasks():
    tasks = [
        task(1, hours=-3),
        task(2, status="done"),
        task(3, status="blocked", hours=4),
        task(4, hours=None),
    ]
    text = plan_status_text("Xã Đồng Châu", "Bão Wipha", tasks, CLOCK, t, "vi")
    assert text.splitlines() == [
        "Xã Đồng Châu - Bão Wipha",
        "Xong 1/4 việc, quá hạn 1",
        "- Việc 1 (quá hạn 3 giờ)",
        "! Việc 3 (còn 4 giờ)",
        "- Việc 4",
    ]


def test_plan_status_text_stays_under_1000_characters():
    tasks = [task(i, title="Kiểm tra " + "rất dài " * 12 + str(i)) for i in range(40)]
    text = plan_status_text("Xã Đồng Châu", "Bão Wipha", tasks, CLOCK, t, "vi")
    assert len(text) <= TEXT_LIMIT
    assert text.endswith(")") and "…(+" in text.splitlines()[-1]
    shown = len(text.splitlines()) - 3  # header, counts, "…(+N)"
    assert text.splitlines()[-1] == f"…(+{40 - shown})"


def test_fit_lines_keeps_everything_that_fits():
    assert fit_lines(["a"], ["b", "c"], 10) == "a\nb\nc"
    assert fit_lines(["a"], ["bbbb", "cccc"], 10) == "a\n…(+2)"
    assert len(fit_lines(["x" * 2000], [], 1000)) == 1000


def test_a_resend_of_the_same_change_counts_as_stored():
    current = {"status": "done", "evidence_note": "Họp lúc 8h", "reason": ""}
    assert already_stored(current, {"status": "done", "note": "Họp lúc 8h"})
    assert not already_stored(current, {"status": "done", "note": "Khác"})
    assert not already_stored(current, {"status": "blocked", "reason": "x"})
    assert not already_stored(current, {"status": "done", "photo": b"x"})
    assert already_stored({"evidence_number": 12.0}, {"number": 12})
