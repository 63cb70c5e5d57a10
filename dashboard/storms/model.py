"""The canonical forecast model every parser produces.

Units are fixed so that sources are never mixed silently:

* times are timezone-aware ``datetime`` in UTC;
* winds are knots, with the averaging period (1, 2 or 10 minutes) stated once
  per forecast in :attr:`Forecast.wind_averaging_minutes`;
* pressure is hPa; wind radii are nautical miles per quadrant (NE, SE, SW, NW),
  each the maximum extent of that wind in the quadrant, as agencies publish them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dashboard.core.errors import Invalid

QUADRANTS = ("ne", "se", "sw", "nw")
WIND_THRESHOLDS_KT = (34, 50, 64)


class ForecastError(Invalid):
    """A product could not be read; the message names what is wrong (in
    English, for logs); ``key`` says it for people (``forecasts.err.*``)."""

    default_key = "forecasts.err.unreadable"


@dataclass(frozen=True)
class Radii:
    """Quadrant radii (nmi) of one wind threshold; 0 means none in that quadrant."""

    ne: float
    se: float
    sw: float
    nw: float

    def __post_init__(self) -> None:
        for q in QUADRANTS:
            value = getattr(self, q)
            if not (0 <= value <= 1000):
                raise ForecastError(
                    f"wind radius {q.upper()}={value} nmi is out of range"
                )

    def as_dict(self) -> dict[str, float]:
        return {q: getattr(self, q) for q in QUADRANTS}

    @property
    def max(self) -> float:
        return max(self.ne, self.se, self.sw, self.nw)


@dataclass(frozen=True)
class TrackPoint:
    """One analysed or forecast position of the storm centre."""

    valid_utc: datetime
    lead_hours: float
    lat: float
    lon: float
    vmax_kt: float | None = None
    gust_kt: float | None = None
    mslp_hpa: float | None = None
    r34_nm: Radii | None = None
    r50_nm: Radii | None = None
    r64_nm: Radii | None = None
    is_forecast: bool = True
    rmw_nm: float | None = None
    """Radius of maximum wind (nmi) when the product gives it (e.g. IBTrACS
    ``USA_RMW``); otherwise the wind model estimates it."""

    def __post_init__(self) -> None:
        if self.valid_utc.tzinfo is None or self.valid_utc.utcoffset() != UTC.utcoffset(
            None
        ):
            raise ForecastError(f"time {self.valid_utc} must be timezone-aware UTC")
        if not (-90 <= self.lat <= 90):
            raise ForecastError(f"latitude {self.lat} is impossible")
        if not (-180 <= self.lon <= 360):
            raise ForecastError(f"longitude {self.lon} is impossible")
        if self.vmax_kt is not None and not (0 <= self.vmax_kt <= 250):
            raise ForecastError(f"maximum wind {self.vmax_kt} kt is out of range")
        if self.gust_kt is not None and not (0 <= self.gust_kt <= 300):
            raise ForecastError(f"gust {self.gust_kt} kt is out of range")
        if self.mslp_hpa is not None and not (850 <= self.mslp_hpa <= 1050):
            raise ForecastError(f"pressure {self.mslp_hpa} hPa is out of range")
        if self.rmw_nm is not None and not (0 < self.rmw_nm <= 500):
            raise ForecastError(
                f"radius of maximum wind {self.rmw_nm} nmi is out of range"
            )

    def radii(self, threshold_kt: int) -> Radii | None:
        return {34: self.r34_nm, 50: self.r50_nm, 64: self.r64_nm}[threshold_kt]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the field names of ``dashboard forecast parse --json``."""
        return {
            "valid_utc": self.valid_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "lead_hours": self.lead_hours,
            "lat": self.lat,
            "lon": self.lon,
            "vmax_kt": self.vmax_kt,
            "gust_kt": self.gust_kt,
            "mslp_hpa": self.mslp_hpa,
            "r34_nm": self.r34_nm.as_dict() if self.r34_nm else None,
            "r50_nm": self.r50_nm.as_dict() if self.r50_nm else None,
            "r64_nm": self.r64_nm.as_dict() if self.r64_nm else None,
            "is_forecast": self.is_forecast,
            "rmw_nm": self.rmw_nm,
        }


@dataclass(frozen=True)
class Forecast:
    """One advisory of one storm from one agency.

    ``cone_geojson`` holds the product's own uncertainty cone or danger-zone
    polygon (a GeoJSON geometry dict, lon/lat) when the product carries one;
    otherwise the cone is built from track-error radii.
    """

    storm_id: str
    storm_name: str
    source: str
    issued_utc: datetime
    wind_averaging_minutes: int
    points: tuple[TrackPoint, ...]
    product: str = ""
    cone_geojson: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.wind_averaging_minutes not in (1, 2, 3, 10):
            raise ForecastError(
                f"wind averaging period {self.wind_averaging_minutes} min is not 1, 2, 3 or 10"
            )
        if not self.points:
            raise ForecastError("the product has no track points")
        if self.issued_utc.tzinfo is None:
            raise ForecastError("issue time must be timezone-aware UTC")
        times = [p.valid_utc for p in self.points]
        if times != sorted(times):
            raise ForecastError("track points are not in time order")

    @property
    def past(self) -> tuple[TrackPoint, ...]:
        return tuple(p for p in self.points if not p.is_forecast)

    @property
    def forecast(self) -> tuple[TrackPoint, ...]:
        return tuple(p for p in self.points if p.is_forecast)

    def as_dict(self) -> dict[str, Any]:
        return {
            "storm_id": self.storm_id,
            "storm_name": self.storm_name,
            "source": self.source,
            "product": self.product,
            "issued_utc": self.issued_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "wind_averaging_minutes": self.wind_averaging_minutes,
            "points": [p.as_dict() for p in self.points],
            "cone_geojson": self.cone_geojson,
        }


def _parse_utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _radii_from(value: dict[str, float] | None) -> Radii | None:
    return Radii(**value) if value else None


def forecast_from_dict(data: dict[str, Any]) -> Forecast:
    """Rebuild a :class:`Forecast` from :meth:`Forecast.as_dict` output.

    Raises
    ------
    ForecastError
        When a field is missing or out of range.
    """
    try:
        points = tuple(
            TrackPoint(
                valid_utc=_parse_utc(p["valid_utc"]),
                lead_hours=float(p["lead_hours"]),
                lat=float(p["lat"]),
                lon=float(p["lon"]),
                vmax_kt=p.get("vmax_kt"),
                gust_kt=p.get("gust_kt"),
                mslp_hpa=p.get("mslp_hpa"),
                r34_nm=_radii_from(p.get("r34_nm")),
                r50_nm=_radii_from(p.get("r50_nm")),
                r64_nm=_radii_from(p.get("r64_nm")),
                is_forecast=bool(p.get("is_forecast", True)),
                rmw_nm=p.get("rmw_nm"),
            )
            for p in data["points"]
        )
        return Forecast(
            storm_id=str(data["storm_id"]),
            storm_name=str(data["storm_name"]),
            source=str(data["source"]),
            issued_utc=_parse_utc(data["issued_utc"]),
            wind_averaging_minutes=int(data["wind_averaging_minutes"]),
            points=points,
            product=str(data.get("product", "")),
            cone_geojson=data.get("cone_geojson"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ForecastError):
            raise
        raise ForecastError(f"stored forecast is malformed: {exc}") from exc
