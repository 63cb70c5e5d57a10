"""The Vietnamese Beaufort wind scale (cấp gió) and averaging-period conversions.

The bands live in ``data/beaufort_vietnam.csv`` (levels 6-17 and "above 17"
from Quyết định 18/2021/QĐ-TTg, Phụ lục III; levels 0-5 are the standard WMO
Beaufort bands). The file stores m/s and the published km/h; knots are computed
here from m/s (1 kt = 0.514444 m/s).

Classification rounds a speed to 0.1 m/s first, as observations and the
published table are, then takes the highest level whose lower bound it reaches;
so the gaps in the table (13.8 → 13.9 m/s) never leave a speed unclassified.
Level 18 stands for "above level 17" (``trên cấp 17``).

Averaging periods
-----------------
Agencies quote the maximum wind over different averaging periods (JTWC/NHC
1 min, CMA and, we assume, NCHMF 2 min, JMA 10 min). :func:`to_10min` converts
to the WMO 10-minute mean at sea:

* 1 min → 10 min: × 0.93, the at-sea factor of the WMO guideline (Harper,
  Kepert and Ginger 2010, WMO/TD-No. 1555). The older, still common 0.88 is
  not used.
* 2 min → 10 min: × 0.96. The guideline's summary gives no 2-minute value, so
  we take the middle of two estimates: (a) the usual US ratio of about 1.04
  between 1-minute and 2-minute winds, combined with 0.93, gives 0.967;
  (b) interpolating the at-sea gust factor linearly in log(averaging time)
  between 60 s (1/0.93) and 600 s (1.0) gives 0.950.
* 3 min → 10 min: × 0.965 (estimate (b) gives 0.962; kept not below the
  2-minute factor).

These conversions are approximate (a few per cent) and only meant to put winds
from several agencies on one scale for display.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dashboard.config import REPO_ROOT
from dashboard.storms.model import ForecastError

BEAUFORT_FILE = REPO_ROOT / "data" / "beaufort_vietnam.csv"

MS_PER_KT = 0.514444
KMH_PER_KT = 1.852
ABOVE_17 = 18
"""Level number used for "above level 17" (trên cấp 17)."""

TO_10MIN_FACTOR: dict[int, float] = {1: 0.93, 2: 0.96, 3: 0.965, 10: 1.0}
"""Multiply an N-minute maximum wind by this to get a 10-minute one (at sea)."""


@dataclass(frozen=True)
class BeaufortLevel:
    """One band of the scale; ``*_max`` is ``None`` for the open top band."""

    level: int
    label: str
    ms_min: float
    ms_max: float | None
    kmh_min: float
    kmh_max: float | None
    vn_class: str


def _optional_float(text: str) -> float | None:
    text = text.strip()
    return float(text) if text else None


def load_scale(path: Path = BEAUFORT_FILE) -> tuple[BeaufortLevel, ...]:
    """Read the scale from *path* (``#`` lines are comments).

    Raises
    ------
    ForecastError
        When the file is missing a column or its levels are not 0, 1, 2, ...
    """
    lines = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    levels = []
    for row in csv.DictReader(lines):
        try:
            levels.append(
                BeaufortLevel(
                    level=int(row["level"]),
                    label=row["label"],
                    ms_min=float(row["ms_min"]),
                    ms_max=_optional_float(row["ms_max"]),
                    kmh_min=float(row["kmh_min"]),
                    kmh_max=_optional_float(row["kmh_max"]),
                    vn_class=row["vn_class"],
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ForecastError(f"{path.name}: bad Beaufort row {row}: {exc}") from exc
    if [lv.level for lv in levels] != list(range(len(levels))):
        raise ForecastError(f"{path.name}: levels must be 0, 1, 2, ... in order")
    return tuple(levels)


@lru_cache(maxsize=1)
def scale() -> tuple[BeaufortLevel, ...]:
    """The scale from :data:`BEAUFORT_FILE`, read once."""
    return load_scale()


def _band(level: int) -> BeaufortLevel:
    bands = scale()
    if not 0 <= level < len(bands):
        raise ValueError(
            f"Beaufort level {level} is not between 0 and {len(bands) - 1}"
        )
    return bands[level]


def level_from_ms(ms: float | None) -> int | None:
    """Beaufort level of a wind speed in m/s (``None`` for missing or negative)."""
    if ms is None or math.isnan(ms) or ms < 0:
        return None
    rounded = round(ms, 1)
    level = 0
    for band in scale():
        if rounded >= band.ms_min:
            level = band.level
    return level


def level_from_kt(kt: float | None) -> int | None:
    """Beaufort level (0-17, 18 = above 17) of a wind speed in knots.

    Examples
    --------
    >>> level_from_kt(34), level_from_kt(50), level_from_kt(64)
    (8, 10, 12)
    """
    if kt is None:
        return None
    return level_from_ms(kt * MS_PER_KT)


def ms_range(level: int) -> tuple[float, float | None]:
    """(minimum, maximum) m/s of *level*; the maximum is ``None`` above 17."""
    band = _band(level)
    return band.ms_min, band.ms_max


def kt_range(level: int) -> tuple[float, float | None]:
    """(minimum, maximum) knots of *level*, computed from the m/s bounds."""
    low, high = ms_range(level)
    return low / MS_PER_KT, (None if high is None else high / MS_PER_KT)


def kmh_range(level: int) -> tuple[float, float | None]:
    """(minimum, maximum) km/h of *level* as published (e.g. 9 → (75, 88))."""
    band = _band(level)
    return band.kmh_min, band.kmh_max


def vn_class(level: int) -> str:
    """Vietnamese storm class for a maximum wind of *level* ('' below 6)."""
    return _band(level).vn_class


def level_label(level: int) -> str:
    """Display label: the number, or ``>17`` for :data:`ABOVE_17`."""
    return _band(level).label


def representative_kt(low_level: int, high_level: int | None = None) -> float:
    """One wind speed (kt) for a stated level or level range ("cấp 9-10").

    The middle of the m/s span from the lower bound of *low_level* to the
    upper bound of *high_level*; for the open top band its lower bound.
    """
    high_level = low_level if high_level is None else high_level
    if high_level < low_level:
        raise ValueError(f"level range {low_level}-{high_level} is reversed")
    low, _ = ms_range(low_level)
    _, high = ms_range(high_level)
    if high is None:
        return low / MS_PER_KT
    return (low + high) / 2 / MS_PER_KT


def to_10min(kt: float | None, from_minutes: int) -> float | None:
    """Convert an N-minute maximum wind (kt) to a 10-minute one (at sea).

    Parameters
    ----------
    kt
        Wind speed in knots, or ``None``.
    from_minutes
        Averaging period of *kt*: 1, 2, 3 or 10.

    Examples
    --------
    >>> round(to_10min(100, 1), 1)
    93.0
    """
    if from_minutes not in TO_10MIN_FACTOR:
        raise ValueError(
            f"no conversion from {from_minutes}-minute winds "
            f"(known: {sorted(TO_10MIN_FACTOR)})"
        )
    if kt is None:
        return None
    return kt * TO_10MIN_FACTOR[from_minutes]


def convert_averaging(
    kt: float | None, from_minutes: int, to_minutes: int
) -> float | None:
    """Convert between any two supported averaging periods through 10 minutes."""
    ten = to_10min(kt, from_minutes)
    if ten is None:
        return None
    if to_minutes not in TO_10MIN_FACTOR:
        raise ValueError(f"no conversion to {to_minutes}-minute winds")
    return ten / TO_10MIN_FACTOR[to_minutes]
