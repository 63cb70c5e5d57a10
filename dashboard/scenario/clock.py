"""The scenario clock: live (now) or a drill replaying a past storm.

A drill replays a past storm as if it were happening: the clock is set to a
moment in the storm's life, the track up to the clock is "past" and the rest is
the "forecast" (a perfect one), and every deadline and "in 31 h" is computed
against the drill clock. The embedded default, on a fresh data directory, is
typhoon Wipha (Vietnam's storm No. 3, 2025) at 2025-07-20 12:00 UTC, about
36 hours before landfall, built from public-domain NOAA NCEI IBTrACS v04r01
positions (``data/drills/``).

The mode and clock are installation-wide settings (``app_settings``): they
move every account's deadlines at once, so only a real (non-demo) admin
changes them (a province account runs no drill of its own), and every change
is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from dashboard import audit
from dashboard.auth import Principal, require_installation_admin
from dashboard.core.clock import CLOCK_KEY, DRILL, LIVE, MODE_KEY, Clock
from dashboard.scenario.drill import DRILL_CLOCK, DRILL_END, DRILL_NAME, DRILL_START
from dashboard.store.models.core import AppSetting


@dataclass(frozen=True)
class Scenario:
    mode: str
    clock_utc: datetime
    drill_name: str = DRILL_NAME

    @property
    def is_drill(self) -> bool:
        return self.mode == DRILL


def _get(session: Session, key: str) -> str | None:
    row = session.get(AppSetting, key)
    return row.value if row else None


def _put(session: Session, actor: Principal, key: str, value: str) -> None:
    row = session.get(AppSetting, key)
    old = row.value if row else None
    if row is None:
        row = AppSetting(
            key=key, value=value, updated_at=datetime.now(UTC), updated_by=""
        )
        session.add(row)
    row.value = value
    row.updated_at = datetime.now(UTC)
    row.updated_by = actor.username
    session.flush()
    audit.record(session, actor, "set", "setting", key, old=old, new=value)


def current(session: Session, clock: Clock | None = None) -> Scenario:
    """The scenario in force (a fresh installation runs the Wipha drill)."""
    mode = _get(session, MODE_KEY) or DRILL
    if mode == LIVE:
        return Scenario(LIVE, clock or datetime.now(UTC))
    stored = _get(session, CLOCK_KEY)
    return Scenario(DRILL, datetime.fromisoformat(stored) if stored else DRILL_CLOCK)


def set_drill_clock(session: Session, actor: Principal, clock: Clock) -> Scenario:
    """Move the drill clock (real admins only: it is installation-wide).

    Raises
    ------
    ValueError
        When the clock is not timezone-aware or outside the drill storm's life.
    """
    require_installation_admin(actor, "change the scenario clock")
    if clock.tzinfo is None:
        raise ValueError("the drill clock must carry a time zone")
    clock = clock.astimezone(UTC)
    if not (DRILL_START <= clock <= DRILL_END):
        raise ValueError(
            f"the drill clock must lie between {DRILL_START:%Y-%m-%d %H:%M} and "
            f"{DRILL_END:%Y-%m-%d %H:%M} UTC"
        )
    _put(session, actor, MODE_KEY, DRILL)
    _put(session, actor, CLOCK_KEY, clock.isoformat())
    return current(session)


def set_live(session: Session, actor: Principal) -> Scenario:
    """Leave the drill: the clock is the real time again (real admins only)."""
    require_installation_admin(actor, "switch the installation to live mode")
    _put(session, actor, MODE_KEY, LIVE)
    return current(session)
