"""Fixtures of the CAP alert tests: the Wipha drill's exposure at its clock."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import pytest

from dashboard import registry, situation
from dashboard.geo.approximate import approximate_layer
from dashboard.scenario.drill import DRILL_CLOCK, DRILL_NAME, drill_forecast
from dashboard.storms.model import Forecast

SENDER = "canhbao@phongthudansu.example.vn"
HUNG_YEN = "33"


@dataclass(frozen=True)
class Drill:
    forecast: Forecast
    table: pd.DataFrame
    polygons: gpd.GeoDataFrame

    def exposed(self, province_code: str) -> pd.DataFrame:
        # Exposed: level-6 winds forecast at the commune (stated here on the
        # wind level, apart from the risk levels the rule uses).
        rows = self.table
        return rows[
            (rows["province_code"] == province_code) & (rows["max_wind_level"] >= 6)
        ]


@pytest.fixture(scope="session")
def drill() -> Drill:
    forecast = drill_forecast(DRILL_CLOCK)
    polygons = approximate_layer(registry.communes())[["commune_code", "geometry"]]
    table = situation.exposure_table(
        forecast, situation.commune_points(polygons), DRILL_CLOCK
    )
    return Drill(forecast, table, polygons)


@pytest.fixture(scope="session")
def drill_name() -> str:
    return DRILL_NAME
