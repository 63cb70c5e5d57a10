"""The clock the pages show and stamp with: the drill clock during a drill."""

from __future__ import annotations

from datetime import datetime

from dashboard.core.clock import scenario_now
from dashboard.ui import cache


def now() -> datetime:
    """Now, by the scenario in force (drill time during a drill), aware UTC."""
    with cache.context().sessions() as db:
        return scenario_now(db)
