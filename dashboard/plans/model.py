"""Vocabulary of response plans: pillars, statuses, evidence, profiles, errors.

Shared by every module of :mod:`dashboard.plans`; no database access here.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from dashboard.core.clock import Clock
from dashboard.core.errors import Conflict, Invalid

#: The four on-the-spot pillars ("4 tại chỗ", Law 33/2013/QH13 Art. 4) plus
#: information to the public, in display order.
PILLARS = ("command", "forces", "materials", "logistics", "information")
STATUSES = ("todo", "in_progress", "done", "not_applicable", "blocked")
#: Statuses that still need work: their deadlines move with the storm and
#: they count as overdue once the deadline has passed.
OPEN_STATUSES = ("todo", "in_progress", "blocked")
#: Statuses that need a written reason.
REASON_STATUSES = ("not_applicable", "blocked")
EVIDENCE_KINDS = ("none", "note", "number", "photo")
PROFILES = ("coastal", "riverine", "mountain", "urban", "island")
DEADLINE_KINDS = ("before_eta", "after_storm")
PRIORITIES = (1, 2, 3)

#: Weight of a task in the readiness share, by priority (1 = highest).
PRIORITY_WEIGHTS: dict[int, int] = {1: 3, 2: 2, 3: 1}

MAX_NOTE = 2000
MAX_REASON = 1000


class PlanError(Invalid):
    """A request the plan rules refuse; the message says which rule."""


class EvidenceError(PlanError):
    """``done`` without the evidence the task asks for, or bad evidence."""


def task_conflict(
    task_id: int, expected_version: int, current: dict[str, Any]
) -> Conflict:
    """The :class:`Conflict` of a task changed since the caller read it;
    ``current`` is the task as it is now (status, reason, evidence, version,
    who, when)."""
    return Conflict(
        f"task {task_id} was changed by {current.get('updated_by')} "
        f"(version {current.get('version')}, you read {expected_version}); "
        f"its status is now {current.get('status')}",
        key="errors.conflict",
        task_id=task_id,
        expected_version=expected_version,
        current=current,
    )


def weight(priority: int) -> int:
    return PRIORITY_WEIGHTS.get(int(priority), 1)


def split_profiles(text: str) -> frozenset[str]:
    return frozenset(p.strip() for p in text.split(",") if p.strip())


def join_profiles(profiles: frozenset[str] | set[str] | list[str]) -> str:
    return ",".join(p for p in PROFILES if p in set(profiles))


def applies(task_profiles: str, commune_profiles: frozenset[str]) -> bool:
    """A task applies to every commune (no profiles) or to matching ones."""
    wanted = split_profiles(task_profiles)
    return not wanted or bool(wanted & commune_profiles)


def priority_score(
    max_wind_level: int | float | None,
    hours_left: float | None,
    readiness: float,
) -> float:
    """Who needs help first: ``100 × wind/12 × (1 − readiness) × 24/(24 + h)``.

    *wind* is the expected Beaufort level (capped at 17), *readiness* the
    weighted share of tasks done (0-1) and *h* the hours left before level-6
    wind arrives (0 once it has arrived; 72 when no level-6 arrival is
    forecast). A fully ready commune scores 0; an unready commune under
    level-12 wind arriving now scores 100.
    """
    wind = 0.0
    if max_wind_level is not None and not math.isnan(max_wind_level):
        wind = float(min(max(max_wind_level, 0), 17))
    h = 72.0 if hours_left is None or math.isnan(hours_left) else max(hours_left, 0.0)
    unready = min(max(1.0 - readiness, 0.0), 1.0)
    return round(100.0 * wind / 12.0 * unready * 24.0 / (24.0 + h), 2)


def due_now(planned: datetime | None, clock: Clock) -> datetime | None:
    """The deadline a task gets at activation: its planned deadline, or *clock*
    ("due now") when the planned one has already passed.

    A plan activated 30 h before the storm would otherwise start with every
    "ETA − 48 h" task overdue. The planned deadline stays computable from the
    plan (:func:`dashboard.plans.activation.deadline`), so a page can show it
    next to "due now" (:func:`planned_if_moved`).
    """
    if planned is None:
        return None
    return planned if planned >= clock else clock


def planned_if_moved(deadline_utc: datetime | None, planned: datetime | None):
    """The original deadline when activation moved it to "due now", else None."""
    if deadline_utc is None or planned is None:
        return None
    return planned if planned < deadline_utc else None
