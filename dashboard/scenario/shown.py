"""Which storms are shown: the one rule every page, report and command uses.

In a drill, the drill's own advisory at the drill clock; live, the newest
advisory of each storm that concerns Vietnam and is not over
(:data:`STALE_AFTER` after its last track point).
"""

from __future__ import annotations

from datetime import timedelta

from dashboard import forecasts
from dashboard.auth import SYSTEM
from dashboard.context import AppContext
from dashboard.scenario.clock import Scenario
from dashboard.scenario.drill import drill_forecast


def ensure_drill_forecast(ctx: AppContext, scenario: Scenario) -> tuple[int, str]:
    """Store (once) the drill advisory for the scenario clock.

    Returns
    -------
    (int, str)
        The stored forecast's id and its storm id.
    """
    forecast = drill_forecast(scenario.clock_utc)
    with ctx.transaction() as session:
        (forecast_id,) = forecasts.store_forecasts(
            session, SYSTEM, [forecast], f"drill:{scenario.drill_name}", is_drill=True
        )
    return forecast_id, forecast.storm_id


def active_forecasts(
    ctx: AppContext, scenario: Scenario
) -> list[forecasts.StoredForecastInfo]:
    """The advisories to show: the drill's, or the newest live one per storm."""
    with ctx.sessions() as session:
        if not scenario.is_drill:
            return forecasts.latest_forecasts(session, include_drill=False)
    forecast_id, storm_id = ensure_drill_forecast(ctx, scenario)
    with ctx.sessions() as session:
        return [i for i in forecasts.history(session, storm_id) if i.id == forecast_id]


#: A live storm stays on the map (and in reports) until this long after its
#: last track point.
STALE_AFTER = timedelta(hours=12)


def shown_forecasts(
    ctx: AppContext, scenario: Scenario
) -> list[forecasts.StoredForecastInfo]:
    """The advisories the situation map and the situation report show: the
    drill's, or the live storms that concern Vietnam and are not over."""
    infos = active_forecasts(ctx, scenario)
    if scenario.is_drill:
        return infos
    fresh = []
    with ctx.sessions() as session:
        for info in infos:
            last = forecasts.forecast(session, info.id).points[-1].valid_utc
            if info.concerns_vietnam and last >= scenario.clock_utc - STALE_AFTER:
                fresh.append(info)
    return fresh
