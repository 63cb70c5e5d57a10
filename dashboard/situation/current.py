"""The situation now: each shown storm with its exposure table.

What the situation report, the CAP alerts and the command line start from:
:func:`dashboard.scenario.shown_forecasts` (the one rule for which storms are
shown), each advisory's exposure of every commune of the current boundary
layer at the scenario clock. Pages get the same tables through
:mod:`dashboard.ui.cache`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard import forecasts, scenario
from dashboard.context import AppContext
from dashboard.forecasts import StoredForecastInfo
from dashboard.situation.table import exposure_table, layer_points
from dashboard.storms.model import Forecast


@dataclass(frozen=True)
class StormExposure:
    info: StoredForecastInfo
    forecast: Forecast
    #: :func:`dashboard.situation.exposure_table` at the scenario clock.
    table: pd.DataFrame


def storm_exposures(ctx: AppContext, sc: scenario.Scenario) -> list[StormExposure]:
    """Every shown storm with its exposure at *sc*'s clock."""
    infos = scenario.shown_forecasts(ctx, sc)
    if not infos:
        return []
    points = layer_points(ctx)
    out = []
    for info in infos:
        with ctx.sessions() as session:
            advisory = forecasts.forecast(session, info.id)
        out.append(
            StormExposure(
                info, advisory, exposure_table(advisory, points, sc.clock_utc)
            )
        )
    return out
