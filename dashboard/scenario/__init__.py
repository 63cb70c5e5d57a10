"""The scenario: the clock (live or a drill), the embedded drill storm, and the
one rule for which storms are shown.

Owns ``scenario.*`` settings. May import: store, auth, audit, storms, forecasts.
"""

from dashboard.scenario.clock import (
    CLOCK_KEY,
    DRILL,
    LIVE,
    MODE_KEY,
    Scenario,
    current,
    set_drill_clock,
    set_live,
)
from dashboard.scenario.drill import (
    CITATION,
    DRILL_CLOCK,
    DRILL_END,
    DRILL_FILE,
    DRILL_NAME,
    DRILL_START,
    drill_forecast,
)
from dashboard.scenario.shown import (
    STALE_AFTER,
    active_forecasts,
    ensure_drill_forecast,
    shown_forecasts,
)

__all__ = [
    "CITATION",
    "CLOCK_KEY",
    "DRILL",
    "DRILL_CLOCK",
    "DRILL_END",
    "DRILL_FILE",
    "DRILL_NAME",
    "DRILL_START",
    "LIVE",
    "MODE_KEY",
    "STALE_AFTER",
    "Scenario",
    "active_forecasts",
    "current",
    "drill_forecast",
    "ensure_drill_forecast",
    "set_drill_clock",
    "set_live",
    "shown_forecasts",
]
