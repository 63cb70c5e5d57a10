"""The one clock: what "now" is for a service and for the pages.

During a drill every stamp a service writes (feedback sent, task history,
audit rows, default due dates) and every time a page shows is *drill time*;
live, it is the real time. :func:`scenario_now` reads the setting directly
(the scenario package owns changing it, see :mod:`dashboard.scenario.clock`),
so the audit log and every service can use it without importing the scenario
package (which imports them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeAlias

from sqlalchemy.orm import Session

from dashboard.core.time import utc_now
from dashboard.store.models.core import AppSetting

__all__ = [
    "CLOCK_KEY",
    "DEFAULT_DRILL_CLOCK",
    "DRILL",
    "LIVE",
    "MODE_KEY",
    "Clock",
    "scenario_now",
]

Clock: TypeAlias = datetime
"""The scenario's "now": an aware UTC :class:`~datetime.datetime`.

It is drill time during a drill and the real time live. Every service and
domain function that needs the time takes it as one parameter, ``clock: Clock``
(``clock: Clock | None = None`` when it can read the scenario itself, see
:func:`scenario_now`).
"""

MODE_KEY = "scenario.mode"
CLOCK_KEY = "scenario.clock"
LIVE, DRILL = "live", "drill"
#: The embedded drill's default clock (typhoon Wipha, 2025-07-20 12:00 UTC).
DEFAULT_DRILL_CLOCK = datetime(2025, 7, 20, 12, 0, tzinfo=UTC)


def scenario_now(session: Session | None, clock: Clock | None = None) -> datetime:
    """*clock* when given; else the drill clock during a drill, the real time live.

    A fresh installation (no setting yet) runs the drill, like
    :func:`dashboard.scenario.current`.
    """
    if clock is not None or session is None:
        return utc_now(clock)
    # No autoflush: reading the clock in the middle of a change must not
    # write the change early (a versioned row would be bumped twice).
    with session.no_autoflush:
        mode = session.get(AppSetting, MODE_KEY)
        stored = session.get(AppSetting, CLOCK_KEY)
    if mode is not None and mode.value == LIVE:
        return utc_now()
    if stored is None or not stored.value:
        return DEFAULT_DRILL_CLOCK
    return datetime.fromisoformat(stored.value).astimezone(UTC)
