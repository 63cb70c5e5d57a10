"""Time: everything is stored and computed in UTC and shown in Vietnam time.

The one definition of Vietnam time (Asia/Ho_Chi_Minh, UTC+7 with no daylight
saving since 1975) and the one naive-to-UTC rule (SQLite hands back naive
datetimes; they were stored as UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo

import pandas as pd
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

try:  # the IANA database (tzdata) may be missing on a bare system
    from zoneinfo import ZoneInfo

    VIETNAM_TZ: tzinfo = ZoneInfo("Asia/Ho_Chi_Minh")
except Exception:  # pragma: no cover - depends on the system
    VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")

#: The fixed offset of Vietnam time, for arithmetic on calendar days.
VIETNAM_OFFSET = timedelta(hours=7)


def as_utc(value: datetime) -> datetime:
    """*value* as an aware UTC datetime; a naive value is taken as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def as_utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def utc_now(clock: datetime | None = None) -> datetime:
    """*clock* as aware UTC, or the real time when not given.

    Services take an optional ``clock`` (a :data:`dashboard.core.clock.Clock`,
    which imports this module, hence the plain type here) so that tests and
    drills can say when something happens; a naive value is refused (it would
    be ambiguous).
    """
    if clock is None:
        return datetime.now(UTC)
    if clock.tzinfo is None:
        raise ValueError("clock must be timezone-aware")
    return clock.astimezone(UTC)


def to_vietnam_time(value: datetime | pd.Timestamp | None) -> datetime | None:
    """The same instant in Vietnam time; ``None``/``NaT`` → ``None``.

    Raises
    ------
    ValueError
        For a naive time (the dashboard keeps every time zone-aware; use
        :func:`as_utc` first on a value read back from SQLite).
    """
    if value is None or pd.isna(value):
        return None
    if value.tzinfo is None:
        raise ValueError(f"time {value} must be timezone-aware")
    return value.astimezone(VIETNAM_TZ)


def vietnam_text(value: datetime) -> str:
    """``19:00 20/07/2025``: *value* in Vietnam time, as people write it (for
    the params of an error message)."""
    return f"{as_utc(value).astimezone(VIETNAM_TZ):%H:%M %d/%m/%Y}"


def vietnam_midnight_utc(day) -> datetime:
    """00:00 Vietnam time of the calendar *day*, as UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) - VIETNAM_OFFSET


class UTCDateTime(TypeDecorator[datetime]):
    """A ``TIMESTAMP WITH TIME ZONE`` column that always gives back aware UTC.

    PostgreSQL keeps the zone; SQLite keeps none and hands back naive values,
    which were stored as UTC. Writing a naive value is refused, so nothing
    local can slip in unnoticed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"time {value} must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return as_utc_or_none(value)
