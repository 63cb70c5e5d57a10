"""The weekly summary per commune and category, and default due times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from dashboard import registry
from dashboard.auth import (
    Principal,
    can_read_province,
    is_staff,
    require,
)
from dashboard.core.clock import Clock, scenario_now
from dashboard.core.time import VIETNAM_OFFSET, utc_now
from dashboard.feedback.model import AWAITING_STATUSES, DEFAULT_DUE_HOURS, FeedbackError
from dashboard.store.models.feedback import (
    FeedbackItem,
)


def week_start(moment: datetime) -> date:
    """Monday (Vietnam time) of the week holding *moment*."""
    local = utc_now(moment) + VIETNAM_OFFSET
    return local.date() - timedelta(days=local.weekday())


def weekly_summary(
    session: Session,
    actor: Principal,
    province_code: str,
    weeks: int = 8,
    clock: Clock | None = None,
) -> pd.DataFrame:
    """Feedback raised per week, commune and category, counted in SQL.

    Weeks run Monday 00:00 to Monday 00:00 Vietnam time; the window is the
    current week and the *weeks* − 1 before it, by the time each item was
    first raised. One row per (week, commune, category) with at least one
    item; columns ``week_start`` (date, Monday), ``commune_code``,
    ``commune_name``, ``category``, ``raised``, ``urgent`` (urgent or
    critical), ``answered`` (answered or closed now), ``closed``,
    ``awaiting`` (received or assigned now).
    """
    require(
        is_staff(actor) and can_read_province(actor, province_code),
        f"read the feedback summary of province {province_code}",
    )
    if not 1 <= int(weeks) <= 52:
        raise FeedbackError("weeks", "must be between 1 and 52")
    weeks = int(weeks)
    first_monday = week_start(scenario_now(session, clock)) - timedelta(weeks=weeks - 1)
    bounds = [
        datetime.combine(first_monday + timedelta(weeks=k), time(), UTC)
        - VIETNAM_OFFSET
        for k in range(weeks + 1)
    ]
    bucket = case(
        *[(FeedbackItem.created_at < bounds[k + 1], k) for k in range(weeks)],
        else_=weeks,
    ).label("week")
    query = (
        select(
            bucket,
            FeedbackItem.commune_code,
            FeedbackItem.category,
            func.count().label("raised"),
            func.sum(
                case((FeedbackItem.urgency.in_(("urgent", "critical")), 1), else_=0)
            ).label("urgent"),
            func.sum(
                case((FeedbackItem.status.in_(("answered", "closed")), 1), else_=0)
            ).label("answered"),
            func.sum(case((FeedbackItem.status == "closed", 1), else_=0)).label(
                "closed"
            ),
            func.sum(
                case((FeedbackItem.status.in_(AWAITING_STATUSES), 1), else_=0)
            ).label("awaiting"),
        )
        .where(FeedbackItem.province_code == province_code)
        .where(FeedbackItem.created_at >= bounds[0])
        .where(FeedbackItem.created_at < bounds[-1])
        .group_by(bucket, FeedbackItem.commune_code, FeedbackItem.category)
        .order_by(bucket, FeedbackItem.commune_code, FeedbackItem.category)
    )
    rows = [
        {
            "week_start": first_monday + timedelta(weeks=int(r.week)),
            "commune_code": r.commune_code,
            "commune_name": registry.commune_name(r.commune_code),
            "category": r.category,
            "raised": int(r.raised),
            "urgent": int(r.urgent or 0),
            "answered": int(r.answered or 0),
            "closed": int(r.closed or 0),
            "awaiting": int(r.awaiting or 0),
        }
        for r in session.execute(query)
    ]
    columns = [
        "week_start",
        "commune_code",
        "commune_name",
        "category",
        "raised",
        "urgent",
        "answered",
        "closed",
        "awaiting",
    ]
    return pd.DataFrame(rows, columns=columns)


def due_default(urgency: str, clock: Clock | None = None) -> datetime:
    """The suggested due time when assigning an item of this urgency."""
    return utc_now(clock) + timedelta(hours=DEFAULT_DUE_HOURS.get(urgency, 72))
