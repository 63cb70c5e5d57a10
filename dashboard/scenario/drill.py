"""The embedded drill: typhoon Wipha (Vietnam's storm No. 3, July 2025).

Built from public-domain NOAA NCEI IBTrACS v04r01 positions re-encoded in
``data/drills/`` (see its README for the citation). The drill clock starts at
2025-07-20 12:00 UTC, about 36 hours before landfall on the northern coast.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from dashboard.config import REPO_ROOT
from dashboard.core.clock import DEFAULT_DRILL_CLOCK, Clock
from dashboard.storms.model import Forecast
from dashboard.storms.parsers import parse

DRILL_FILE = REPO_ROOT / "data" / "drills" / "wipha_2025_ibtracs.csv"
DRILL_NAME = "wipha_2025"
DRILL_CLOCK = DEFAULT_DRILL_CLOCK
DRILL_START = datetime(2025, 7, 16, 6, 0, tzinfo=UTC)
DRILL_END = datetime(2025, 7, 22, 18, 0, tzinfo=UTC)
CITATION = (
    "NOAA NCEI IBTrACS v04r01 (Knapp et al. 2010; Gahtan et al. 2024), "
    "provisional 2025 positions"
)


def drill_forecast(clock: Clock = DRILL_CLOCK, path: Path = DRILL_FILE) -> Forecast:
    """The drill storm as the forecast "issued" at *clock*."""
    return parse(path.read_bytes(), format="ibtracs", clock=clock)[0]
