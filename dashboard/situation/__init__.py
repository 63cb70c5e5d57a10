"""The storm situation per commune: the one "exposed" rule, the commune
exposure table, and what the situation map draws.

May import: storms, geo, registry, scenario, forecasts. Never streamlit.
"""

from dashboard.situation.current import StormExposure, storm_exposures
from dashboard.situation.exposed import (
    EXPOSED_MIN_RISK,
    WATCH_MIN_RISK,
    exposed_communes,
    exposed_mask,
    watched_communes,
)
from dashboard.situation.table import (
    EXPOSURE_COLUMNS,
    commune_points,
    exposure_csv,
    exposure_table,
    layer_points,
)

__all__ = [
    "EXPOSED_MIN_RISK",
    "EXPOSURE_COLUMNS",
    "WATCH_MIN_RISK",
    "StormExposure",
    "commune_points",
    "exposed_communes",
    "exposed_mask",
    "exposure_csv",
    "exposure_table",
    "layer_points",
    "storm_exposures",
    "watched_communes",
]
