"""The commune checklist on a phone: card order, "còn 5 giờ", text for Zalo/SMS.

Pure functions (no Streamlit): the page formats what they return.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from dashboard.core.clock import Clock
from dashboard.plans.model import OPEN_STATUSES, PILLARS
from dashboard.plans.tasks import TaskView

#: Zalo and SMS gateways cut long messages; everything shared stays below.
TEXT_LIMIT = 1000


def card_order(tasks: Sequence[TaskView], clock: Clock) -> list[TaskView]:
    """Overdue and high-priority (priority 1) open tasks first, then the rest
    by pillar, each group in the template's order; closed tasks keep their
    pillar place."""

    def key(task: TaskView) -> tuple:
        urgent = task.status in OPEN_STATUSES and (
            task.is_overdue(clock) or task.priority == 1
        )
        pillar = PILLARS.index(task.pillar) if task.pillar in PILLARS else 99
        if urgent:
            return (0, not task.is_overdue(clock), pillar, task.position)
        return (1, pillar, task.position)

    return sorted(tasks, key=key)


def hours_left(task: TaskView, clock: Clock) -> int | None:
    """Whole hours to the deadline (negative: overdue by that many), or None.

    Rounded away from the deadline's side: 30 minutes left is 1 hour left,
    30 minutes late is 1 hour late, so "còn 0 giờ" never appears.
    """
    if task.deadline_utc is None:
        return None
    hours = (task.deadline_utc - clock).total_seconds() / 3600
    return math.ceil(hours) if hours >= 0 else -math.ceil(-hours)


def plan_status_text(
    commune: str,
    event: str,
    tasks: Sequence[TaskView],
    clock: Clock,
    t: Callable[..., str],
    lang: str,
    limit: int = TEXT_LIMIT,
) -> str:
    """The plan's status as plain text for Zalo/SMS, at most *limit* characters.

    Counts first, then the open tasks most in need (overdue, then high
    priority, by deadline); the list is cut with "…(+N)" to stay within
    *limit*. *t* translates (``t(key, **params)``).
    """
    done = sum(1 for x in tasks if x.status == "done")
    overdue = [x for x in tasks if x.is_overdue(clock)]
    header = [
        t("field.text.plan_head", commune=commune, event=event),
        t("field.text.plan_counts", done=done, tasks=len(tasks), overdue=len(overdue)),
    ]
    open_tasks = [x for x in card_order(tasks, clock) if x.status in OPEN_STATUSES]
    lines = []
    for task in open_tasks:
        left = hours_left(task, clock)
        if left is None:
            when = ""
        elif left < 0:
            when = " (" + t("field.overdue_hours", hours=-left) + ")"
        else:
            when = " (" + t("field.left_hours", hours=left) + ")"
        mark = "!" if task.status == "blocked" else "-"
        lines.append(f"{mark} {task.title(lang)}{when}")
    return fit_lines(header, lines, limit)


def fit_lines(header: list[str], lines: list[str], limit: int = TEXT_LIMIT) -> str:
    """*header* then as many *lines* as fit in *limit* characters, then "…(+N)"."""
    text = "\n".join(header)[:limit]
    for index, line in enumerate(lines):
        rest = len(lines) - index - 1
        more = f"\n…(+{rest})" if rest else ""
        candidate = f"{text}\n{line}"
        if len(candidate) + len(more) > limit:
            return f"{text}\n…(+{len(lines) - index})"[:limit]
        text = candidate
    return text
