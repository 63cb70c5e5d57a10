"""What the map draws for a storm: track, forecast points, cone, wind areas.

Plain data (lon/lat GeoJSON geometries and coordinate lists) built from a
:class:`~dashboard.storms.model.Forecast`; :mod:`dashboard.situation.mapview` turns it
into Leaflet layers. Geometries are simplified to ~1 km so the storm adds tens
of kilobytes, not megabytes, to the map payload.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import shapely

from dashboard.core.clock import Clock
from dashboard.storms.beaufort import level_from_kt
from dashboard.storms.cone import cone_polygon, wind_areas
from dashboard.storms.model import Forecast
from dashboard.storms.track import HourlyTrack, interpolate_track, sample_at, split_at
from dashboard.storms.wind import decay_factor, fit_vortex

WIND_LEVELS = (6, 8, 10, 12)
SIMPLIFY_DEG = 0.01


@dataclass(frozen=True)
class StormPoint:
    valid_utc: datetime
    lat: float
    lon: float
    level: int | None
    vmax_kt: float | None
    is_forecast: bool


@dataclass(frozen=True)
class StormOverlay:
    storm_name: str
    past_line: list[list[float]]  # [[lat, lon], ...]
    forecast_line: list[list[float]]
    points: list[StormPoint]
    cone: dict[str, Any] | None  # GeoJSON geometry
    wind_areas: dict[int, dict[str, Any]]  # level → GeoJSON geometry at `hour`
    hour: datetime
    centre: tuple[float, float] | None  # (lat, lon) at `hour`


def _geojson(geometry: shapely.Geometry) -> dict[str, Any] | None:
    if geometry is None or geometry.is_empty:
        return None
    simple = shapely.simplify(geometry, SIMPLIFY_DEG, preserve_topology=True)
    return shapely.geometry.mapping(shapely.set_precision(simple, 0.001))


def _line(track: HourlyTrack) -> list[list[float]]:
    return [
        [round(float(a), 3), round(float(o), 3)]
        for a, o in zip(track.lat, track.lon, strict=True)
    ]


def forecast_hours(forecast: Forecast, clock: Clock) -> list[datetime]:
    """Whole hours from the clock to the end of the forecast (the time slider)."""
    track = interpolate_track(forecast)
    _, future = split_at(track, clock)
    hours = [t for t in future.datetimes() if t >= clock]
    return hours or [clock]


def build_overlay(forecast: Forecast, clock: Clock, hour: datetime) -> StormOverlay:
    """The storm as drawn at the selected *hour* (the clock or later)."""
    track = interpolate_track(forecast)
    past, future = split_at(track, clock)
    points = [
        StormPoint(
            valid_utc=p.valid_utc,
            lat=p.lat,
            lon=p.lon,
            level=level_from_kt(p.vmax_kt),
            vmax_kt=p.vmax_kt,
            is_forecast=p.valid_utc > clock,
        )
        for p in forecast.points
    ]
    wind: dict[int, dict[str, Any]] = {}
    centre = None
    if (
        len(track)
        and track.times[0]
        <= np.datetime64(hour.replace(tzinfo=None), "s")
        <= track.times[-1]
    ):
        at = sample_at(track, hour)
        # The same wind model as the commune table, decayed since landfall.
        hours = (track.times - track.times[0]) / np.timedelta64(3600, "s")
        at_hours = (at.times - track.times[0]) / np.timedelta64(3600, "s")
        decay = np.interp(at_hours, hours, decay_factor(track))
        vortex = fit_vortex(at, forecast.wind_averaging_minutes, decay)
        centre = (float(at.lat[0]), float(at.lon[0]))
        for level in WIND_LEVELS:
            areas = wind_areas(at, level, vortex=vortex)
            shape = _geojson(areas[0]) if areas else None
            if shape is not None:
                wind[level] = shape
    return StormOverlay(
        storm_name=forecast.storm_name,
        past_line=_line(past),
        forecast_line=_line(future),
        points=points,
        cone=_geojson(cone_polygon(forecast, track)),
        wind_areas=wind,
        hour=hour,
        centre=centre,
    )
