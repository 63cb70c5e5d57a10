"""Which storms concern Vietnam.

NCHMF follows every tropical cyclone in the East Sea (Biển Đông): north of
5°N and west of 120°E. We use the box 5-23°N, 100-120°E, the same domain that
clips NCHMF danger zones.
"""

from __future__ import annotations

from collections.abc import Iterable

from dashboard.storms.model import Forecast

EAST_SEA_BOX = (100.0, 5.0, 120.0, 23.0)
"""(lon_min, lat_min, lon_max, lat_max) of the East Sea forecast domain."""

VIETNAM_NAMES = {"viet nam", "vietnam", "việt nam", "vnm", "vn"}


def in_east_sea(lat: float, lon: float) -> bool:
    """Whether a position lies in :data:`EAST_SEA_BOX` (edges included)."""
    lon_min, lat_min, lon_max, lat_max = EAST_SEA_BOX
    lon = lon - 360 if lon > 180 else lon
    return lat_min <= lat <= lat_max and lon_min <= lon <= lon_max


def _names(values: Iterable[object]) -> set[str]:
    return {str(v).strip().lower() for v in values if v}


def names_vietnam(forecast: Forecast) -> bool:
    """Whether GDACS lists Viet Nam in ``country``, ``iso3`` or ``affectedcountries``."""
    extra = forecast.extra
    country = str(extra.get("country") or "")
    candidates = _names(country.split(","))
    candidates |= _names([extra.get("iso3")])
    candidates |= _names(extra.get("affectedcountries") or [])
    candidates |= _names(extra.get("affected_iso3") or [])
    return bool(candidates & VIETNAM_NAMES)


def concerns_vietnam(forecast: Forecast) -> bool:
    """Whether *forecast* is a storm NCHMF would watch.

    True when any point, past or forecast, lies in the East Sea box, or when
    the product names Viet Nam among the affected countries (GDACS).
    """
    if any(in_east_sea(p.lat, p.lon) for p in forecast.points):
        return True
    return names_vietnam(forecast)


def vietnam_storms(forecasts: Iterable[Forecast]) -> list[Forecast]:
    """The forecasts for which :func:`concerns_vietnam` is true, in order."""
    return [f for f in forecasts if concerns_vietnam(f)]
